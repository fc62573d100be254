/**
 * Ledger writes over a PostgreSQL handle, one function per operation, in the order of
 * `sqlite/ledger-write.ts`. The rules are the pure ones in `deposit-rules.ts`. A desire locks the
 * deposits and their open jobs (`FOR UPDATE`), plans in memory, and writes every row of the event
 * in one statement; the other writes are each one statement whose CTEs check and change the rows
 * together, so a dropped connection leaves nothing half-done.
 */
import { INVALID_INPUT, OrcidPluginError } from '../../errors.js';
import { heldJobOrThrow, planDesire } from '../deposit-rules.js';
import { DEFAULT_JOURNAL_ID, ITEM_KINDS } from '../store.js';
import type * as S from '../store.js';
import type { PgHandle, PgQuery } from './handle.js';
import { DEPOSIT_COLUMNS, DEPOSIT_RECORD, JOB_COLUMNS, JOB_RECORD, depositRecord, jobRecord, toDeposit, toJob, type Row } from './rows.js';

/** The one definition of an open job. */
export const OPEN = `('queued', 'leased', 'parked')`;
export const ITEMS = `(${ITEM_KINDS.map((k) => `'${k}'`).join(', ')})`;

const set = (columns: readonly string[], skip: string[]) => columns.filter((c) => !skip.includes(c)).map((c) => `${c} = excluded.${c}`).join(', ');

/**
 * Every deposit and job row of one event, in one statement: deposits upserted, jobs upserted
 * (finished ones first, so a new open job never meets the one it replaces), and a NOTIFY when a
 * job became runnable. Foreign keys are checked at the end of the statement.
 */
const WRITE_EVENT = `WITH
  dep AS (
    INSERT INTO deposits (${DEPOSIT_COLUMNS.join(', ')})
    SELECT ${DEPOSIT_COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${DEPOSIT_RECORD})
    ON CONFLICT (key) DO UPDATE SET ${set(DEPOSIT_COLUMNS, ['key', 'created_at'])}
    RETURNING 1),
  job AS (
    INSERT INTO jobs (${JOB_COLUMNS.join(', ')})
    SELECT ${JOB_COLUMNS.join(', ')} FROM jsonb_to_recordset($2::jsonb) AS x(${JOB_RECORD})
    ON CONFLICT (id) DO UPDATE SET ${set(JOB_COLUMNS, ['id', 'deposit_key', 'created_at', 'journal_id'])}
    RETURNING 1)
  SELECT (SELECT count(*) FROM dep) AS deposits, (SELECT count(*) FROM job) AS jobs,
    CASE WHEN $3::boolean THEN pg_notify($4, '') END AS notified`;

/** The deposits of one event and their open jobs, locked (as JSON rows, one round trip). */
const READ_EVENT = `WITH
  d AS (SELECT * FROM deposits WHERE key = ANY($1) ORDER BY key FOR UPDATE),
  j AS (SELECT * FROM jobs WHERE deposit_key = ANY($1) AND status IN ${OPEN} ORDER BY deposit_key FOR UPDATE)
  SELECT 'deposit' AS kind, to_jsonb(d) AS row FROM d UNION ALL SELECT 'job' AS kind, to_jsonb(j) AS row FROM j`;

