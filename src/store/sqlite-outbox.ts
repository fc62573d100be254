/**
 * The deposits ledger and the outbox of the SQLite store: desired deposits, lease-based claims,
 * group-committed completions, retries and parking. The rules themselves live in
 * `deposit-rules.ts`, shared with MongoDB; this file loads rows, applies them and writes atomically.
 */
import { INVALID_INPUT, LEASE_LOST, OrcidPluginError, StorageError } from '../errors.js';
import { DEFAULT_LIST_LIMIT, planCompletion, planDesire } from './deposit-rules.js';
import { depositParams, jobParams, ms, splitJoined, toDeposit, toJob } from './sqlite-rows.js';
import type { Row } from './sqlite-rows.js';
import type * as S from './store.js';
import { DEPOSIT_COLUMNS, JOB_COLUMNS, JOINED, OPEN, SqliteDb, conditions } from './sqlite-db.js';

export abstract class SqliteOutbox extends SqliteDb {
  // deposits and outbox

  async desireDeposit(input: S.DesireDepositInput, now: Date): Promise<S.DesireDepositResult> {
    return this.tx(() => {
      const existing = this.map(this.one('SELECT * FROM deposits WHERE key = ?', input.key), toDeposit);
      let open = this.openJob(input.key);
      const plan = planDesire(existing, open, input, now);
      const p = depositParams(plan.deposit);
      this.run(
        `INSERT INTO deposits (${DEPOSIT_COLUMNS.join(', ')}) VALUES (${DEPOSIT_COLUMNS.map((c) => `@${c}`).join(', ')})
         ON CONFLICT (key) DO UPDATE SET ${DEPOSIT_COLUMNS.filter((c) => c !== 'key' && c !== 'created_at').map((c) => `${c} = @${c}`).join(', ')}`,
        p,
      );
      const a = plan.action;
      const t = now.getTime();
      if (a.kind === 'insert') {
        this.run(`INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map((c) => `@${c}`).join(', ')})`, jobParams(a.job));
        open = a.job;
      } else if (a.kind === 'requeue' && open) {
        this.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, park_reason = NULL, leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, ms(a.runAt), t, open.id);
      } else if (a.kind === 'finish' && open) {
        this.run(`UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, t, open.id);
        open = null;
      }
      return { deposit: plan.deposit, jobId: open ? open.id : null, changed: plan.changed };
    });
  }

  async getDeposit(key: string): Promise<S.Deposit | null> {
    return this.map(this.one('SELECT * FROM deposits WHERE key = ?', key), toDeposit);
  }

  async listDeposits(filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string }): Promise<S.Deposit[]> {
    const { where, params } = conditions({ 'identity_id': filter.identityId, 'submission_id': filter.submissionId, 'source_id': filter.sourceId, 'orcid': filter.orcid });
    return this.all(`SELECT * FROM deposits ${where} ORDER BY created_at, key`, ...params).map(toDeposit);
  }

  async claimJobs(workerId: string, now: Date, limit: number, leaseMs: number): Promise<S.ClaimedJob[]> {
    if (limit <= 0) return [];
    return this.tx(() => {
      const t = now.getTime();
      // Two index range scans (queued by run_at, leased by expiry) merged by run_at.
      const ids = this.all(
        `SELECT id FROM (
           SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_queued WHERE status = 'queued' AND run_at <= @t ORDER BY run_at LIMIT @limit)
           UNION ALL
           SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_leased WHERE status = 'leased' AND lease_expires_at <= @t ORDER BY lease_expires_at LIMIT @limit)
         ) ORDER BY run_at, id LIMIT @limit`,
        { t, limit },
      ).map((r) => String(r.id));
      const lease = this.stmt(`UPDATE jobs SET status = 'leased', leased_by = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`);
      const read = this.stmt(`${JOINED} WHERE j.id = ?`);
      const mark = this.stmt(`UPDATE deposits SET maybe_posted = 1 WHERE key = (SELECT deposit_key FROM jobs WHERE id = ?) AND desired_state = 'present' AND put_code IS NULL AND maybe_posted = 0`);
      return ids.map((id) => {
        lease.run(workerId, t + leaseMs, t, id);
        mark.run(id);
        return splitJoined(read.get(id) as Row);
      });
    });
  }

  async renewLease(jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
    const t = now.getTime();
    const r = this.run(`UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND status = 'leased' AND leased_by = ?`, t + leaseMs, t, jobId, workerId);
    return r.changes === 1;
  }

  /**
   * Completions that arrive in the same turn of the event loop share one transaction (group
   * commit): a commit is most of a completion's cost, and a busy worker finishes several jobs at
   * once. Each completion runs in its own savepoint, so one LEASE_LOST rolls back only itself.
   */
  async completeJob(input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }> {
    return new Promise((resolve, reject) => {
      this.completions.push({ input, now, resolve, reject });
      if (this.completions.length === 1) setImmediate(() => this.flushCompletions());
    });
  }

  protected completions: Array<{ input: S.CompleteJobInput; now: Date; resolve: (r: { requeued: boolean }) => void; reject: (e: unknown) => void }> = [];

  protected flushCompletions(): void {
    const batch = this.completions;
    this.completions = [];
    const outcomes: Array<{ ok: true; value: { requeued: boolean } } | { ok: false; error: unknown }> = [];
    try {
      this.tx(() => {
        for (const c of batch) {
          try {
            // Called inside the open transaction, better-sqlite3 makes this a SAVEPOINT.
            outcomes.push({ ok: true, value: this.runInTx!(() => this.completeOne(c.input, c.now)) as { requeued: boolean } });
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

  protected completeOne(input: S.CompleteJobInput, now: Date): { requeued: boolean } {
    {
      const job = this.heldJob(input.jobId, input.workerId);
      const deposit = toDeposit(this.one('SELECT * FROM deposits WHERE key = ?', job.depositKey)!);
      const plan = planCompletion(deposit, input);
      const t = now.getTime();
      this.run('UPDATE deposits SET put_code = ?, posted_hash = ?, maybe_posted = 0, status = ?, last_error = NULL, updated_at = ? WHERE key = ?', plan.putCode, plan.postedHash, plan.depositStatus, t, deposit.key);
      if (plan.requeue) {
        this.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?`, t, t, job.id);
      } else {
        this.run(`UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?`, t, job.id);
      }
      if (input.history) this.insertHistory({ ...input.history, detail: { ...input.history.detail, requeued: plan.requeue } });
      return { requeued: plan.requeue };
    }
  }

  async markDepositRemoved(depositKey: string, now: Date): Promise<void> {
    this.tx(() => {
      const t = now.getTime();
      const r = this.run(`UPDATE deposits SET status = 'removed-by-researcher', put_code = NULL, posted_hash = NULL, updated_at = ? WHERE key = ?`, t, depositKey);
      if (r.changes === 0) return;
      // Nothing is left to update or delete. A leased job is left to its worker, whose call
      // will meet ORCID's 404 and complete as removed-by-researcher.
      this.run(`UPDATE jobs SET status = 'done', updated_at = ? WHERE deposit_key = ? AND status IN ('queued', 'parked')`, t, depositKey);
    });
  }

  async adoptPutCode(depositKey: string, putCode: string, now: Date): Promise<void> {
    this.run('UPDATE deposits SET put_code = ?, updated_at = ? WHERE key = ?', putCode, now.getTime(), depositKey);
  }

  async retryJob(jobId: string, workerId: string, error: string, runAt: Date, now: Date, options: { countAttempt?: boolean } = {}): Promise<void> {
    this.tx(() => {
      const job = this.heldJob(jobId, workerId);
      const t = now.getTime();
      const giveBack = options.countAttempt === false ? 1 : 0;
      this.run(`UPDATE jobs SET status = 'queued', run_at = ?, last_error = ?, leased_by = NULL, lease_expires_at = NULL, attempts = MAX(0, attempts - ?), updated_at = ? WHERE id = ?`, ms(runAt), error, giveBack, t, jobId);
      this.run('UPDATE deposits SET last_error = ?, updated_at = ? WHERE key = ?', error, t, job.depositKey);
    });
  }

  async parkJob(jobId: string, workerId: string | null, reason: string, now: Date): Promise<void> {
    this.tx(() => {
      const job = workerId === null ? this.map(this.one('SELECT * FROM jobs WHERE id = ?', jobId), toJob) : this.heldJob(jobId, workerId);
      if (!job || job.status === 'done') return;
      this.parkRows([job], reason, now.getTime());
    });
  }

  async parkJobsOfIdentity(identityId: string, reason: string, now: Date): Promise<number> {
    return this.tx(() => {
      const jobs = this.all(`SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key WHERE d.identity_id = ? AND j.status IN ('queued', 'leased')`, identityId).map(toJob);
      this.parkRows(jobs, reason, now.getTime());
      return jobs.length;
    });
  }

  async unparkJobs(filter: { jobId?: string; identityId?: string }, now: Date): Promise<number> {
    if (filter.jobId === undefined && filter.identityId === undefined) {
      throw new OrcidPluginError(INVALID_INPUT, 'unparkJobs: give a jobId or an identityId', { status: 400 });
    }
    return this.tx(() => {
      const { where, params } = conditions({ 'j.id': filter.jobId, 'd.identity_id': filter.identityId });
      const jobs = this.all(`SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key ${where} AND j.status = 'parked'`, ...params).map(toJob);
      const t = now.getTime();
      for (const job of jobs) {
        this.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, park_reason = NULL, updated_at = ? WHERE id = ?`, t, t, job.id);
        this.run(`UPDATE deposits SET status = 'pending', updated_at = ? WHERE key = ?`, t, job.depositKey);
      }
      return jobs.length;
    });
  }

  async getJob(id: string): Promise<S.Job | null> {
    return this.map(this.one('SELECT * FROM jobs WHERE id = ?', id), toJob);
  }

  async getOpenJobForDeposit(depositKey: string): Promise<S.Job | null> {
    return this.openJob(depositKey);
  }

  async listJobs(filter: { status?: S.JobStatus; identityId?: string; submissionId?: string; limit?: number }): Promise<S.ClaimedJob[]> {
    const { where, params } = conditions({ 'j.status': filter.status, 'd.identity_id': filter.identityId, 'd.submission_id': filter.submissionId });
    return this.all(`${JOINED} ${where} ORDER BY j.run_at, j.deposit_key, j.id LIMIT ?`, ...params, filter.limit ?? DEFAULT_LIST_LIMIT).map(splitJoined);
  }

  async countJobs(): Promise<S.JobCounts> {
    const counts: S.JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };
    for (const r of this.all('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')) counts[r.status as S.JobStatus] = Number(r.n);
    return counts;
  }

  async nextRunAt(): Promise<Date | null> {
    const r = this.one(`SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued'`);
    return r && r.t !== null ? new Date(Number(r.t)) : null;
  }

  protected flushPending(): void {
    if (this.completions.length > 0) this.flushCompletions();
  }

  protected openJob(depositKey: string): S.Job | null {
    return this.map(this.one(`SELECT * FROM jobs WHERE deposit_key = ? AND status IN ${OPEN}`, depositKey), toJob);
  }

  /** The job, if `workerId` still holds its lease; LEASE_LOST otherwise. */
  protected heldJob(jobId: string, workerId: string): S.Job {
    const job = this.map(this.one('SELECT * FROM jobs WHERE id = ?', jobId), toJob);
    if (!job || job.status !== 'leased' || job.leasedBy !== workerId) {
      const holder = !job ? 'the job does not exist' : job.status === 'leased' ? `it is leased by ${job.leasedBy}` : `it is ${job.status}`;
      throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}: ${holder}`);
    }
    return job;
  }

  protected parkRows(jobs: S.Job[], reason: string, t: number): void {
    for (const job of jobs) {
      this.run(`UPDATE jobs SET status = 'parked', park_reason = ?, leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, reason, t, job.id);
      this.run(`UPDATE deposits SET status = 'parked', last_error = ?, updated_at = ? WHERE key = ?`, reason, t, job.depositKey);
    }
  }
}
