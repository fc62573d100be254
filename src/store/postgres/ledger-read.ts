/** Ledger reads over a PostgreSQL handle, one statement each, in the order of `sqlite/ledger-read.ts`. */
import { DEFAULT_LIST_LIMIT } from '../deposit-rules.js';
import type * as S from '../store.js';
import type { PgHandle } from './handle.js';
import { JOINED } from './ledger-claim.js';
import { ITEMS } from './ledger-write.js';
import { splitJoined, toDeposit, toHistory } from './rows.js';

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