/** Every deposit of one event in one transaction; each one exactly as `desireDeposit` would. */
export async function desireDeposits(h: PgHandle, inputs: S.DesireDepositInput[], now: Date): Promise<S.DesireDepositResult[]> {
  if (inputs.length === 0) return [];
  // Sorted: every desire takes its keys' locks in the same order, so two events sharing deposits cannot deadlock.
  const keys = [...new Set(inputs.map((i) => i.key))].sort();
  return h.tx(async (q) => {
    // A deposit that does not exist yet has no row to lock: a lock on its key keeps two first
    // desires of it from both planning an insert. Taken before the read, whose snapshot then
    // includes whatever the previous holder committed.
    await q.rows(`SELECT count(pg_advisory_xact_lock(hashtextextended($2 || k, 0))) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n)`, [keys, `${h.schema}:`]);
    const deposits = new Map<string, S.Deposit>();
    const jobs = new Map<string, S.Job>();
    // A job keeps the journal it was created with (an update of an open job leaves the column alone).
    const journalOf = new Map<string, string>();
    for (const r of await q.rows(READ_EVENT, [keys])) {
      const row = r.row as Row;
      if (r.kind === 'deposit') deposits.set(String(row.key), toDeposit(row));
      else {
        jobs.set(String(row.deposit_key), toJob(row));
        journalOf.set(String(row.id), String(row.journal_id));
      }
    }
    const touchedJobs = new Map<string, S.Job>();
    let runnable = false;
    const results = inputs.map((input) => {
      const open = jobs.get(input.key) ?? null;
      const plan = planDesire(deposits.get(input.key) ?? null, open, input, now);
      deposits.set(input.key, plan.deposit);
      const a = plan.action;
      let job = open;
      if (a.kind === 'insert') {
        job = a.job;
        journalOf.set(job.id, input.journalId ?? DEFAULT_JOURNAL_ID);
      }
      else if (a.kind === 'requeue' && open) job = { ...open, status: 'queued', attempts: 0, runAt: a.runAt, parkReason: null, leasedBy: null, leaseExpiresAt: null, updatedAt: now };
      else if (a.kind === 'finish' && open) job = { ...open, status: 'done', leasedBy: null, leaseExpiresAt: null, updatedAt: now };
      if (job && job !== open) {
        touchedJobs.set(job.id, job);
        if (job.status === 'queued') runnable = true;
      }
      const stillOpen = job && job.status !== 'done' ? job : null;
      if (stillOpen) jobs.set(input.key, stillOpen);
      else jobs.delete(input.key);
      return { deposit: plan.deposit, jobId: stillOpen ? stillOpen.id : null, changed: plan.changed };
    });
    const jobRows = [...touchedJobs.values()].sort((a, b) => Number(a.status !== 'done') - Number(b.status !== 'done')).map((j) => jobRecord(j, journalOf.get(j.id)!));
    const depositRows = keys.map((k) => depositRecord(deposits.get(k)!));
    await q.rows(WRITE_EVENT, [JSON.stringify(depositRows), JSON.stringify(jobRows), runnable, h.channel]);
    return results;
  });
}

/**
 * The `tail` CTEs applied to one job only while `workerId` holds its lease ($1 = job id,
 * $2 = worker id; `tail` guards each change with `EXISTS (SELECT 1 FROM ok)`), in one statement.
 * LEASE_LOST, naming the holder, when the lease is not held (then nothing was written).
 */
async function whileHeld(q: PgQuery, jobId: string, workerId: string | null, tail: string, params: unknown[]): Promise<void> {
  const holds = workerId === null ? `$2::text IS NULL AND status <> 'done'` : `status = 'leased' AND leased_by = $2`;
  const [r] = await q.rows(
    `WITH held AS (SELECT * FROM jobs WHERE id = $1 FOR UPDATE),
       ok AS (SELECT 1 FROM held WHERE ${holds}),
       ${tail}
     SELECT held.*, EXISTS (SELECT 1 FROM ok) AS held_ok FROM (SELECT 1) AS one LEFT JOIN held ON true`,
    [jobId, workerId, ...params],
  );
  if (r?.held_ok === true || workerId === null) return;
  heldJobOrThrow(r && r.id !== null && r.id !== undefined ? toJob(r) : null, jobId, workerId);
}

export async function retryJob(h: PgHandle, jobId: string, workerId: string, error: string, runAt: Date, now: Date, options: { countAttempt?: boolean } = {}): Promise<void> {
  const giveBack = options.countAttempt === false ? 1 : 0;
  await whileHeld(h, jobId, workerId,
    `job AS (UPDATE jobs SET status = 'queued', run_at = $3, last_error = $4, leased_by = NULL, lease_expires_at = NULL,
         attempts = GREATEST(0, attempts - $5), updated_at = $6 WHERE id = $1 AND EXISTS (SELECT 1 FROM ok)),
       dep AS (UPDATE deposits SET last_error = $4, updated_at = $6 WHERE key = (SELECT deposit_key FROM held) AND EXISTS (SELECT 1 FROM ok))`,
    [runAt, error, giveBack, now]);
}

export async function parkJob(h: PgHandle, jobId: string, workerId: string | null, reason: string, now: Date): Promise<void> {
  // Without a worker id (a person parks it), any job not done is parked.
  await whileHeld(h, jobId, workerId,
    `job AS (UPDATE jobs SET status = 'parked', park_reason = $3, leased_by = NULL, lease_expires_at = NULL, updated_at = $4
         WHERE id = $1 AND EXISTS (SELECT 1 FROM ok)),
       dep AS (UPDATE deposits SET status = 'parked', last_error = $3, updated_at = $4 WHERE key = (SELECT deposit_key FROM held) AND EXISTS (SELECT 1 FROM ok))`,
    [reason, now]);
}

