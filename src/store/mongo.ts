/**
 * The MongoDB Store (production / scale-out), through mongoose on its own connection so it never
 * touches a host's global mongoose. Needs a replica set: every read-then-write runs in a
 * transaction, whose write conflicts the driver retries; the ledger rules are the same pure
 * functions the SQLite store uses (`deposit-rules.ts`). Claims flip one due job at a time with
 * `findOneAndUpdate`, which is atomic per document, so two workers never lease the same job.
 *
 * @example
 * const store = new MongoStore({ uri: 'mongodb://db1,db2,db3/journal?replicaSet=rs0' });
 * await store.init();
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { ClientSession, Connection } from 'mongoose';
import { INVALID_INPUT, LEASE_LOST, OrcidPluginError, STORE_CONFLICT, STORE_UNAVAILABLE, StorageError, coerceError } from '../errors.js';
import { DEFAULT_LIST_LIMIT, OPEN_JOB_STATUSES, planCompletion, planDesire } from './deposit-rules.js';
import * as M from './mongo-models.js';
import type * as S from './store.js';

export interface MongoStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…` (a replica set: transactions need one). */
  uri: string;
  /** How long to look for a usable server before failing with STORE_UNAVAILABLE (`?? 5000` ms). */
  serverSelectionTimeoutMs?: number;
}

const OPEN = [...OPEN_JOB_STATUSES];

/** The URI with its password masked, for messages and logs. */
export function redactMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^:@/]*):([^@/]*)@/, '$1$2:****@');
}

export class MongoStore implements S.Store {
  private readonly uri: string;
  private readonly selectionMs: number;
  private conn: Connection | null = null;
  private models: M.Models | null = null;

  constructor(options: MongoStoreOptions) {
    this.uri = options.uri;
    this.selectionMs = options.serverSelectionTimeoutMs ?? 5000;
  }

  async init(): Promise<void> {
    if (this.conn) return;
    const conn = mongoose.createConnection(this.uri, { serverSelectionTimeoutMS: this.selectionMs, autoIndex: false, autoCreate: false, bufferCommands: false });
    // Errors reach callers through the failing operations; without a listener an 'error' event would crash the process.
    conn.on('error', () => undefined);
    try {
      await conn.asPromise();
      const models = M.defineModels(conn);
      // Collections first: transactions cannot create them on older servers.
      for (const model of Object.values(models) as M.Models[keyof M.Models][]) {
        await model.createCollection();
        await model.createIndexes();
      }
      this.conn = conn;
      this.models = models;
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw this.translate(e);
    }
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    this.models = null;
    await conn?.close();
  }

  // identities

