/** Directory operations on contributors and invitations over a MongoDB handle (as `sqlite/contributors.ts`). */
import type { ClientSession } from 'mongoose';
import { STORE_CONFLICT, StorageError } from '../../errors.js';
import type * as S from '../store.js';
import { isDuplicate, mapNull, retryDuplicate, type MongoHandle } from './handle.js';
import * as M from './models.js';

async function upsertOne(h: MongoHandle, input: S.UpsertContributorsInput, now: Date, session?: ClientSession): Promise<S.Contributor> {
  const set: Partial<M.ContributorDoc> = { submissionId: input.submissionId, givenNames: input.givenNames, familyName: input.familyName, updatedAt: now };
  const onInsert: Partial<M.ContributorDoc> = {
    identityId: null, deniedAt: null, invitationState: 'none', invitedAt: null, remindedAt: null, createdAt: now,
  };
  (input.keepRole ? onInsert : set).role = input.role;
  // Optional fields left out keep their stored value; the identity link is never touched here.
  for (const f of ['email', 'locale', 'hostUserId', 'unauthenticatedOrcid'] as const) {
    if (input[f] === undefined) onInsert[f] = null;
    else set[f] = input[f];
  }
  const write = () => h.m.Contributor.findOneAndUpdate({ _id: input.id }, { $set: set, $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after', ...(session ? { session } : {}) }).lean<M.ContributorDoc>().exec();
  // Inside a transaction a duplicate key aborts it: the transaction as a whole is run again (MongoHandle.tx).
  const doc = session ? await write() : await retryDuplicate(write);
  return M.toContributor(doc!);
}

export async function upsertContributor(h: MongoHandle, input: S.UpsertContributorInput, now: Date): Promise<S.Contributor> {
  return h.guard(() => upsertOne(h, input, now));
}

export async function upsertContributors(h: MongoHandle, inputs: S.UpsertContributorsInput[], now: Date): Promise<S.ResolvedContributor[]> {
  if (inputs.length === 0) return [];
  return h.tx(async (session) => {
    const contributors: S.Contributor[] = [];
    for (const input of inputs) contributors.push(await upsertOne(h, input, now, session));
    return withIdentities(h, contributors, session);
  });
}

async function withIdentities(h: MongoHandle, contributors: S.Contributor[], session?: ClientSession): Promise<S.ResolvedContributor[]> {
  const ids = [...new Set(contributors.flatMap((c) => (c.identityId ? [c.identityId] : [])))];
  const q = h.m.Identity.find({ _id: { $in: ids } });
  const identities = new Map((await (session ? q.session(session) : q).lean<M.IdentityDoc[]>().exec()).map((d) => [d._id, M.toIdentity(d)]));
  return contributors.map((contributor) => ({ contributor, identity: contributor.identityId ? identities.get(contributor.identityId) ?? null : null }));
}

export async function resolveContributors(h: MongoHandle, ids: string[]): Promise<S.ResolvedContributor[]> {
  if (ids.length === 0) return [];
  return h.guard(async () => {
    const docs = new Map((await h.m.Contributor.find({ _id: { $in: [...new Set(ids)] } }).lean<M.ContributorDoc[]>().exec()).map((d) => [d._id, M.toContributor(d)]));
    return withIdentities(h, ids.flatMap((id) => docs.get(id) ?? []));
  });
}

export async function getContributor(h: MongoHandle, id: string): Promise<S.Contributor | null> {
  return h.guard(async () => mapNull(await h.m.Contributor.findById(id).lean<M.ContributorDoc>().exec(), M.toContributor));
}

export async function listContributors(h: MongoHandle, submissionId: string): Promise<S.Contributor[]> {
  return h.guard(async () => (await h.m.Contributor.find({ submissionId }).sort({ createdAt: 1, _id: 1 }).lean<M.ContributorDoc[]>().exec()).map(M.toContributor));
}

export async function listContributorsByIdentity(h: MongoHandle, identityId: string): Promise<S.Contributor[]> {
  return h.guard(async () => (await h.m.Contributor.find({ identityId }).sort({ createdAt: 1, _id: 1 }).lean<M.ContributorDoc[]>().exec()).map(M.toContributor));
}

export async function linkContributor(h: MongoHandle, contributorId: string, identityId: string, now: Date): Promise<void> {
  await h.guard(() => h.m.Contributor.updateOne({ _id: contributorId }, { $set: { identityId, deniedAt: null, updatedAt: now } }).exec());
}

export async function unlinkContributorsOf(h: MongoHandle, identityId: string, now: Date): Promise<void> {
  await h.guard(() => h.m.Contributor.updateMany({ identityId }, { $set: { identityId: null, updatedAt: now } }).exec());
}

export async function markContributorDenied(h: MongoHandle, contributorId: string, now: Date): Promise<void> {
  await h.guard(() => h.m.Contributor.updateOne({ _id: contributorId }, { $set: { deniedAt: now, updatedAt: now } }).exec());
}

export async function setInvitationState(h: MongoHandle, contributorId: string, state: S.InvitationState, now: Date): Promise<void> {
  const set: Partial<M.ContributorDoc> = { invitationState: state, updatedAt: now };
  if (state === 'sent') set.invitedAt = now;
  if (state === 'reminded') set.remindedAt = now;
  await h.guard(() => h.m.Contributor.updateOne({ _id: contributorId }, { $set: set }).exec());
}

export async function createInvitation(h: MongoHandle, inv: S.NewInvitation): Promise<void> {
  await h.guard(async () => {
    try {
      await h.m.Invitation.create({ _id: inv.tokenHash, contributorId: inv.contributorId, createdAt: inv.createdAt, expiresAt: inv.expiresAt, usedAt: null, locale: inv.locale ?? null });
    } catch (e) {
      if (isDuplicate(e)) throw new StorageError(STORE_CONFLICT, 'An invitation with this token hash already exists', { cause: e });
      throw e;
    }
  });
}

export async function checkInvitation(h: MongoHandle, tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
  return h.guard(async () => {
    const doc = await h.m.Invitation.findById(tokenHash).lean<M.InvitationDoc>().exec();
    if (!doc) return { ok: false, reason: 'unknown' };
    if (doc.usedAt) return { ok: false, reason: 'used', invitation: M.toInvitation(doc) };
    if (doc.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', invitation: M.toInvitation(doc) };
    return { ok: true, invitation: M.toInvitation(doc) };
  });
}

export async function consumeInvitation(h: MongoHandle, tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
  return h.guard(async () => {
    // The filter re-checks "unused and unexpired" in the same atomic write: one winner only.
    const won = await h.m.Invitation.findOneAndUpdate({ _id: tokenHash, usedAt: null, expiresAt: { $gt: now } }, { $set: { usedAt: now } }, { returnDocument: 'after' }).lean<M.InvitationDoc>().exec();
    if (won) return { ok: true, invitation: M.toInvitation(won) };
    const doc = await h.m.Invitation.findById(tokenHash).lean<M.InvitationDoc>().exec();
    if (!doc) return { ok: false, reason: 'unknown' };
    return { ok: false, reason: doc.usedAt ? 'used' : 'expired', invitation: M.toInvitation(doc) };
  });
}
