/**
 * Claims, lease renewal and completions over a MongoDB handle, the counterpart of
 * `sqlite/ledger-claim.ts`. A claim is one transaction: it reads the due jobs in SQLite's order
 * (runAt, then id), leases them, and marks `maybePosted` on their deposits. Two concurrent claims
 * that pick the same job write the same document: the server aborts one with a write conflict and
 * the driver runs it again against the committed state, so claims are disjoint.
 */
import type mongoose from 'mongoose';
import { planCompletion } from '../deposit-rules.js';
import type * as S from '../store.js';
import { historyDoc, type MongoHandle } from './handle.js';
import { heldJob, writeHeld } from './ledger-write.js';
import * as M from './models.js';

export async function claimJobs(h: MongoHandle, workerId: string, now: Date, limit: number, leaseMs: number): Promise<S.ClaimedJob[]> {
  if (limit <= 0) return [];
  return h.tx(async (session) => {
    const due: mongoose.QueryFilter<M.JobDoc> = { $or: [{ status: 'queued', runAt: { $lte: now } }, { status: 'leased', leaseExpiresAt: { $lte: now } }] };
    const ids = (await h.m.Job.find(due, { _id: 1 }).sort({ runAt: 1, _id: 1 }).limit(limit).session(session).lean<Array<{ _id: string }>>().exec()).map((d) => d._id);
    if (ids.length === 0) return [];
    // The filter repeats `due`: a job leased by a transaction that committed first is not taken again.
    await h.m.Job.updateMany({ _id: { $in: ids }, ...due }, { $set: { status: 'leased', leasedBy: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now }, $inc: { attempts: 1 } }, { session }).exec();
    const jobs = (await h.m.Job.find({ _id: { $in: ids }, leasedBy: workerId, status: 'leased' }).sort({ runAt: 1, _id: 1 }).session(session).lean<M.JobDoc[]>().exec()).map(M.toJob);
    const keys = jobs.map((j) => j.depositKey);
    await h.m.Deposit.updateMany({ _id: { $in: keys }, desiredState: 'present', putCode: null, maybePosted: { $ne: true } }, { $set: { maybePosted: true } }, { session }).exec();
    const deposits = new Map((await h.m.Deposit.find({ _id: { $in: keys } }).session(session).lean<M.DepositDoc[]>().exec()).map((d) => [d._id, M.toDeposit(d)]));
    return jobs.map((job) => ({ job, deposit: deposits.get(job.depositKey)! }));
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
