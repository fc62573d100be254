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
import { DEFAULT_LIST_LIMIT } from './deposit-rules.js';
import * as M from './mongo-models.js';
import type * as S from './store.js';
import { defined, historyDoc, isDuplicate, mapNull } from './mongo-db.js';
import { STORE_CONFLICT, StorageError } from '../errors.js';
import { MongoOutbox } from './mongo-outbox.js';

export { redactMongoUri, type MongoStoreOptions } from './mongo-db.js';

export class MongoStore extends MongoOutbox implements S.Store {
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
}
