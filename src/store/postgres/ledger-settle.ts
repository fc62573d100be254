/**
 * A job's completion in one statement, for the common case: the worker still holds the lease and
 * the deposit is still at the version it applied (nothing was desired meanwhile). Then
 * `planCompletion` (deposit-rules.ts) needs nothing of the row: the job is done, the deposit takes
 * the put-code, hash and outcome the worker reports, and nothing is re-queued. So the check, the
 * writes and the history entry go in one statement (one round trip, no BEGIN/COMMIT) instead of a
 * transaction of four; on a busy worker that halves the round trips a job costs.
 *
 * `held` locks the job and its deposit (`FOR UPDATE OF j, d`); under READ COMMITTED a row changed
 * since the statement's snapshot is re-read and the conditions re-checked on its latest version, so
 * a lease taken over or a version desired meanwhile leaves `held` empty, and nothing is written.
 * The caller then takes the transaction of `completeJob` (ledger-claim.ts), which throws LEASE_LOST
 * or plans the re-queue as before. A named (prepared) statement: planned once per connection.
 */
import { randomUUID } from 'node:crypto';
import type * as S from '../store.js';
import type { PgQuery } from './handle.js';
import { historyParams } from './ledger-write.js';

/** $1 put-code, $2 posted hash, $3 outcome, $4 now, $5 job id, $6 worker id, $7 applied version, $8…$16 the history row. */
const SETTLE = `WITH
  held AS (SELECT j.id, j.deposit_key FROM jobs j JOIN deposits d ON d.key = j.deposit_key
    WHERE j.id = $5 AND j.status = 'leased' AND j.leased_by = $6 AND d.version <= $7::int FOR UPDATE OF j, d),
  dep AS (UPDATE deposits SET put_code = $1, posted_hash = $2, maybe_posted = false, status = $3, last_error = NULL, updated_at = $4
    WHERE key IN (SELECT deposit_key FROM held)),
  job AS (UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = $4
    WHERE id IN (SELECT id FROM held))`;

const WITH_HISTORY = `${SETTLE},
  hist AS (INSERT INTO history (id, at, event, orcid, identity_id, submission_id, deposit_key, job_id, detail)
    SELECT $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb WHERE EXISTS (SELECT 1 FROM held))
  SELECT count(*) AS n FROM held`;

const WITHOUT_HISTORY = `${SETTLE}
  SELECT count(*) AS n FROM held`;

/**
 * Complete the job in one statement when the common case holds; `true` when it did, `false` when
 * nothing was written and the full completion must decide (lease lost, or a newer version).
 */
export async function settleAtOnce(q: PgQuery, input: S.CompleteJobInput, now: Date): Promise<boolean> {
  const params: unknown[] = [input.putCode, input.postedHash, input.outcome, now, input.jobId, input.workerId, input.version];
  const history = input.history ? historyParams({ ...input.history, detail: { ...input.history.detail, requeued: false } }, randomUUID()) : null;
  const [r] = history
    ? await q.rows(WITH_HISTORY, [...params, ...history], 'kc_settle_history_v1')
    : await q.rows(WITHOUT_HISTORY, params, 'kc_settle_v1');
  return Number(r?.n) === 1;
}
