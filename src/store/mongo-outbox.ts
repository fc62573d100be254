/**
 * The deposits ledger and the outbox of the MongoDB store: the same rules as SQLite's
 * (`deposit-rules.ts`), with claims flipping one due job at a time through `findOneAndUpdate`
 * and every read-then-write in a transaction.
 */
import type mongoose from 'mongoose';
import type { ClientSession } from 'mongoose';
import { INVALID_INPUT, LEASE_LOST, OrcidPluginError, StorageError } from '../errors.js';
import { DEFAULT_LIST_LIMIT, planCompletion, planDesire } from './deposit-rules.js';
import * as M from './mongo-models.js';
import type * as S from './store.js';
import { MongoDb, OPEN, defined, historyDoc, mapNull } from './mongo-db.js';

export abstract class MongoOutbox extends MongoDb {
  // deposits and outbox

  async desireDeposit(input: S.DesireDepositInput, now: Date): Promise<S.DesireDepositResult> {
    return this.tx(async (session) => {
      const existing = mapNull(await this.m.Deposit.findById(input.key).session(session).lean<M.DepositDoc>().exec(), M.toDeposit);
      let open = mapNull(await this.m.Job.findOne({ depositKey: input.key, open: true }).session(session).lean<M.JobDoc>().exec(), M.toJob);
      const plan = planDesire(existing, open, input, now);
      // Always written, even unchanged: concurrent desires of one key then conflict and are retried.
      await this.m.Deposit.replaceOne({ _id: input.key }, M.fromDeposit(plan.deposit), { upsert: true, session }).exec();
      const a = plan.action;
      if (a.kind === 'insert') {
        await this.m.Job.create([M.fromJob(a.job)], { session });
        open = a.job;
      } else if (a.kind === 'requeue' && open) {
        await this.m.Job.updateOne({ _id: open.id }, { $set: { status: 'queued', open: true, attempts: 0, runAt: a.runAt, parkReason: null, leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
      } else if (a.kind === 'finish' && open) {
        await this.m.Job.updateOne({ _id: open.id }, { $set: { status: 'done', open: false, leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
        open = null;
      }
      return { deposit: plan.deposit, jobId: open ? open.id : null, changed: plan.changed };
    });
  }

  async getDeposit(key: string): Promise<S.Deposit | null> {
    return this.guard(async () => mapNull(await this.m.Deposit.findById(key).lean<M.DepositDoc>().exec(), M.toDeposit));
  }

  async listDeposits(filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string }): Promise<S.Deposit[]> {
    return this.guard(async () => (await this.m.Deposit.find(defined(filter)).sort({ createdAt: 1, _id: 1 }).lean<M.DepositDoc[]>().exec()).map(M.toDeposit));
  }

  async claimJobs(workerId: string, now: Date, limit: number, leaseMs: number): Promise<S.ClaimedJob[]> {
    return this.guard(async () => {
      const jobs: S.Job[] = [];
      const due: mongoose.QueryFilter<M.JobDoc> = { $or: [{ status: 'queued', runAt: { $lte: now } }, { status: 'leased', leaseExpiresAt: { $lte: now } }] };
      const lease: mongoose.UpdateQuery<M.JobDoc> = { $set: { status: 'leased', open: true, leasedBy: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now }, $inc: { attempts: 1 } };
      while (jobs.length < limit) {
        const doc = await this.m.Job.findOneAndUpdate(due, lease, { sort: { runAt: 1, _id: 1 }, returnDocument: 'after' }).lean<M.JobDoc>().exec();
        if (!doc) break;
        jobs.push(M.toJob(doc));
      }
      if (jobs.length > 0) {
        await this.m.Deposit.updateMany(
          { _id: { $in: jobs.map((j) => j.depositKey) }, desiredState: 'present', putCode: null, maybePosted: { $ne: true } },
          { $set: { maybePosted: true } },
        ).exec();
      }
      const deposits = await this.depositsByKey(jobs.map((j) => j.depositKey));
      return jobs.map((job) => ({ job, deposit: deposits.get(job.depositKey)! }));
    });
  }

  async renewLease(jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
    return this.guard(async () => {
      const r = await this.m.Job.updateOne({ _id: jobId, status: 'leased', leasedBy: workerId }, { $set: { leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now } }).exec();
      return r.matchedCount === 1;
    });
  }

  async completeJob(input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }> {
    return this.tx(async (session) => {
      const job = await this.heldJob(input.jobId, input.workerId, session);
      const deposit = M.toDeposit((await this.m.Deposit.findById(job.depositKey).session(session).lean<M.DepositDoc>().exec())!);
      const plan = planCompletion(deposit, input);
      await this.m.Deposit.updateOne({ _id: deposit.key }, { $set: { putCode: plan.putCode, postedHash: plan.postedHash, maybePosted: false, status: plan.depositStatus, lastError: null, updatedAt: now } }, { session }).exec();
      const next = plan.requeue
        ? { status: 'queued', open: true, attempts: 0, runAt: now, leasedBy: null, leaseExpiresAt: null, lastError: null, updatedAt: now }
        : { status: 'done', open: false, leasedBy: null, leaseExpiresAt: null, lastError: null, updatedAt: now };
      await this.writeHeld(job.id, input.workerId, next, session);
      if (input.history) await this.m.History.create([historyDoc({ ...input.history, detail: { ...input.history.detail, requeued: plan.requeue } })], { session });
      return { requeued: plan.requeue };
    });
  }

  async markDepositRemoved(depositKey: string, now: Date): Promise<void> {
    await this.tx(async (session) => {
      const r = await this.m.Deposit.updateOne({ _id: depositKey }, { $set: { status: 'removed-by-researcher', putCode: null, postedHash: null, updatedAt: now } }, { session }).exec();
      if (r.matchedCount === 0) return;
      // Nothing is left to update or delete. A leased job is left to its worker, whose call
      // will meet ORCID's 404 and complete as removed-by-researcher.
      await this.m.Job.updateMany({ depositKey, status: { $in: ['queued', 'parked'] } }, { $set: { status: 'done', open: false, updatedAt: now } }, { session }).exec();
    });
  }

  async adoptPutCode(depositKey: string, putCode: string, now: Date): Promise<void> {
    await this.guard(() => this.m.Deposit.updateOne({ _id: depositKey }, { $set: { putCode, updatedAt: now } }).exec());
  }

  async retryJob(jobId: string, workerId: string, error: string, runAt: Date, now: Date, options: { countAttempt?: boolean } = {}): Promise<void> {
    await this.tx(async (session) => {
      const job = await this.heldJob(jobId, workerId, session);
      const attempts = options.countAttempt === false ? Math.max(0, job.attempts - 1) : job.attempts;
      await this.writeHeld(jobId, workerId, { status: 'queued', open: true, runAt, lastError: error, leasedBy: null, leaseExpiresAt: null, attempts, updatedAt: now }, session);
      await this.m.Deposit.updateOne({ _id: job.depositKey }, { $set: { lastError: error, updatedAt: now } }, { session }).exec();
    });
  }

  async parkJob(jobId: string, workerId: string | null, reason: string, now: Date): Promise<void> {
    await this.tx(async (session) => {
      const job = workerId === null ? mapNull(await this.m.Job.findById(jobId).session(session).lean<M.JobDoc>().exec(), M.toJob) : await this.heldJob(jobId, workerId, session);
      if (!job || job.status === 'done') return;
      await this.parkAll([job], reason, now, session);
    });
  }

  async parkJobsOfIdentity(identityId: string, reason: string, now: Date): Promise<number> {
    return this.tx(async (session) => {
      const keys = await this.m.Deposit.distinct('_id', { identityId }).session(session).exec();
      const jobs = (await this.m.Job.find({ depositKey: { $in: keys }, status: { $in: ['queued', 'leased'] } }).session(session).lean<M.JobDoc[]>().exec()).map(M.toJob);
      await this.parkAll(jobs, reason, now, session);
      return jobs.length;
    });
  }

  async unparkJobs(filter: { jobId?: string; identityId?: string }, now: Date): Promise<number> {
    if (filter.jobId === undefined && filter.identityId === undefined) {
      throw new OrcidPluginError(INVALID_INPUT, 'unparkJobs: give a jobId or an identityId', { status: 400 });
    }
    return this.tx(async (session) => {
      const q: Record<string, unknown> = { status: 'parked' };
      if (filter.jobId !== undefined) q._id = filter.jobId;
      if (filter.identityId !== undefined) q.depositKey = { $in: await this.m.Deposit.distinct('_id', { identityId: filter.identityId }).session(session).exec() };
      const jobs = (await this.m.Job.find(q).session(session).lean<M.JobDoc[]>().exec()).map(M.toJob);
      if (jobs.length === 0) return 0;
      await this.m.Job.updateMany({ _id: { $in: jobs.map((j) => j.id) } }, { $set: { status: 'queued', open: true, attempts: 0, runAt: now, parkReason: null, updatedAt: now } }, { session }).exec();
      await this.m.Deposit.updateMany({ _id: { $in: jobs.map((j) => j.depositKey) } }, { $set: { status: 'pending', updatedAt: now } }, { session }).exec();
      return jobs.length;
    });
  }

  async getJob(id: string): Promise<S.Job | null> {
    return this.guard(async () => mapNull(await this.m.Job.findById(id).lean<M.JobDoc>().exec(), M.toJob));
  }

  async getOpenJobForDeposit(depositKey: string): Promise<S.Job | null> {
    return this.guard(async () => mapNull(await this.m.Job.findOne({ depositKey, status: { $in: OPEN } }).lean<M.JobDoc>().exec(), M.toJob));
  }

  async listJobs(filter: { status?: S.JobStatus; identityId?: string; submissionId?: string; limit?: number }): Promise<S.ClaimedJob[]> {
    return this.guard(async () => {
      const q: Record<string, unknown> = defined({ status: filter.status });
      const byDeposit = defined({ identityId: filter.identityId, submissionId: filter.submissionId });
      if (Object.keys(byDeposit).length > 0) q.depositKey = { $in: await this.m.Deposit.distinct('_id', byDeposit).exec() };
      const jobs = (await this.m.Job.find(q).sort({ runAt: 1, depositKey: 1, _id: 1 }).limit(filter.limit ?? DEFAULT_LIST_LIMIT).lean<M.JobDoc[]>().exec()).map(M.toJob);
      const deposits = await this.depositsByKey(jobs.map((j) => j.depositKey));
      return jobs.map((job) => ({ job, deposit: deposits.get(job.depositKey)! }));
    });
  }

  async countJobs(): Promise<S.JobCounts> {
    return this.guard(async () => {
      const counts: S.JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };
      const rows = await this.m.Job.aggregate<{ _id: S.JobStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]).exec();
      for (const r of rows) counts[r._id] = r.n;
      return counts;
    });
  }

  async nextRunAt(): Promise<Date | null> {
    return this.guard(async () => (await this.m.Job.findOne({ status: 'queued' }).sort({ runAt: 1 }).lean<M.JobDoc>().exec())?.runAt ?? null);
  }


  protected async depositsByKey(keys: string[]): Promise<Map<string, S.Deposit>> {
    const docs = await this.m.Deposit.find({ _id: { $in: [...new Set(keys)] } }).lean<M.DepositDoc[]>().exec();
    return new Map(docs.map((d) => [d._id, M.toDeposit(d)]));
  }

  /** The job, if `workerId` still holds its lease; LEASE_LOST otherwise. */
  protected async heldJob(jobId: string, workerId: string, session: ClientSession): Promise<S.Job> {
    const job = mapNull(await this.m.Job.findById(jobId).session(session).lean<M.JobDoc>().exec(), M.toJob);
    if (!job || job.status !== 'leased' || job.leasedBy !== workerId) {
      const holder = !job ? 'the job does not exist' : job.status === 'leased' ? `it is leased by ${job.leasedBy}` : `it is ${job.status}`;
      throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}: ${holder}`);
    }
    return job;
  }

  /** Write a held job; the filter re-checks the lease so a concurrent claim cannot be overwritten. */
  protected async writeHeld(jobId: string, workerId: string, set: Record<string, unknown>, session: ClientSession): Promise<void> {
    const r = await this.m.Job.updateOne({ _id: jobId, status: 'leased', leasedBy: workerId }, { $set: set }, { session }).exec();
    if (r.matchedCount !== 1) throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}`);
  }

  protected async parkAll(jobs: S.Job[], reason: string, now: Date, session: ClientSession): Promise<void> {
    if (jobs.length === 0) return;
    await this.m.Job.updateMany({ _id: { $in: jobs.map((j) => j.id) } }, { $set: { status: 'parked', open: true, parkReason: reason, leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
    await this.m.Deposit.updateMany({ _id: { $in: jobs.map((j) => j.depositKey) } }, { $set: { status: 'parked', lastError: reason, updatedAt: now } }, { session }).exec();
  }
}
