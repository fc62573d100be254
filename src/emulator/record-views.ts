import { selfIds } from './items.js';
import { groupItems, latest, xmlEscape, type RenderContext } from './render.js';
import type { Affiliation, Researcher, Section, StoredItem } from './state.js';

/**
 * Read views of a record (`works`, `peer-reviews`, `services`, `employments`, `person`,
 * `record`) in ORCID v3.0 XML and JSON. Summaries carry only what the emulator extracted
 * from each item (title, type, external ids, source, dates).
 */

const NSDECL = ['activities', 'common', 'work', 'peer-review', 'service', 'employment', 'person', 'personal-details', 'email', 'record']
  .map((p) => `xmlns:${p}="http://www.orcid.org/ns/${p}"`)
  .join(' ');

const SUMMARY: Record<Section, string> = { work: 'work:work-summary', 'peer-review': 'peer-review:peer-review-summary', service: 'service:service-summary' };
const PLURAL: Record<Section, string> = { work: 'works', 'peer-review': 'peer-reviews', service: 'services' };

function extIds(item: StoredItem[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const i of item) {
    for (const e of i.externalIds) {
      if ((e.relationship ?? 'self') !== 'self' || seen.has(`${e.type}:${e.value}`)) continue;
      seen.add(`${e.type}:${e.value}`);
      out.push(
        `<common:external-id><common:external-id-type>${xmlEscape(e.type)}</common:external-id-type><common:external-id-value>${xmlEscape(e.value)}</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id>`,
      );
    }
  }
  return `<common:external-ids>${out.join('')}</common:external-ids>`;
}

function summaryXml(i: StoredItem, rc: RenderContext): string {
  const tag = SUMMARY[i.section];
  const src = `<common:source><common:source-client-id><common:path>${i.sourceClientId}</common:path></common:source-client-id><common:source-name>${xmlEscape(rc.clientName(i.sourceClientId))}</common:source-name></common:source>`;
  const body =
    i.section === 'work'
      ? `<work:title><common:title>${xmlEscape(i.title)}</common:title></work:title>${extIds([i])}<work:type>${xmlEscape(i.type)}</work:type>`
      : i.section === 'peer-review'
        ? `${extIds([i])}<peer-review:review-group-id>${xmlEscape(i.groupId ?? '')}</peer-review:review-group-id>`
        : `<common:role-title>${xmlEscape(i.type)}</common:role-title><common:organization><common:name>${xmlEscape(i.title)}</common:name></common:organization>${extIds([i])}`;
  return `<${tag} put-code="${i.putCode}" path="/${i.orcid}/${i.section}/${i.putCode}" visibility="public" display-index="0"><common:created-date>${i.createdAt}</common:created-date><common:last-modified-date>${i.modifiedAt}</common:last-modified-date>${src}${body}</${tag}>`;
}

/** Works grouped by shared self ids; peer reviews grouped by group id; services one group each. */
function groups(section: Section, items: StoredItem[]): StoredItem[][] {
  if (section === 'work') return groupItems(items, (i) => selfIds(i.externalIds));
  if (section === 'peer-review') return groupItems(items, (i) => [`group:${i.groupId ?? ''}`]);
  return items.map((i) => [i]);
}

export function sectionXml(section: Section, orcid: string, items: StoredItem[], rc: RenderContext, declare = true): string {
  const g = groups(section, items)
    .map((gi) => {
      const inner = gi.map((i) => summaryXml(i, rc)).join('');
      const wrapped = section === 'peer-review' ? `<activities:peer-review-group>${extIds(gi)}${inner}</activities:peer-review-group>` : inner;
      const tag = section === 'service' ? 'activities:affiliation-group' : 'activities:group';
      return `<${tag}><common:last-modified-date>${latest(gi)}</common:last-modified-date>${extIds(gi)}${wrapped}</${tag}>`;
    })
    .join('');
  const tag = `activities:${PLURAL[section]}`;
  return `<${tag} ${declare ? NSDECL : ''} path="/${orcid}/${PLURAL[section]}">${items.length ? `<common:last-modified-date>${latest(items)}</common:last-modified-date>` : ''}${g}</${tag}>`;
}

