/**
 * What the work, peer-review and service builders share: ORCID namespaces, text clean-up and
 * limits, fuzzy dates, external ids, DOI/ISSN normalization, organizations and the payload hash.
 * Pure functions only. Limits quote `vendor/orcid-model/common_3.0/common-3.0.xsd`.
 */
import { createHash } from 'node:crypto';
import { lazyRequire } from '../lazy-require.js';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

/** xmlbuilder2, loaded by the first payload built rather than by importing the package. */
export const xmlbuilder2 = lazyRequire<typeof import('xmlbuilder2')>('xmlbuilder2');
import { InvalidInputError } from '../errors.js';
import { cleanOptional, cleanRequired, plainText } from './payload-text.js';
import type { Article, EditorAppointment, JournalInfo, Organization, Review } from '../types.js';
// A cycle, but only through functions called at run time, never at module evaluation.
import { peerReviewSelfExternalId } from './peer-review.js';
import { serviceSelfExternalId } from './service.js';
import { workSelfExternalId } from './work.js';

/** Namespace URIs, with the prefixes the official samples use. */
export const NS = {
  common: 'http://www.orcid.org/ns/common',
  work: 'http://www.orcid.org/ns/work',
  'peer-review': 'http://www.orcid.org/ns/peer-review',
  service: 'http://www.orcid.org/ns/service',
  'group-id': 'http://www.orcid.org/ns/group-id',
} as const;

/** Character limits from common-3.0.xsd (`string-1000`, `short-description`, `credit-name`, `long-text`). */
export const LIMITS = { title: 1000, shortDescription: 5000, creditName: 150, longText: 4000, shortText: 500 } as const;

export type Prefix = keyof typeof NS;

/** A new document whose root is `prefix:name` in ORCID's namespace, declaring `common` too. */
export function orcidRoot(prefix: Exclude<Prefix, 'common'>, name: string, putCode?: string, putCodePath = 'options.putCode'): XMLBuilder {
  const attrs: Record<string, string> = { 'xmlns:common': NS.common };
  if (putCode !== undefined) {
    if (!/^\d{1,19}$/.test(putCode)) throw new InvalidInputError(putCodePath, 'must be a string of digits');
    attrs['put-code'] = putCode;
  }
  return xmlbuilder2().create({ version: '1.0', encoding: 'UTF-8' }).ele(NS[prefix], `${prefix}:${name}`, attrs);
}

/** Child `prefix:name` in the right namespace, with optional text. */
export function el(parent: XMLBuilder, prefix: Prefix, name: string, text?: string): XMLBuilder {
  const node = parent.ele(NS[prefix], `${prefix}:${name}`);
  if (text !== undefined) node.txt(text);
  return node;
}

/** Serialize the way every payload is serialized, so `payloadHash` is stable. */
export function serialize(root: XMLBuilder): string {
  return root.end({ prettyPrint: true, indent: '  ' });
}

/** sha256 hex of a payload; the outbox compares it to what was last posted. */
export function payloadHash(xml: string): string {
  return createHash('sha256').update(xml, 'utf8').digest('hex');
}

export type ItemKind = 'work' | 'peer-review' | 'service';

/**
 * The `self` external id that names our item on a record, exactly as the builder writes it; the
 * outbox stores it and, on a 409, finds the put-code with `findOwnItemByExternalId`.
 * @example selfExternalId('work', article) // { type: 'source-work-id', value: 'issn:1234-5679:a-1' }
 */
export function selfExternalId(kind: 'work', source: Pick<Article, 'id' | 'journal'>): { type: string; value: string };
export function selfExternalId(kind: 'peer-review', source: Pick<Review, 'id' | 'journal'>): { type: string; value: string };
export function selfExternalId(
  kind: 'service',
  source: { appointment: EditorAppointment; journalTitle: string; journalIssn?: string },
): { type: string; value: string };
export function selfExternalId(kind: ItemKind, source: unknown): { type: string; value: string } {
  type ServiceSource = { appointment: EditorAppointment; journalTitle: string; journalIssn?: string };
  const id =
    kind === 'work'
      ? workSelfExternalId(source as Article)
      : kind === 'peer-review'
        ? peerReviewSelfExternalId(source as Review)
        : serviceSelfExternalId((source as ServiceSource).appointment, source as ServiceSource);
  return { type: id.type, value: id.value };
}

