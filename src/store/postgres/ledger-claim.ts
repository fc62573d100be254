/**
 * Claims, lease renewal and completions over a PostgreSQL handle. A claim is one statement: due
 * jobs are locked with `FOR UPDATE SKIP LOCKED`, so workers on any number of connections never
 * wait for, nor lease, the same job; the lease and the `maybe_posted` mark are written together.
 */
import { randomUUID } from 'node:crypto';
import { heldJobOrThrow, planCompletion } from '../deposit-rules.js';
import type * as S from '../store.js';
import type { PgHandle } from './handle.js';
import { INSERT_HISTORY, historyParams } from './ledger-write.js';
import { settleAtOnce } from './ledger-settle.js';
import { DEPOSIT_COLUMNS, splitJoined, toJob } from './rows.js';

const JOB_FIELDS = 'j.id, j.deposit_key, j.status, j.attempts, j.run_at, j.leased_by, j.lease_expires_at, j.last_error, j.park_reason, j.created_at, j.updated_at';
export const JOINED = `SELECT ${JOB_FIELDS}, ${DEPOSIT_COLUMNS.map((c) => `d.${c} AS d_${c}`).join(', ')} FROM jobs j JOIN deposits d ON d.key = j.deposit_key`;

/**
 * Due jobs, oldest runAt first: two index range scans (queued by run_at, leased by expiry), each
 * skipping rows other workers hold, merged by run_at. The rows a claim does not take are unlocked
 * when its statement commits.
 */
const CLAIM = `WITH
  queued AS (SELECT id, run_at FROM jobs WHERE status = 'queued' AND run_at <= $1 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
  expired AS (SELECT id, run_at FROM jobs WHERE status = 'leased' AND lease_expires_at <= $1 ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
  due AS (SELECT id FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) AS u ORDER BY run_at, id LIMIT $2),
  j AS (UPDATE jobs SET status = 'leased', leased_by = $3, lease_expires_at = $4, attempts = attempts + 1, updated_at = $1
    WHERE id IN (SELECT id FROM due) RETURNING *),
  marked AS (UPDATE deposits SET maybe_posted = true
    WHERE key IN (SELECT deposit_key FROM j) AND desired_state = 'present' AND put_code IS NULL AND NOT maybe_posted RETURNING key)
  SELECT ${JOB_FIELDS}, ${DEPOSIT_COLUMNS.map((c) => (c === 'maybe_posted' ? `(d.maybe_posted OR m.key IS NOT NULL) AS d_maybe_posted` : `d.${c} AS d_${c}`)).join(', ')}
  FROM j JOIN deposits d ON d.key = j.deposit_key LEFT JOIN marked m ON m.key = d.key
  ORDER BY j.run_at, j.id`;

export async function claimJobs(h: PgHandle, workerId: string, now: Date, limit: number, leaseMs: number): Promise<S.ClaimedJob[]> {
  if (limit <= 0) return [];
  // The statement sees deposits as they were before it marked them: the mark is merged in above.
  return (await h.rows(CLAIM, [now, Math.floor(limit), workerId, new Date(now.getTime() + leaseMs)])).map(splitJoined);
}

export async function renewLease(h: PgHandle, jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
  const rows = await h.rows(
    `UPDATE jobs SET lease_expires_at = $1, updated_at = $2 WHERE id = $3 AND status = 'leased' AND leased_by = $4 RETURNING 1`,
    [new Date(now.getTime() + leaseMs), now, jobId, workerId],
  );
  return rows.length === 1;
}

/**
 * In the common case one statement (`settleAtOnce`, ledger-settle.ts). Otherwise lock the job and
 * its deposit, plan with `planCompletion`, then write the deposit, the job and the history entry in
 * one statement: one transaction of two statements.
 */
export async function completeJob(h: PgHandle, input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }> {
  if (await settleAtOnce(h, input, now)) return { requeued: false };
  return h.tx(async (q) => {
    const [r] = await q.rows(`${JOINED} WHERE j.id = $1 FOR UPDATE`, [input.jobId]);
    const job = heldJobOrThrow(r ? toJob(r) : null, input.jobId, input.workerId);
    const { deposit } = splitJoined(r!);
    const plan = planCompletion(deposit, input);
    const history = input.history ? historyParams({ ...input.history, detail: { ...input.history.detail, requeued: plan.requeue } }, randomUUID()) : null;
    const jobUpdate = plan.requeue
      ? `UPDATE jobs SET status = 'queued', attempts = 0, run_at = $5, leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = $5 WHERE id = $6`
      : `UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = $5 WHERE id = $6`;
    const params: unknown[] = [plan.putCode, plan.postedHash, plan.depositStatus, deposit.key, now, job.id, plan.requeue ? h.channel : null];
    const historyCte = history ? `, hist AS (${INSERT_HISTORY.replace(/\$(\d+)/g, (_m, n: string) => `$${Number(n) + params.length}`)})` : '';
    await q.rows(
      `WITH dep AS (UPDATE deposits SET put_code = $1, posted_hash = $2, maybe_posted = false, status = $3, last_error = NULL, updated_at = $5 WHERE key = $4),
         job AS (${jobUpdate})${historyCte}
       SELECT CASE WHEN $7::text IS NOT NULL THEN pg_notify($7, '') END AS notified`,
      history ? [...params, ...history] : params,
    );
    return { requeued: plan.requeue };
  });
}
