import type { EmbedContributor } from '../types.js';
import { parseOrcidId } from '../orcid/id.js';
import { emailKey, foldName, givenScore, givenTokens, NAME_EXACT, readings, type DocName } from './names.js';

/**
 * Which document contributor is which journal contributor. Shared by the JATS and Crossref
 * embedders; they turn their XML into {@link Candidate}s and get claims back.
 *
 * Matching happens per scope (the article itself, each peer-review sub-article, each Crossref
 * `<contributors>` list): one person legitimately appears in several scopes (an author also
 * signs the author response), but within one scope we never guess between equals.
 */

/** Score of an email found directly in `<contrib>`. Higher than any name score, so email wins. */
export const EMAIL_DIRECT = 100;
/** Score of an email reached through `<xref ref-type="corresp">` → `<corresp>`. */
export const EMAIL_CORRESP = 90;

export interface Candidate {
  /** Scope label, e.g. `article`, `sub-article#sa1`, `journal_article[1]`. */
  scope: string;
  /** 1-based line and column of the element's start tag. */
  line: number;
  column: number;
  names: DocName[];
  directEmails: string[];
  correspEmails: string[];
}

/** A contributor with its iD already parsed. */
export interface PreparedContributor {
  index: number;
  input: EmbedContributor;
  id: string;
  uri: string;
}

/** How a contributor is named in report entries. */
export interface ReportContributor {
  givenNames: string;
  familyName: string;
  orcid: string;
}

export interface ReportEntry {
  contributor: ReportContributor;
  scope: string;
  /** Line and column (1-based) of the `<contrib>` / `<person_name>` start tag in the input. */
  line: number;
  column: number;
  /** What matched: `email`, `corresp-email`, `name`, `initials`. */
  via: MatchVia;
}

export interface ReplacedEntry extends ReportEntry {
  /** The value of the element that was replaced. */
  previous: string;
}

export interface AmbiguousEntry {
  contributor: ReportContributor;
  scope: string;
  /** Where every element involved starts, as `line:column`. */
  at: string[];
  reason: 'several-elements-match' | 'element-matches-several-contributors';
}

export interface EmbedReport {
  inserted: ReportEntry[];
  replaced: ReplacedEntry[];
  unchanged: ReportEntry[];
  ambiguous: AmbiguousEntry[];
  unmatched: { contributor: ReportContributor }[];
  /** Contributors left out because `onlyAuthenticated` was set and they were not authenticated. */
  skipped: { contributor: ReportContributor; reason: 'not-authenticated' }[];
}

export interface EmbedOptions {
  /** Leave out contributors whose iD was not collected through OAuth. Default: false (embed them without `authenticated`). */
  onlyAuthenticated?: boolean;
}

export interface EmbedResult {
  xml: string;
  report: EmbedReport;
}

export function selectContributors(
  all: PreparedContributor[],
  options: EmbedOptions,
  report: EmbedReport,
): PreparedContributor[] {
  if (!options.onlyAuthenticated) return all;
  for (const c of all) if (!c.input.authenticated) report.skipped.push({ contributor: reportContributor(c), reason: 'not-authenticated' });
  return all.filter((c) => c.input.authenticated);
}

export type MatchVia = 'email' | 'corresp-email' | 'name' | 'initials';

export interface Claim {
  contributor: PreparedContributor;
  candidate: number;
  via: MatchVia;
}

/** Parse every iD first, so that an invalid one throws before anything else happens. */
export function prepareContributors(contributors: readonly EmbedContributor[]): PreparedContributor[] {
  return contributors.map((c, index) => {
    const { id, uri } = parseOrcidId(c.orcid);
    return { index, input: c, id, uri };
  });
}

export function reportContributor(c: PreparedContributor): ReportContributor {
  return { givenNames: c.input.givenNames, familyName: c.input.familyName, orcid: c.id };
}

export function emptyReport(): EmbedReport {
  return { inserted: [], replaced: [], unchanged: [], ambiguous: [], unmatched: [], skipped: [] };
}

/** Per-scope lookup tables, so matching is linear in contributors + candidates, not their product. */
interface ScopeIndex {
  byFamily: Map<string, { cand: number; given: string[] }[]>;
  byEmail: Map<string, { cand: number; score: number }[]>;
}

