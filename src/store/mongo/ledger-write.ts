/**
 * Ledger writes over a MongoDB handle, one function per operation, in the order and with the names
 * of `sqlite/ledger-write.ts`. The rules are the shared pure ones in `deposit-rules.ts`; every
 * read-then-write runs in one transaction.
 */
import type { ClientSession } from 'mongoose';
import { INVALID_INPUT, LEASE_LOST, OrcidPluginError, StorageError } from '../../errors.js';
import { heldJobOrThrow, planDesire } from '../deposit-rules.js';
import { DEFAULT_JOURNAL_ID, ITEM_KINDS } from '../store.js';
import type * as S from '../store.js';
import { OPEN, historyDoc, mapNull, type MongoHandle } from './handle.js';
import * as M from './models.js';

export async function openJob(h: MongoHandle, depositKey: string, session: ClientSession): Promise<S.Job | null> {
  return mapNull(await h.m.Job.findOne({ depositKey, status: { $in: OPEN } }).session(session).lean<M.JobDoc>().exec(), M.toJob);
}

/** Every deposit of one event in one transaction; each one exactly as `desireDeposit` would. */
export async function desireDeposits(h: MongoHandle, inputs: S.DesireDepositInput[], now: Date): Promise<S.DesireDepositResult[]> {
  if (inputs.length === 0) return [];
  return h.tx(async (session) => {
    const out: S.DesireDepositResult[] = [];
    for (const input of inputs) out.push(await desireOne(h, input, now, session));
    return out;
  });
}

