import type { FuzzyDate, ItemModel, Organization } from './items.js';
import type { ExternalId, StoredItem } from './state.js';

/**
 * Summaries (`/works`, `/peer-reviews`, `/services`) and items posted as JSON but read as XML,
 * rendered from the one item model in both formats, so XML and JSON carry the same content. The
 * element order and required fields are the XSD's (`activities-3.0.xsd`, `work-3.0.xsd`,
 * `peer-review-3.0.xsd`, `common-3.0.xsd`; ../shared/orcid-model/README.md, "Activities endpoints").
 */

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<tag>text</tag>` when `v` is set, else nothing. */
const opt = (tag: string, v: string | undefined): string => (v === undefined ? '' : `<${tag}>${xmlEscape(v)}</${tag}>`);

/** The model of an item (items stored before models existed get one from their indexed fields). */
export function modelOf(i: StoredItem): ItemModel {
  return i.model ?? { title: i.title, type: i.type, externalIds: i.externalIds, contributors: [], groupId: i.groupId, organization: i.section === 'service' ? { name: i.title } : undefined };
}

export function externalIdXml(e: ExternalId, tag = 'common:external-id'): string {
  return `<${tag}><common:external-id-type>${xmlEscape(e.type)}</common:external-id-type><common:external-id-value>${xmlEscape(e.value)}</common:external-id-value>${opt('common:external-id-url', e.url)}${opt('common:external-id-relationship', e.relationship)}</${tag}>`;
}
export const externalIdsXml = (ids: ExternalId[], tag = 'common:external-ids'): string => `<${tag}>${ids.map((e) => externalIdXml(e)).join('')}</${tag}>`;

const dateXml = (tag: string, d: FuzzyDate | undefined): string => (d ? `<${tag}>${opt('common:year', d.year)}${opt('common:month', d.month)}${opt('common:day', d.day)}</${tag}>` : '');

function orgXml(tag: string, o: Organization | undefined): string {
  if (!o) return '';
  const dis = o.disambiguatedId ? `<common:disambiguated-organization>${opt('common:disambiguated-organization-identifier', o.disambiguatedId)}${opt('common:disambiguation-source', o.disambiguationSource)}</common:disambiguated-organization>` : '';
  return `<${tag}>${opt('common:name', o.name)}<common:address>${opt('common:city', o.city)}${opt('common:region', o.region)}${opt('common:country', o.country)}</common:address>${dis}</${tag}>`;
}

function workTitleXml(m: ItemModel): string {
  const tt = m.translatedTitle ? `<common:translated-title language-code="${xmlEscape(m.translatedTitle.languageCode)}">${xmlEscape(m.translatedTitle.value)}</common:translated-title>` : '';
  return `<work:title>${opt('common:title', m.title)}${opt('common:subtitle', m.subtitle)}${tt}</work:title>`;
}

/** The body of a summary element (after created/modified/source), in the XSD's order. */
export function summaryBodyXml(i: StoredItem): string {
  const m = modelOf(i);
  if (i.section === 'work') {
    return `${workTitleXml(m)}${externalIdsXml(m.externalIds)}${opt('common:url', m.url)}<work:type>${xmlEscape(m.type)}</work:type>${dateXml('common:publication-date', m.publicationDate)}${opt('work:journal-title', m.journalTitle)}`;
  }
  if (i.section === 'peer-review') {
    return `${opt('peer-review:reviewer-role', m.reviewerRole)}${externalIdsXml(m.externalIds)}${opt('peer-review:review-url', m.reviewUrl)}${opt('peer-review:review-type', m.type)}${dateXml('peer-review:completion-date', m.completionDate)}${opt('peer-review:review-group-id', m.groupId)}${orgXml('peer-review:convening-organization', m.conveningOrganization)}`;
  }
  return `${opt('common:department-name', m.departmentName)}${opt('common:role-title', m.roleTitle)}${dateXml('common:start-date', m.startDate)}${dateXml('common:end-date', m.endDate)}${orgXml('common:organization', m.organization)}${opt('common:url', m.url)}${m.externalIds.length ? externalIdsXml(m.externalIds) : ''}`;
}

/** The body of a full item rendered from its model (an item posted as JSON, read as XML). */
export function itemBodyXml(i: StoredItem): string {
  const m = modelOf(i);
  if (i.section === 'work') {
    return `${workTitleXml(m)}${opt('work:journal-title', m.journalTitle)}<work:type>${xmlEscape(m.type)}</work:type>${dateXml('common:publication-date', m.publicationDate)}${externalIdsXml(m.externalIds)}${opt('common:url', m.url)}`;
  }
  if (i.section === 'peer-review') {
    const subjectName = m.title && m.title !== m.subjectContainerName ? `<peer-review:subject-name>${opt('common:title', m.title)}</peer-review:subject-name>` : '';
    return `${opt('peer-review:reviewer-role', m.reviewerRole)}${externalIdsXml(m.externalIds, 'peer-review:review-identifiers')}${opt('peer-review:review-url', m.reviewUrl)}${opt('peer-review:review-type', m.type)}${dateXml('peer-review:review-completion-date', m.completionDate)}${opt('peer-review:review-group-id', m.groupId)}${m.subjectExternalId ? externalIdXml(m.subjectExternalId, 'peer-review:subject-external-identifier') : ''}${opt('peer-review:subject-container-name', m.subjectContainerName)}${opt('peer-review:subject-type', m.subjectType)}${subjectName}${orgXml('peer-review:convening-organization', m.conveningOrganization)}`;
  }
  return summaryBodyXml(i);
}

type Json = Record<string, unknown>;
const v = (s: string | undefined): Json | null => (s === undefined ? null : { value: s });
const dateJson = (d: FuzzyDate | undefined): Json | null => (d ? { year: v(d.year), month: v(d.month), day: v(d.day) } : null);
const orgJson = (o: Organization | undefined): Json | null =>
  o
    ? {
        name: o.name,
        address: { city: o.city ?? null, region: o.region ?? null, country: o.country ?? null },
        'disambiguated-organization': o.disambiguatedId ? { 'disambiguated-organization-identifier': o.disambiguatedId, 'disambiguation-source': o.disambiguationSource ?? null } : null,
      }
    : null;

export function externalIdJson(e: ExternalId): Json {
  return { 'external-id-type': e.type, 'external-id-value': e.value, 'external-id-normalized': null, 'external-id-url': v(e.url), 'external-id-relationship': e.relationship ?? null };
}
export const externalIdsJson = (ids: ExternalId[]): Json => ({ 'external-id': ids.map(externalIdJson) });

/** The fields of a summary in ORCID JSON: the same content as `summaryBodyXml`. */
export function summaryBodyJson(i: StoredItem): Json {
  const m = modelOf(i);
  if (i.section === 'work') {
    const title = { title: v(m.title), subtitle: v(m.subtitle), 'translated-title': m.translatedTitle ? { value: m.translatedTitle.value, 'language-code': m.translatedTitle.languageCode } : null };
    return { title, 'external-ids': externalIdsJson(m.externalIds), url: v(m.url), type: m.type, 'publication-date': dateJson(m.publicationDate), 'journal-title': v(m.journalTitle) };
  }
  if (i.section === 'peer-review') {
    return { 'reviewer-role': m.reviewerRole ?? null, 'external-ids': externalIdsJson(m.externalIds), 'review-url': v(m.reviewUrl), 'review-type': m.type || null, 'completion-date': dateJson(m.completionDate), 'review-group-id': m.groupId ?? null, 'convening-organization': orgJson(m.conveningOrganization) };
  }
  return { 'department-name': m.departmentName ?? null, 'role-title': m.roleTitle ?? null, 'start-date': dateJson(m.startDate), 'end-date': dateJson(m.endDate), organization: orgJson(m.organization), url: v(m.url), 'external-ids': m.externalIds.length ? externalIdsJson(m.externalIds) : null };
}
