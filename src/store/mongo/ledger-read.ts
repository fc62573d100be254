/** Ledger reads over a MongoDB handle, one function per operation (as `sqlite/ledger-read.ts`). */
import { DEFAULT_LIST_LIMIT } from '../deposit-rules.js';
import { ITEM_KINDS } from '../store.js';
import type * as S from '../store.js';
import { defined, mapNull, type MongoHandle } from './handle.js';
import * as M from './models.js';

export async function getDeposit(h: MongoHandle, key: string): Promise<S.Deposit | null> {
  return h.guard(async () => mapNull(await h.m.Deposit.findById(key).lean<M.DepositDoc>().exec(), M.toDeposit));
}

export async function listDeposits(h: MongoHandle, filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string; kind?: S.LedgerKind }): Promise<S.Deposit[]> {
  return h.guard(async () => (await h.m.Deposit.find(defined(filter)).sort({ createdAt: 1, _id: 1 }).lean<M.DepositDoc[]>().exec()).map(M.toDeposit));
}

export async function listJobs(h: MongoHandle, filter: { jobId?: string; status?: S.JobStatus; identityId?: string; submissionId?: string; journalId?: string; limit?: number }): Promise<S.ClaimedJob[]> {
  return h.guard(async () => {
    const q: Record<string, unknown> = defined({ _id: filter.jobId, status: filter.status, journalId: filter.journalId });
    const byDeposit = defined({ identityId: filter.identityId, submissionId: filter.submissionId });
    if (Object.keys(byDeposit).length > 0) q.depositKey = { $in: await h.m.Deposit.distinct('_id', byDeposit).exec() };
    const jobs = await h.m.Job.find(q).sort({ runAt: 1, depositKey: 1, _id: 1 }).limit(filter.limit ?? DEFAULT_LIST_LIMIT).lean<M.JobDoc[]>().exec();
    const docs = await h.m.Deposit.find({ _id: { $in: [...new Set(jobs.map((j) => j.depositKey))] } }).lean<M.DepositDoc[]>().exec();
    const deposits = new Map(docs.map((d) => [d._id, M.toDeposit(d)]));
    return jobs.map((job) => M.toClaimed(job, deposits.get(job.depositKey)!));
  });
}

export async function countActiveItemJobs(h: MongoHandle, identityId: string): Promise<number> {
  return h.guard(async () => {
    const keys = await h.m.Deposit.distinct('_id', { identityId, kind: { $in: [...ITEM_KINDS] } }).exec();
    return h.m.Job.countDocuments({ depositKey: { $in: keys }, status: { $in: ['queued', 'leased'] } }).exec();
  });
}

export async function countJobs(h: MongoHandle, filter: { journalId?: string } = {}): Promise<S.JobCounts> {
  return h.guard(async () => {
    const counts: S.JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };
    const match = filter.journalId === undefined ? [] : [{ $match: { journalId: filter.journalId } }];
    const rows = await h.m.Job.aggregate<{ _id: S.JobStatus; n: number }>([...match, { $group: { _id: '$status', n: { $sum: 1 } } }]).exec();
    for (const r of rows) counts[r._id] = r.n;
    return counts;
  });
}

export async function nextRunAt(h: MongoHandle): Promise<Date | null> {
  return h.guard(async () => (await h.m.Job.findOne({ status: 'queued' }).sort({ runAt: 1 }).lean<M.JobDoc>().exec())?.runAt ?? null);
}

export async function listHistory(h: MongoHandle, filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<S.HistoryEntry[]> {
  const q = defined({ orcid: filter.orcid, submissionId: filter.submissionId, depositKey: filter.depositKey });
  return h.guard(async () => (await h.m.History.find(q).sort({ at: -1, _id: -1 }).limit(filter.limit ?? DEFAULT_LIST_LIMIT).lean<M.HistoryDoc[]>().exec()).map(M.toHistory));
}

/**
 * The `journalQueues` aggregation over `orcid_jobs`: counts per journal, each journal's oldest queued
 * job and latest standing error (`$facet`), then the deposits of those jobs (`$lookup`), one round trip.
 */
export function journalQueuesPipeline(journalId: string | undefined, depositsCollection: string): Record<string, unknown>[] {
  const count = (status: S.JobStatus) => ({ $sum: { $cond: [{ $eq: ['$status', status] }, 1, 0] } });
  const error = { $ifNull: ['$parkReason', '$lastError'] };
  return [
    ...(journalId === undefined ? [] : [{ $match: { journalId } }]),
    {
      $facet: {
        counts: [{ $group: { _id: '$journalId', queued: count('queued'), leased: count('leased'), parked: count('parked'), done: count('done') } }],
        oldest: [{ $match: { status: 'queued' } }, { $sort: { journalId: 1, createdAt: 1, _id: 1 } }, { $group: { _id: '$journalId', job: { $first: '$$ROOT' } } }],
        failed: [
          { $match: { status: { $in: ['queued', 'leased', 'parked'] } } },
          { $set: { error } },
          { $match: { error: { $ne: null } } },
          { $sort: { journalId: 1, updatedAt: -1, _id: -1 } },
          { $group: { _id: '$journalId', job: { $first: '$$ROOT' } } },
        ],
      },
    },
    { $set: { keys: { $concatArrays: ['$oldest.job.depositKey', '$failed.job.depositKey'] } } },
    { $lookup: { from: depositsCollection, localField: 'keys', foreignField: '_id', as: 'deposits' } },
    { $project: { counts: 1, oldest: 1, failed: 1, deposits: { _id: 1, kind: 1, submissionId: 1 } } },
  ];
}

interface QueuesFacet {
  counts: Array<{ _id: string } & S.JobCounts>;
  oldest: Array<{ _id: string; job: M.JobDoc }>;
  failed: Array<{ _id: string; job: M.JobDoc & { error: string } }>;
  deposits: Array<{ _id: string; kind: S.LedgerKind; submissionId?: string | null }>;
}

/** The pipeline's one document as the port's answer, in journal id order. */
export function toJournalQueues(doc: QueuesFacet | undefined): S.JournalQueue[] {
  if (!doc) return [];
  const deposits = new Map(doc.deposits.map((d) => [d._id, d]));
  const job = (j: M.JobDoc): S.JournalQueueJob => {
    const d = deposits.get(j.depositKey);
    return { jobId: j._id, depositKey: j.depositKey, kind: d?.kind ?? ('work' as S.LedgerKind), submissionId: d?.submissionId ?? null, status: j.status };
  };
  const oldest = new Map(doc.oldest.map((o) => [o._id, o.job]));
  const failed = new Map(doc.failed.map((f) => [f._id, f.job]));
  return doc.counts
    .map((c) => {
      const o = oldest.get(c._id);
      const f = failed.get(c._id);
      return {
        journalId: c._id,
        counts: { queued: c.queued, leased: c.leased, parked: c.parked, done: c.done },
        oldestWaiting: o ? { ...job(o), since: new Date(o.createdAt), runAt: new Date(o.runAt) } : null,
        lastError: f ? { ...job(f), error: f.error, at: new Date(f.updatedAt) } : null,
      };
    })
    .sort((a, b) => (a.journalId < b.journalId ? -1 : a.journalId > b.journalId ? 1 : 0));
}

export async function journalQueues(h: MongoHandle, filter: { journalId?: string } = {}): Promise<S.JournalQueue[]> {
  return h.guard(async () => toJournalQueues((await h.m.Job.aggregate<QueuesFacet>(journalQueuesPipeline(filter.journalId, h.m.Deposit.collection.collectionName) as never).exec())[0]));
}
