/**
 * Pure processing of ORCID member API answers (oauth4webapi style: the IO in client.ts returns a
 * response snapshot, these functions decide what it means). No IO, no clock of their own.
 */
import { OrcidApiError, RateLimitedError, TokenRevokedError } from '../errors.js';
import { IdentityMismatchError, NotSourceError, OrcidRefusalError, RecordUnavailableError, ScopeMissingError } from './api-errors.js';
import { parseOrcidError } from './orcid-error.js';

export const ORCID_CONFLICT = 'ORCID_CONFLICT';
export const ORCID_FORBIDDEN = 'ORCID_FORBIDDEN';
export const ORCID_NOT_FOUND = 'ORCID_NOT_FOUND';
export const ORCID_BAD_REQUEST = 'ORCID_BAD_REQUEST';
export const ORCID_UNAUTHORIZED = 'ORCID_UNAUTHORIZED';
export const ORCID_SERVER_ERROR = 'ORCID_SERVER_ERROR';
export const ORCID_UNEXPECTED_RESPONSE = 'ORCID_UNEXPECTED_RESPONSE';

/** What the client read from one HTTP exchange. */
export interface OrcidResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Milliseconds to wait from a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date. `undefined` when absent or unreadable; never negative.
 * @example parseRetryAfter('3', new Date()) // 3000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', new Date('2015-10-21T07:27:58Z')) // 2000
 */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only accept something that looks like a date: Date.parse('1.5') would give a year-2001 date.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/**
 * The put-code from a `Location` header: ORCID answers a POST with 201 and
 * `Location: https://api.orcid.org/v3.0/0000-0001-2345-6789/work/12345`.
 * @throws OrcidApiError (ORCID_UNEXPECTED_RESPONSE) when there is no numeric last segment.
 */
export function putCodeFromLocation(response: OrcidResponse): string {
  const location = response.headers['location'] ?? '';
  const last = location.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? '';
  if (!/^\d+$/.test(last)) {
    throw new OrcidApiError(
      `ORCID answered ${response.status} without a put-code in Location (${JSON.stringify(location)})`,
      { statusCode: response.status, body: response.body, headers: response.headers },
      ORCID_UNEXPECTED_RESPONSE,
    );
  }
  return last;
}

/**
 * Turn a non-2xx answer into the typed error the worker branches on; return nothing for 2xx.
 * `what` names the call for the message (`'POST work'`), never a token.
 *
 * Branches on the HTTP status first and ORCID's error code second, as the facts file advises
 * (../shared/orcid-model/README.md "Error responses": some codes' texts carry a wrong status).
 */
export function processOrcidResponse(response: OrcidResponse, what: string, now: Date): void {
  const { status } = response;
  if (status >= 200 && status < 300) return;
  const snapshot = { statusCode: status, body: response.body, headers: response.headers };
  // ORCID's member API queues requests past 24/s and answers 503 (no Retry-After) past a burst of
  // 40 ("Rate limits"); 429 stays for other gateways. Both mean: slow down, nothing is wrong with the job.
  if (status === 429 || status === 503) {
    throw new RateLimitedError(snapshot, parseRetryAfter(response.headers['retry-after'], now));
  }
  // ORCID answers `{"error":"invalid_token","error_description":"Invalid access token: …"}` for
  // revoked and expired tokens alike; the worker refreshes once, then treats it as revoked.
  if (status === 401 && response.body.includes('invalid_token')) throw new TokenRevokedError(snapshot);
  const orcid = parseOrcidError(response.body);
  const code = orcid?.errorCode;
  if (status === 401 && code === 9017) throw new IdentityMismatchError(snapshot, orcid);
  if (status === 403 && code === 9038) throw new ScopeMissingError(snapshot, orcid);
  if (status === 403 && code === 9010) throw new NotSourceError(snapshot, orcid);
  if ((status === 409 && code !== undefined && UNAVAILABLE_409.has(code)) || (status === 301 && code === 9007)) {
    throw new RecordUnavailableError(snapshot, orcid);
  }
  const typed = CODES[status] ?? (status >= 500 ? ORCID_SERVER_ERROR : ORCID_UNEXPECTED_RESPONSE);
  const message = status === 401 ? `ORCID refused ${what}: 401` : `ORCID answered ${status} to ${what}`;
  throw new OrcidRefusalError(message, snapshot, typed, orcid);
}

/** 409s that are not duplicates: record locked (9018), not claimed (9036), deactivated (9044), full (9048). */
const UNAVAILABLE_409 = new Set([9018, 9036, 9044, 9048]);

const CODES: Record<number, string> = {
  400: ORCID_BAD_REQUEST,
  401: ORCID_UNAUTHORIZED,
  403: ORCID_FORBIDDEN,
  404: ORCID_NOT_FOUND,
  409: ORCID_CONFLICT,
};

/**
 * Replace each secret in `text` by `[REDACTED]`. ORCID echoes tokens and codes in error bodies
 * ("Invalid access token: 1a2b…"), and those bodies are kept on errors that get logged and stored.
 */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}

/** Lower-cased header map from a fetch `Headers`. */
export function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}
