/**
 * Claims, lease renewal and completions over a MongoDB handle, the counterpart of
 * `sqlite/ledger-claim.ts`. A claim is one transaction: it reads the due jobs in SQLite's order
 * (`dueIds`), leases them, and marks `maybePosted` on their deposits. Two concurrent claims
 * that pick the same job write the same document: the server aborts one with a write conflict and
 * the driver runs it again against the committed state, so claims are disjoint.
 */
import type mongoose from 'mongoose';
import type { ClientSession } from 'mongoose';
import { planCompletion } from '../deposit-rules.js';
import type * as S from '../store.js';
import { DEFAULT_JOURNAL_ID } from '../store.js';
import { historyDoc, type MongoHandle } from './handle.js';
import { heldJob, writeHeld } from './ledger-write.js';
import * as M from './models.js';

/**
 * The ids of the due jobs a claim takes, in claim order (see `ClaimOrder`). Fair: the journals with
 * queued jobs (a distinct scan of the { status, journalId, runAt, _id } index), each one's first
 * `limit` due jobs in (runAt, _id) order, and the expired leases; each job's turn in its journal
 * (1 = its oldest), then turn 1 of every journal, turn 2, …, journals tying for the last places at
 * random. FIFO: oldest runAt first over every journal.
 */
async function dueIds(h: MongoHandle, session: ClientSession, now: Date, limit: number, order: S.ClaimOrder): Promise<string[]> {
  const expired: mongoose.QueryFilter<M.JobDoc> = { status: 'leased', leaseExpiresAt: { $lte: now } };
  if (order === 'fifo') {
    const due: mongoose.QueryFilter<M.JobDoc> = { $or: [{ status: 'queued', runAt: { $lte: now } }, expired] };
    return (await h.m.Job.find(due, { _id: 1 }).sort({ runAt: 1, _id: 1 }).limit(limit).session(session).lean<Array<{ _id: string }>>().exec()).map((d) => d._id);
  }
  type Candidate = { _id: string; runAt: Date; journalId: string };
  const fields = { _id: 1, runAt: 1, journalId: 1 };
  const journals = (await h.m.Job.distinct('journalId', { status: 'queued' }).session(session).exec()) as string[];
  const perJournal: Candidate[][] = [];
  // One after the other: operations of one transaction may not run in parallel.
  for (const journalId of journals) {
    perJournal.push(await h.m.Job.find({ status: 'queued', journalId, runAt: { $lte: now } }, fields).sort({ runAt: 1, _id: 1 }).limit(limit).session(session).lean<Candidate[]>().exec());
  }
  const late = await h.m.Job.find(expired, fields).sort({ leaseExpiresAt: 1 }).limit(limit).session(session).lean<Candidate[]>().exec();
  return fairOrder([...perJournal.flat(), ...late], limit).map((c) => c._id);
}

/** Turn 1 of every journal, then turn 2, …, each journal's jobs by (runAt, _id); ties at random. Pure but for the draw. */
export function fairOrder<T extends { _id: string; runAt: Date; journalId?: string }>(candidates: T[], limit: number, random: () => number = Math.random): T[] {
  const byJournal = new Map<string, T[]>();
  for (const c of candidates) {
    const j = c.journalId ?? DEFAULT_JOURNAL_ID;
    byJournal.set(j, [...(byJournal.get(j) ?? []), c]);
  }
  const ranked: Array<{ c: T; turn: number; draw: number }> = [];
  for (const jobs of byJournal.values()) {
    jobs.sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    jobs.forEach((c, i) => ranked.push({ c, turn: i + 1, draw: random() }));
  }
  return ranked.sort((a, b) => a.turn - b.turn || a.draw - b.draw).slice(0, limit).map((r) => r.c);
}

export async function claimJobs(h: MongoHandle, workerId: string, now: Date, limit: number, leaseMs: number, order: S.ClaimOrder = 'fair'): Promise<S.ClaimedJob[]> {
  if (limit <= 0) return [];
  return h.tx(async (session) => {
    const ids = await dueIds(h, session, now, limit, order);
    if (ids.length === 0) return [];
    const due: mongoose.QueryFilter<M.JobDoc> = { $or: [{ status: 'queued', runAt: { $lte: now } }, { status: 'leased', leaseExpiresAt: { $lte: now } }] };
    // The filter repeats `due`: a job leased by a transaction that committed first is not taken again.
    await h.m.Job.updateMany({ _id: { $in: ids }, ...due }, { $set: { status: 'leased', leasedBy: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now }, $inc: { attempts: 1 } }, { session }).exec();
    const rank = new Map(ids.map((id, i) => [id, i]));
    const docs = (await h.m.Job.find({ _id: { $in: ids }, leasedBy: workerId, status: 'leased' }).session(session).lean<M.JobDoc[]>().exec())
      .sort((a, b) => rank.get(a._id)! - rank.get(b._id)!);
    const keys = docs.map((j) => j.depositKey);
    await h.m.Deposit.updateMany({ _id: { $in: keys }, desiredState: 'present', putCode: null, maybePosted: { $ne: true } }, { $set: { maybePosted: true } }, { session }).exec();
    const deposits = new Map((await h.m.Deposit.find({ _id: { $in: keys } }).session(session).lean<M.DepositDoc[]>().exec()).map((d) => [d._id, M.toDeposit(d)]));
    return docs.map((d) => M.toClaimed(d, deposits.get(d.depositKey)!));
  });
}

export async function renewLease(h: MongoHandle, jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
  return h.guard(async () => {
    const r = await h.m.Job.updateOne({ _id: jobId, status: 'leased', leasedBy: workerId }, { $set: { leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now } }).exec();
    return r.matchedCount === 1;
  });
}

export async function completeJob(h: MongoHandle, input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }> {
  return h.tx(async (session) => {
    const job = await heldJob(h, input.jobId, input.workerId, session);
    const deposit = M.toDeposit((await h.m.Deposit.findById(job.depositKey).session(session).lean<M.DepositDoc>().exec())!);
    const plan = planCompletion(deposit, input);
    await h.m.Deposit.updateOne({ _id: deposit.key }, { $set: { putCode: plan.putCode, postedHash: plan.postedHash, maybePosted: false, status: plan.depositStatus, lastError: null, updatedAt: now } }, { session }).exec();
    const next = plan.requeue
      ? { status: 'queued', attempts: 0, runAt: now, leasedBy: null, leaseExpiresAt: null, lastError: null, updatedAt: now }
      : { status: 'done', leasedBy: null, leaseExpiresAt: null, lastError: null, updatedAt: now };
    await writeHeld(h, job.id, input.workerId, next, session);
    if (input.history) await h.m.History.create([historyDoc({ ...input.history, detail: { ...input.history.detail, requeued: plan.requeue } })], { session });
    return { requeued: plan.requeue };
  });
}
