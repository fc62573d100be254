import type { EmbedContributor } from '../types.js';
import { parseOrcidId } from '../orcid/id.js';
import { emailKey, foldName, givenScore, givenTokens, NAME_EXACT, readings, type DocName } from './names.js';
import { type EmbedOptions, type EmbedReport, type MatchVia, type ReportContributor } from './report.js';

// The report and option types live in report.ts; re-exported here, where the embedders' callers import them from.
export * from './report.js';

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

/** A contributor with its iD already parsed and its name and email folded for comparison (once per call). */
export interface PreparedContributor {
  index: number;
  input: EmbedContributor;
  id: string;
  uri: string;
  /** {@link foldName} of the family name. */
  family: string;
  /** {@link givenTokens} of the given names. */
  given: string[];
  /** {@link emailKey} of the email, or null. */
  email: string | null;
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

export interface Claim {
  contributor: PreparedContributor;
  candidate: number;
  via: MatchVia;
}

/** Parse every iD first, so that an invalid one throws before anything else happens. */
export function prepareContributors(contributors: readonly EmbedContributor[]): PreparedContributor[] {
  const ids = contributors.map((c) => canonicalOrcid(c.orcid) ?? parseOrcidId(c.orcid));
  return contributors.map((c, index) => ({
    index,
    input: c,
    id: ids[index].id,
    uri: ids[index].uri,
    family: foldName(c.familyName),
    given: givenTokens(c.givenNames),
    email: c.email ? emailKey(c.email) : null,
  }));
}

/**
 * The iD when `s` is already in canonical form (`0000-0002-1825-0097`, valid check digit) — what
 * a journal system stores — else null, for {@link parseOrcidId} to parse or reject. Exactly what
 * parseOrcidId returns for such input, at a tenth of the cost (its regular expressions were
 * ~0.6 µs an iD, a millisecond for 2,000 authors).
 */
function canonicalOrcid(s: string): { id: string; uri: string } | null {
  if (typeof s !== 'string' || s.length !== 19) return null;
  for (let i = 0; i < 19; i++) {
    const c = s.charCodeAt(i);
    if (i === 4 || i === 9 || i === 14) {
      if (c !== 45) return null;
    } else if (!(c >= 48 && c <= 57) && !(i === 18 && c === 88)) return null;
  }
  // ISO 7064 MOD 11-2 over the 15 digits, as orcidCheckDigit computes it, without building a string.
  let total = 0;
  for (let i = 0; i < 18; i++) if (i !== 4 && i !== 9 && i !== 14) total = (total + s.charCodeAt(i) - 48) * 2;
  const check = (12 - (total % 11)) % 11;
  if (s.charCodeAt(18) !== (check === 10 ? 88 : 48 + check)) return null;
  return { id: s, uri: `https://orcid.org/${s}` };
}

export function reportContributor(c: PreparedContributor): ReportContributor {
  return { givenNames: c.input.givenNames, familyName: c.input.familyName, orcid: c.id };
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
    for (const n of cand.names) {
      // A structured name has one reading: no list for it.
      if (n.full === undefined) add(byFamily, foldName(n.surname), { cand: i, given: givenTokens(n.given) });
      else for (const r of readings(n)) add(byFamily, r.family, { cand: i, given: r.given });
    }
    // Most contribs carry no email: no Sets for them. An empty <email/> is no address: it must
    // not match a contributor whose email is blank.
    if (cand.directEmails.length > 0) for (const e of new Set(cand.directEmails)) if (e !== '') add(byEmail, e, { cand: i, score: EMAIL_DIRECT });
    if (cand.correspEmails.length > 0) {
      for (const e of new Set(cand.correspEmails)) if (e !== '' && !cand.directEmails.includes(e)) add(byEmail, e, { cand: i, score: EMAIL_CORRESP });
    }
  }
  return { byFamily, byEmail };
}

/**
 * The candidates of a scope that one contributor matches at all, with their scores: name score
 * plus any email score. Parallel arrays reused for every contributor — a Map per contributor and
 * scope was most of the garbage of a 2,000-author match (bench/embed.ts). The lists are short
 * (candidates sharing one family name or email), so lookups are linear.
 */
class Scores {
  n = 0;
  readonly cand: number[] = [];
  readonly score: number[] = [];
  readonly via: MatchVia[] = [];

  private find(cand: number): number {
    for (let k = 0; k < this.n; k++) if (this.cand[k] === cand) return k;
    return -1;
  }

  private set(cand: number, score: number, via: MatchVia): void {
    let k = this.find(cand);
    if (k < 0) k = this.n++;
    this.cand[k] = cand;
    this.score[k] = score;
    this.via[k] = via;
  }

  of(c: PreparedContributor, index: ScopeIndex): this {
    this.n = 0;
    const byName = c.family === '' ? undefined : index.byFamily.get(c.family);
    if (byName) {
      for (const r of byName) {
        const s = givenScore(c.given, r.given);
        if (s <= 0) continue;
        const k = this.find(r.cand);
        if (k < 0 || s > this.score[k]) this.set(r.cand, s, s >= NAME_EXACT ? 'name' : 'initials');
      }
    }
    const byEmail = c.email ? index.byEmail.get(c.email) : undefined;
    if (byEmail) {
      for (const e of byEmail) {
        const k = this.find(e.cand);
        const name = k < 0 ? 0 : this.score[k];
        this.set(e.cand, e.score + name, e.score === EMAIL_DIRECT ? 'email' : 'corresp-email');
      }
    }
    return this;
  }
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
  let indexes = 0;
  for (const c of contributors) indexes = Math.max(indexes, c.index + 1);
  const seen = new Uint8Array(indexes);
  const claimsOf = new Uint32Array(candidates.length);
  const scores = new Scores();
  for (const [scope, indexes] of byScope) {
    const scopeClaims: Claim[] = [];
    const index = indexScope(indexes, candidates);
    for (const c of contributors) {
      // The best score and how many candidates share it; a list only for the (rare) tie.
      let best = 0;
      let ties = 0;
      let first = -1;
      let via: MatchVia = 'name';
      const s = scores.of(c, index);
      for (let k = 0; k < s.n; k++) {
        const score = s.score[k];
        if (score <= 0 || score < best) continue;
        if (score > best) {
          best = score;
          ties = 1;
          first = k;
          via = s.via[k];
        } else ties++;
      }
      if (ties === 0) continue;
      seen[c.index] = 1;
      if (ties > 1) {
        const top: number[] = [];
        for (let k = first; k < s.n; k++) if (s.score[k] === best) top.push(s.cand[k]);
        top.sort((a, b) => a - b);
        report.ambiguous.push({
          contributor: reportContributor(c),
          scope,
          at: top.map((i) => `${candidates[i].line}:${candidates[i].column}`),
          reason: 'several-elements-match',
        });
      } else scopeClaims.push({ contributor: c, candidate: s.cand[first], via });
    }
    // Claims per element: counted in an array (candidate indexes are dense), grouped only when shared.
    for (const claim of scopeClaims) claimsOf[claim.candidate]++;
    const shared = new Map<number, Claim[]>();
    for (const claim of scopeClaims) {
      if (claimsOf[claim.candidate] === 1) {
        claims.push(claim);
        continue;
      }
      const list = shared.get(claim.candidate);
      if (list) list.push(claim);
      else shared.set(claim.candidate, [claim]);
    }
    for (const [cand, list] of shared) {
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
  for (const c of contributors) if (!seen[c.index]) report.unmatched.push({ contributor: reportContributor(c) });
  claims.sort((a, b) => a.candidate - b.candidate);
  return claims;
}