async function desireOne(h: MongoHandle, input: S.DesireDepositInput, now: Date, session: ClientSession): Promise<S.DesireDepositResult> {
  const existing = mapNull(await h.m.Deposit.findById(input.key).session(session).lean<M.DepositDoc>().exec(), M.toDeposit);
  let open = await openJob(h, input.key, session);
  const plan = planDesire(existing, open, input, now);
  // Always written, even unchanged: concurrent desires of one key then conflict and are retried.
  await h.m.Deposit.replaceOne({ _id: input.key }, M.fromDeposit(plan.deposit), { upsert: true, session }).exec();
  const a = plan.action;
  if (a.kind === 'insert') {
    await h.m.Job.create([M.fromJob(a.job, input.journalId ?? DEFAULT_JOURNAL_ID)], { session });
    open = a.job;
  } else if (a.kind === 'requeue' && open) {
    await h.m.Job.updateOne({ _id: open.id }, { $set: { status: 'queued', attempts: 0, runAt: a.runAt, parkReason: null, leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
  } else if (a.kind === 'finish' && open) {
    await h.m.Job.updateOne({ _id: open.id }, { $set: { status: 'done', leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
    open = null;
  }
  return { deposit: plan.deposit, jobId: open ? open.id : null, changed: plan.changed };
}

/** The job, if `workerId` still holds its lease; LEASE_LOST otherwise. */
export async function heldJob(h: MongoHandle, jobId: string, workerId: string, session: ClientSession): Promise<S.Job> {
  return heldJobOrThrow(mapNull(await h.m.Job.findById(jobId).session(session).lean<M.JobDoc>().exec(), M.toJob), jobId, workerId);
}

/** Write a held job; the filter re-checks the lease so a concurrent claim cannot be overwritten. */
export async function writeHeld(h: MongoHandle, jobId: string, workerId: string, set: Record<string, unknown>, session: ClientSession): Promise<void> {
  const r = await h.m.Job.updateOne({ _id: jobId, status: 'leased', leasedBy: workerId }, { $set: set }, { session }).exec();
  if (r.matchedCount !== 1) throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}`);
}

export async function retryJob(h: MongoHandle, jobId: string, workerId: string, error: string, runAt: Date, now: Date, options: { countAttempt?: boolean } = {}): Promise<void> {
  await h.tx(async (session) => {
    const job = await heldJob(h, jobId, workerId, session);
    const attempts = options.countAttempt === false ? Math.max(0, job.attempts - 1) : job.attempts;
    await writeHeld(h, jobId, workerId, { status: 'queued', runAt, lastError: error, leasedBy: null, leaseExpiresAt: null, attempts, updatedAt: now }, session);
    await h.m.Deposit.updateOne({ _id: job.depositKey }, { $set: { lastError: error, updatedAt: now } }, { session }).exec();
  });
}

export async function parkJob(h: MongoHandle, jobId: string, workerId: string | null, reason: string, now: Date): Promise<void> {
  await h.tx(async (session) => {
    const job = workerId === null ? mapNull(await h.m.Job.findById(jobId).session(session).lean<M.JobDoc>().exec(), M.toJob) : await heldJob(h, jobId, workerId, session);
    if (!job || job.status === 'done') return;
    await parkRows(h, [job], reason, now, session);
  });
}

export async function parkJobsOfIdentity(h: MongoHandle, identityId: string, reason: string, now: Date): Promise<number> {
  return h.tx(async (session) => {
    const keys = await h.m.Deposit.distinct('_id', { identityId, kind: { $in: [...ITEM_KINDS] } }).session(session).exec();
    const jobs = (await h.m.Job.find({ depositKey: { $in: keys }, status: { $in: ['queued', 'leased'] } }).session(session).lean<M.JobDoc[]>().exec()).map(M.toJob);
    await parkRows(h, jobs, reason, now, session);
    return jobs.length;
  });
}

async function parkRows(h: MongoHandle, jobs: S.Job[], reason: string, now: Date, session: ClientSession): Promise<void> {
  if (jobs.length === 0) return;
  await h.m.Job.updateMany({ _id: { $in: jobs.map((j) => j.id) } }, { $set: { status: 'parked', parkReason: reason, leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
  await h.m.Deposit.updateMany({ _id: { $in: jobs.map((j) => j.depositKey) } }, { $set: { status: 'parked', lastError: reason, updatedAt: now } }, { session }).exec();
}

export async function unparkJobs(h: MongoHandle, filter: { jobId?: string; identityId?: string }, now: Date): Promise<number> {
  if (filter.jobId === undefined && filter.identityId === undefined) {
    throw new OrcidPluginError(INVALID_INPUT, 'unparkJobs: give a jobId or an identityId', { status: 400 });
  }
  return h.tx(async (session) => {
    const q: Record<string, unknown> = { status: 'parked' };
    if (filter.jobId !== undefined) q._id = filter.jobId;
    if (filter.identityId !== undefined) q.depositKey = { $in: await h.m.Deposit.distinct('_id', { identityId: filter.identityId }).session(session).exec() };
    const jobs = (await h.m.Job.find(q).session(session).lean<M.JobDoc[]>().exec()).map(M.toJob);
    if (jobs.length === 0) return 0;
    await h.m.Job.updateMany({ _id: { $in: jobs.map((j) => j.id) } }, { $set: { status: 'queued', attempts: 0, runAt: now, parkReason: null, updatedAt: now } }, { session }).exec();
    await h.m.Deposit.updateMany({ _id: { $in: jobs.map((j) => j.depositKey) } }, { $set: { status: 'pending', updatedAt: now } }, { session }).exec();
    return jobs.length;
  });
}

export async function retryJobNow(h: MongoHandle, jobId: string, now: Date): Promise<boolean> {
  return h.guard(async () => (await h.m.Job.updateOne({ _id: jobId, status: 'queued', runAt: { $gt: now } }, { $set: { runAt: now, updatedAt: now } }).exec()).modifiedCount > 0);
}

export async function markDepositRemoved(h: MongoHandle, depositKey: string, now: Date): Promise<void> {
  await h.tx(async (session) => {
    const r = await h.m.Deposit.updateOne({ _id: depositKey }, { $set: { status: 'removed-by-researcher', putCode: null, postedHash: null, updatedAt: now } }, { session }).exec();
    if (r.matchedCount === 0) return;
    // Nothing is left to update or delete. A leased job is left to its worker, whose call
    // will meet ORCID's 404 and complete as removed-by-researcher.
    await h.m.Job.updateMany({ depositKey, status: { $in: ['queued', 'parked'] } }, { $set: { status: 'done', updatedAt: now } }, { session }).exec();
  });
}

export async function adoptPutCode(h: MongoHandle, depositKey: string, putCode: string, now: Date): Promise<void> {
  await h.guard(() => h.m.Deposit.updateOne({ _id: depositKey }, { $set: { putCode, updatedAt: now } }).exec());
}

export async function appendHistory(h: MongoHandle, e: S.HistoryInput, session?: ClientSession): Promise<void> {
  await h.guard(() => h.m.History.create([historyDoc(e)], session ? { session } : {}));
}
