/** Directory operations on identities, webhooks, OAuth states, prefills and settings over a MongoDB handle (as `sqlite/identities.ts`). */
import { randomUUID } from 'node:crypto';
import { STORE_CONFLICT, StorageError } from '../../errors.js';
import type * as S from '../store.js';
import { isDuplicate, mapNull, retryDuplicate, type MongoHandle } from './handle.js';
import * as M from './models.js';

const DEFAULT_CREDENTIALS = 'default';

export async function linkIdentity(h: MongoHandle, input: S.LinkIdentityInput, now: Date): Promise<S.Identity> {
  return h.guard(async () => {
    const set: Partial<M.IdentityDoc> = {
      sealedTokens: input.sealedTokens, scopes: input.scopes, tokenExpiresAt: input.tokenExpiresAt, status: 'linked',
      authenticated: input.authenticated !== false, updatedAt: now,
    };
    const onInsert: Partial<M.IdentityDoc> = { _id: randomUUID(), createdAt: now, tokens: [] };
    // Fields left out keep their stored value (and start as null on a new identity).
    (input.hostUserId === undefined ? onInsert : set).hostUserId = input.hostUserId ?? null;
    (input.name === undefined ? onInsert : set).name = input.name ?? null;
    const doc = await retryDuplicate(() =>
      h.m.Identity.findOneAndUpdate({ orcid: input.orcid }, { $set: set, $setOnInsert: onInsert }, { upsert: true, returnDocument: 'after' }).lean<M.IdentityDoc>().exec(),
    );
    if (input.sealedTokens === null) return M.toIdentity(doc!);
    // This client's token replaces its previous one and moves last (other clients' tokens stay), in
    // one atomic update of the document.
    const client = input.credentialsId ?? DEFAULT_CREDENTIALS;
    const token: M.IdentityTokenDoc = { credentialsId: client, sealedTokens: input.sealedTokens, scopes: input.scopes, tokenExpiresAt: input.tokenExpiresAt, linkedAt: now, updatedAt: now };
    const after = await h.m.Identity.collection.findOneAndUpdate({ _id: doc!._id } as never, [
      { $set: { tokens: { $concatArrays: [{ $filter: { input: { $ifNull: ['$tokens', []] }, cond: { $ne: ['$$this.credentialsId', client] } } }, [{ $literal: token }]] } } },
    ], { returnDocument: 'after', includeResultMetadata: false });
    return M.toIdentity((after ?? doc) as unknown as M.IdentityDoc);
  });
}

export async function getIdentityToken(h: MongoHandle, identityId: string, credentialsId: string): Promise<S.IdentityToken | null> {
  return (await listIdentityTokens(h, identityId)).find((t) => t.credentialsId === credentialsId) ?? null;
}

export async function listIdentityTokens(h: MongoHandle, identityId: string): Promise<S.IdentityToken[]> {
  return h.guard(async () => {
    const d = await h.m.Identity.findById(identityId, { tokens: 1 }).lean<M.IdentityDoc>().exec();
    return (d?.tokens ?? []).map((t) => M.toIdentityToken(identityId, t));
  });
}

export async function getIdentity(h: MongoHandle, id: string): Promise<S.Identity | null> {
  return h.guard(async () => mapNull(await h.m.Identity.findById(id).lean<M.IdentityDoc>().exec(), M.toIdentity));
}

export async function findIdentityByOrcid(h: MongoHandle, orcid: string): Promise<S.Identity | null> {
  return h.guard(async () => mapNull(await h.m.Identity.findOne({ orcid }).lean<M.IdentityDoc>().exec(), M.toIdentity));
}

export async function findIdentityByHostUser(h: MongoHandle, hostUserId: string): Promise<S.Identity | null> {
  // A host user may have linked more than one iD over time: the latest linked one counts, else the
  // latest (as sqlite/identities.ts).
  return h.guard(async () => {
    const linked = await h.m.Identity.findOne({ hostUserId, status: 'linked' }).sort({ updatedAt: -1, _id: -1 }).lean<M.IdentityDoc>().exec();
    return mapNull(linked ?? await h.m.Identity.findOne({ hostUserId }).sort({ updatedAt: -1, _id: -1 }).lean<M.IdentityDoc>().exec(), M.toIdentity);
  });
}

export async function updateIdentityTokens(h: MongoHandle, id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date, credentialsId = DEFAULT_CREDENTIALS): Promise<void> {
  await h.guard(async () => {
    if (sealedTokens !== null) {
      await h.m.Identity.updateOne({ _id: id, 'tokens.credentialsId': credentialsId }, {
        $set: { 'tokens.$.sealedTokens': sealedTokens, 'tokens.$.scopes': scopes, 'tokens.$.tokenExpiresAt': tokenExpiresAt, 'tokens.$.updatedAt': now },
      }).exec();
    }
    // The identity's copy is the last connected client's token: refreshed with it.
    await h.m.Identity.collection.updateOne({ _id: id, $expr: { $eq: [{ $arrayElemAt: ['$tokens.credentialsId', -1] }, credentialsId] } } as never,
      { $set: { sealedTokens, scopes, tokenExpiresAt, updatedAt: now } });
  });
}