  async linkIdentity(input: S.LinkIdentityInput, now: Date): Promise<S.Identity> {
    return this.guard(async () => {
      const set: Partial<M.IdentityDoc> = {
        sealedTokens: input.sealedTokens, scopes: input.scopes, tokenExpiresAt: input.tokenExpiresAt, status: 'linked',
        authenticated: input.authenticated !== false, updatedAt: now,
      };
      const onInsert: Partial<M.IdentityDoc> = { _id: randomUUID(), createdAt: now };
      // Fields left out keep their stored value (and start as null on a new identity).
      (input.hostUserId === undefined ? onInsert : set).hostUserId = input.hostUserId ?? null;
      (input.name === undefined ? onInsert : set).name = input.name ?? null;
      const doc = await this.retryDuplicate(() =>
        this.m.Identity.findOneAndUpdate({ orcid: input.orcid }, { $set: set, $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after' }).lean<M.IdentityDoc>().exec(),
      );
      return M.toIdentity(doc!);
    });
  }

  async getIdentity(id: string): Promise<S.Identity | null> {
    return this.guard(async () => mapNull(await this.m.Identity.findById(id).lean<M.IdentityDoc>().exec(), M.toIdentity));
  }

  async findIdentityByOrcid(orcid: string): Promise<S.Identity | null> {
    return this.guard(async () => mapNull(await this.m.Identity.findOne({ orcid }).lean<M.IdentityDoc>().exec(), M.toIdentity));
  }

  async findIdentityByHostUser(hostUserId: string): Promise<S.Identity | null> {
    // A host user may have linked more than one iD over time: the latest one counts.
    return this.guard(async () => mapNull(await this.m.Identity.findOne({ hostUserId }).sort({ updatedAt: -1, _id: -1 }).lean<M.IdentityDoc>().exec(), M.toIdentity));
  }

  async updateIdentityTokens(id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date): Promise<void> {
    await this.guard(() => this.m.Identity.updateOne({ _id: id }, { $set: { sealedTokens, scopes, tokenExpiresAt, updatedAt: now } }).exec());
  }

  async revokeIdentity(id: string, now: Date): Promise<void> {
    await this.guard(() => this.m.Identity.updateOne({ _id: id }, { $set: { status: 'revoked', sealedTokens: null, tokenExpiresAt: null, updatedAt: now } }).exec());
  }

  async updateIdentityName(id: string, name: string | null, now: Date): Promise<void> {
    await this.guard(() => this.m.Identity.updateOne({ _id: id }, { $set: { name, updatedAt: now } }).exec());
  }

  // contributors

  async upsertContributor(input: S.UpsertContributorInput, now: Date): Promise<S.Contributor> {
    return this.guard(async () => {
      const set: Partial<M.ContributorDoc> = { submissionId: input.submissionId, role: input.role, givenNames: input.givenNames, familyName: input.familyName, updatedAt: now };
      const onInsert: Partial<M.ContributorDoc> = {
        identityId: null, deniedAt: null, invitationState: 'none', invitedAt: null, remindedAt: null, createdAt: now,
      };
      // Optional fields left out keep their stored value; the identity link is never touched here.
      for (const f of ['email', 'locale', 'hostUserId', 'unauthenticatedOrcid'] as const) {
        if (input[f] === undefined) onInsert[f] = null;
        else set[f] = input[f];
      }
      const doc = await this.retryDuplicate(() =>
        this.m.Contributor.findOneAndUpdate({ _id: input.id }, { $set: set, $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after' }).lean<M.ContributorDoc>().exec(),
      );
      return M.toContributor(doc!);
    });
  }

  async getContributor(id: string): Promise<S.Contributor | null> {
    return this.guard(async () => mapNull(await this.m.Contributor.findById(id).lean<M.ContributorDoc>().exec(), M.toContributor));
  }

  async listContributors(submissionId: string): Promise<S.Contributor[]> {
    return this.guard(async () => (await this.m.Contributor.find({ submissionId }).sort({ createdAt: 1, _id: 1 }).lean<M.ContributorDoc[]>().exec()).map(M.toContributor));
  }

  async listContributorsByIdentity(identityId: string): Promise<S.Contributor[]> {
    return this.guard(async () => (await this.m.Contributor.find({ identityId }).sort({ createdAt: 1, _id: 1 }).lean<M.ContributorDoc[]>().exec()).map(M.toContributor));
  }

  async linkContributor(contributorId: string, identityId: string, now: Date): Promise<void> {
    await this.guard(() => this.m.Contributor.updateOne({ _id: contributorId }, { $set: { identityId, deniedAt: null, updatedAt: now } }).exec());
  }

  async unlinkContributorsOf(identityId: string, now: Date): Promise<void> {
    await this.guard(() => this.m.Contributor.updateMany({ identityId }, { $set: { identityId: null, updatedAt: now } }).exec());
  }

  async markContributorDenied(contributorId: string, now: Date): Promise<void> {
    await this.guard(() => this.m.Contributor.updateOne({ _id: contributorId }, { $set: { deniedAt: now, updatedAt: now } }).exec());
  }

  async setInvitationState(contributorId: string, state: S.InvitationState, now: Date): Promise<void> {
    const set: Partial<M.ContributorDoc> = { invitationState: state, updatedAt: now };
    if (state === 'sent') set.invitedAt = now;
    if (state === 'reminded') set.remindedAt = now;
    await this.guard(() => this.m.Contributor.updateOne({ _id: contributorId }, { $set: set }).exec());
  }

  // invitations

  async createInvitation(inv: Omit<S.Invitation, 'usedAt'>): Promise<void> {
    await this.guard(async () => {
      try {
        await this.m.Invitation.create({ _id: inv.tokenHash, contributorId: inv.contributorId, createdAt: inv.createdAt, expiresAt: inv.expiresAt, usedAt: null });
      } catch (e) {
        if (isDuplicate(e)) throw new StorageError(STORE_CONFLICT, 'An invitation with this token hash already exists', { cause: e });
        throw e;
      }
    });
  }

  async consumeInvitation(tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
    return this.guard(async () => {
      // The filter re-checks "unused and unexpired" in the same atomic write: one winner only.
      const won = await this.m.Invitation.findOneAndUpdate({ _id: tokenHash, usedAt: null, expiresAt: { $gt: now } }, { $set: { usedAt: now } }, { returnDocument: 'after' }).lean<M.InvitationDoc>().exec();
      if (won) return { ok: true, invitation: M.toInvitation(won) };
      const doc = await this.m.Invitation.findById(tokenHash).lean<M.InvitationDoc>().exec();
      if (!doc) return { ok: false, reason: 'unknown' };
      return { ok: false, reason: doc.usedAt ? 'used' : 'expired' };
    });
  }

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

  // webhooks

  async upsertWebhook(sub: S.WebhookSubscription): Promise<void> {
    await this.guard(() => this.m.Webhook.updateOne({ _id: sub.orcid }, { $set: { callbackUrl: sub.callbackUrl, registeredAt: sub.registeredAt } }, { upsert: true }).exec());
  }

  async deleteWebhook(orcid: string): Promise<void> {
    await this.guard(() => this.m.Webhook.deleteOne({ _id: orcid }).exec());
  }

  async getWebhook(orcid: string): Promise<S.WebhookSubscription | null> {
    return this.guard(async () => mapNull(await this.m.Webhook.findById(orcid).lean<M.WebhookDoc>().exec(), M.toWebhook));
  }

  async listWebhooks(): Promise<S.WebhookSubscription[]> {
    return this.guard(async () => (await this.m.Webhook.find({}).sort({ _id: 1 }).lean<M.WebhookDoc[]>().exec()).map(M.toWebhook));
  }

  // history

  async appendHistory(e: S.HistoryInput): Promise<void> {
    await this.guard(() => this.m.History.create(historyDoc(e)));
  }

  async listHistory(filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<S.HistoryEntry[]> {
    const q = defined({ orcid: filter.orcid, submissionId: filter.submissionId, depositKey: filter.depositKey });
    return this.guard(async () => (await this.m.History.find(q).sort({ at: -1, _id: -1 }).limit(filter.limit ?? DEFAULT_LIST_LIMIT).lean<M.HistoryDoc[]>().exec()).map(M.toHistory));
  }

  // settings

  async getSetting(key: string): Promise<string | null> {
    return this.guard(async () => (await this.m.Setting.findById(key).lean<M.SettingDoc>().exec())?.value ?? null);
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.guard(() => this.m.Setting.updateOne({ _id: key }, { $set: { value } }, { upsert: true }).exec());
  }

  // helpers

  private get m(): M.Models {
    if (!this.models) throw new StorageError(STORE_UNAVAILABLE, `The MongoDB store at ${redactMongoUri(this.uri)} is not open: call init() first`);
    return this.models;
  }

  private get connection(): Connection {
    if (!this.conn) throw new StorageError(STORE_UNAVAILABLE, `The MongoDB store at ${redactMongoUri(this.uri)} is not open: call init() first`);
    return this.conn;
  }

  private async depositsByKey(keys: string[]): Promise<Map<string, S.Deposit>> {
    const docs = await this.m.Deposit.find({ _id: { $in: [...new Set(keys)] } }).lean<M.DepositDoc[]>().exec();
    return new Map(docs.map((d) => [d._id, M.toDeposit(d)]));
  }

  /** The job, if `workerId` still holds its lease; LEASE_LOST otherwise. */
  private async heldJob(jobId: string, workerId: string, session: ClientSession): Promise<S.Job> {
    const job = mapNull(await this.m.Job.findById(jobId).session(session).lean<M.JobDoc>().exec(), M.toJob);
    if (!job || job.status !== 'leased' || job.leasedBy !== workerId) {
      const holder = !job ? 'the job does not exist' : job.status === 'leased' ? `it is leased by ${job.leasedBy}` : `it is ${job.status}`;
      throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}: ${holder}`);
    }
    return job;
  }

  /** Write a held job; the filter re-checks the lease so a concurrent claim cannot be overwritten. */
  private async writeHeld(jobId: string, workerId: string, set: Record<string, unknown>, session: ClientSession): Promise<void> {
    const r = await this.m.Job.updateOne({ _id: jobId, status: 'leased', leasedBy: workerId }, { $set: set }, { session }).exec();
    if (r.matchedCount !== 1) throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}`);
  }

  private async parkAll(jobs: S.Job[], reason: string, now: Date, session: ClientSession): Promise<void> {
    if (jobs.length === 0) return;
    await this.m.Job.updateMany({ _id: { $in: jobs.map((j) => j.id) } }, { $set: { status: 'parked', open: true, parkReason: reason, leasedBy: null, leaseExpiresAt: null, updatedAt: now } }, { session }).exec();
    await this.m.Deposit.updateMany({ _id: { $in: jobs.map((j) => j.depositKey) } }, { $set: { status: 'parked', lastError: reason, updatedAt: now } }, { session }).exec();
  }

  /** Run `fn` in a transaction; the driver retries it on transient errors and write conflicts. */
  private async tx<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      const session = await this.connection.startSession();
      try {
        // Two transactions inserting the same new key may also meet as E11000 (when the other
        // committed first); running again reads the committed row and takes the update path.
        for (let attempt = 1; ; attempt++) {
          try {
            let result: T | undefined;
            await session.withTransaction(async () => {
              result = await fn(session);
            });
            return result as T;
          } catch (e) {
            if (!isDuplicate(e) || attempt >= 3) throw e;
          }
        }
      } finally {
        await session.endSession();
      }
    });
  }

  /** An upsert racing another upsert of the same unique key fails once with E11000; the retry finds the row. */
  private async retryDuplicate<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isDuplicate(e)) return fn();
      throw e;
    }
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.translate(e);
    }
  }

  /** Driver errors to typed StorageErrors (with the password masked), ours unchanged. */
  private translate(e: unknown): Error {
    if (e instanceof OrcidPluginError) return e;
    const err = coerceError(e);
    if (/^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(err.name)) {
      const detail = err.message.split('\n')[0].slice(0, 200);
      return new StorageError(STORE_UNAVAILABLE, `Cannot reach MongoDB at ${redactMongoUri(this.uri)} (${detail}): check STORE_URL and that the replica set is up`, { cause: e });
    }
    if (isDuplicate(e)) return new StorageError(STORE_CONFLICT, `MongoDB refused a duplicate (${err.message.split('\n')[0].slice(0, 200)})`, { cause: e });
    return err;
  }
}

function isDuplicate(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

function mapNull<D, T>(doc: D | null | undefined, f: (d: D) => T): T | null {
  return doc === null || doc === undefined ? null : f(doc);
}

/** The entries of a filter that are set (a missing filter field matches everything). */
function defined(filter: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function historyDoc(e: S.HistoryInput) {
  return {
    _id: M.newObjectId(), at: e.at, event: e.event, orcid: e.orcid ?? null, identityId: e.identityId ?? null,
    submissionId: e.submissionId ?? null, depositKey: e.depositKey ?? null, jobId: e.jobId ?? null, detail: e.detail ?? {},
  };
}
