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

const JOB_FIELDS = 'j.id, j.deposit_key, j.status, j.attempts, j.run_at, j.leased_by, j.lease_expires_at, j.last_error, j.park_reason, j.created_at, j.updated_at, j.journal_id';
export const JOINED = `SELECT ${JOB_FIELDS}, ${DEPOSIT_COLUMNS.map((c) => `d.${c} AS d_${c}`).join(', ')} FROM jobs j JOIN deposits d ON d.key = j.deposit_key`;

/**
 * The due jobs of a FIFO claim, oldest runAt first over every journal: two index range scans
 * (queued by run_at, leased by expiry), each skipping rows other workers hold, merged by run_at.
 */
const DUE_FIFO = `
  queued AS (SELECT id, run_at FROM jobs WHERE status = 'queued' AND run_at <= $1 ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),
  expired AS (SELECT id, run_at FROM jobs WHERE status = 'leased' AND lease_expires_at <= $1 ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
  due AS (SELECT id, row_number() OVER (ORDER BY run_at, id) AS turn FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) AS u ORDER BY run_at, id LIMIT $2)`;

/**
 * The due jobs of a fair claim, round-robin across journals (see `ClaimOrder`), from index scans only:
 * - `journals`: the journals with queued jobs, one index probe each (a loose index scan of jobs_queued_journal);
 * - `queued`: each journal's first `limit` due jobs in (run_at, id) order, skipping rows other
 *   workers hold: a range scan of jobs_queued_journal that stops after `limit` rows, however long the backlog;
 * - `expired`: leases that ran out, by expiry, as in the FIFO claim;
 * then each job's turn in its journal (1 = its oldest), and the claim takes turn 1 of every
 * journal, then turn 2, …; journals tying for the last places are picked at random.
 */
const DUE_FAIR = `
  journals AS (
    (SELECT journal_id FROM jobs WHERE status = 'queued' ORDER BY journal_id LIMIT 1)
    UNION ALL
    SELECT (SELECT q.journal_id FROM jobs q WHERE q.status = 'queued' AND q.journal_id > journals.journal_id ORDER BY q.journal_id LIMIT 1)
    FROM journals WHERE journals.journal_id IS NOT NULL),
  queued AS (SELECT f.id, f.run_at, f.journal_id FROM journals CROSS JOIN LATERAL (
      SELECT id, run_at, journal_id FROM jobs WHERE status = 'queued' AND journal_id = journals.journal_id AND run_at <= $1
      ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED) AS f
    WHERE journals.journal_id IS NOT NULL),
  expired AS (SELECT id, run_at, journal_id FROM jobs WHERE status = 'leased' AND lease_expires_at <= $1 ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
  turns AS (SELECT id, row_number() OVER (PARTITION BY journal_id ORDER BY run_at, id) AS turn FROM (SELECT * FROM queued UNION ALL SELECT * FROM expired) AS u),
  due AS (SELECT id, row_number() OVER (ORDER BY turn, random()) AS turn FROM turns ORDER BY 2 LIMIT $2)`;

/**
 * One statement: the due jobs (locked with SKIP LOCKED, so workers on any number of connections
 * never wait for, nor lease, the same job), their lease and the `maybe_posted` mark, returned in
 * claim order. The rows a claim looked at but does not take are unlocked when its statement commits.
 */
const claimStatement = (due: string) => `WITH RECURSIVE ${due},
  j AS (UPDATE jobs SET status = 'leased', leased_by = $3, lease_expires_at = $4, attempts = attempts + 1, updated_at = $1
    WHERE id IN (SELECT id FROM due) RETURNING *),
  marked AS (UPDATE deposits SET maybe_posted = true
    WHERE key IN (SELECT deposit_key FROM j) AND desired_state = 'present' AND put_code IS NULL AND NOT maybe_posted RETURNING key)
  SELECT ${JOB_FIELDS}, ${DEPOSIT_COLUMNS.map((c) => (c === 'maybe_posted' ? `(d.maybe_posted OR m.key IS NOT NULL) AS d_maybe_posted` : `d.${c} AS d_${c}`)).join(', ')}
  FROM j JOIN due ON due.id = j.id JOIN deposits d ON d.key = j.deposit_key LEFT JOIN marked m ON m.key = d.key
  ORDER BY due.turn`;

export const CLAIM: Record<S.ClaimOrder, string> = { fair: claimStatement(DUE_FAIR), fifo: claimStatement(DUE_FIFO) };

export async function claimJobs(h: PgHandle, workerId: string, now: Date, limit: number, leaseMs: number, order: S.ClaimOrder = 'fair'): Promise<S.ClaimedJob[]> {
  if (limit <= 0) return [];
  // The statement sees deposits as they were before it marked them: the mark is merged in above.
  // Named, so each connection plans it once (as the rate take and the completion): planning this
  // recursive statement on every claim cost milliseconds on the wake path.
  return (await h.rows(CLAIM[order], [now, Math.floor(limit), workerId, new Date(now.getTime() + leaseMs)], `koa-orcid-claim-${order}`)).map(splitJoined);
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