export async function markIdentityUnlinking(h: MongoHandle, id: string, now: Date): Promise<void> {
  await h.guard(() => h.m.Identity.updateOne({ _id: id, status: 'linked' }, { $set: { status: 'unlinking', updatedAt: now } }).exec());
}

export async function revokeIdentity(h: MongoHandle, id: string, now: Date, credentialsId?: string): Promise<void> {
  await h.guard(async () => {
    // One atomic update: drop the token(s); with none left the identity is revoked, else its copy is the last remaining token.
    const left = credentialsId === undefined ? [] : { $filter: { input: { $ifNull: ['$tokens', []] }, cond: { $ne: ['$$this.credentialsId', credentialsId] } } };
    // `$let` over the last remaining token (no `$getField`: MongoDB before 5.0 lacks it).
    const ofLast = (field: string, otherwise: unknown) => ({ $let: { vars: { last: { $arrayElemAt: ['$tokens', -1] } }, in: { $ifNull: [`$$last.${field}`, otherwise] } } });
    await h.m.Identity.collection.updateOne({ _id: id } as never, [
      { $set: { tokens: left, updatedAt: now } },
      { $set: {
        status: { $cond: [{ $eq: [{ $size: '$tokens' }, 0] }, 'revoked', '$status'] },
        sealedTokens: ofLast('sealedTokens', null),
        scopes: ofLast('scopes', '$scopes'),
        tokenExpiresAt: ofLast('tokenExpiresAt', null),
      } },
    ]);
  });
}

export async function updateIdentityName(h: MongoHandle, id: string, name: string | null, now: Date): Promise<void> {
  await h.guard(() => h.m.Identity.updateOne({ _id: id }, { $set: { name, updatedAt: now } }).exec());
}

export async function upsertWebhook(h: MongoHandle, sub: S.WebhookSubscription): Promise<void> {
  await h.guard(() => h.m.Webhook.updateOne({ _id: sub.orcid }, { $set: { callbackUrl: sub.callbackUrl, registeredAt: sub.registeredAt } }, { upsert: true }).exec());
}

export async function deleteWebhook(h: MongoHandle, orcid: string): Promise<void> {
  await h.guard(() => h.m.Webhook.deleteOne({ _id: orcid }).exec());
}

export async function getWebhook(h: MongoHandle, orcid: string): Promise<S.WebhookSubscription | null> {
  return h.guard(async () => mapNull(await h.m.Webhook.findById(orcid).lean<M.WebhookDoc>().exec(), M.toWebhook));
}

export async function createOAuthState(h: MongoHandle, state: S.OAuthState): Promise<void> {
  await h.guard(async () => {
    try {
      await h.m.OAuthState.create({ _id: state.stateHash, createdAt: state.createdAt, expiresAt: state.expiresAt, usedAt: null });
    } catch (e) {
      if (isDuplicate(e)) throw new StorageError(STORE_CONFLICT, 'An OAuth state with this hash already exists', { cause: e });
      throw e;
    }
  });
}

export async function consumeOAuthState(h: MongoHandle, stateHash: string, now: Date): Promise<S.ConsumeOAuthStateResult> {
  return h.guard(async () => {
    // One atomic write: only the first caller before expiry changes the document.
    const r = await h.m.OAuthState.updateOne({ _id: stateHash, usedAt: null, expiresAt: { $gt: now } }, { $set: { usedAt: now } }).exec();
    if (r.modifiedCount === 1) return { ok: true };
    const doc = await h.m.OAuthState.findById(stateHash).lean<M.OAuthStateDoc>().exec();
    return { ok: false, reason: !doc ? 'unknown' : doc.usedAt ? 'used' : 'expired' };
  });
}

export async function putPrefill(h: MongoHandle, identityId: string, prefill: S.Prefill, now: Date): Promise<void> {
  await h.guard(() => h.m.Prefill.updateOne({ _id: identityId }, { $set: { doc: prefill, readAt: now } }, { upsert: true }).exec());
}

export async function getPrefill(h: MongoHandle, identityId: string): Promise<S.Prefill | null> {
  return h.guard(async () => (await h.m.Prefill.findById(identityId).lean<M.PrefillDoc>().exec())?.doc ?? null);
}

export async function getSetting(h: MongoHandle, key: string): Promise<string | null> {
  return h.guard(async () => (await h.m.Setting.findById(key).lean<M.SettingDoc>().exec())?.value ?? null);
}

export async function setSetting(h: MongoHandle, key: string, value: string): Promise<void> {
  await h.guard(() => h.m.Setting.updateOne({ _id: key }, { $set: { value } }, { upsert: true }).exec());
}