export async function parkJobsOfIdentity(h: PgHandle, identityId: string, reason: string, now: Date): Promise<number> {
  const [r] = await h.rows(
    `WITH held AS (SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key
         WHERE d.identity_id = $1 AND d.kind IN ${ITEMS} AND j.status IN ('queued', 'leased') FOR UPDATE OF j),
       dep AS (UPDATE deposits SET status = 'parked', last_error = $2, updated_at = $3 WHERE key IN (SELECT deposit_key FROM held)),
       parked AS (UPDATE jobs SET status = 'parked', park_reason = $2, leased_by = NULL, lease_expires_at = NULL, updated_at = $3
         WHERE id IN (SELECT id FROM held) RETURNING 1)
     SELECT count(*) AS n FROM parked`,
    [identityId, reason, now],
  );
  return Number(r?.n ?? 0);
}

export async function unparkJobs(h: PgHandle, filter: { jobId?: string; identityId?: string }, now: Date): Promise<number> {
  if (filter.jobId === undefined && filter.identityId === undefined) {
    throw new OrcidPluginError(INVALID_INPUT, 'unparkJobs: give a jobId or an identityId', { status: 400 });
  }
  const [r] = await h.rows(
    `WITH held AS (SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key
         WHERE ($1::text IS NULL OR j.id = $1) AND ($2::text IS NULL OR d.identity_id = $2) AND j.status = 'parked' FOR UPDATE OF j),
       dep AS (UPDATE deposits SET status = 'pending', updated_at = $3 WHERE key IN (SELECT deposit_key FROM held)),
       queued AS (UPDATE jobs SET status = 'queued', attempts = 0, run_at = $3, park_reason = NULL, updated_at = $3
         WHERE id IN (SELECT id FROM held) RETURNING 1),
       n AS (SELECT count(*) AS n FROM queued)
     SELECT n.n, CASE WHEN n.n > 0 THEN pg_notify($4, '') END AS notified FROM n`,
    [filter.jobId ?? null, filter.identityId ?? null, now, h.channel],
  );
  return Number(r?.n ?? 0);
}

export async function retryJobNow(h: PgHandle, jobId: string, now: Date): Promise<boolean> {
  const [r] = await h.rows(
    `WITH moved AS (UPDATE jobs SET run_at = $2, updated_at = $2 WHERE id = $1 AND status = 'queued' AND run_at > $2 RETURNING 1),
       n AS (SELECT count(*) AS n FROM moved)
     SELECT n.n, CASE WHEN n.n > 0 THEN pg_notify($3, '') END AS notified FROM n`,
    [jobId, now, h.channel],
  );
  return Number(r?.n ?? 0) > 0;
}

export async function markDepositRemoved(h: PgHandle, depositKey: string, now: Date): Promise<void> {
  // Nothing is left to update or delete. A leased job is left to its worker, whose call
  // will meet ORCID's 404 and complete as removed-by-researcher.
  await h.rows(
    `WITH dep AS (UPDATE deposits SET status = 'removed-by-researcher', put_code = NULL, posted_hash = NULL, updated_at = $2 WHERE key = $1 RETURNING key)
     UPDATE jobs SET status = 'done', updated_at = $2 WHERE deposit_key IN (SELECT key FROM dep) AND status IN ('queued', 'parked')`,
    [depositKey, now],
  );
}

export async function adoptPutCode(h: PgHandle, depositKey: string, putCode: string, now: Date): Promise<void> {
  await h.rows('UPDATE deposits SET put_code = $1, updated_at = $2 WHERE key = $3', [putCode, now, depositKey]);
}

export const INSERT_HISTORY = 'INSERT INTO history (id, at, event, orcid, identity_id, submission_id, deposit_key, job_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)';

export function historyParams(e: S.HistoryInput, id: string): unknown[] {
  return [id, e.at, e.event, e.orcid ?? null, e.identityId ?? null, e.submissionId ?? null, e.depositKey ?? null, e.jobId ?? null, JSON.stringify(e.detail ?? {})];
}

export async function appendHistory(h: PgHandle, e: S.HistoryInput, id: string): Promise<void> {
  await h.rows(INSERT_HISTORY, historyParams(e, id));
}

