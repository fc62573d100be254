/** Ledger reads over a PostgreSQL handle, one statement each, in the order of `sqlite/ledger-read.ts`. */
import { DEFAULT_LIST_LIMIT } from '../deposit-rules.js';
import type * as S from '../store.js';
import type { PgHandle } from './handle.js';
import { JOINED } from './ledger-claim.js';
import { ITEMS } from './ledger-write.js';
import { splitJoined, toDeposit, toHistory } from './rows.js';
import { toJournalQueue } from '../journal-queues.js';

/** `WHERE a = $n AND b = $m` for the filter entries that are set (always a WHERE, for appending). */
export function conditions(filter: Record<string, string | undefined>, first = 1): { where: string; params: string[] } {
  const set = Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][];
  return { where: `WHERE ${['true', ...set.map(([c], i) => `${c} = $${first + i}`)].join(' AND ')}`, params: set.map(([, v]) => v) };
}

export async function getDeposit(h: PgHandle, key: string): Promise<S.Deposit | null> {
  const [r] = await h.rows('SELECT * FROM deposits WHERE key = $1', [key]);
  return r ? toDeposit(r) : null;
}

export async function listDeposits(h: PgHandle, filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string; kind?: S.LedgerKind }): Promise<S.Deposit[]> {
  const { where, params } = conditions({ identity_id: filter.identityId, submission_id: filter.submissionId, source_id: filter.sourceId, orcid: filter.orcid, kind: filter.kind });
  return (await h.rows(`SELECT * FROM deposits ${where} ORDER BY created_at, key`, params)).map(toDeposit);
}

export async function listJobs(h: PgHandle, filter: { jobId?: string; status?: S.JobStatus; identityId?: string; submissionId?: string; journalId?: string; limit?: number }): Promise<S.ClaimedJob[]> {
  const { where, params } = conditions({ 'j.id': filter.jobId, 'j.status': filter.status, 'd.identity_id': filter.identityId, 'd.submission_id': filter.submissionId, 'j.journal_id': filter.journalId });
  return (await h.rows(`${JOINED} ${where} ORDER BY j.run_at, j.deposit_key, j.id LIMIT $${params.length + 1}`, [...params, filter.limit ?? DEFAULT_LIST_LIMIT])).map(splitJoined);
}

export async function countActiveItemJobs(h: PgHandle, identityId: string): Promise<number> {
  const [r] = await h.rows(
    `SELECT count(*) AS n FROM jobs j JOIN deposits d ON d.key = j.deposit_key
     WHERE d.identity_id = $1 AND d.kind IN ${ITEMS} AND j.status IN ('queued', 'leased')`,
    [identityId],
  );
  return Number(r?.n ?? 0);
}

export async function countJobs(h: PgHandle, filter: { journalId?: string } = {}): Promise<S.JobCounts> {
  const counts: S.JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };
  const { where, params } = conditions({ journal_id: filter.journalId });
  for (const r of await h.rows(`SELECT status, count(*) AS n FROM jobs ${where} GROUP BY status`, params)) counts[r.status as S.JobStatus] = Number(r.n);
  return counts;
}

export async function nextRunAt(h: PgHandle): Promise<Date | null> {
  const [r] = await h.rows(`SELECT run_at FROM jobs WHERE status = 'queued' ORDER BY run_at LIMIT 1`);
  return r ? (r.run_at as Date) : null;
}

export async function listHistory(h: PgHandle, filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<S.HistoryEntry[]> {
  const { where, params } = conditions({ orcid: filter.orcid, submission_id: filter.submissionId, deposit_key: filter.depositKey });
  return (await h.rows(`SELECT * FROM history ${where} ORDER BY at DESC, seq DESC LIMIT $${params.length + 1}`, [...params, filter.limit ?? DEFAULT_LIST_LIMIT])).map(toHistory);
}

/** Per journal: job counts, the oldest queued job and the open job whose error was written last, in one statement. */
export async function journalQueues(h: PgHandle, filter: { journalId?: string } = {}): Promise<S.JournalQueue[]> {
  const rows = await h.rows(
    `WITH counts AS (
       SELECT journal_id, count(*) FILTER (WHERE status = 'queued') AS queued, count(*) FILTER (WHERE status = 'leased') AS leased,
         count(*) FILTER (WHERE status = 'parked') AS parked, count(*) FILTER (WHERE status = 'done') AS done
       FROM jobs WHERE ($1::text IS NULL OR journal_id = $1) GROUP BY journal_id),
     oldest AS (
       SELECT DISTINCT ON (j.journal_id) j.journal_id, j.id, j.deposit_key, j.status, j.created_at, j.run_at, d.kind, d.submission_id
       FROM jobs j JOIN deposits d ON d.key = j.deposit_key WHERE j.status = 'queued' AND ($1::text IS NULL OR j.journal_id = $1)
       ORDER BY j.journal_id, j.created_at, j.id),
     failed AS (
       SELECT DISTINCT ON (j.journal_id) j.journal_id, j.id, j.deposit_key, j.status, j.updated_at, COALESCE(j.park_reason, j.last_error) AS error, d.kind, d.submission_id
       FROM jobs j JOIN deposits d ON d.key = j.deposit_key
       WHERE j.status IN ('queued', 'leased', 'parked') AND COALESCE(j.park_reason, j.last_error) IS NOT NULL AND ($1::text IS NULL OR j.journal_id = $1)
       ORDER BY j.journal_id, j.updated_at DESC, j.id DESC)
     SELECT c.*,
       o.id AS o_id, o.deposit_key AS o_deposit_key, o.status AS o_status, o.kind AS o_kind, o.submission_id AS o_submission_id, o.created_at AS o_since, o.run_at AS o_run_at,
       f.id AS f_id, f.deposit_key AS f_deposit_key, f.status AS f_status, f.kind AS f_kind, f.submission_id AS f_submission_id, f.error AS f_error, f.updated_at AS f_at
     FROM counts c
     LEFT JOIN oldest o ON o.journal_id = c.journal_id
     LEFT JOIN failed f ON f.journal_id = c.journal_id
     ORDER BY c.journal_id COLLATE "C"`,
    [filter.journalId ?? null],
  );
  return rows.map((r) => toJournalQueue(r, (v) => v as Date));
}
