/**
 * ORCID's error answers, read and put into words. Pure.
 *
 * ORCID v3.0 answers a refused call with an `error` body (XML, namespace
 * `http://www.orcid.org/ns/error`, or JSON with the same keys) carrying `response-code`,
 * `developer-message`, `user-message`, `error-code` and `more-info`
 * (../shared/orcid-model/README.md "Error responses"; [M] `record_3.0/error-3.0.xsd`).
 * The OAuth layer answers in OAuth JSON instead (`{"error":"invalid_token",…}`).
 * The `error-code` says more than the HTTP status: 9038 (scope missing) and 9010 (not the
 * source) are both 403, and 409 means a duplicate (9021) or a locked record (9018).
 */

/** The fields of an ORCID error body; each is absent when ORCID did not send it. */
export interface OrcidErrorDetails {
  responseCode?: number;
  errorCode?: number;
  userMessage?: string;
  developerMessage?: string;
  moreInfo?: string;
}

/**
 * What an ORCID error code means for us, one entry per code of the facts file's table
 * (../shared/orcid-model/README.md "Error responses", "Payload rules", "Other facts").
 * - `payload-rejected`: ORCID refused what we sent; a person must look (the payload or the data).
 * - `reconnect`: the researcher must connect again (the token lacks a scope).
 * - `identity-mismatch`: the token belongs to another record.
 * - `not-source`: the item is not ours to change.
 * - `duplicate`: the item is already there from us: adopt it.
 * - `record-unavailable`: the record is locked, deactivated, deprecated, unclaimed or full.
 * - `forbidden`: another refusal of access (private item of another source, visibility).
 * - `not-found`: unknown iD or put-code.
 * - `webhook-not-registered`: nothing to unregister.
 * - `group-exists`: the peer-review group is already there.
 * - `server-error`: ORCID failed on its side.
 */
export type OrcidErrorOutcome =
  | 'payload-rejected'
  | 'reconnect'
  | 'identity-mismatch'
  | 'not-source'
  | 'duplicate'
  | 'record-unavailable'
  | 'forbidden'
  | 'not-found'
  | 'webhook-not-registered'
  | 'group-exists'
  | 'server-error';

export interface OrcidErrorCode {
  outcome: OrcidErrorOutcome;
  /** What the code means, in words a journal editor can act on. */
  meaning: string;
}

