import type { EmbedContributor } from '../types.js';
import { localName, prefixOf, scanXml } from './scan.js';
import { applyEdits, escapeText, planEdits, whitespaceAt, whitespaceBefore, type ExistingOrcid, type Target } from './edits.js';
import {
  assign,
  emptyReport,
  prepareContributors,
  selectContributors,
  type Candidate,
  type EmbedOptions,
  type EmbedResult,
  type PreparedContributor,
} from './match.js';

/**
 * Crossref 5.3.1 `person_name` is an xsd:sequence: given_name?, surname, suffix?, affiliations?,
 * ORCID?, alt-name? (crossref5.3.1.xsd, element person_name). ORCID goes after the last of these.
 * `affiliation` is the pre-5.3 spelling; kept so older deposits get a sensible position too.
 */
const BEFORE_ORCID = new Set(['given_name', 'surname', 'suffix', 'affiliations', 'affiliation']);

interface PersonScan {
  cand: Candidate;
  target: Target;
  depth: number;
  given: string;
  surname: string;
  /** End offset and start offset of the last child that must precede ORCID. */
  lastEnd: number;
  lastStart: number;
}

/**
 * Embed ORCID iDs in a Crossref deposit: `<ORCID authenticated="true">https://orcid.org/…</ORCID>`
 * in each matching `<person_name>` of a `<contributors>` list (journal articles, peer reviews and
 * any other work type), at the position the 5.3.1 schema requires. Matching is by name only —
 * Crossref carries no email. Byte-preserving like {@link embedOrcidInJats}.
 * @throws InvalidOrcidIdError for an invalid iD (before anything is done), XmlError XML_MALFORMED.
 * @example
 * const { xml, report } = embedOrcidInCrossref(depositXml, [
 *   { givenNames: 'Wilson', familyName: 'Smith', orcid: '0000-0002-1825-0097', authenticated: true },
 * ]);
 */
export function embedOrcidInCrossref(xml: string, contributors: readonly EmbedContributor[], options: EmbedOptions = {}): EmbedResult {
  const report = emptyReport();
  const prepared = selectContributors(prepareContributors(contributors), options, report);
  const { candidates, targets } = scanCrossref(xml);
  if (prepared.length === 0) return { xml, report };
  const claims = assign(prepared, candidates, report);
  const edits = planEdits(claims, targets, renderOrcid, report);
  return { xml: applyEdits(xml, edits), report };
}

function renderOrcid(c: PreparedContributor, prefix: string): string {
  const auth = c.input.authenticated ? ' authenticated="true"' : '';
  return `<${prefix}ORCID${auth}>${escapeText(c.uri)}</${prefix}ORCID>`;
}

export function scanCrossref(xml: string): { candidates: Candidate[]; targets: Target[] } {
  const stack: string[] = [];
  const lists: string[] = [];
  const listCounts = new Map<string, number>();
  const people: PersonScan[] = [];
  let person: PersonScan | null = null;
  let capture: { depth: number; field: 'given' | 'surname' | 'orcid'; text: string } | null = null;
  let pendingOrcid: ExistingOrcid | null = null;

  scanXml(xml, (at) => ({
    text(t) {
      if (capture) capture.text += t;
    },
    open(tag) {
      const depth = stack.length;
      const local = localName(tag.name);
      if (local === 'contributors') {
        // One scope per <contributors> list, named after the work that holds it.
        const work = stack[stack.length - 1] ?? 'contributors';
        const n = (listCounts.get(work) ?? 0) + 1;
        listCounts.set(work, n);
        lists.push(`${work}[${n}]`);
      } else if (local === 'person_name' && lists.length > 0 && stack[depth - 1] === 'contributors' && !tag.isSelfClosing) {
        const line = at.line();
        const column = at.column();
        const end = at.end();
        const scope = lists[lists.length - 1];
        person = {
          cand: { scope, line, column, names: [], directEmails: [], correspEmails: [] },
          target: { line, column, scope, existing: [], insertAt: end, indent: whitespaceAt(xml, end), prefix: prefixOf(tag.name) },
          depth,
          given: '',
          surname: '',
          lastEnd: -1,
          lastStart: -1,
        };
      } else if (person && depth === person.depth + 1) {
        if (local === 'given_name' || local === 'surname') capture = { depth, field: local === 'surname' ? 'surname' : 'given', text: '' };
        else if (local === 'ORCID' && !tag.isSelfClosing) {
          pendingOrcid = { start: at.start(), end: at.end(), value: '', authenticated: /^(true|1)$/.test((tag.attributes.authenticated ?? '').trim()) };
          capture = { depth, field: 'orcid', text: '' };
        }
        if (BEFORE_ORCID.has(local)) person.lastStart = at.start();
      }
      stack.push(local);
      at.listen(capture !== null);
    },
    close(tag) {
      stack.pop();
      const depth = stack.length;
      const local = localName(tag.name);
      if (capture && capture.depth === depth) {
        if (capture.field === 'orcid' && pendingOrcid && person) {
          pendingOrcid.value = capture.text;
          pendingOrcid.end = at.end();
          person.target.existing.push(pendingOrcid);
          pendingOrcid = null;
        } else if (person) person[capture.field === 'surname' ? 'surname' : 'given'] += capture.text;
        capture = null;
      }
      at.listen(capture !== null);
      if (local === 'contributors') lists.pop();
      if (!person) return;
      if (depth === person.depth + 1 && BEFORE_ORCID.has(local)) person.lastEnd = at.end();
      if (depth === person.depth) {
        finish(person);
        people.push(person);
        person = null;
      }
    },
  }));

  function finish(p: PersonScan): void {
    p.cand.names.push({ surname: p.surname, given: p.given });
    if (p.lastEnd >= 0) {
      p.target.insertAt = p.lastEnd;
      p.target.indent = whitespaceBefore(xml, p.lastStart);
    }
  }

  return { candidates: people.map((p) => p.cand), targets: people.map((p) => p.target) };
}
