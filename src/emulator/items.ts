import { SaxesParser } from 'saxes';
import { create } from 'xmlbuilder2';
import type { ExternalId, Section } from './state.js';

/**
 * Reading incoming ORCID items into one format-neutral model: what ORCID's checks look at and
 * what its summaries show (../shared/orcid-model/README.md, "Activities endpoints", summary
 * layout). The body itself is stored as received.
 */

export interface FuzzyDate {
  year: string;
  month?: string;
  day?: string;
}

export interface Organization {
  name: string;
  city?: string;
  region?: string;
  country?: string;
  disambiguatedId?: string;
  disambiguationSource?: string;
}

export interface Contributor {
  sequence?: string;
  role?: string;
}

/** Everything the emulator reads out of a work, peer review or service. */
export interface ItemModel {
  /** work title / peer-review subject title / service organization name */
  title: string;
  subtitle?: string;
  translatedTitle?: { value: string; languageCode: string };
  journalTitle?: string;
  url?: string;
  /** work type / review-type / service role title */
  type: string;
  publicationDate?: FuzzyDate;
  externalIds: ExternalId[];
  contributors: Contributor[];
  reviewerRole?: string;
  reviewUrl?: string;
  completionDate?: FuzzyDate;
  groupId?: string;
  subjectType?: string;
  subjectExternalId?: ExternalId;
  subjectContainerName?: string;
  conveningOrganization?: Organization;
  departmentName?: string;
  roleTitle?: string;
  startDate?: FuzzyDate;
  endDate?: FuzzyDate;
  organization?: Organization;
}

export interface ParsedItem {
  section: Section;
  putCode: string | null;
  model: ItemModel;
}

export class ItemParseError extends Error {}

const NS_BULK = 'http://www.orcid.org/ns/bulk';

/** Well-formedness (saxes is strict, xmlbuilder2's parser is not) and no DTDs (no entity tricks). */
export function assertWellFormed(xml: string): void {
  if (/<!DOCTYPE/i.test(xml)) throw new ItemParseError('DOCTYPE is not allowed');
  const parser = new SaxesParser({ xmlns: true });
  let error: Error | null = null;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.write(xml).close();
  if (error) throw new ItemParseError((error as Error).message);
}

export type El = { localName: string; namespaceURI: string | null; childNodes: ArrayLike<DomNode>; attributes: ArrayLike<{ name: string; value: string }>; getAttribute(n: string): string | null };
type DomNode = { nodeType: number; textContent: string | null };

export function elements(el: El | undefined, name?: string): El[] {
  const out: El[] = [];
  for (const n of Array.from(el?.childNodes ?? [])) {
    if (n.nodeType === 1 && (name === undefined || (n as unknown as El).localName === name)) out.push(n as unknown as El);
  }
  return out;
}
/** The first descendant along `path` (local names). */
function at(el: El | undefined, ...path: string[]): El | undefined {
  let cur = el;
  for (const p of path) cur = elements(cur, p)[0];
  return cur;
}
function text(el: El | undefined, ...path: string[]): string | undefined {
  const t = at(el, ...path);
  const s = t ? ((t as unknown as DomNode).textContent ?? '').trim() : '';
  return s === '' ? undefined : s;
}

export function domRoot(xml: string): El {
  assertWellFormed(xml);
  return create(xml).root().node as unknown as El;
}

function xmlExternalId(e: El): ExternalId {
  return { type: text(e, 'external-id-type') ?? '', value: text(e, 'external-id-value') ?? '', url: text(e, 'external-id-url'), relationship: text(e, 'external-id-relationship') };
}
const xmlDate = (el: El | undefined): FuzzyDate | undefined => {
  const year = text(el, 'year');
  return year ? { year, month: text(el, 'month'), day: text(el, 'day') } : undefined;
};
const xmlOrg = (el: El | undefined): Organization | undefined =>
  el && {
    name: text(el, 'name') ?? '',
    city: text(el, 'address', 'city'),
    region: text(el, 'address', 'region'),
    country: text(el, 'address', 'country'),
    disambiguatedId: text(el, 'disambiguated-organization', 'disambiguated-organization-identifier'),
    disambiguationSource: text(el, 'disambiguated-organization', 'disambiguation-source'),
  };