function summaryJson(i: StoredItem, rc: RenderContext): Record<string, unknown> {
  const common = {
    'put-code': Number(i.putCode),
    path: `/${i.orcid}/${i.section}/${i.putCode}`,
    visibility: 'public',
    'created-date': { value: Date.parse(i.createdAt) },
    'last-modified-date': { value: Date.parse(i.modifiedAt) },
    source: { 'source-client-id': { path: i.sourceClientId }, 'source-name': { value: rc.clientName(i.sourceClientId) } },
    'external-ids': { 'external-id': i.externalIds.map((e) => ({ 'external-id-type': e.type, 'external-id-value': e.value, 'external-id-relationship': e.relationship ?? 'self' })) },
  };
  if (i.section === 'work') return { ...common, title: { title: { value: i.title } }, type: i.type };
  if (i.section === 'peer-review') return { ...common, 'review-group-id': i.groupId };
  return { ...common, 'role-title': i.type, organization: { name: i.title } };
}

export function sectionJson(section: Section, orcid: string, items: StoredItem[], rc: RenderContext): Record<string, unknown> {
  const key = section === 'work' ? 'work-summary' : section === 'peer-review' ? 'peer-review-summary' : 'service-summary';
  const g = groups(section, items).map((gi) => {
    const ids = { 'external-id': gi.flatMap((i) => i.externalIds).map((e) => ({ 'external-id-type': e.type, 'external-id-value': e.value })) };
    const sums = gi.map((i) => summaryJson(i, rc));
    return section === 'peer-review'
      ? { 'last-modified-date': { value: Date.parse(latest(gi)) }, 'external-ids': ids, 'peer-review-group': [{ 'external-ids': ids, [key]: sums }] }
      : section === 'service'
        ? { 'last-modified-date': { value: Date.parse(latest(gi)) }, 'external-ids': ids, summaries: sums.map((s) => ({ [key]: s })) }
        : { 'last-modified-date': { value: Date.parse(latest(gi)) }, 'external-ids': ids, [key]: sums };
  });
  return { 'last-modified-date': items.length ? { value: Date.parse(latest(items)) } : null, [section === 'service' ? 'affiliation-group' : 'group']: g, path: `/${orcid}/${PLURAL[section]}` };
}

function employmentXml(r: Researcher, a: Affiliation, n: number): string {
  const dis = a.disambiguatedId
    ? `<common:disambiguated-organization><common:disambiguated-organization-identifier>${xmlEscape(a.disambiguatedId)}</common:disambiguated-organization-identifier><common:disambiguation-source>${xmlEscape(a.disambiguationSource ?? 'ROR')}</common:disambiguation-source></common:disambiguated-organization>`
    : '';
  return `<activities:affiliation-group><employment:employment-summary put-code="${n}" path="/${r.orcid}/employment/${n}" visibility="public">${a.department ? `<common:department-name>${xmlEscape(a.department)}</common:department-name>` : ''}${a.roleTitle ? `<common:role-title>${xmlEscape(a.roleTitle)}</common:role-title>` : ''}${a.startYear ? `<common:start-date><common:year>${xmlEscape(a.startYear)}</common:year></common:start-date>` : ''}<common:organization><common:name>${xmlEscape(a.organization)}</common:name><common:address><common:city>${xmlEscape(a.city ?? '')}</common:city><common:country>${xmlEscape(a.country ?? '')}</common:country></common:address>${dis}</common:organization></employment:employment-summary></activities:affiliation-group>`;
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
  const host = new URL(rc.baseUrl).host;
  const of = (s: Section) => items.filter((i) => i.section === s);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<record:record ${NSDECL} path="/${r.orcid}"><common:orcid-identifier><common:uri>${rc.baseUrl}/${r.orcid}</common:uri><common:path>${r.orcid}</common:path><common:host>${host}</common:host></common:orcid-identifier>${personXml(r, limited, false)}<activities:activities-summary path="/${r.orcid}/activities">${employmentsXml(r, false)}${sectionXml('peer-review', r.orcid, of('peer-review'), rc, false)}${sectionXml('service', r.orcid, of('service'), rc, false)}${sectionXml('work', r.orcid, of('work'), rc, false)}</activities:activities-summary></record:record>`;
}

export function recordJson(r: Researcher, items: StoredItem[], limited: boolean, rc: RenderContext): Record<string, unknown> {
  const of = (s: Section) => items.filter((i) => i.section === s);
  return {
    'orcid-identifier': { uri: `${rc.baseUrl}/${r.orcid}`, path: r.orcid, host: new URL(rc.baseUrl).host },
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
