/** Ledger reads over a SQLite handle, one function per operation. */
import { DEFAULT_LIST_LIMIT } from '../deposit-rules.js';
import { ITEM_KINDS } from '../store.js';
import type * as S from '../store.js';
import { conditions, type SqliteHandle } from './handle.js';
import { JOINED } from './ledger-claim.js';
import { splitJoined, toDeposit, toHistory } from './rows.js';
import { toJournalQueue } from '../journal-queues.js';

export function getDeposit(h: SqliteHandle, key: string): S.Deposit | null {
  const r = h.one('SELECT * FROM deposits WHERE key = ?', key);
  return r ? toDeposit(r) : null;
}

export function listDeposits(h: SqliteHandle, filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string; kind?: S.LedgerKind }): S.Deposit[] {
  const { where, params } = conditions({ identity_id: filter.identityId, submission_id: filter.submissionId, source_id: filter.sourceId, orcid: filter.orcid, kind: filter.kind });
  return h.all(`SELECT * FROM deposits ${where} ORDER BY created_at, key`, ...params).map(toDeposit);
}

export function listJobs(h: SqliteHandle, filter: { jobId?: string; status?: S.JobStatus; identityId?: string; submissionId?: string; journalId?: string; limit?: number }): S.ClaimedJob[] {
  const { where, params } = conditions({ 'j.id': filter.jobId, 'j.status': filter.status, 'd.identity_id': filter.identityId, 'd.submission_id': filter.submissionId, 'j.journal_id': filter.journalId });
  return h.all(`${JOINED} ${where} ORDER BY j.run_at, j.deposit_key, j.id LIMIT ?`, ...params, filter.limit ?? DEFAULT_LIST_LIMIT).map(splitJoined);
}

export function countActiveItemJobs(h: SqliteHandle, identityId: string): number {
  const r = h.one(
    `SELECT COUNT(*) AS n FROM jobs j JOIN deposits d ON d.key = j.deposit_key
     WHERE d.identity_id = ? AND d.kind IN (${ITEM_KINDS.map(() => '?').join(', ')}) AND j.status IN ('queued', 'leased')`,
    identityId, ...ITEM_KINDS,
  );
  return Number(r?.n ?? 0);
}

export function countJobs(h: SqliteHandle, filter: { journalId?: string } = {}): S.JobCounts {
  const counts: S.JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };
  const { where, params } = conditions({ journal_id: filter.journalId });
  for (const r of h.all(`SELECT status, COUNT(*) AS n FROM jobs ${where} GROUP BY status`, ...params)) counts[r.status as S.JobStatus] = Number(r.n);
  return counts;
}

export function nextRunAt(h: SqliteHandle): Date | null {
  const r = h.one(`SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued'`);
  return r && r.t !== null ? new Date(Number(r.t)) : null;
}

export function listHistory(h: SqliteHandle, filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): S.HistoryEntry[] {
  const { where, params } = conditions({ orcid: filter.orcid, submission_id: filter.submissionId, deposit_key: filter.depositKey });
  return h.all(`SELECT * FROM history ${where} ORDER BY at DESC, seq DESC LIMIT ?`, ...params, filter.limit ?? DEFAULT_LIST_LIMIT).map(toHistory);
}

/**
 * Per journal: job counts, the oldest queued job and the open job whose error was written last, in one
 * statement (window functions pick each journal's first row of the two orders).
 */
export function journalQueues(h: SqliteHandle, filter: { journalId?: string } = {}): S.JournalQueue[] {
  const only = filter.journalId ?? null;
  const rows = h.all(
    `WITH counts AS (
       SELECT journal_id, SUM(status = 'queued') AS queued, SUM(status = 'leased') AS leased, SUM(status = 'parked') AS parked, SUM(status = 'done') AS done
       FROM jobs WHERE (@only IS NULL OR journal_id = @only) GROUP BY journal_id),
     oldest AS (
       SELECT j.journal_id, j.id, j.deposit_key, j.status, j.created_at, j.run_at, d.kind, d.submission_id,
         ROW_NUMBER() OVER (PARTITION BY j.journal_id ORDER BY j.created_at, j.id) AS n
       FROM jobs j JOIN deposits d ON d.key = j.deposit_key WHERE j.status = 'queued' AND (@only IS NULL OR j.journal_id = @only)),
     failed AS (
       SELECT j.journal_id, j.id, j.deposit_key, j.status, j.updated_at, COALESCE(j.park_reason, j.last_error) AS error, d.kind, d.submission_id,
         ROW_NUMBER() OVER (PARTITION BY j.journal_id ORDER BY j.updated_at DESC, j.id DESC) AS n
       FROM jobs j JOIN deposits d ON d.key = j.deposit_key
       WHERE j.status IN ('queued', 'leased', 'parked') AND COALESCE(j.park_reason, j.last_error) IS NOT NULL AND (@only IS NULL OR j.journal_id = @only))
     SELECT c.*,
       o.id AS o_id, o.deposit_key AS o_deposit_key, o.status AS o_status, o.kind AS o_kind, o.submission_id AS o_submission_id, o.created_at AS o_since, o.run_at AS o_run_at,
       f.id AS f_id, f.deposit_key AS f_deposit_key, f.status AS f_status, f.kind AS f_kind, f.submission_id AS f_submission_id, f.error AS f_error, f.updated_at AS f_at
     FROM counts c
     LEFT JOIN oldest o ON o.journal_id = c.journal_id AND o.n = 1
     LEFT JOIN failed f ON f.journal_id = c.journal_id AND f.n = 1
     ORDER BY c.journal_id`,
    { only },
  );
  return rows.map((r) => toJournalQueue(r, (v) => new Date(Number(v))));
}
