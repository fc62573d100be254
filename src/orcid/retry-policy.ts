/**
 * What to do after an ORCID call failed: try again later, or park the job for a person to look at.
 * Pure: the outbox stores `attempt` in the job row and calls this with it.
 *
 * Not decided here — the worker handles these before asking (they are not "try again" questions):
 * - 401 `TokenRevokedError`: refresh the token once, else mark the link revoked and stop.
 * - 409 `ORCID_CONFLICT`: the item already exists; reconcile by external id and adopt its put-code.
 * - 404 `ORCID_NOT_FOUND` on update/delete: the researcher deleted the item; re-post or finish.
 * If one of them reaches this function anyway it is parked, never retried blindly.
 *
 * Modelled on undici's RetryHandler: guard clauses, defaults written out, Retry-After honoured.
 */
import { NetworkError, OrcidApiError, RateLimitedError } from '../errors.js';

export interface RetryPolicyOptions {
  /** Attempts (including the first) before a job is parked. Default 8. */
  maxAttempts?: number;
  /** First backoff step. Default 1000 (1 s). */
  baseMs?: number;
  /** Largest wait between attempts. Default 900000 (15 min). */
  maxMs?: number;
  /** Random source in [0, 1) for jitter; tests inject a fixed one. Default Math.random. */
  random?: () => number;
  /**
   * Rate-limit answers that do not count toward `maxAttempts` before a job is parked anyway,
   * so a job cannot be starved forever by a busy limit. Default 50.
   */
  maxRateLimitedAttempts?: number;
}

export type RetryDecision =
  | { action: 'retry'; delayMs: number; /** false for 429: the attempt should not be counted. */ countsAsAttempt: boolean }
  | { action: 'park'; reason: string };

/**
 * @param error what the attempt threw (anything; unknown throwables are parked)
 * @param attempt 1-based number of the attempt that just failed
 * @example decideRetry(new NetworkError('ECONNRESET'), 1, { random: () => 0.5 }) // { action: 'retry', delayMs: 500, countsAsAttempt: true }
 */
export function decideRetry(error: unknown, attempt: number, options: RetryPolicyOptions = {}): RetryDecision {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseMs = options.baseMs ?? 1000; // 1 s
  const maxMs = options.maxMs ?? 15 * 60_000; // 15 min
  const random = options.random ?? Math.random;
  const maxRateLimitedAttempts = options.maxRateLimitedAttempts ?? 50;

  // 429 first: ORCID told us when, and being throttled says nothing about the job itself.
  if (error instanceof RateLimitedError) {
    if (attempt >= maxRateLimitedAttempts) {
      return { action: 'park', reason: `still rate limited after ${attempt} attempts` };
    }
    return { action: 'retry', delayMs: Math.min(maxMs, error.retryAfterMs ?? baseMs), countsAsAttempt: false };
  }

  const transient = error instanceof NetworkError || (error instanceof OrcidApiError && error.statusCode >= 500);
  if (!transient) return { action: 'park', reason: parkReason(error) };

  if (attempt >= maxAttempts) {
    return { action: 'park', reason: `gave up after ${attempt} attempts: ${describe(error)}` };
  }
  // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): spreads retries of many
  // jobs that failed together (an ORCID outage) instead of having them return in lockstep.
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return { action: 'retry', delayMs: Math.floor(random() * ceiling), countsAsAttempt: true };
}

function parkReason(error: unknown): string {
  if (error instanceof OrcidApiError) {
    if (error.statusCode === 400) return `ORCID rejected the payload (400): ${describe(error)}`;
    if (error.statusCode === 403) return `ORCID refused access (403): ${describe(error)}`;
    return `not retryable (${error.code}, ${error.statusCode}): ${describe(error)}`;
  }
  return `not retryable: ${describe(error)}`;
}

function describe(error: unknown): string {
  if (error instanceof OrcidApiError) return orcidMessage(error.body) ?? error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** ORCID error bodies carry `developer-message`; it says what was wrong with the payload. */
function orcidMessage(body: string): string | undefined {
  const xml = /<(?:\w+:)?developer-message>([\s\S]*?)<\/(?:\w+:)?developer-message>/.exec(body);
  if (xml) return xml[1].trim().slice(0, 500);
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const msg = parsed['developer-message'];
    return typeof msg === 'string' ? msg.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}
