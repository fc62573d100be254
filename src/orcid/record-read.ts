/**
 * Pure readers of ORCID v3.0 responses: the put-code in a `Location` header, our own item among a
 * record's summaries (409 reconciliation), and the person / employment data used to pre-fill
 * forms. Parsed with saxes, namespace-aware; a DOCTYPE is refused (ORCID never sends one), so no
 * external entity or DTD is ever read.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { XmlError, XML_MALFORMED, XML_UNSAFE } from '../errors.js';
import { NS } from './payload-common.js';
import { sameExternalId } from './external-id.js';

const NS_PERSONAL = 'http://www.orcid.org/ns/personal-details';
const NS_EMAIL = 'http://www.orcid.org/ns/email';
const NS_PERSON = 'http://www.orcid.org/ns/person';

/** A parsed element: namespace URI, local name, attributes by local name, children, own text. */
interface XNode {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

/** Parse `xml` into a small element tree. @throws XmlError XML_MALFORMED / XML_UNSAFE */
function parse(xml: string): XNode {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const root: XNode = { uri: '', local: '#document', attrs: {}, children: [], text: '' };
  const stack: XNode[] = [root];
  parser.on('doctype', () => {
    throw new XmlError(XML_UNSAFE, 'Refusing an ORCID response with a DOCTYPE', { line: parser.line, column: parser.column });
  });
  parser.on('error', (err) => {
    throw new XmlError(XML_MALFORMED, `Malformed XML: ${err.message.replace(/^\d+:\d+: /, '')}`, { line: parser.line, column: parser.column }, err);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) if (a.prefix !== 'xmlns' && a.name !== 'xmlns') attrs[a.local] = a.value;
    const node: XNode = { uri: tag.uri, local: tag.local, attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string): void => {
    stack[stack.length - 1].text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof XmlError) throw e;
    throw new XmlError(XML_MALFORMED, `Malformed XML: ${(e as Error).message}`, { line: parser.line, column: parser.column }, e);
  }
  return root;
}

function child(node: XNode | undefined, uri: string, local: string): XNode | undefined {
  return node?.children.find((c) => c.uri === uri && c.local === local);
}

function children(node: XNode | undefined, uri: string, local: string): XNode[] {
  return node?.children.filter((c) => c.uri === uri && c.local === local) ?? [];
}

function* descendants(node: XNode): Generator<XNode> {
  for (const c of node.children) {
    yield c;
    yield* descendants(c);
  }
}

/** Trimmed text of the first matching child, or null when absent or blank. */
function textOf(node: XNode | undefined, uri: string, local: string): string | null {
  const t = child(node, uri, local)?.text.trim();
  return t === undefined || t === '' ? null : t;
}

/**
 * The put-code at the end of the `Location` ORCID returns for a created item
 * (`…/v3.0/0000-0002-1825-0097/work/12345` → `'12345'`), or null when there is none.
 */
export function parsePutCodeFromLocation(location: string | null | undefined): string | null {
  if (typeof location !== 'string') return null;
  const m = /\/(\d{1,19})\/?(?:[?#].*)?$/.exec(location.trim());
  return m ? m[1] : null;
}

/**
 * The put-code of the item that `clientId` itself posted with the given `self` external id, in a
 * `/works`, `/peer-reviews`, `/services` (or whole `/activities`) summary response; null if none.
 * Items from other sources are ignored: ORCID only answers 409 for duplicates of our own items.
 */
export function findOwnItemByExternalId(summariesXml: string, externalId: { type: string; value: string }, clientId: string): string | null {
  return findOwnItemBySelfIds(summariesXml, [externalId], clientId);
}

/**
 * The put-code of our own item (source `clientId`) that carries any of `ids` as a `self` external
 * id, compared as ORCID compares them for its 409 (see ./external-id.ts). `ids` are tried in order,
 * so the caller puts the id it trusts most first. Null when none matches.
 *
 * This is how a 409 is adopted even when the item came from another system on the same ORCID
 * client (an OJS plugin, an older install, a sister journal): it shares the DOI, not our id.
 */
export function findOwnItemBySelfIds(summariesXml: string, ids: ReadonlyArray<{ type: string; value: string }>, clientId: string): string | null {
  const root = parse(summariesXml);
  const own: Array<{ putCode: string; ids: Array<{ type: string; value: string }> }> = [];
  for (const node of descendants(root)) {
    if (node.uri === NS.common || !/(^|-)summary$/.test(node.local) || node.attrs['put-code'] === undefined) continue;
    const source = child(node, NS.common, 'source');
    if (textOf(child(source, NS.common, 'source-client-id'), NS.common, 'path') !== clientId) continue;
    own.push({ putCode: node.attrs['put-code'], ids: selfIdsIn(child(node, NS.common, 'external-ids')) });
  }
  for (const want of ids) {
    const hit = own.find((item) => item.ids.some((id) => sameExternalId(id, want)));
    if (hit) return hit.putCode;
  }
  return null;
}

/**
 * The `self` external ids that name the item in one of our payloads (work, peer-review, service):
 * the item's own id list only, never a peer review's subject id (which names the reviewed work).
 */
export function selfExternalIdsOfPayload(payloadXml: string): Array<{ type: string; value: string }> {
  const root = parse(payloadXml).children[0];
  if (root === undefined) return [];
  const lists = root.children.filter((c) => c.local === 'external-ids' || c.local === 'review-identifiers');
  return lists.flatMap((list) => selfIdsIn(list));
}

function selfIdsIn(list: XNode | undefined): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  for (const id of children(list, NS.common, 'external-id')) {
    const type = textOf(id, NS.common, 'external-id-type');
    const value = textOf(id, NS.common, 'external-id-value');
    // ORCID's default relationship is self when the element is left out.
    const relationship = textOf(id, NS.common, 'external-id-relationship') ?? 'self';
    if (type !== null && value !== null && relationship === 'self') out.push({ type, value });
  }
  return out;
}

export interface PersonPrefill {
  givenNames: string | null;
  familyName: string | null;
  creditName: string | null;
  emails: { email: string; verified: boolean; primary: boolean }[];
}

/** Names and visible emails from a `/person` (or `/record`) response, for pre-filling forms. */
export function parsePersonForPrefill(personXml: string): PersonPrefill {
  const root = parse(personXml);
  let name: XNode | undefined;
  const emails: PersonPrefill['emails'] = [];
  for (const node of descendants(root)) {
    if (name === undefined && node.uri === NS_PERSON && node.local === 'name') name = node;
    // <email:emails><email:email primary=… verified=…><email:email>address</email:email></email:email>
    if (node.uri === NS_EMAIL && node.local === 'emails') {
      for (const item of children(node, NS_EMAIL, 'email')) {
        const email = textOf(item, NS_EMAIL, 'email');
        if (email !== null) emails.push({ email, verified: item.attrs.verified === 'true', primary: item.attrs.primary === 'true' });
      }
    }
  }
  return {
    givenNames: textOf(name, NS_PERSONAL, 'given-names'),
    familyName: textOf(name, NS_PERSONAL, 'family-name'),
    creditName: textOf(name, NS_PERSONAL, 'credit-name'),
    emails,
  };
}

export interface EmploymentPrefill {
  organization: string | null;
  department: string | null;
  role: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
  disambiguatedId: string | null;
  /** The disambiguation source of `disambiguatedId`: `ROR`, `GRID`, `RINGGOLD`, `FUNDREF`, … */
  source: string | null;
  /** `yyyy[-mm[-dd]]`, or null. */
  startDate: string | null;
  endDate: string | null;
}

/** The employments in an `/employments` (or `/activities`) response, in the order ORCID lists them. */
export function parseEmploymentsForPrefill(xml: string): EmploymentPrefill[] {
  const root = parse(xml);
  const out: EmploymentPrefill[] = [];
  for (const node of descendants(root)) {
    if (node.local !== 'employment-summary') continue;
    const org = child(node, NS.common, 'organization');
    const address = child(org, NS.common, 'address');
    const dis = child(org, NS.common, 'disambiguated-organization');
    out.push({
      organization: textOf(org, NS.common, 'name'),
      department: textOf(node, NS.common, 'department-name'),
      role: textOf(node, NS.common, 'role-title'),
      city: textOf(address, NS.common, 'city'),
      region: textOf(address, NS.common, 'region'),
      country: textOf(address, NS.common, 'country'),
      disambiguatedId: textOf(dis, NS.common, 'disambiguated-organization-identifier'),
      source: textOf(dis, NS.common, 'disambiguation-source'),
      startDate: dateOf(child(node, NS.common, 'start-date')),
      endDate: dateOf(child(node, NS.common, 'end-date')),
    });
  }
  return out;
}

function dateOf(node: XNode | undefined): string | null {
  const year = textOf(node, NS.common, 'year');
  if (year === null) return null;
  return [year, textOf(node, NS.common, 'month'), textOf(node, NS.common, 'day')].filter((x) => x !== null).join('-');
}