function indexScope(indexes: readonly number[], candidates: readonly Candidate[]): ScopeIndex {
  const byFamily: ScopeIndex['byFamily'] = new Map();
  const byEmail: ScopeIndex['byEmail'] = new Map();
  const add = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const i of indexes) {
    const cand = candidates[i];
    for (const n of cand.names) for (const r of readings(n)) add(byFamily, r.family, { cand: i, given: r.given });
    for (const e of new Set(cand.directEmails)) add(byEmail, e, { cand: i, score: EMAIL_DIRECT });
    for (const e of new Set(cand.correspEmails)) if (!cand.directEmails.includes(e)) add(byEmail, e, { cand: i, score: EMAIL_CORRESP });
  }
  return { byFamily, byEmail };
}

/** Score of every candidate of the scope that `c` matches at all: name score plus any email score. */
function scores(c: PreparedContributor, index: ScopeIndex): Map<number, { score: number; via: MatchVia }> {
  const out = new Map<number, { score: number; via: MatchVia }>();
  const family = foldName(c.input.familyName);
  const given = givenTokens(c.input.givenNames);
  for (const r of family === '' ? [] : index.byFamily.get(family) ?? []) {
    const s = givenScore(given, r.given);
    const prev = out.get(r.cand);
    if (s > 0 && (!prev || s > prev.score)) out.set(r.cand, { score: s, via: s >= NAME_EXACT ? 'name' : 'initials' });
  }
  if (c.input.email) {
    for (const e of index.byEmail.get(emailKey(c.input.email)) ?? []) {
      const name = out.get(e.cand)?.score ?? 0;
      out.set(e.cand, { score: e.score + name, via: e.score === EMAIL_DIRECT ? 'email' : 'corresp-email' });
    }
  }
  return out;
}

/**
 * Assign contributors to candidates, scope by scope. A contributor whose best score is shared by
 * two candidates of a scope, or a candidate that is the best for two contributors, is ambiguous
 * there; everything else is a claim. Contributors with no claim and no ambiguity anywhere are
 * reported unmatched.
 */
export function assign(
  contributors: readonly PreparedContributor[],
  candidates: readonly Candidate[],
  report: EmbedReport,
): Claim[] {
  const byScope = new Map<string, number[]>();
  candidates.forEach((cand, i) => {
    const list = byScope.get(cand.scope);
    if (list) list.push(i);
    else byScope.set(cand.scope, [i]);
  });
  const claims: Claim[] = [];
  const seen = new Set<number>();
  for (const [scope, indexes] of byScope) {
    const scopeClaims: Claim[] = [];
    const index = indexScope(indexes, candidates);
    for (const c of contributors) {
      let best = 0;
      let top: number[] = [];
      let via: MatchVia = 'name';
      for (const [i, s] of scores(c, index)) {
        if (s.score <= 0 || s.score < best) continue;
        if (s.score > best) {
          best = s.score;
          top = [i];
          via = s.via;
        } else top.push(i);
      }
      if (top.length === 0) continue;
      top.sort((a, b) => a - b);
      seen.add(c.index);
      if (top.length > 1) {
        report.ambiguous.push({
          contributor: reportContributor(c),
          scope,
          at: top.map((i) => `${candidates[i].line}:${candidates[i].column}`),
          reason: 'several-elements-match',
        });
      } else scopeClaims.push({ contributor: c, candidate: top[0], via });
    }
    const perCandidate = new Map<number, Claim[]>();
    for (const claim of scopeClaims) {
      const list = perCandidate.get(claim.candidate);
      if (list) list.push(claim);
      else perCandidate.set(claim.candidate, [claim]);
    }
    for (const [cand, list] of perCandidate) {
      if (list.length === 1) {
        claims.push(list[0]);
        continue;
      }
      for (const claim of list) {
        report.ambiguous.push({
          contributor: reportContributor(claim.contributor),
          scope,
          at: [`${candidates[cand].line}:${candidates[cand].column}`],
          reason: 'element-matches-several-contributors',
        });
      }
    }
  }
  for (const c of contributors) if (!seen.has(c.index)) report.unmatched.push({ contributor: reportContributor(c) });
  claims.sort((a, b) => a.candidate - b.candidate);
  return claims;
}
