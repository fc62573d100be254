import type { EmbedContributor } from '../types.js';
import { emailKey, type DocName } from './names.js';
import { scanXml, type ScanOpenTag } from './scan.js';
import { applyEdits, escapeText, planEdits, whitespaceAt, type ExistingOrcid, type Target } from './edits.js';
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

interface ContribScan {
  cand: Candidate;
  target: Target;
  depth: number;
  rids: string[];
  name: (DocName & { depth: number; structured: boolean }) | null;
}

interface Sink {
  depth: number;
  text: string;
  done(text: string): void;
}

/**
 * Embed ORCID iDs in a JATS article: every `<contrib>` of the article's front matter and of its
 * peer-review `<sub-article>`s / `<response>`s gets
 * `<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/…</contrib-id>`
 * as its first child (the position JATS Publishing 1.3 requires and Archiving allows), indented
 * like the document. Everything else is kept byte for byte; the document is never re-serialized.
 *
 * Contributors are found by email (in the contrib, or via its corresp xref), else by name.
 * @throws InvalidOrcidIdError for an invalid iD (before anything is done), XmlError XML_MALFORMED.
 * @example
 * const { xml, report } = embedOrcidInJats(articleXml, [
 *   { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true },
 * ]);
 */
export function embedOrcidInJats(xml: string, contributors: readonly EmbedContributor[], options: EmbedOptions = {}): EmbedResult {
  const report = emptyReport();
  const prepared = selectContributors(prepareContributors(contributors), options, report);
  const { candidates, targets } = scanJats(xml);
  if (prepared.length === 0) return { xml, report };
  const claims = assign(prepared, candidates, report);
  const edits = planEdits(claims, targets, renderContribId, report);
  return { xml: applyEdits(xml, edits), report };
}

function renderContribId(c: PreparedContributor, prefix: string): string {
  const auth = c.input.authenticated ? ' authenticated="true"' : '';
  return `<${prefix}contrib-id contrib-id-type="orcid"${auth}>${escapeText(c.uri)}</${prefix}contrib-id>`;
}

