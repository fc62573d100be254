/**
 * Article → ORCID v3.0 `work` XML, pure. Element order follows `vendor/orcid-model/record_3.0/work-3.0.xsd`;
 * namespaces and prefixes follow the official sample `write_samples/work-full-3.0.xml`.
 */
import { personName } from '../person-name.js';
import { InvalidInputError } from '../errors.js';
import type { Article, ArticleAuthor } from '../types.js';
import { parseOrcidId } from './id.js';
import { contributorRoles } from './credit-roles.js';
import {
  LIMITS,
  addExternalIds,
  addFuzzyDate,
  cleanOptional,
  cleanRequired,
  requiredId,
  doiExternalId,
  el,
  fuzzyDate,
  httpUrl,
  journalKey,
  normalizeIssn,
  optionalDoi,
  orcidRoot,
  serialize,
  toOrcidLanguageCode,
  type ExternalId,
} from './payload-common.js';

/** Authors listed when the caller does not say (`?? 100`); see {@link WorkOptions.contributorsLimit}. */
export const DEFAULT_CONTRIBUTORS_LIMIT = 100;
/** Title prefix of a retracted work (COPE / Crossref convention, which ORCID users recognise). */
export const RETRACTED_PREFIX = 'RETRACTED: ';
const DEFAULT_RETRACTION_NOTICE = 'This article has been retracted.';

export interface WorkOptions {
  /** Set when updating an item ORCID already holds (PUT `/work/{putCode}`). */
  putCode?: string;
  /**
   * How many authors to list, default 100. ORCID stores works with thousands of contributors but
   * large contributor lists slow the record and the API down, and ORCID advises listing only the
   * leading ones. Authors beyond the limit whose ORCID iD we hold are still listed, so the
   * researcher whose record receives the work always appears in it.
   */
  contributorsLimit?: number;
  /** Authenticated ORCID iDs by `ArticleAuthor.contributorId`, written as `contributor-orcid`. */
  orcidsByContributorId?: ReadonlyMap<string, string> | Record<string, string>;
  /** `orcid.org` (default) or `sandbox.orcid.org`: the host of the contributor iD URIs. */
  orcidHost?: 'orcid.org' | 'sandbox.orcid.org';
  /**
   * Marks the work as retracted. The item is updated in place (same put-code and external ids,
   * so it keeps its place and grouping on the record), its title gets the `RETRACTED: ` prefix,
   * and the short description starts with the notice. ORCID has no retraction field in v3.0.
   */
  retraction?: { notice?: string };
}

/**
 * The self external id that names a work on a record; the outbox uses it to reconcile a 409.
 * Always a `source-work-id` (`<journal key>:<article id>`): unlike the DOI it exists for every
 * article and never changes when a DOI is assigned or corrected after the first deposit, so a
 * crash between posting and storing the put-code is always reconciled. The DOI, when present,
 * is a second `self` id in the payload, which is what ORCID groups works by.
 */
export function workSelfExternalId(article: Pick<Article, 'id' | 'journal'>): ExternalId {
  const id = requiredId(article.id, 200, 'article.id');
  if (article.journal === undefined || article.journal === null) throw new InvalidInputError('article.journal', 'is required');
  return { type: 'source-work-id', value: `${journalKey(article.journal, 'article.journal')}:${id}`, relationship: 'self' };
}

/**
 * Build the ORCID `work` for an article.
 * @throws InvalidInputError naming the field (`article.title`, `article.publishedAt`, …).
 * @example buildWorkXml(article, { orcidsByContributorId: { 'c-1': '0000-0002-1825-0097' } })
 */
export function buildWorkXml(article: Article, options: WorkOptions = {}): string {
  if (article === null || typeof article !== 'object') throw new InvalidInputError('article', 'is required');
  const retracted = options.retraction !== undefined;
  const rawTitle = cleanRequired(article.title, LIMITS.title, 'article.title');
  // A host may already have renamed the article; never write "RETRACTED: RETRACTED: …".
  const needsPrefix = retracted && !rawTitle.toUpperCase().startsWith(RETRACTED_PREFIX.trim());
  const title = needsPrefix ? cleanRequired(RETRACTED_PREFIX + rawTitle, LIMITS.title, 'article.title') : rawTitle;
  if (article.journal === undefined || article.journal === null) throw new InvalidInputError('article.journal', 'is required');
  // Optional, as in ORCID's work-3.0.xsd; the journal is then named by its ISSN (part-of ids).
  const journalTitle = cleanOptional(article.journal.title, LIMITS.title);
  const translated = translatedTitle(article.translatedTitle);
  const published = fuzzyDate(article.publishedAt, 'article.publishedAt');
  const doi = optionalDoi(article.doi, 'article.doi');
  const selfId = workSelfExternalId(article);
  const url = typeof article.url === 'string' && article.url.trim() !== '' ? httpUrl(article.url, 'article.url') : undefined;

  const root = orcidRoot('work', 'work', options.putCode);
  const titles = el(root, 'work', 'title');
  el(titles, 'common', 'title', title);
  const subtitle = cleanOptional(article.subtitle, LIMITS.title);
  if (subtitle !== undefined) el(titles, 'common', 'subtitle', subtitle);
  if (translated !== undefined) el(titles, 'common', 'translated-title', translated.text).att('language-code', translated.language);
  if (journalTitle !== undefined) el(root, 'work', 'journal-title', journalTitle);
  const description = shortDescription(article.abstract, options.retraction);
  if (description !== undefined) el(root, 'work', 'short-description', description);
  // No citation: ORCID builds one from the metadata, and a second one would need upkeep.
  el(root, 'work', 'type', 'journal-article');
  addFuzzyDate(root, 'common', 'publication-date', published);

  const ids: ExternalId[] = [];
  if (doi !== undefined) ids.push(doiExternalId(doi, 'self'));
  ids.push({ ...selfId, ...(url === undefined ? {} : { url }) });
  for (const issn of journalIssns(article)) {
    ids.push({ type: 'issn', value: issn, url: `https://portal.issn.org/resource/ISSN/${issn}`, relationship: 'part-of' });
  }
  addExternalIds(root, 'common', 'external-ids', ids);
  if (url !== undefined) el(root, 'common', 'url', url);
  addContributors(root, article.authors, options);
  const language = toOrcidLanguageCode(article.language);
  if (language !== undefined) el(root, 'common', 'language-code', language);
  return serialize(root);
}