function modelFromXml(section: Section, root: El): ItemModel {
  if (root.localName !== section) throw new ItemParseError(`expected a <${section}> element, got <${root.localName}>`);
  const ids = (el: El | undefined) => elements(el, 'external-id').map(xmlExternalId);
  if (section === 'work') {
    const tt = at(root, 'title', 'translated-title');
    return {
      title: text(root, 'title', 'title') ?? '',
      subtitle: text(root, 'title', 'subtitle'),
      translatedTitle: tt ? { value: text(root, 'title', 'translated-title') ?? '', languageCode: tt.getAttribute('language-code') ?? '' } : undefined,
      journalTitle: text(root, 'journal-title'),
      url: text(root, 'url'),
      type: text(root, 'type') ?? '',
      publicationDate: xmlDate(at(root, 'publication-date')),
      externalIds: ids(at(root, 'external-ids')),
      contributors: elements(at(root, 'contributors'), 'contributor').map((c) => ({ sequence: text(c, 'contributor-attributes', 'contributor-sequence'), role: text(c, 'contributor-attributes', 'contributor-role') })),
    };
  }
  if (section === 'peer-review') {
    const subject = at(root, 'subject-external-identifier');
    return {
      title: text(root, 'subject-name', 'title') ?? text(root, 'subject-container-name') ?? '',
      type: text(root, 'review-type') ?? '',
      externalIds: ids(at(root, 'review-identifiers')),
      contributors: [],
      reviewerRole: text(root, 'reviewer-role'),
      reviewUrl: text(root, 'review-url'),
      completionDate: xmlDate(at(root, 'review-completion-date')),
      groupId: text(root, 'review-group-id'),
      subjectType: text(root, 'subject-type'),
      subjectExternalId: subject ? xmlExternalId(subject) : undefined,
      subjectContainerName: text(root, 'subject-container-name'),
      conveningOrganization: xmlOrg(at(root, 'convening-organization')),
    };
  }
  const org = xmlOrg(at(root, 'organization'));
  return {
    title: org?.name ?? '',
    type: text(root, 'role-title') ?? '',
    externalIds: ids(at(root, 'external-ids')),
    contributors: [],
    departmentName: text(root, 'department-name'),
    roleTitle: text(root, 'role-title'),
    startDate: xmlDate(at(root, 'start-date')),
    endDate: xmlDate(at(root, 'end-date')),
    organization: org,
    url: text(root, 'url'),
  };
}

/** Parse one work / peer-review / service in ORCID XML. */
export function parseItemXml(section: Section, xml: string): ParsedItem {
  const root = domRoot(xml);
  return { section, putCode: root.getAttribute('put-code'), model: modelFromXml(section, root) };
}

/** Split an ORCID `<bulk:bulk>` of works into standalone work documents. */
export function splitBulkXml(xml: string): string[] {
  assertWellFormed(xml);
  const doc = create(xml).root();
  const root = doc.node as unknown as El;
  if (root.localName !== 'bulk' || root.namespaceURI !== NS_BULK) throw new ItemParseError('expected a <bulk:bulk> element');
  const out: string[] = [];
  doc.each((c) => {
    if (c.node.nodeType === 1) out.push(create().import(c).end({ headless: true }));
  });
  return out;
}

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' ? String(v) : undefined);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
/** ORCID JSON wraps many strings as `{"value": …}`. */
const val = (v: unknown): string | undefined => str(v) ?? str(obj(v).value);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function jsonExternalId(e: unknown): ExternalId {
  const o = obj(e);
  return { type: str(o['external-id-type']) ?? '', value: str(o['external-id-value']) ?? '', url: val(o['external-id-url']), relationship: str(o['external-id-relationship']) };
}
const jsonDate = (v: unknown): FuzzyDate | undefined => {
  const year = val(obj(v).year);
  return year ? { year, month: val(obj(v).month), day: val(obj(v).day) } : undefined;
};
const jsonOrg = (v: unknown): Organization | undefined => {
  if (!v) return undefined;
  const o = obj(v);
  const d = obj(o['disambiguated-organization']);
  return { name: str(o.name) ?? '', city: str(obj(o.address).city), region: str(obj(o.address).region), country: str(obj(o.address).country), disambiguatedId: str(d['disambiguated-organization-identifier']), disambiguationSource: str(d['disambiguation-source']) };
};