/** Candidates (who each contrib is) and targets (where its iD goes), index-aligned. */
export function scanJats(xml: string): { candidates: Candidate[]; targets: Target[] } {
  const stack: string[] = [];
  const scopes: string[] = ['article'];
  let scopeCount = 0;
  // Each contrib-group is its own matching scope: one person may rightly appear in several lists
  // (author and collab member, editor and senior editor, author of the response), never twice in one.
  const groups: string[] = [];
  const groupCounts = new Map<string, number>();
  const contribs: ContribScan[] = [];
  const open: ContribScan[] = [];
  const sinks: Sink[] = [];
  const corresp = new Map<string, string[]>();
  let correspOpen: { id: string; depth: number } | null = null;
  let pendingOrcid: { existing: ExistingOrcid; depth: number } | null = null;

  const sink = (depth: number, done: (text: string) => void) => sinks.push({ depth, text: '', done });

  const openContrib = (tag: ScanOpenTag) => {
    const scope = groups[groups.length - 1] ?? scopes[scopes.length - 1];
    const column = tag.column();
    const cand: Candidate = { scope, line: tag.line(), column, names: [], directEmails: [], correspEmails: [] };
    const target: Target = {
      line: tag.line(),
      column,
      scope: cand.scope,
      existing: [],
      insertAt: tag.end,
      indent: whitespaceAt(xml, tag.end),
      prefix: tag.prefix,
    };
    const c: ContribScan = { cand, target, depth: stack.length, rids: [], name: null };
    contribs.push(c);
    open.push(c);
  };

  const inContribChild = (tag: ScanOpenTag, c: ContribScan) => {
    const depth = stack.length;
    switch (tag.local) {
      case 'name':
      case 'string-name':
        if (c.name) return;
        c.name = { surname: '', given: '', depth, structured: tag.local === 'name' };
        if (tag.local === 'string-name') {
          const n = c.name;
          sink(depth, (t) => (n.full = t));
        }
        return;
      case 'surname':
      case 'given-names': {
        const n = c.name;
        if (!n) return;
        n.structured = true;
        sink(depth, tag.local === 'surname' ? (t) => (n.surname += t) : (t) => (n.given += t));
        return;
      }
      case 'email':
        sink(depth, (t) => c.cand.directEmails.push(emailKey(t)));
        return;
      case 'xref':
        if (tag.attributes['ref-type'] === 'corresp' && tag.attributes.rid) c.rids.push(...tag.attributes.rid.split(/\s+/));
        return;
      case 'contrib-id':
        if (depth === c.depth + 1 && (tag.attributes['contrib-id-type'] ?? '').toLowerCase() === 'orcid' && !tag.selfClosing) {
          const existing: ExistingOrcid = { start: tag.start(), end: tag.end, value: '', authenticated: tag.attributes.authenticated === 'true' };
          pendingOrcid = { existing, depth };
          sink(depth, (t) => (existing.value = t));
        }
        return;
    }
  };

  scanXml(xml, {
    wantText: () => sinks.length > 0,
    text(t) {
      for (const s of sinks) s.text += t;
    },
    open(tag) {
      const local = tag.local;
      if (local === 'sub-article' || local === 'response') {
        scopeCount++;
        scopes.push(tag.attributes.id ? `${local}#${tag.attributes.id}` : `${local}[${scopeCount}]`);
      } else if (local === 'contrib-group') {
        const outer = scopes[scopes.length - 1];
        const n = (groupCounts.get(outer) ?? 0) + 1;
        groupCounts.set(outer, n);
        groups.push(`${outer}/contrib-group[${n}]`);
      } else if (local === 'contrib' && !tag.selfClosing && inScope(stack)) {
        openContrib(tag);
      } else if (open.length > 0) {
        inContribChild(tag, open[open.length - 1]);
      }
      if (local === 'corresp' && tag.attributes.id) correspOpen = { id: tag.attributes.id, depth: stack.length };
      else if (local === 'email' && correspOpen) {
        const id = correspOpen.id;
        sink(stack.length, (t) => {
          const list = corresp.get(id) ?? [];
          list.push(emailKey(t));
          corresp.set(id, list);
        });
      }
      stack.push(local);
    },
    close(tag) {
      stack.pop();
      const depth = stack.length;
      while (sinks.length > 0 && sinks[sinks.length - 1].depth === depth) {
        const s = sinks.pop()!;
        s.done(s.text);
      }
      if (pendingOrcid && pendingOrcid.depth === depth) {
        pendingOrcid.existing.end = tag.end;
        open[open.length - 1].target.existing.push(pendingOrcid.existing);
        pendingOrcid = null;
      }
      if (correspOpen && correspOpen.depth === depth) correspOpen = null;
      if (tag.local === 'sub-article' || tag.local === 'response') scopes.pop();
      else if (tag.local === 'contrib-group') groups.pop();
      const c = open[open.length - 1];
      if (!c) return;
      if (c.name && c.name.depth === depth) {
        const { surname, given, full, structured } = c.name;
        c.cand.names.push(structured ? { surname, given } : { surname: '', given: '', full: full ?? '' });
        c.name = null;
      }
      if (c.depth === depth) open.pop();
    },
  });

  for (const c of contribs) {
    for (const rid of c.rids) c.cand.correspEmails.push(...(corresp.get(rid) ?? []));
  }
  return { candidates: contribs.map((c) => c.cand), targets: contribs.map((c) => c.target) };
}

/** A contrib counts when it sits in a contrib-group of article-meta (article or sub-article front) or a front-stub. */
function inScope(stack: readonly string[]): boolean {
  for (let i = stack.length - 1; i >= 0; i--) {
    const s = stack[i];
    if (s === 'article-meta' || s === 'front-stub') return stack.indexOf('contrib-group', i) > i;
    if (s === 'sub-article' || s === 'response' || s === 'body' || s === 'back') return false;
  }
  return false;
}