/** Every ORCID error code the facts file names, with what it means for us. */
export const ORCID_ERROR_CODES: Readonly<Record<number, OrcidErrorCode>> = {
  9001: { outcome: 'payload-rejected', meaning: 'ORCID could not read the data we sent' },
  9006: { outcome: 'payload-rejected', meaning: 'ORCID refused the request as invalid' },
  9007: { outcome: 'record-unavailable', meaning: 'the ORCID record is deprecated in favour of another iD' },
  9008: { outcome: 'server-error', meaning: 'ORCID had an internal error' },
  9010: { outcome: 'not-source', meaning: 'the item on the ORCID record was not added by this journal, so it cannot change it' },
  9012: { outcome: 'payload-rejected', meaning: 'ORCID refused the request as invalid' },
  9013: { outcome: 'forbidden', meaning: 'the item is private to another source' },
  9016: { outcome: 'not-found', meaning: 'ORCID does not know the record or the item' },
  9017: { outcome: 'identity-mismatch', meaning: 'the access token belongs to a different ORCID record' },
  9018: { outcome: 'record-unavailable', meaning: 'the ORCID record is locked' },
  9019: { outcome: 'payload-rejected', meaning: 'the item id in the data does not match the item being updated' },
  9020: { outcome: 'payload-rejected', meaning: 'ORCID found the data invalid (for a peer review: its group does not exist)' },
  9021: { outcome: 'duplicate', meaning: 'the item is already on the record from this journal' },
  9022: { outcome: 'payload-rejected', meaning: 'the title is missing' },
  9023: { outcome: 'payload-rejected', meaning: 'an identifier is invalid or none identifies the item itself' },
  9024: { outcome: 'payload-rejected', meaning: 'a new item must not carry an item id' },
  9025: { outcome: 'group-exists', meaning: 'the peer-review group already exists' },
  9026: { outcome: 'payload-rejected', meaning: 'the peer-review group does not exist' },
  9028: { outcome: 'webhook-not-registered', meaning: 'no webhook is registered for this record' },
  9034: { outcome: 'payload-rejected', meaning: 'the item id is not a number' },
  9035: { outcome: 'forbidden', meaning: 'the visibility of the item cannot be changed this way' },
  9036: { outcome: 'record-unavailable', meaning: 'the ORCID record has not been claimed by its owner yet' },
  9037: { outcome: 'payload-rejected', meaning: 'the work type is not one ORCID accepts' },
  9038: { outcome: 'reconnect', meaning: 'the researcher has not granted the permission this needs; they must connect again' },
  9044: { outcome: 'record-unavailable', meaning: 'the ORCID record is deactivated' },
  9045: { outcome: 'payload-rejected', meaning: 'the organization needs an identifier (ROR, Ringgold, GRID, FundRef or LEI)' },
  9048: { outcome: 'record-unavailable', meaning: 'the ORCID record holds the most works it may (10,000)' },
  9050: { outcome: 'payload-rejected', meaning: 'an end date needs a start date' },
  9051: { outcome: 'payload-rejected', meaning: 'a value is not one ORCID allows (for example a role or a type)' },
  9053: { outcome: 'payload-rejected', meaning: 'the ISSN is invalid or unknown to the ISSN portal' },
  9055: { outcome: 'payload-rejected', meaning: 'the end date is before the start date' },
  9058: { outcome: 'payload-rejected', meaning: 'a contributor role is not one ORCID allows' },
  9062: { outcome: 'payload-rejected', meaning: 'the organization needs an identifier or an external id' },
};

const FIELDS: Record<string, keyof OrcidErrorDetails> = {
  'response-code': 'responseCode',
  'error-code': 'errorCode',
  'user-message': 'userMessage',
  'developer-message': 'developerMessage',
  'more-info': 'moreInfo',
};

/**
 * The fields of an ORCID error body (XML or JSON), or null when `body` is not one (an OAuth
 * error, an HTML page from a proxy, nothing).
 * @example parseOrcidError('{"response-code":403,"error-code":9038,"user-message":"…"}') // { responseCode: 403, errorCode: 9038, userMessage: '…' }
 */
export function parseOrcidError(body: string | null | undefined): OrcidErrorDetails | null {
  if (typeof body !== 'string') return null;
  const text = body.trim();
  if (text.startsWith('{')) return fromJson(text);
  if (text.startsWith('<')) return fromXml(text);
  return null;
}

function fromJson(text: string): OrcidErrorDetails | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object') return null;
  const out: OrcidErrorDetails = {};
  for (const [key, field] of Object.entries(FIELDS)) set(out, field, (parsed as Record<string, unknown>)[key]);
  return Object.keys(out).length === 0 ? null : out;
}

// The error body is a flat list of text elements; a tag regex reads it without a parser (and
// never resolves entities beyond the five XML ones, so nothing external is ever read).
const ELEMENT = /<(?:[\w.-]+:)?(response-code|error-code|user-message|developer-message|more-info)(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w.-]+:)?\1\s*>/g;

function fromXml(text: string): OrcidErrorDetails | null {
  if (!/<(?:[\w.-]+:)?error[\s>]/.test(text)) return null;
  const out: OrcidErrorDetails = {};
  for (const m of text.matchAll(ELEMENT)) {
    const field = FIELDS[m[1]!]!;
    if (out[field] === undefined) set(out, field, decodeXmlText(m[2]!));
  }
  return Object.keys(out).length === 0 ? null : out;
}

