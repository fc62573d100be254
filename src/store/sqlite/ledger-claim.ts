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

export function claimJobs(h: SqliteHandle, workerId: string, now: Date, limit: number, leaseMs: number): S.ClaimedJob[] {
  if (limit <= 0) return [];
  return h.tx(() => {
    const t = now.getTime();
    // Due jobs oldest runAt first: two index range scans (queued by run_at, leased by expiry) merged by run_at.
    const ids = h.all(
      `SELECT id FROM (
         SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_queued WHERE status = 'queued' AND run_at <= @t ORDER BY run_at LIMIT @limit)
         UNION ALL
         SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_leased WHERE status = 'leased' AND lease_expires_at <= @t ORDER BY lease_expires_at LIMIT @limit)
       ) ORDER BY run_at, id LIMIT @limit`,
      { t, limit },
    ).map((r) => String(r.id));
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
