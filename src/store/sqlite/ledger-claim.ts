/**
 * Claims, lease renewal and completions over a SQLite handle. A claim is one IMMEDIATE transaction:
 * SQLite has one writer at a time, so two workers (or processes) never lease the same job; the
 * `maybe_posted` mark is written in the same transaction as the lease.
 */
import { planCompletion } from '../deposit-rules.js';
import type * as S from '../store.js';
import type { SqliteHandle } from './handle.js';
import { appendHistory, DEPOSIT_COLUMNS } from './ledger-write.js';
import { splitJoined, type Row } from './rows.js';
import { heldJobOrThrow } from '../deposit-rules.js';
import { randomUUID } from 'node:crypto';

export const JOINED = `SELECT j.*, ${DEPOSIT_COLUMNS.map((c) => `d.${c} AS d_${c}`).join(', ')} FROM jobs j JOIN deposits d ON d.key = j.deposit_key`;

/**
 * Due jobs oldest runAt first over every journal: two index range scans (queued by run_at, leased
 * by expiry) merged by run_at.
 */
const CLAIM_FIFO = `SELECT id FROM (
    SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_queued WHERE status = 'queued' AND run_at <= @t ORDER BY run_at LIMIT @limit)
    UNION ALL
    SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_leased WHERE status = 'leased' AND lease_expires_at <= @t ORDER BY lease_expires_at LIMIT @limit)
  ) ORDER BY run_at, id LIMIT @limit`;

/**
 * Due jobs round-robin across journals (see `ClaimOrder`), from index seeks only:
 * - `journals`: the journals with queued jobs, one seek each (a skip scan of jobs_queued_journal);
 * - `walk`: each journal's first `limit` due jobs in (run_at, id) order, one seek per job from the
 *   one before (a row-value range), so a journal's backlog costs `limit` seeks, not its length;
 * - `expired`: leases that ran out, by expiry, as in the FIFO claim;
 * then each job's turn in its journal (1 = its oldest), and the claim takes turn 1 of every journal,
 * then turn 2, …; journals tying for the last places of a claim are picked at random.
 */
const CLAIM_FAIR = `WITH RECURSIVE
  journals(journal_id) AS (
    SELECT (SELECT journal_id FROM jobs INDEXED BY jobs_queued_journal WHERE status = 'queued' ORDER BY journal_id LIMIT 1)
    UNION ALL
    SELECT (SELECT q.journal_id FROM jobs AS q INDEXED BY jobs_queued_journal WHERE q.status = 'queued' AND q.journal_id > journals.journal_id ORDER BY q.journal_id LIMIT 1)
    FROM journals WHERE journals.journal_id IS NOT NULL),
  walk(journal_id, id, turn) AS (
    SELECT journal_id, (SELECT f.id FROM jobs AS f INDEXED BY jobs_queued_journal
        WHERE f.status = 'queued' AND f.journal_id = journals.journal_id AND f.run_at <= @t ORDER BY f.run_at, f.id LIMIT 1), 1
    FROM journals WHERE journal_id IS NOT NULL
    UNION ALL
    SELECT w.journal_id, (SELECT n.id FROM jobs AS n INDEXED BY jobs_queued_journal
        WHERE n.status = 'queued' AND n.journal_id = w.journal_id AND n.run_at <= @t
          AND (n.run_at, n.id) > (SELECT p.run_at, p.id FROM jobs AS p WHERE p.id = w.id) ORDER BY n.run_at, n.id LIMIT 1), w.turn + 1
    FROM walk AS w WHERE w.id IS NOT NULL AND w.turn < @limit),
  expired AS (
    SELECT id, run_at, journal_id FROM jobs INDEXED BY jobs_leased WHERE status = 'leased' AND lease_expires_at <= @t ORDER BY lease_expires_at LIMIT @limit),
  turns AS (
    SELECT id, row_number() OVER (PARTITION BY journal_id ORDER BY run_at, id) AS turn FROM (
      SELECT w.id, j.run_at, w.journal_id FROM walk AS w JOIN jobs AS j ON j.id = w.id
      UNION ALL SELECT id, run_at, journal_id FROM expired))
  SELECT id FROM turns ORDER BY turn, random() LIMIT @limit`;

export function claimJobs(h: SqliteHandle, workerId: string, now: Date, limit: number, leaseMs: number, order: S.ClaimOrder = 'fair'): S.ClaimedJob[] {
  if (limit <= 0) return [];
  return h.tx(() => {
    const t = now.getTime();
    const ids = h.all(order === 'fifo' ? CLAIM_FIFO : CLAIM_FAIR, { t, limit }).map((r) => String(r.id));
    return ids.map((id) => {
      h.run(`UPDATE jobs SET status = 'leased', leased_by = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`, workerId, t + leaseMs, t, id);
      h.run(`UPDATE deposits SET maybe_posted = 1 WHERE key = (SELECT deposit_key FROM jobs WHERE id = ?) AND desired_state = 'present' AND put_code IS NULL AND maybe_posted = 0`, id);
      return splitJoined(h.one(`${JOINED} WHERE j.id = ?`, id) as Row);
    });
  });
}

export function renewLease(h: SqliteHandle, jobId: string, workerId: string, now: Date, leaseMs: number): boolean {
  const t = now.getTime();
  return h.run(`UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND status = 'leased' AND leased_by = ?`, t + leaseMs, t, jobId, workerId).changes === 1;
}

export function completeJob(h: SqliteHandle, input: S.CompleteJobInput, now: Date): { requeued: boolean } {
  return h.tx(() => {
    // The job and its deposit in one read (a statement less per settled job: bench/drain-store-calls.ts).
    const r = h.one(`${JOINED} WHERE j.id = ?`, input.jobId);
    const held = r ? splitJoined(r) : null;
    heldJobOrThrow(held ? held.job : null, input.jobId, input.workerId);
    const { job, deposit } = held!;
    const plan = planCompletion(deposit, input);
    const t = now.getTime();
    h.run('UPDATE deposits SET put_code = ?, posted_hash = ?, maybe_posted = 0, status = ?, last_error = NULL, updated_at = ? WHERE key = ?', plan.putCode, plan.postedHash, plan.depositStatus, t, deposit.key);
    if (plan.requeue) {
      h.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?`, t, t, job.id);
    } else {
      h.run(`UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?`, t, job.id);
    }
    if (input.history) appendHistory(h, { ...input.history, detail: { ...input.history.detail, requeued: plan.requeue } }, randomUUID());
    return { requeued: plan.requeue };
  });
}

type Pending = { input: S.CompleteJobInput; now: Date; resolve: (r: { requeued: boolean }) => void; reject: (e: unknown) => void };

/**
 * Completions that arrive in the same turn of the event loop share one transaction (group
 * commit): a commit is most of a completion's cost, and a busy worker finishes several jobs at
 * once. Each completion runs in its own savepoint, so one LEASE_LOST rolls back only itself.
 */
export function completionBatcher(h: SqliteHandle) {
  let pending: Pending[] = [];
  function flush(): void {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: { requeued: boolean } } | { ok: false; error: unknown }> = [];
    try {
      h.tx(() => {
        for (const c of batch) {
          try {
            outcomes.push({ ok: true, value: completeJob(h, c.input, c.now) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch was written.
      for (const c of batch) c.reject(error);
      return;
    }
    batch.forEach((c, i) => {
      const o = outcomes[i]!;
      if (o.ok) c.resolve(o.value);
      else c.reject(o.error);
    });
  }
  return {
    complete(input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }> {
      return new Promise((resolve, reject) => {
        pending.push({ input, now, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    flush,
  };
}
