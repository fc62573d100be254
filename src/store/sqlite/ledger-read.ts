/** Ledger reads over a SQLite handle, one function per operation. */
import { DEFAULT_LIST_LIMIT } from '../deposit-rules.js';
import { ITEM_KINDS } from '../store.js';
import type * as S from '../store.js';
import { conditions, type SqliteHandle } from './handle.js';
import { JOINED } from './ledger-claim.js';
import { splitJoined, toDeposit, toHistory } from './rows.js';

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