function set(out: OrcidErrorDetails, field: keyof OrcidErrorDetails, value: unknown): void {
  if (field === 'responseCode' || field === 'errorCode') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n)) out[field] = n;
    return;
  }
  if (typeof value === 'string' && value.trim() !== '') out[field] = value.trim();
}

function decodeXmlText(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (whole, ref: string) => {
      const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'" };
      if (ref[0] !== '#') return named[ref.toLowerCase()] ?? whole;
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    })
    .replace(/&amp;/g, '&');
}

/** The put-code ORCID names in a 409/9021 developer message ("…please see element with put-code 1234…"). */
export function duplicatePutCode(details: OrcidErrorDetails | null): string | null {
  const m = /put-code\s+(\d{1,19})\b/i.exec(details?.developerMessage ?? '');
  return m ? m[1]! : null;
}

/** The code table's entry for `details`, or null when ORCID sent no code we know. */
export function orcidErrorCode(details: OrcidErrorDetails | null): (OrcidErrorCode & { code: number }) | null {
  const code = details?.errorCode;
  if (code === undefined) return null;
  const entry = ORCID_ERROR_CODES[code];
  return entry ? { code, ...entry } : null;
}

/**
 * ORCID's refusal in words, for people and for the stored error: what it means, then ORCID's
 * user message and developer message (which says which field was wrong), never the raw body.
 * @example orcidErrorInWords({ errorCode: 9023, userMessage: 'Invalid identifier', developerMessage: 'At least one …' })
 * // 'an identifier is invalid or none identifies the item itself (ORCID error 9023). ORCID says: Invalid identifier. Details: At least one …'
 */
export function orcidErrorInWords(details: OrcidErrorDetails, status?: number): string {
  const known = orcidErrorCode(details);
  const parts: string[] = [];
  const code = details.errorCode === undefined ? '' : `ORCID error ${details.errorCode}`;
  const head = known?.meaning ?? (status === undefined ? 'ORCID refused the request' : `ORCID answered ${status}`);
  parts.push(code === '' ? head : `${head} (${code})`);
  const user = details.userMessage?.replace(/\s+/g, ' ').trim();
  const developer = details.developerMessage?.replace(/\s+/g, ' ').trim();
  if (user) parts.push(`ORCID says: ${stripEnd(user)}`);
  if (developer && developer !== user) parts.push(`Details: ${stripEnd(developer)}`);
  return `${parts.join('. ')}.`;
}

function stripEnd(s: string): string {
  return s.replace(/[.\s]+$/, '');
}

/**
 * A stored error (a job's `lastError` or park reason) fit for the status page: ORCID error bodies
 * inside it (XML or JSON, as older versions stored them) are replaced by their words; other text
 * is kept. Never returns markup from ORCID.
 * @example keptErrorInWords('ORCID_BAD_REQUEST 400: <error …><error-code>9023</error-code>…</error>') // 'ORCID_BAD_REQUEST 400: an identifier is invalid … (ORCID error 9023). …'
 */
export function keptErrorInWords(kept: string | null | undefined): string {
  if (typeof kept !== 'string') return '';
  const xml = /<(?:\?xml|(?:[\w.-]+:)?error[\s>])[\s\S]*$/.exec(kept);
  const json = xml ? null : /\{[\s\S]*"(?:error-code|developer-message|user-message)"[\s\S]*$/.exec(kept);
  const found = xml ?? json;
  if (!found) return kept;
  const before = kept.slice(0, found.index);
  const details = parseOrcidError(found[0].replace(/^<\?xml[^>]*\?>\s*/, ''));
  const status = /\b([1-5]\d\d)\b/.exec(before)?.[1];
  // A body cut short when stored (older versions kept 500 characters) still has readable fields.
  const words = details ? orcidErrorInWords(details, status === undefined ? undefined : Number(status)) : 'ORCID sent an error we could not read';
  return `${before}${words}`.trim();
}
