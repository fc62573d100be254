/**
 * A job's run of failures, and how a failure is stored: the worker's retry bookkeeping, apart
 * from its lease plumbing.
 */
import { OrcidApiError, OrcidPluginError } from '../errors.js';
import type { Store } from '../store/store.js';
import { describe as describeOrcidError } from '../orcid/retry-policy.js';

/**
 * Since when a deposit has failed without a break, and how many failures in a row this one makes.
 * Each retry's history entry carries the run on (`failingSince`, `failures`); anything else (a
 * completion, a park, an adoption) ends it. Throttling and outages park on this time, not on an
 * attempt count (../shared/orcid-model/README.md "Rate limits").
 */
export async function failureRunOf(store: Pick<Store, 'listHistory'>, depositKey: string, now: Date): Promise<{ since: Date; failures: number }> {
  const [last] = await store.listHistory({ depositKey, limit: 1 });
  if (!last || last.event !== 'job.retry') return { since: now, failures: 1 };
  const since = typeof last.detail.failingSince === 'string' ? new Date(last.detail.failingSince) : last.at;
  const failures = typeof last.detail.failures === 'number' ? last.detail.failures + 1 : 2;
  return { since: Number.isNaN(since.getTime()) ? last.at : since, failures };
}

/** The error as stored and shown: ORCID's answer in words (never its raw XML), after a stable code. */
export function describeFailure(e: Error): string {
  if (e instanceof OrcidApiError) return `${e.code} ${e.statusCode}: ${describeOrcidError(e).slice(0, 1000)}`;
  if (e instanceof OrcidPluginError) return `${e.code}: ${e.message}`;
  return e.message;
}