function modelFromJson(section: Section, j: Json): ItemModel {
  const ids = (v: unknown) => list(obj(v)['external-id']).map(jsonExternalId);
  if (section === 'work') {
    const t = obj(j.title);
    const tt = obj(t['translated-title']);
    return {
      title: val(t.title) ?? '',
      subtitle: val(t.subtitle),
      translatedTitle: t['translated-title'] ? { value: val(tt) ?? '', languageCode: str(tt['language-code']) ?? '' } : undefined,
      journalTitle: val(j['journal-title']),
      url: val(j.url),
      type: str(j.type) ?? '',
      publicationDate: jsonDate(j['publication-date']),
      externalIds: ids(j['external-ids']),
      contributors: list(obj(j.contributors).contributor).map((c) => ({ sequence: val(obj(obj(c)['contributor-attributes'])['contributor-sequence']), role: val(obj(obj(c)['contributor-attributes'])['contributor-role']) })),
    };
  }
  if (section === 'peer-review') {
    return {
      title: val(obj(j['subject-name']).title) ?? val(j['subject-container-name']) ?? '',
      type: str(j['review-type']) ?? '',
      externalIds: ids(j['review-identifiers']),
      contributors: [],
      reviewerRole: str(j['reviewer-role']),
      reviewUrl: val(j['review-url']),
      completionDate: jsonDate(j['review-completion-date']),
      groupId: str(j['review-group-id']),
      subjectType: str(j['subject-type']),
      subjectExternalId: j['subject-external-identifier'] ? jsonExternalId(j['subject-external-identifier']) : undefined,
      subjectContainerName: val(j['subject-container-name']),
      conveningOrganization: jsonOrg(j['convening-organization']),
    };
  }
  const org = jsonOrg(j.organization);
  return {
    title: org?.name ?? '',
    type: val(j['role-title']) ?? '',
    externalIds: ids(j['external-ids']),
    contributors: [],
    departmentName: val(j['department-name']),
    roleTitle: val(j['role-title']),
    startDate: jsonDate(j['start-date']),
    endDate: jsonDate(j['end-date']),
    organization: org,
    url: val(j.url),
  };
}

/**
 * Parse one item in ORCID JSON. There is no JSON Schema for ORCID JSON, so what the XSD would
 * require of XML is checked here: the fields ORCID's summaries need.
 */
export function parseItemJson(section: Section, body: string): ParsedItem {
  let j: Json;
  try {
    j = obj(JSON.parse(body));
  } catch (e) {
    throw new ItemParseError(`malformed JSON: ${(e as Error).message}`);
  }
  const putCode = j['put-code'] === undefined || j['put-code'] === null ? null : (str(j['put-code']) ?? null);
  const model = modelFromJson(section, j);
  const need = (ok: unknown, what: string) => {
    if (!ok) throw new ItemParseError(`${section}: "${what}" is required`);
  };
  if (section === 'work') need(model.type, 'type');
  if (section === 'peer-review') {
    for (const [k, v] of [['reviewer-role', model.reviewerRole], ['review-type', model.type], ['review-completion-date', model.completionDate], ['review-group-id', model.groupId], ['convening-organization', model.conveningOrganization?.name]] as const) need(v, k);
  }
  if (section === 'service') need(model.organization?.name, 'organization.name');
  if ([...model.externalIds, ...(model.subjectExternalId ? [model.subjectExternalId] : [])].some((e) => !e.type || !e.value)) throw new ItemParseError('external-id-type and external-id-value are required');
  return { section, putCode, model };
}

/** Parse a group-id-record in XML or JSON. */
export function parseGroupId(body: string, json: boolean): { name: string; groupId: string; description: string; type: string; putCode: string | null } {
  if (json) {
    const j = obj(JSON.parse(body));
    return { name: str(j.name) ?? '', groupId: str(j['group-id']) ?? '', description: str(j.description) ?? '', type: str(j.type) ?? '', putCode: str(j['put-code']) ?? null };
  }
  const root = domRoot(body);
  return { name: text(root, 'name') ?? '', groupId: text(root, 'group-id') ?? '', description: text(root, 'description') ?? '', type: text(root, 'type') ?? '', putCode: root.getAttribute('put-code') };
}
