/**
 * Ledger writes over a SQLite handle, one function per operation (graphile-worker `src/sql/*`
 * style). The rules are the pure ones in `deposit-rules.ts`; these load rows, apply them, and write
 * in one IMMEDIATE transaction. `mongo/ledger-write.ts` has the same functions in the same order.
 */
import { INVALID_INPUT, OrcidPluginError } from '../../errors.js';
import { heldJobOrThrow, planDesire } from '../deposit-rules.js';
import { DEFAULT_JOURNAL_ID, ITEM_KINDS } from '../store.js';
import type * as S from '../store.js';
import { conditions, type SqliteHandle } from './handle.js';
import { depositParams, jobParams, ms, toDeposit, toJob } from './rows.js';

export const DEPOSIT_COLUMNS = [
  'key', 'kind', 'identity_id', 'orcid', 'source_id', 'submission_id', 'external_id_type', 'external_id_value', 'desired_state',
  'payload', 'payload_hash', 'version', 'put_code', 'posted_hash', 'maybe_posted', 'status', 'last_error', 'created_at', 'updated_at',
];
const JOB_COLUMNS = ['id', 'deposit_key', 'status', 'attempts', 'run_at', 'leased_by', 'lease_expires_at', 'last_error', 'park_reason', 'created_at', 'updated_at', 'journal_id'];
/** The one definition of an open job. */
export const OPEN = `('queued', 'leased', 'parked')`;
const ITEMS = `(${ITEM_KINDS.map((k) => `'${k}'`).join(', ')})`;

const UPSERT_DEPOSIT = `INSERT INTO deposits (${DEPOSIT_COLUMNS.join(', ')}) VALUES (${DEPOSIT_COLUMNS.map((c) => `@${c}`).join(', ')})
  ON CONFLICT (key) DO UPDATE SET ${DEPOSIT_COLUMNS.filter((c) => c !== 'key' && c !== 'created_at').map((c) => `${c} = @${c}`).join(', ')}`;
const INSERT_JOB = `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map((c) => `@${c}`).join(', ')})`;

export function openJob(h: SqliteHandle, depositKey: string): S.Job | null {
  const r = h.one(`SELECT * FROM jobs WHERE deposit_key = ? AND status IN ${OPEN}`, depositKey);
  return r ? toJob(r) : null;
}

/** Every deposit of one event in one transaction; each one exactly as `desireDeposit` would. */
export function desireDeposits(h: SqliteHandle, inputs: S.DesireDepositInput[], now: Date): S.DesireDepositResult[] {
  if (inputs.length === 0) return [];
  return h.tx(() => inputs.map((input) => desireOne(h, input, now)));
}

