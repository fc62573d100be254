import { externalIdKey, selfIdKeys } from '../orcid/external-id.js';
import { groupItems, latest, metaJson, sourceXml, xmlEscape, type RenderContext } from './render.js';
import type { Affiliation, ExternalId, Researcher, Section, StoredItem } from './state.js';
import { externalIdsJson, externalIdsXml, summaryBodyJson, summaryBodyXml } from './summaries.js';

/**
 * Read views of a record (`works`, `peer-reviews`, `services`, `employments`, `person`,
 * `record`) in ORCID v3.0 XML and JSON, valid against `activities-3.0.xsd` / `record-3.0.xsd`
 * (../shared/orcid-model/README.md, "Activities endpoints", summary layout).
 */

const NSDECL = ['activities', 'common', 'work', 'peer-review', 'service', 'employment', 'person', 'personal-details', 'email', 'record']
  .map((p) => `xmlns:${p}="http://www.orcid.org/ns/${p}"`)
  .join(' ');

const SUMMARY: Record<Section, string> = { work: 'work:work-summary', 'peer-review': 'peer-review:peer-review-summary', service: 'service:service-summary' };
const PLURAL: Record<Section, string> = { work: 'works', 'peer-review': 'peer-reviews', service: 'services' };

/** The distinct `self` ids of a group's items (what ORCID lists as the group's external ids). */
function groupIds(items: StoredItem[]): ExternalId[] {
  const seen = new Map<string, ExternalId>();
  for (const i of items) for (const e of i.externalIds) if ((e.relationship ?? 'self') === 'self' && !seen.has(externalIdKey(e))) seen.set(externalIdKey(e), e);
  return [...seen.values()];
}
/** A peer-review group is identified by its group id, as type `peer-review`. */
const reviewGroupIds = (items: StoredItem[]): ExternalId[] => [{ type: 'peer-review', value: items[0]?.groupId ?? '' }];

function summaryXml(i: StoredItem, rc: RenderContext): string {
  const tag = SUMMARY[i.section];
  return `<${tag} put-code="${i.putCode}" path="/${i.orcid}/${i.section}/${i.putCode}" visibility="public" display-index="0"><common:created-date>${i.createdAt}</common:created-date><common:last-modified-date>${i.modifiedAt}</common:last-modified-date>${sourceXml(i.sourceClientId, rc)}${summaryBodyXml(i)}</${tag}>`;
}

/** Works grouped by shared self ids; peer reviews grouped by group id; services one group each. */
function groups(section: Section, items: StoredItem[]): StoredItem[][] {
  if (section === 'work') return groupItems(items, (i) => selfIdKeys(i.externalIds));
  if (section === 'peer-review') return groupItems(items, (i) => [`group:${i.groupId ?? ''}`]);
  return items.map((i) => [i]);
}

export function sectionXml(section: Section, orcid: string, items: StoredItem[], rc: RenderContext, declare = true): string {
  const g = groups(section, items)
    .map((gi) => {
      const inner = gi.map((i) => summaryXml(i, rc)).join('');
      const lm = `<common:last-modified-date>${latest(gi)}</common:last-modified-date>`;
      if (section === 'peer-review') return `<activities:group>${lm}${externalIdsXml(reviewGroupIds(gi))}<activities:peer-review-group>${lm}${externalIdsXml(groupIds(gi))}${inner}</activities:peer-review-group></activities:group>`;
      const tag = section === 'service' ? 'activities:affiliation-group' : 'activities:group';
      return `<${tag}>${lm}${externalIdsXml(groupIds(gi))}${inner}</${tag}>`;
    })
    .join('');
  const tag = `activities:${PLURAL[section]}`;
  return `<${tag}${declare ? ` ${NSDECL}` : ''} path="/${orcid}/${PLURAL[section]}">${items.length ? `<common:last-modified-date>${latest(items)}</common:last-modified-date>` : ''}${g}</${tag}>`;
}

function summaryJson(i: StoredItem, rc: RenderContext): Record<string, unknown> {
  return { ...metaJson(i, rc), 'display-index': '0', ...summaryBodyJson(i) };
}

export function sectionJson(section: Section, orcid: string, items: StoredItem[], rc: RenderContext): Record<string, unknown> {
  const key = section === 'work' ? 'work-summary' : section === 'peer-review' ? 'peer-review-summary' : 'service-summary';
  const g = groups(section, items).map((gi) => {
    const lm = { value: Date.parse(latest(gi)) };
    const sums = gi.map((i) => summaryJson(i, rc));
    if (section === 'peer-review') return { 'last-modified-date': lm, 'external-ids': externalIdsJson(reviewGroupIds(gi)), 'peer-review-group': [{ 'last-modified-date': lm, 'external-ids': externalIdsJson(groupIds(gi)), [key]: sums }] };
    if (section === 'service') return { 'last-modified-date': lm, 'external-ids': externalIdsJson(groupIds(gi)), summaries: sums.map((s) => ({ [key]: s })) };
    return { 'last-modified-date': lm, 'external-ids': externalIdsJson(groupIds(gi)), [key]: sums };
  });
  return { 'last-modified-date': items.length ? { value: Date.parse(latest(items)) } : null, [section === 'service' ? 'affiliation-group' : 'group']: g, path: `/${orcid}/${PLURAL[section]}` };
}