/**
 * `article.translatedTitle` as ORCID's `translated-title` (common-3.0.xsd: up to 1000 characters,
 * with a required `language-code` from ORCID's list; ORCID refuses one without the other).
 */
function translatedTitle(input: Article['translatedTitle']): { text: string; language: string } | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input !== 'object') throw new InvalidInputError('article.translatedTitle', 'must be { text, language }');
  const text = cleanOptional(input.text, LIMITS.title);
  if (text === undefined) return undefined;
  const language = toOrcidLanguageCode(input.language);
  if (language === undefined) {
    throw new InvalidInputError('article.translatedTitle.language', `must be a language ORCID knows (ISO 639-1, e.g. fr), got ${JSON.stringify(String(input.language).slice(0, 20))}`);
  }
  return { text, language };
}

function shortDescription(abstract: string | undefined, retraction: WorkOptions['retraction']): string | undefined {
  if (retraction === undefined) return cleanOptional(abstract, LIMITS.shortDescription);
  const notice = cleanOptional(retraction.notice, LIMITS.shortDescription) ?? DEFAULT_RETRACTION_NOTICE;
  const rest = cleanOptional(abstract, LIMITS.shortDescription);
  return cleanOptional(rest === undefined ? notice : `${notice} ${rest}`, LIMITS.shortDescription);
}

function journalIssns(article: Article): string[] {
  const out: string[] = [];
  const journal = article.journal ?? {}; // checked by the caller
  if (journal.issn) out.push(normalizeIssn(journal.issn, 'article.journal.issn'));
  if (journal.eissn) out.push(normalizeIssn(journal.eissn, 'article.journal.eissn'));
  return [...new Set(out)];
}

function orcidFor(options: WorkOptions, contributorId: string): string | undefined {
  const map = options.orcidsByContributorId;
  if (map === undefined) return undefined;
  if (map instanceof Map) return map.get(contributorId);
  return Object.prototype.hasOwnProperty.call(map, contributorId) ? (map as Record<string, string>)[contributorId] : undefined;
}

function addContributors(root: ReturnType<typeof orcidRoot>, authors: ArticleAuthor[] | undefined, options: WorkOptions): void {
  if (authors === undefined || authors === null) return;
  if (!Array.isArray(authors)) throw new InvalidInputError('article.authors', 'must be an array');
  const limit = options.contributorsLimit ?? DEFAULT_CONTRIBUTORS_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidInputError('options.contributorsLimit', 'must be a non-negative integer');
  // Host order wins over `sequence` only as a tie-break; `sequence` is the published order.
  const ordered = authors.map((a, i) => ({ a, i })).sort((x, y) => (x.a.sequence ?? x.i + 1) - (y.a.sequence ?? y.i + 1) || x.i - y.i);
  const listed = ordered.filter(({ a }, rank) => rank < limit || orcidFor(options, a.contributorId) !== undefined);
  if (listed.length === 0) return;
  const container = el(root, 'work', 'contributors');
  for (const { a, i } of listed) {
    const path = `article.authors[${i}]`;
    if (a === null || typeof a !== 'object') throw new InvalidInputError(path, 'must be an object');
    const orcid = orcidFor(options, a.contributorId);
    let parsed: ReturnType<typeof parseOrcidId> | undefined;
    if (orcid !== undefined) {
      try {
        parsed = parseOrcidId(orcid, options.orcidHost === undefined ? {} : { host: options.orcidHost });
      } catch (e) {
        throw new InvalidInputError(`options.orcidsByContributorId[${JSON.stringify(a.contributorId)}]`, (e as Error).message);
      }
    }
    // Han names family first (王芳), others given first: as the name is written (person-name.ts).
    const name = cleanOptional(personName({ givenNames: typeof a.givenNames === 'string' ? a.givenNames : null, familyName: typeof a.familyName === 'string' ? a.familyName : null }), LIMITS.creditName);
    if (name === undefined && orcid === undefined) throw new InvalidInputError(`${path}.familyName`, 'is required');
    const sequence = a === ordered[0].a ? 'first' : 'additional';
    // One contributor-role per contributor (work-3.0.xsd contributor-attributes): a person with
    // several CRediT roles is listed once per role, each entry naming them the same way.
    for (const role of contributorRoles(a.roles, `${path}.roles`)) {
      const node = el(container, 'work', 'contributor');
      if (parsed !== undefined) {
        const id = el(node, 'common', 'contributor-orcid');
        el(id, 'common', 'uri', parsed.uri);
        el(id, 'common', 'path', parsed.id);
        el(id, 'common', 'host', new URL(parsed.uri).host);
      }
      if (name !== undefined) el(node, 'work', 'credit-name', name);
      // No contributor-email: ORCID uses it to look people up, and co-authors did not consent to that.
      const attributes = el(node, 'work', 'contributor-attributes');
      el(attributes, 'work', 'contributor-sequence', sequence);
      el(attributes, 'work', 'contributor-role', role);
    }
  }
}
