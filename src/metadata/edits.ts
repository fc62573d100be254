import { parseOrcidId } from '../orcid/id.js';
import { EmbedConflictError, type EmbedConflict } from '../errors.js';
import {
  reportContributor,
  type Claim,
  type EmbedOptions,
  type EmbedReport,
  type PreparedContributor,
  type UpgradedEntry,
} from './match.js';

/**
 * Turning claims into text edits, and applying edits to the original string. Edits are
 * insertions or replacements at offsets of the input; everything between them is copied
 * untouched, which is what makes the output byte-preserving.
 */

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** An iD element already present in the document. */
export interface ExistingOrcid {
  /** Offsets of the whole element, start tag to end tag. */
  start: number;
  end: number;
  /** Offset just after the start tag's `>` (where the value begins). */
  tagEnd: number;
  /** Offset of the end tag's `<` (where the value ends). */
  contentEnd: number;
  value: string;
  authenticated: boolean;
}

/** Where and how a new iD element goes for one candidate element. */
export interface Target {
  line: number;
  column: number;
  scope: string;
  existing: ExistingOrcid[];
  /** Offset to insert at. */
  insertAt: number;
  /** Whitespace to put before the new element (copied from the document), may be empty. */
  indent: string;
  /** Element prefix in use (`jats:` or empty). */
  prefix: string;
}

/** Build the new element for `c`; `prefix` is the document's prefix for the element's parent. */
export type Render = (c: PreparedContributor, prefix: string) => string;

function sameId(value: string, id: string): boolean {
  try {
    return parseOrcidId(value).id === id;
  } catch {
    return false;
  }
}

/**
 * One edit per claim (or none when the element already carries the iD), reported as it goes.
 * An element with the same iD is only ever made more precise, and by the smallest edit: the
 * `authenticated` attribute added to its start tag, and (with `normalizeIdForm`) its text set to
 * the `https://orcid.org/` form. Everything else about it — attribute order and quotes, the value
 * as written — stays, because publishers' validators disagree on the value's form.
 * @throws EmbedConflictError under `onConflict: 'error'` when any element holds a different iD.
 */
export function planEdits(
  xml: string,
  claims: readonly Claim[],
  targets: readonly Target[],
  render: Render,
  report: EmbedReport,
  options: EmbedOptions = {},
): Edit[] {
  const edits: Edit[] = [];
  const conflicts: EmbedConflict[] = [];
  const onConflict = options.onConflict ?? 'replace';
  for (const claim of claims) {
    const t = targets[claim.candidate];
    const c = claim.contributor;
    const entry = { contributor: reportContributor(c), scope: t.scope, line: t.line, column: t.column, via: claim.via };
    const equal = t.existing.length === 0 ? undefined : t.existing.find((e) => sameId(e.value, c.id));
    if (equal) {
      const changes: UpgradedEntry['changes'] = [];
      // Upgrade to authenticated when we know better; never downgrade someone else's claim.
      if (c.input.authenticated && !equal.authenticated) {
        edits.push(authenticatedEdit(xml, equal.start, equal.tagEnd));
        changes.push('authenticated');
      }
      if (options.normalizeIdForm && equal.value !== c.uri) {
        edits.push({ start: equal.tagEnd, end: equal.contentEnd, text: escapeText(c.uri) });
        changes.push('id-form');
      }
      if (changes.length > 0) report.upgraded.push({ ...entry, previous: equal.value.trim(), changes });
      else report.unchanged.push(entry);
      continue;
    }
    const old = t.existing[0];
    if (old) {
      // An empty element (`<ORCID/>`, a template's placeholder) holds no iD to conflict with: fill it,
      // rather than add a second element beside it.
      if (onConflict === 'replace' || old.value.trim() === '') {
        edits.push({ start: old.start, end: old.end, text: render(c, t.prefix) });
        report.replaced.push({ ...entry, previous: old.value.trim() });
      } else if (onConflict === 'keep-and-report') report.kept.push({ ...entry, existing: old.value.trim() });
      else conflicts.push({ contributor: entry.contributor, scope: t.scope, line: t.line, column: t.column, existing: old.value.trim() });
      continue;
    }
    edits.push({ start: t.insertAt, end: t.insertAt, text: t.indent + render(c, t.prefix) });
    report.inserted.push(entry);
  }
  if (conflicts.length > 0) throw new EmbedConflictError(conflicts);
  return edits;
}

/**
 * The edit that makes the start tag xml[start, tagEnd) say `authenticated="true"`: the value of an
 * existing `authenticated` attribute (`false`, `0`, …) set to `true`, or the attribute added after
 * the last one, in that attribute's quote style. saxes has already checked the tag is well-formed,
 * so a plain lexer suffices. Only elements that already carry an iD come here — never a hot path.
 */
export function authenticatedEdit(xml: string, start: number, tagEnd: number): Edit {
  let i = start + 1;
  while (i < tagEnd && !isSpace(xml.charCodeAt(i)) && xml[i] !== '>' && xml[i] !== '/') i++;
  let after = i;
  let quote = '"';
  for (;;) {
    while (i < tagEnd && isSpace(xml.charCodeAt(i))) i++;
    if (i >= tagEnd || xml[i] === '>' || xml[i] === '/') break;
    const nameStart = i;
    while (xml[i] !== '=' && !isSpace(xml.charCodeAt(i))) i++;
    const name = xml.slice(nameStart, i);
    while (xml[i] !== '=') i++;
    i++;
    while (isSpace(xml.charCodeAt(i))) i++;
    const q = xml[i];
    const valueStart = i + 1;
    const valueEnd = xml.indexOf(q, valueStart);
    if (name === 'authenticated') return { start: valueStart, end: valueEnd, text: 'true' };
    i = valueEnd + 1;
    after = i;
    quote = q;
  }
  return { start: after, end: after, text: ` authenticated=${quote}true${quote}` };
}

/** Apply non-overlapping edits to `input`; with no edits the very same string comes back. */
export function applyEdits(input: string, edits: readonly Edit[]): string {
  if (edits.length === 0) return input;
  // Edits usually arrive in document order already (claims are sorted by candidate).
  let inOrder = true;
  for (let i = 1; i < edits.length && inOrder; i++) inOrder = edits[i - 1].start < edits[i].start || (edits[i - 1].start === edits[i].start && edits[i - 1].end <= edits[i].end);
  const sorted = inOrder ? edits : [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let at = 0;
  for (const e of sorted) {
    parts.push(input.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(input.slice(at));
  return parts.join('');
}

/** Indentation for a new line: the whitespace starting at `offset`, from its last line break on. */
export function whitespaceAt(xml: string, offset: number): string {
  let i = offset;
  while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
  return lastLine(xml.slice(offset, i));
}

/** Indentation for a new line: the whitespace ending just before `offset`, from its last line break on. */
export function whitespaceBefore(xml: string, offset: number): string {
  let i = offset;
  while (i > 0 && isSpace(xml.charCodeAt(i - 1))) i--;
  return lastLine(xml.slice(i, offset));
}

/** `"\r\n\t\r\n  "` → `"\r\n  "`: one line break in the document's own style, then the indent. */
function lastLine(run: string): string {
  // A loop rather than lastIndexOf (a runtime call, slow on short strings); runs once per contrib.
  let nl = run.length - 1;
  while (nl >= 0 && run.charCodeAt(nl) !== 10 && run.charCodeAt(nl) !== 13) nl--;
  if (nl < 0) return run;
  return run.slice(run.charCodeAt(nl) === 10 && run.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Escape text content for an element we write (an iD URI never needs it, but be exact). */
export function escapeText(s: string): string {
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
