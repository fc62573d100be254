/**
 * What to do after an ORCID call failed: try again later, or park the job for a person to look at.
 * Pure: the worker passes the attempt number and how long the job has been failing.
 *
 * Throttling (503, 429) and outages (other 5xx, timeouts, resets) say nothing about the job, so
 * they are retried however many attempts it takes, and parked only after `parkAfterMs` of
 * continuous failure (ORCID answers 503 past its burst: ../shared/orcid-model/README.md
 * "Rate limits"). ORCID's refusals are decided by its error code ("Error responses").
 *
 * Not decided here — the worker handles these before asking (they are not "try again" questions):
 * - 401 `TokenRevokedError` and 403/9038 `ScopeMissingError`: the researcher must reconnect.
 * - 409/9021 `ORCID_CONFLICT`: the item already exists; reconcile by external id and adopt its put-code.
 * - 404 `ORCID_NOT_FOUND` on update/delete: the researcher deleted the item; re-post or finish.
 * If one of them reaches this function anyway it is parked, never retried blindly.
 *
 * Modelled on undici's RetryHandler: guard clauses, defaults written out, Retry-After honoured.
 */
import { NetworkError, OrcidApiError, OrcidPluginError, RateLimitedError, STORE_UNAVAILABLE, XML_MALFORMED } from '../errors.js';
import { IdentityMismatchError, NotSourceError, OrcidRefusalError, RecordUnavailableError, ScopeMissingError } from './api-errors.js';
import { ORCID_UNEXPECTED_RESPONSE } from './http.js';
import { OrcidOAuthError } from './oauth.js';
import { orcidErrorInWords, parseOrcidError } from './orcid-error.js';

/** Continuous failure after which a throttled or unreachable job is parked, when not configured: 3 days. */
export const DEFAULT_PARK_AFTER_MS = 3 * 24 * 3_600_000;

export interface RetryPolicyOptions {
  /** Attempts (including the first) before a job that got an unexpected answer is parked. Default 8. */
  maxAttempts?: number;
  /** First backoff step. Default 1000 (1 s). */
  baseMs?: number;
  /** Largest wait between attempts. Default 900000 (15 min). */
  maxMs?: number;
  /** Random source in [0, 1) for jitter; tests inject a fixed one. Default Math.random. */
  random?: () => number;
  /** Continuous failure from throttling or outages after which the job is parked. Default 3 days. */
  parkAfterMs?: number;
  /** When the job's current run of failures began (its first failed attempt); default: now. */
  failingSince?: Date;
  /** The time of this decision; default `new Date()`. */
  now?: Date;
  /** Failures in a row, this one included (throttled ones too); sets the backoff step. Default `attempt`. */
  failures?: number;
}

export type RetryDecision =
  | { action: 'retry'; delayMs: number; /** false for throttling: the attempt should not be counted. */ countsAsAttempt: boolean }
  | { action: 'park'; reason: string };

/**
 * Throttling or an outage: a failure that says nothing about the job itself. That includes the
 * token endpoint (a refresh on the way to the call) answering 5xx or 429.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof RateLimitedError || error instanceof NetworkError) return true;
  if (error instanceof OrcidOAuthError) return error.statusCode >= 500 || error.statusCode === 429;
  return error instanceof OrcidApiError && error.statusCode >= 500;
}

/**
 * @param error what the attempt threw (anything; unknown throwables are parked)
 * @param attempt 1-based number of the attempt that just failed (throttled attempts are not counted)
 * @example decideRetry(new NetworkError('ECONNRESET'), 1, { random: () => 0.5 }) // { action: 'retry', delayMs: 500, countsAsAttempt: true }
 */
