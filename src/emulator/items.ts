import { SaxesParser } from 'saxes';
import { create } from 'xmlbuilder2';
import type { ExternalId, Section } from './state.js';

/**
 * Reading incoming ORCID items: just enough of each to apply ORCID's rules (put-code,
 * `self` external ids for duplicate detection, group id, a title and type for summaries).
 * The body itself is stored as received.
 */

export interface ParsedItem {
  section: Section;
  putCode: string | null;
  externalIds: ExternalId[];
  title: string;
  type: string;
  groupId?: string;
}

export class ItemParseError extends Error {}

const NS_BULK = 'http://www.orcid.org/ns/bulk';
const ROOTS: Record<Section, string> = { work: 'work', 'peer-review': 'peer-review', service: 'service' };

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

type El = { localName: string; namespaceURI: string | null; childNodes: ArrayLike<Node>; getAttribute(n: string): string | null };
type Node = { nodeType: number; textContent: string | null };

function children(el: El, name?: string): El[] {
  const out: El[] = [];
  for (const n of Array.from(el.childNodes)) {
    if (n.nodeType === 1 && (name === undefined || (n as unknown as El).localName === name)) out.push(n as unknown as El);
  }
  return out;
}
function child(el: El | undefined, name: string): El | undefined {
  return el ? children(el, name)[0] : undefined;
}
function text(el: El | undefined): string {
  return el ? ((el as unknown as Node).textContent ?? '').trim() : '';
}

function domRoot(xml: string): El {
  assertWellFormed(xml);
  return create(xml).root().node as unknown as El;
}

function externalIdsOf(container: El | undefined): ExternalId[] {
  if (!container) return [];
  return children(container, 'external-id').map((e) => ({
    type: text(child(e, 'external-id-type')),
    value: text(child(e, 'external-id-value')),
    url: text(child(e, 'external-id-url')) || undefined,
    relationship: text(child(e, 'external-id-relationship')) || undefined,
  }));
}

function fromElement(section: Section, root: El): ParsedItem {
  if (root.localName !== ROOTS[section]) throw new ItemParseError(`expected a <${ROOTS[section]}> element, got <${root.localName}>`);
  const putCode = root.getAttribute('put-code');
  if (section === 'work') {
    return {
      section,
      putCode,
      externalIds: externalIdsOf(child(root, 'external-ids')),
      title: text(child(child(root, 'title'), 'title')),
      type: text(child(root, 'type')),
    };
  }
  if (section === 'peer-review') {
    return {
      section,
      putCode,
      externalIds: externalIdsOf(child(root, 'review-identifiers')),
      title: text(child(child(child(root, 'subject-name'), 'title'), 'title')) || text(child(root, 'subject-container-name')),
      type: text(child(root, 'review-type')),
      groupId: text(child(root, 'review-group-id')),
    };
  }
  return {
    section,
    putCode,
    externalIds: externalIdsOf(child(root, 'external-ids')),
    title: text(child(child(root, 'organization'), 'name')),
    type: text(child(root, 'role-title')),
  };
}

/**
 * Work types ORCID accepts in v3.0. The XSD types `work:type` as a plain string; ORCID checks
 * the value in code (error 9037, see the `bulk-work-err.xml` read sample).
 */
export const WORK_TYPES = new Set(
  ('annotation artistic-performance book-chapter book-review book conference-abstract conference-paper conference-poster ' +
    'data-set data-management-plan dictionary-entry disclosure dissertation-thesis dissertation edited-book encyclopedia-entry ' +
    'invention journal-article journal-issue lecture-speech license magazine-article manual newsletter-article ' +
    'newspaper-article online-resource other patent physical-object preprint registered-copyright report research-protocol ' +
    'research-technique research-tool review software spin-off-company standards-and-policy supervised-student-publication ' +
    'technical-standard test trademark translation website working-paper undefined').split(' '),
);

export class InvalidWorkTypeError extends ItemParseError {}

function checkType(item: ParsedItem): ParsedItem {
  if (item.section === 'work' && !WORK_TYPES.has(item.type)) {
    throw new InvalidWorkTypeError(`Invalid work type ${JSON.stringify(item.type)}, valid values are: ${[...WORK_TYPES].join(', ')}.`);
  }
  return item;
}

/** Parse one work / peer-review / service in ORCID XML. */
export function parseItemXml(section: Section, xml: string): ParsedItem {
  return checkType(fromElement(section, domRoot(xml)));
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
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const val = (v: unknown): string => str(obj(v).value ?? v);

function jsonExternalIds(v: unknown): ExternalId[] {
  const list = obj(v)['external-id'];
  if (!Array.isArray(list)) return [];
  return list.map((e) => ({
    type: str(obj(e)['external-id-type']),
    value: str(obj(e)['external-id-value']),
    url: val(obj(e)['external-id-url']) || undefined,
    relationship: str(obj(e)['external-id-relationship']) || undefined,
  }));
}

/**
 * Parse one item in ORCID JSON. There is no JSON Schema for ORCID JSON, so the emulator
 * checks only what its rules need (see the README, "The ORCID emulator", "JSON writes").
 */
export function parseItemJson(section: Section, body: string): ParsedItem {
  let j: Json;
  try {
    j = obj(JSON.parse(body));
  } catch (e) {
    throw new ItemParseError(`malformed JSON: ${(e as Error).message}`);
  }
  const putCode = j['put-code'] === undefined || j['put-code'] === null ? null : str(j['put-code']);
  let item: ParsedItem;
  if (section === 'work') {
    item = { section, putCode, externalIds: jsonExternalIds(j['external-ids']), title: val(obj(obj(j.title).title)), type: str(j.type) };
    if (!item.type) throw new ItemParseError('work: "type" is required');
    if (!item.title) throw new ItemParseError('work: "title.title.value" is required');
  } else if (section === 'peer-review') {
    item = {
      section,
      putCode,
      externalIds: jsonExternalIds(j['review-identifiers']),
      title: val(obj(obj(j['subject-name']).title)),
      type: str(j['review-type']),
      groupId: str(j['review-group-id']),
    };
    if (!item.groupId) throw new ItemParseError('peer-review: "review-group-id" is required');
  } else {
    item = { section, putCode, externalIds: jsonExternalIds(j['external-ids']), title: str(obj(j.organization).name), type: str(j['role-title']) };
    if (!item.title) throw new ItemParseError('service: "organization.name" is required');
  }
  if (item.externalIds.some((e) => !e.type || !e.value)) throw new ItemParseError('external-id-type and external-id-value are required');
  return checkType(item);
}

export { selfIds } from './state.js';

/** Parse a group-id-record in XML or JSON. */
export function parseGroupId(body: string, json: boolean): { name: string; groupId: string; description: string; type: string } {
  if (json) {
    const j = obj(JSON.parse(body));
    return { name: str(j.name), groupId: str(j['group-id']), description: str(j.description), type: str(j.type) };
  }
  const root = domRoot(body);
  return {
    name: text(child(root, 'name')),
    groupId: text(child(root, 'group-id')),
    description: text(child(root, 'description')),
    type: text(child(root, 'type')),
  };
}