// Text clean-up lives in ./payload-text.ts; re-exported so the builders keep one import.
export { plainText, truncate, cleanOptional, cleanRequired, requiredId, IdTooLongError, ID_TOO_LONG } from './payload-text.js';

export interface FuzzyDate {
  year: string;
  month?: string;
  day?: string;
}

/**
 * An ORCID fuzzy date from an ISO string (`2024`, `2024-05`, `2024-05-01`, or a date-time, whose
 * calendar date is taken as written) or a Date (its UTC date). Years are limited to 1900–2100 by
 * common-3.0.xsd.
 */
export function fuzzyDate(input: unknown, path: string): FuzzyDate {
  if (input === undefined || input === null || input === '') throw new InvalidInputError(path, 'is required');
  let parts: FuzzyDate;
  if (input instanceof Date) {
    if (Number.isNaN(input.getTime())) throw new InvalidInputError(path, 'is an invalid Date');
    parts = { year: String(input.getUTCFullYear()), month: pad(input.getUTCMonth() + 1), day: pad(input.getUTCDate()) };
  } else if (typeof input === 'string') {
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ].*)?)?)?$/.exec(input.trim());
    if (!m) throw new InvalidInputError(path, `is not an ISO date: ${JSON.stringify(input.slice(0, 40))}`);
    parts = { year: m[1], month: m[2], day: m[3] };
  } else {
    throw new InvalidInputError(path, 'must be an ISO date string or a Date');
  }
  const year = Number(parts.year);
  if (year < 1900 || year > 2100) throw new InvalidInputError(path, 'year must be between 1900 and 2100 (ORCID limit)');
  if (parts.month !== undefined && (Number(parts.month) < 1 || Number(parts.month) > 12)) throw new InvalidInputError(path, 'has an invalid month');
  if (parts.day !== undefined) {
    const last = new Date(Date.UTC(year, Number(parts.month), 0)).getUTCDate();
    if (Number(parts.day) < 1 || Number(parts.day) > last) throw new InvalidInputError(path, 'has an invalid day');
  }
  return parts;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `yyyy[-mm[-dd]]`, comparable as a string between dates of equal precision. */
export function fuzzyDateKey(d: FuzzyDate): string {
  return [d.year, d.month, d.day].filter((x) => x !== undefined).join('-');
}

export function addFuzzyDate(parent: XMLBuilder, prefix: Prefix, name: string, d: FuzzyDate): void {
  const node = el(parent, prefix, name);
  el(node, 'common', 'year', d.year);
  if (d.month !== undefined) el(node, 'common', 'month', d.month);
  if (d.month !== undefined && d.day !== undefined) el(node, 'common', 'day', d.day);
}

export type Relationship = 'self' | 'part-of' | 'version-of';

export interface ExternalId {
  type: string;
  value: string;
  url?: string;
  relationship: Relationship;
}

/** Writes the `external-id-*` children (in XSD order) into `node`. */
export function writeExternalIdFields(node: XMLBuilder, id: ExternalId): void {
  el(node, 'common', 'external-id-type', id.type);
  el(node, 'common', 'external-id-value', id.value);
  if (id.url !== undefined) el(node, 'common', 'external-id-url', id.url);
  el(node, 'common', 'external-id-relationship', id.relationship);
}

export function addExternalIds(parent: XMLBuilder, prefix: Prefix, name: string, ids: ExternalId[]): void {
  const container = el(parent, prefix, name);
  for (const id of ids) writeExternalIdFields(el(container, 'common', 'external-id'), id);
}

