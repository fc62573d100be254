import type { EmbedContributor } from '../types.js';
import { localName, prefixOf, scanXml } from './scan.js';
import { escapeText, whitespaceAt, whitespaceBefore, type ExistingOrcid, type Target } from './edits.js';
import { embed, type EmbedBytesResult } from './embed.js';
import { beforeOrcid, crossrefSchemaFamily, type CrossrefSchemaFamily } from './crossref-schema.js';
import type { Candidate, EmbedOptions, EmbedResult, PreparedContributor } from './match.js';

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
 * any other work type), at the position the deposit's own schema version requires (4.x, 5.0–5.3,
 * 5.4+ with `<role>`: see crossref-schema.ts). Matching is by name only — Crossref carries no
 * email. Byte-preserving, with the same options, byte input and errors as {@link embedOrcidInJats}.
 * @example
 * const { xml, report } = embedOrcidInCrossref(depositXml, [
 *   { givenNames: 'Wilson', familyName: 'Smith', orcid: '0000-0002-1825-0097', authenticated: true },
 * ]);
 */
export function embedOrcidInCrossref(xml: string, contributors: readonly EmbedContributor[], options?: EmbedOptions): EmbedResult;
export function embedOrcidInCrossref(xml: Uint8Array, contributors: readonly EmbedContributor[], options?: EmbedOptions): EmbedBytesResult;
export function embedOrcidInCrossref(xml: string | Uint8Array, contributors: readonly EmbedContributor[], options?: EmbedOptions): EmbedResult | EmbedBytesResult;
export function embedOrcidInCrossref(xml: string | Uint8Array, contributors: readonly EmbedContributor[], options: EmbedOptions = {}): EmbedResult | EmbedBytesResult {
  return embed(xml, contributors, options, scanCrossref, renderOrcid);
}

function renderOrcid(c: PreparedContributor, prefix: string): string {
  const auth = c.input.authenticated ? ' authenticated="true"' : '';
  return `<${prefix}ORCID${auth}>${escapeText(c.uri)}</${prefix}ORCID>`;
}

export function scanCrossref(xml: string): { candidates: Candidate[]; targets: Target[] } {
  const stack: string[] = [];
  let family: CrossrefSchemaFamily = 'unknown';
  let before = beforeOrcid(family);
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
      if (depth === 0) {
        family = crossrefSchemaFamily(tag);
        before = beforeOrcid(family);
      }
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
        else if (local === 'ORCID') {
          const tagEnd = at.end();
          // xsd:boolean: `true` or `1`, whitespace collapsed.
          pendingOrcid = { start: at.start(), end: tagEnd, tagEnd, contentEnd: tagEnd, value: '', authenticated: /^(true|1)$/.test((tag.attributes.authenticated ?? '').trim()) };
          capture = { depth, field: 'orcid', text: '' };
        }
        if (before.has(local)) person.lastStart = at.start();
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
          pendingOrcid.contentEnd = at.start();
          pendingOrcid.end = at.end();
          person.target.existing.push(pendingOrcid);
          pendingOrcid = null;
        } else if (person) person[capture.field === 'surname' ? 'surname' : 'given'] += capture.text;
        capture = null;
      }
      at.listen(capture !== null);
      if (local === 'contributors') lists.pop();
      if (!person) return;
      if (depth === person.depth + 1 && before.has(local)) person.lastEnd = at.end();
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