function desireOne(h: SqliteHandle, input: S.DesireDepositInput, now: Date): S.DesireDepositResult {
  const row = h.one('SELECT * FROM deposits WHERE key = ?', input.key);
  let open = openJob(h, input.key);
  const plan = planDesire(row ? toDeposit(row) : null, open, input, now);
  h.run(UPSERT_DEPOSIT, depositParams(plan.deposit));
  const a = plan.action;
  const t = now.getTime();
  if (a.kind === 'insert') {
    h.run(INSERT_JOB, { ...jobParams(a.job), journal_id: input.journalId ?? DEFAULT_JOURNAL_ID });
    open = a.job;
  } else if (a.kind === 'requeue' && open) {
    h.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, park_reason = NULL, leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, ms(a.runAt), t, open.id);
  } else if (a.kind === 'finish' && open) {
    h.run(`UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, t, open.id);
    open = null;
  }
  return { deposit: plan.deposit, jobId: open ? open.id : null, changed: plan.changed };
}

/** The job, if `workerId` still holds its lease; LEASE_LOST otherwise. */
function heldJob(h: SqliteHandle, jobId: string, workerId: string): S.Job {
  const r = h.one('SELECT * FROM jobs WHERE id = ?', jobId);
  return heldJobOrThrow(r ? toJob(r) : null, jobId, workerId);
}

export function retryJob(h: SqliteHandle, jobId: string, workerId: string, error: string, runAt: Date, now: Date, options: { countAttempt?: boolean } = {}): void {
  h.tx(() => {
    const job = heldJob(h, jobId, workerId);
    const t = now.getTime();
    const giveBack = options.countAttempt === false ? 1 : 0;
    h.run(`UPDATE jobs SET status = 'queued', run_at = ?, last_error = ?, leased_by = NULL, lease_expires_at = NULL, attempts = MAX(0, attempts - ?), updated_at = ? WHERE id = ?`, ms(runAt), error, giveBack, t, jobId);
    h.run('UPDATE deposits SET last_error = ?, updated_at = ? WHERE key = ?', error, t, job.depositKey);
  });
}

export function parkJob(h: SqliteHandle, jobId: string, workerId: string | null, reason: string, now: Date): void {
  h.tx(() => {
    const r = workerId === null ? h.one('SELECT * FROM jobs WHERE id = ?', jobId) : undefined;
    const job = workerId === null ? (r ? toJob(r) : null) : heldJob(h, jobId, workerId);
    if (!job || job.status === 'done') return;
    parkRows(h, [job], reason, now.getTime());
  });
}

export function parkJobsOfIdentity(h: SqliteHandle, identityId: string, reason: string, now: Date): number {
  return h.tx(() => {
    const jobs = h.all(`SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key WHERE d.identity_id = ? AND d.kind IN ${ITEMS} AND j.status IN ('queued', 'leased')`, identityId).map(toJob);
    parkRows(h, jobs, reason, now.getTime());
    return jobs.length;
  });
}

function parkRows(h: SqliteHandle, jobs: S.Job[], reason: string, t: number): void {
  for (const job of jobs) {
    h.run(`UPDATE jobs SET status = 'parked', park_reason = ?, leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, reason, t, job.id);
    h.run(`UPDATE deposits SET status = 'parked', last_error = ?, updated_at = ? WHERE key = ?`, reason, t, job.depositKey);
  }
}

export function unparkJobs(h: SqliteHandle, filter: { jobId?: string; identityId?: string }, now: Date): number {
  if (filter.jobId === undefined && filter.identityId === undefined) {
    throw new OrcidPluginError(INVALID_INPUT, 'unparkJobs: give a jobId or an identityId', { status: 400 });
  }
  return h.tx(() => {
    const { where, params } = conditions({ 'j.id': filter.jobId, 'd.identity_id': filter.identityId });
    const jobs = h.all(`SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key ${where} AND j.status = 'parked'`, ...params).map(toJob);
    const t = now.getTime();
    for (const job of jobs) {
      h.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, park_reason = NULL, updated_at = ? WHERE id = ?`, t, t, job.id);
      h.run(`UPDATE deposits SET status = 'pending', updated_at = ? WHERE key = ?`, t, job.depositKey);
    }
    return jobs.length;
  });
}

export function retryJobNow(h: SqliteHandle, jobId: string, now: Date): boolean {
  const t = now.getTime();
  return h.run(`UPDATE jobs SET run_at = ?, updated_at = ? WHERE id = ? AND status = 'queued' AND run_at > ?`, t, t, jobId, t).changes > 0;
}

export function markDepositRemoved(h: SqliteHandle, depositKey: string, now: Date): void {
  h.tx(() => {
    const t = now.getTime();
    const r = h.run(`UPDATE deposits SET status = 'removed-by-researcher', put_code = NULL, posted_hash = NULL, updated_at = ? WHERE key = ?`, t, depositKey);
    if (r.changes === 0) return;
    // Nothing is left to update or delete. A leased job is left to its worker, whose call
    // will meet ORCID's 404 and complete as removed-by-researcher.
    h.run(`UPDATE jobs SET status = 'done', updated_at = ? WHERE deposit_key = ? AND status IN ('queued', 'parked')`, t, depositKey);
  });
}

export function adoptPutCode(h: SqliteHandle, depositKey: string, putCode: string, now: Date): void {
  h.run('UPDATE deposits SET put_code = ?, updated_at = ? WHERE key = ?', putCode, now.getTime(), depositKey);
}

export function appendHistory(h: SqliteHandle, e: S.HistoryInput, id: string): void {
  h.run(
    'INSERT INTO history (id, at, event, orcid, identity_id, submission_id, deposit_key, job_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    id, ms(e.at), e.event, e.orcid ?? null, e.identityId ?? null, e.submissionId ?? null, e.depositKey ?? null, e.jobId ?? null, JSON.stringify(e.detail ?? {}),
  );
}