function employmentXml(r: Researcher, a: Affiliation, n: number): string {
  const dis = a.disambiguatedId
    ? `<common:disambiguated-organization><common:disambiguated-organization-identifier>${xmlEscape(a.disambiguatedId)}</common:disambiguated-organization-identifier><common:disambiguation-source>${xmlEscape(a.disambiguationSource ?? 'ROR')}</common:disambiguation-source></common:disambiguated-organization>`
    : '';
  // activities-3.0.xsd: an affiliation-group lists its external ids (none here) before its summaries.
  return `<activities:affiliation-group><common:external-ids/><employment:employment-summary put-code="${n}" path="/${r.orcid}/employment/${n}" visibility="public">${a.department ? `<common:department-name>${xmlEscape(a.department)}</common:department-name>` : ''}${a.roleTitle ? `<common:role-title>${xmlEscape(a.roleTitle)}</common:role-title>` : ''}${a.startYear ? `<common:start-date><common:year>${xmlEscape(a.startYear)}</common:year></common:start-date>` : ''}<common:organization><common:name>${xmlEscape(a.organization)}</common:name><common:address><common:city>${xmlEscape(a.city ?? '')}</common:city><common:country>${xmlEscape(a.country ?? '')}</common:country></common:address>${dis}</common:organization></employment:employment-summary></activities:affiliation-group>`;
}

export function employmentsXml(r: Researcher, declare = true): string {
  return `<activities:employments ${declare ? NSDECL : ''} path="/${r.orcid}/employments">${r.affiliations.map((a, i) => employmentXml(r, a, i + 1)).join('')}</activities:employments>`;
}

export function employmentsJson(r: Researcher): Record<string, unknown> {
  return {
    'affiliation-group': r.affiliations.map((a, i) => ({
      summaries: [
        {
          'employment-summary': {
            'put-code': i + 1,
            'department-name': a.department ?? null,
            'role-title': a.roleTitle ?? null,
            'start-date': a.startYear ? { year: { value: a.startYear } } : null,
            organization: {
              name: a.organization,
              address: { city: a.city ?? null, country: a.country ?? null },
              'disambiguated-organization': a.disambiguatedId ? { 'disambiguated-organization-identifier': a.disambiguatedId, 'disambiguation-source': a.disambiguationSource ?? 'ROR' } : null,
            },
          },
        },
      ],
    })),
    path: `/${r.orcid}/employments`,
  };
}

/** The person section; the e-mail is `limited`, so it appears only to /read-limited readers. */
export function personXml(r: Researcher, limited: boolean, declare = true): string {
  const email = limited && r.email ? `<email:email visibility="limited" verified="true" primary="true"><email:email>${xmlEscape(r.email)}</email:email></email:email>` : '';
  return `<person:person ${declare ? NSDECL : ''} path="/${r.orcid}/person"><person:name visibility="public" path="${r.orcid}"><personal-details:given-names>${xmlEscape(r.givenNames)}</personal-details:given-names><personal-details:family-name>${xmlEscape(r.familyName)}</personal-details:family-name></person:name><email:emails path="/${r.orcid}/email">${email}</email:emails></person:person>`;
}

export function personJson(r: Researcher, limited: boolean): Record<string, unknown> {
  return {
    name: { 'given-names': { value: r.givenNames }, 'family-name': { value: r.familyName }, visibility: 'public', path: r.orcid },
    emails: { email: limited && r.email ? [{ email: r.email, visibility: 'limited', verified: true, primary: true }] : [], path: `/${r.orcid}/email` },
    path: `/${r.orcid}/person`,
  };
}

export function recordXml(r: Researcher, items: StoredItem[], limited: boolean, rc: RenderContext): string {
  const host = rc.orcidHost;
  const of = (s: Section) => items.filter((i) => i.section === s);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<record:record ${NSDECL} path="/${r.orcid}"><common:orcid-identifier><common:uri>https://${host}/${r.orcid}</common:uri><common:path>${r.orcid}</common:path><common:host>${host}</common:host></common:orcid-identifier>${personXml(r, limited, false)}<activities:activities-summary path="/${r.orcid}/activities">${employmentsXml(r, false)}${sectionXml('peer-review', r.orcid, of('peer-review'), rc, false)}${sectionXml('service', r.orcid, of('service'), rc, false)}${sectionXml('work', r.orcid, of('work'), rc, false)}</activities:activities-summary></record:record>`;
}

export function recordJson(r: Researcher, items: StoredItem[], limited: boolean, rc: RenderContext): Record<string, unknown> {
  const of = (s: Section) => items.filter((i) => i.section === s);
  return {
    'orcid-identifier': { uri: `https://${rc.orcidHost}/${r.orcid}`, path: r.orcid, host: rc.orcidHost },
    person: personJson(r, limited),
    'activities-summary': {
      employments: employmentsJson(r),
      'peer-reviews': sectionJson('peer-review', r.orcid, of('peer-review'), rc),
      services: sectionJson('service', r.orcid, of('service'), rc),
      works: sectionJson('work', r.orcid, of('work'), rc),
      path: `/${r.orcid}/activities`,
    },
    path: `/${r.orcid}`,
  };
}