export function decideRetry(error: unknown, attempt: number, options: RetryPolicyOptions = {}): RetryDecision {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseMs = options.baseMs ?? 1000; // 1 s
  const maxMs = options.maxMs ?? 15 * 60_000; // 15 min
  const random = options.random ?? Math.random;
  const parkAfterMs = options.parkAfterMs ?? DEFAULT_PARK_AFTER_MS;
  const now = options.now ?? new Date();
  const failingForMs = Math.max(0, now.getTime() - (options.failingSince ?? now).getTime());
  const failures = Math.max(1, options.failures ?? attempt);
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, failures - 1));

  // Our own store could not be reached on the way to ORCID (the shared rate limit lives there): the
  // request never went out, so nothing is known about the job. Retry without counting, never park.
  if (isStoreOutage(error)) return { action: 'retry', delayMs: Math.floor(ceiling / 2 + random() * (ceiling / 2)), countsAsAttempt: false };

  if (isTransient(error)) {
    if (failingForMs >= parkAfterMs) {
      return { action: 'park', reason: `ORCID throttled or unreachable for ${duration(failingForMs)}: ${describe(error)}` };
    }
    if (error instanceof RateLimitedError) {
      // ORCID told us when: wait exactly that (never sooner, and no later than maxMs).
      if (error.retryAfterMs !== undefined) return { action: 'retry', delayMs: Math.min(maxMs, error.retryAfterMs), countsAsAttempt: false };
      // ORCID's 503 says nothing about when. "Equal jitter": at least half the step, so a
      // throttled job never comes straight back, spread over the other half.
      return { action: 'retry', delayMs: Math.floor(ceiling / 2 + random() * (ceiling / 2)), countsAsAttempt: false };
    }
    // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): spreads retries of many
    // jobs that failed together (an ORCID outage) instead of having them return in lockstep.
    return { action: 'retry', delayMs: Math.floor(random() * ceiling), countsAsAttempt: true };
  }

  // An answer we could not use (a 201 without put-code, a 3xx, malformed XML): perhaps a proxy's
  // glitch, so a few more tries, but a bounded number of them.
  if (isUnexpected(error)) {
    if (attempt >= maxAttempts) return { action: 'park', reason: `gave up after ${attempt} attempts: ${describe(error)}` };
    return { action: 'retry', delayMs: Math.floor(random() * ceiling), countsAsAttempt: true };
  }
  return { action: 'park', reason: parkReason(error) };
}

function isStoreOutage(error: unknown): boolean {
  return error instanceof OrcidPluginError && error.code === STORE_UNAVAILABLE;
}

function isUnexpected(error: unknown): boolean {
  return error instanceof OrcidPluginError && (error.code === ORCID_UNEXPECTED_RESPONSE || error.code === XML_MALFORMED);
}

/** The park reason for a refusal: a stable prefix (what the status page and tests key on), then words. */
function parkReason(error: unknown): string {
  if (error instanceof ScopeMissingError) return `scope-missing: ${describe(error)}`;
  if (error instanceof IdentityMismatchError) return `identity-mismatch: ${describe(error)}`;
  if (error instanceof NotSourceError) return `not-source: ${describe(error)}`;
  if (error instanceof RecordUnavailableError) return `record-unavailable: ${describe(error)}`;
  if (error instanceof OrcidApiError) {
    if (error.statusCode === 400) return `ORCID rejected the payload (400): ${describe(error)}`;
    if (error.statusCode === 403) return `ORCID refused access (403): ${describe(error)}`;
    return `not retryable (${error.code}, ${error.statusCode}): ${describe(error)}`;
  }
  return `not retryable: ${describe(error)}`;
}

/** ORCID's error in words (user-message and developer-message, never the raw body). */
export function describe(error: unknown): string {
  if (error instanceof RateLimitedError) {
    const wait = error.retryAfterMs === undefined ? '' : `, asking to wait ${Math.ceil(error.retryAfterMs / 1000)} s`;
    return `ORCID is throttling requests (${error.statusCode}${wait})`;
  }
  if (error instanceof OrcidRefusalError && error.orcid) return error.inWords;
  if (error instanceof OrcidOAuthError) return error.message;
  if (error instanceof OrcidApiError) {
    const details = parseOrcidError(error.body);
    return details ? orcidErrorInWords(details, error.statusCode) : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

function duration(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  if (hours >= 1) return `${Math.floor(hours)} h`;
  return `${Math.max(1, Math.floor(ms / 60_000))} min`;
}