/** A DOI in ORCID's preferred form: no resolver prefix, lower case; `null` when it is not a DOI. */
export function normalizeDoi(input: string): string | null {
  const s = input
    .trim()
    .replace(/^(?:https?:\/\/)?(?:dx\.)?doi\.org\//i, '')
    .replace(/^doi:\s*/i, '')
    .toLowerCase();
  return /^10\.\d{4,9}\/\S+$/.test(s) ? s : null;
}

/** The DOI at `path`, normalized; `undefined` when absent, `InvalidInputError` when not a DOI. */
export function optionalDoi(input: string | undefined, path: string): string | undefined {
  if (input === undefined || input.trim() === '') return undefined;
  const doi = normalizeDoi(input);
  if (doi === null) throw new InvalidInputError(path, `is not a DOI: ${JSON.stringify(input.slice(0, 80))}`);
  return doi;
}

export function doiExternalId(doi: string, relationship: Relationship): ExternalId {
  // `#` and `?` are legal in DOIs but would end the resolver URL's path, so each segment is encoded.
  const path = doi.split('/').map(encodeURIComponent).join('/');
  return { type: 'doi', value: doi, url: `https://doi.org/${path}`, relationship };
}

/**
 * The ISSN check digit of the first seven digits (ISO 3297: weights 8 to 2, modulus 11, 10 → `X`).
 * @example issnCheckDigit('0317847') // '1'
 */
export function issnCheckDigit(first7: string): string {
  let sum = 0;
  for (let i = 0; i < 7; i++) sum += Number(first7[i]) * (8 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/**
 * `1234-5679` from `12345679` or `1234-5679`; `InvalidInputError` for anything else, including a
 * wrong check digit (a mistyped ISSN would group reviews under someone else's journal at ORCID).
 */
export function normalizeIssn(input: string, path: string): string {
  const s = typeof input === 'string' ? input.trim().toUpperCase().replace('-', '') : '';
  if (!/^\d{7}[\dX]$/.test(s)) throw new InvalidInputError(path, `is not an ISSN: ${JSON.stringify(String(input).slice(0, 40))}`);
  const expected = issnCheckDigit(s.slice(0, 7));
  if (s[7] !== expected) throw new InvalidInputError(path, `is not an ISSN: the check digit of ${JSON.stringify(input.trim().slice(0, 40))} should be ${expected}`);
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/**
 * The ISSN that names the journal in ids: print ISSN first, then electronic. The ISSN-L (the
 * linking ISSN that ORCID's `issn:` peer-review groups are keyed on) is by ISSN rules the first
 * ISSN assigned, which for journals with both is almost always the print one.
 */
export function primaryIssn(journal: Omit<JournalInfo, 'title'> & { title?: string }, path = 'journal'): string | undefined {
  if (journal.issn) return normalizeIssn(journal.issn, `${path}.issn`);
  if (journal.eissn) return normalizeIssn(journal.eissn, `${path}.eissn`);
  return undefined;
}

/**
 * The prefix of our `source-work-id` values: `issn:1234-5678` or, without an ISSN, a slug of the
 * journal title. It keeps ids unique when one ORCID client serves several journals whose host
 * ids may collide.
 */
export function journalKey(journal: Omit<JournalInfo, 'title'> & { title?: string }, path = 'journal'): string {
  const issn = primaryIssn(journal, path);
  if (issn !== undefined) return `issn:${issn}`;
  const slug = plainText(journal.title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '');
  // A long slug is shortened with a hash of the whole title, never just cut: two journals whose
  // titles share their first 80 characters must not share ids.
  if (slug.length > 80) return `${slug.slice(0, 67).replace(/-$/, '')}-${payloadHash(plainText(journal.title ?? '')).slice(0, 12)}`;
  if (slug !== '') return slug;
  const title = plainText(journal.title ?? '');
  if (title === '') throw new InvalidInputError(`${path}.title`, 'is required');
  // A title with no letters or digits (symbols, emoji) still needs a stable key.
  return `journal-${payloadHash(title).slice(0, 12)}`;
}

/** An absolute http(s) URL in its serialized (percent-encoded) form, or `InvalidInputError`. */
export function httpUrl(input: string, path: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new InvalidInputError(path, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError(path, 'must be an absolute http(s) URL');
  return url.href;
}

const ROR_ID = /^0[a-hj-km-np-tv-z0-9]{6}\d{2}$/;

/**
 * Writes an ORCID `organization` (name, address, disambiguated-organization). ORCID rejects
 * organizations without city and country, and requires a disambiguated id for services; ROR
 * ids must be the full `https://ror.org/…` form, so a bare ROR id is expanded.
 */
export function addOrganization(parent: XMLBuilder, prefix: Prefix, name: string, org: Organization | undefined, path: string): void {
  if (org === undefined || org === null || typeof org !== 'object') throw new InvalidInputError(path, 'is required');
  const orgName = cleanRequired(org.name, LIMITS.longText, `${path}.name`);
  const city = cleanRequired(org.city, LIMITS.longText, `${path}.city`);
  const region = cleanOptional(org.region, LIMITS.longText);
  const country = typeof org.country === 'string' ? org.country.trim().toUpperCase() : '';
  if (!/^[A-Z]{2}$/.test(country)) throw new InvalidInputError(`${path}.country`, 'must be an ISO 3166-1 alpha-2 code');
  let id = cleanRequired(org.disambiguatedId, LIMITS.shortText, `${path}.disambiguatedId`);
  const source = typeof org.disambiguationSource === 'string' ? org.disambiguationSource.trim().toUpperCase() : '';
  if (!/^(ROR|GRID|RINGGOLD|LEI|FUNDREF)$/.test(source)) {
    throw new InvalidInputError(`${path}.disambiguationSource`, 'must be one of ROR, GRID, RINGGOLD, LEI, FUNDREF');
  }
  if (source === 'ROR' && ROR_ID.test(id)) id = `https://ror.org/${id}`;
  const node = el(parent, prefix, name);
  el(node, 'common', 'name', orgName);
  const address = el(node, 'common', 'address');
  el(address, 'common', 'city', city);
  if (region !== undefined) el(address, 'common', 'region', region);
  el(address, 'common', 'country', country);
  const dis = el(node, 'common', 'disambiguated-organization');
  el(dis, 'common', 'disambiguated-organization-identifier', id);
  el(dis, 'common', 'disambiguation-source', source);
}

/** ORCID's language codes, from the `language-code` documentation in common-3.0.xsd (Java legacy codes iw/in/ji, zh_CN/zh_TW). */
const ORCID_LANGUAGES = new Set(
  ('ab aa af ak sq am ar an hy as av ae ay az bm ba eu be bn bh bi bs br bg my ca ch ce zh_CN zh_TW cu cv kw co cr hr cs da dv nl dz en eo et ee ' +
    'fo fj fi fr fy ff gl lg ka de el kl gn gu ht ha iw hz hi ho hu is io ig in ia ie iu ik ga it ja jv kn kr ks kk km ki rw ky kv kg ko ku kj ' +
    'lo la lv li ln lt lu lb mk mg ms ml mt gv mi mr mh mo mn na nv ng ne nd se no nb nn ny oc oj or om os pi pa fa pl pt ps qu rm ro rn ru sm ' +
    'sg sa sc gd sr sn ii sd si sk sl so nr st es su sw ss sv tl ty tg ta tt te th bo ti to ts tn tr tk tw ug uk ur uz ve vi vo wa cy wo xh ji ' +
    'yo za zu').split(' '),
);
const LEGACY_LANGUAGE: Record<string, string> = { he: 'iw', id: 'in', yi: 'ji' };

/**
 * A BCP 47 / ISO 639-1 tag (`en`, `en-GB`, `pt_BR`, `zh-Hant`, `he`) as ORCID's language code, or
 * `undefined` when ORCID has no code for it (the element is then left out rather than rejected).
 */
export function toOrcidLanguageCode(tag: string | undefined): string | undefined {
  if (typeof tag !== 'string') return undefined;
  const parts = tag.trim().split(/[-_]/);
  const primary = parts[0].toLowerCase();
  if (primary === 'zh') {
    const rest = parts.slice(1).map((p) => p.toLowerCase());
    return rest.some((p) => p === 'hant' || p === 'tw' || p === 'hk' || p === 'mo') ? 'zh_TW' : 'zh_CN';
  }
  const code = Object.hasOwn(LEGACY_LANGUAGE, primary) ? LEGACY_LANGUAGE[primary]! : primary;
  return ORCID_LANGUAGES.has(code) ? code : undefined;
}
