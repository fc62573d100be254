/**
 * Directory operations on identities, webhooks, OAuth states, prefills and settings, over a
 * PostgreSQL handle: one statement each, in the order of `sqlite/identities.ts`.
 */
import { randomUUID } from 'node:crypto';
import { STORE_CONFLICT, StorageError } from '../../errors.js';
import type * as S from '../store.js';
import type { PgHandle } from './handle.js';
import { toIdentity, toIdentityToken, toWebhook } from './rows.js';

const DEFAULT_CREDENTIALS = 'default';

export async function linkIdentity(h: PgHandle, input: S.LinkIdentityInput, now: Date): Promise<S.Identity> {
  const client = input.credentialsId ?? DEFAULT_CREDENTIALS;
  // One statement: fields left out (undefined) keep their stored value; the client connected
  // through moves to the end of token_clients and its token row is written (other clients' stay).
  const [row] = await h.rows(
    `WITH ident AS (
       INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at, token_clients)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'linked', $8, $9, $9, CASE WHEN $5::text IS NULL THEN '{}'::text[] ELSE ARRAY[$12::text] END)
       ON CONFLICT (orcid) DO UPDATE SET
         host_user_id = CASE WHEN $10 THEN identities.host_user_id ELSE excluded.host_user_id END,
         name = CASE WHEN $11 THEN identities.name ELSE excluded.name END,
         sealed_tokens = excluded.sealed_tokens, scopes = excluded.scopes, token_expires_at = excluded.token_expires_at, status = 'linked',
         authenticated = excluded.authenticated, updated_at = excluded.updated_at,
         token_clients = CASE WHEN $5::text IS NULL THEN identities.token_clients ELSE array_append(array_remove(identities.token_clients, $12::text), $12::text) END
       RETURNING *
     ), tok AS (
       INSERT INTO identity_tokens (identity_id, credentials_id, sealed_tokens, scopes, token_expires_at, linked_at, updated_at)
       SELECT ident.id, $12, $5, $6, $7, $9, $9 FROM ident WHERE $5::text IS NOT NULL
       ON CONFLICT (identity_id, credentials_id) DO UPDATE SET sealed_tokens = excluded.sealed_tokens, scopes = excluded.scopes,
         token_expires_at = excluded.token_expires_at, linked_at = excluded.linked_at, updated_at = excluded.updated_at
     )
     SELECT * FROM ident`,
    [
      randomUUID(), input.orcid, input.hostUserId ?? null, input.name ?? null, input.sealedTokens, input.scopes, input.tokenExpiresAt,
      input.authenticated !== false, now, input.hostUserId === undefined, input.name === undefined, client,
    ],
  );
  return toIdentity(row!);
}

export async function getIdentityToken(h: PgHandle, identityId: string, credentialsId: string): Promise<S.IdentityToken | null> {
  const [r] = await h.rows('SELECT * FROM identity_tokens WHERE identity_id = $1 AND credentials_id = $2', [identityId, credentialsId]);
  return r ? toIdentityToken(r) : null;
}

export async function listIdentityTokens(h: PgHandle, identityId: string): Promise<S.IdentityToken[]> {
  return (await h.rows('SELECT * FROM identity_tokens WHERE identity_id = $1 ORDER BY linked_at, credentials_id', [identityId])).map(toIdentityToken);
}

export async function getIdentity(h: PgHandle, id: string): Promise<S.Identity | null> {
  const [r] = await h.rows('SELECT * FROM identities WHERE id = $1', [id]);
  return r ? toIdentity(r) : null;
}

export async function findIdentityByOrcid(h: PgHandle, orcid: string): Promise<S.Identity | null> {
  const [r] = await h.rows('SELECT * FROM identities WHERE orcid = $1', [orcid]);
  return r ? toIdentity(r) : null;
}

export async function findIdentityByHostUser(h: PgHandle, hostUserId: string): Promise<S.Identity | null> {
  // A host user may have linked more than one iD over time: the latest linked one counts, else the
  // latest (an iD being released after they chose another is touched later, but is not theirs now).
  const [r] = await h.rows(`SELECT * FROM identities WHERE host_user_id = $1 ORDER BY status = 'linked' DESC, updated_at DESC, id DESC LIMIT 1`, [hostUserId]);
  return r ? toIdentity(r) : null;
}

export async function updateIdentityTokens(h: PgHandle, id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date, credentialsId = DEFAULT_CREDENTIALS): Promise<void> {
  // The token row of that client, and the identity's copy when that client was connected through last.
  await h.rows(
    `WITH tok AS (
       UPDATE identity_tokens SET sealed_tokens = $1, scopes = $2, token_expires_at = $3, updated_at = $4
       WHERE identity_id = $5 AND credentials_id = $6 AND $1::text IS NOT NULL
     )
     UPDATE identities SET sealed_tokens = $1, scopes = $2, token_expires_at = $3, updated_at = $4
     WHERE id = $5 AND token_clients[cardinality(token_clients)] = $6`,
    [sealedTokens, scopes, tokenExpiresAt, now, id, credentialsId],
  );
}

export async function markIdentityUnlinking(h: PgHandle, id: string, now: Date): Promise<void> {
  await h.rows(`UPDATE identities SET status = 'unlinking', updated_at = $1 WHERE id = $2 AND status = 'linked'`, [now, id]);
}

export async function revokeIdentity(h: PgHandle, id: string, now: Date, credentialsId?: string): Promise<void> {
  await h.tx(async (q) => {
    await q.rows('DELETE FROM identity_tokens WHERE identity_id = $1 AND ($2::text IS NULL OR credentials_id = $2)', [id, credentialsId ?? null]);
    const left = (await q.rows('SELECT * FROM identity_tokens WHERE identity_id = $1 ORDER BY linked_at, credentials_id', [id])).map(toIdentityToken);
    const last = left.at(-1);
    if (!last) {
      await q.rows(`UPDATE identities SET status = 'revoked', sealed_tokens = NULL, token_expires_at = NULL, token_clients = '{}', updated_at = $1 WHERE id = $2`, [now, id]);
      return;
    }
    // Another client's token remains: the identity keeps its status, and its copy is that token.
    await q.rows('UPDATE identities SET sealed_tokens = $1, scopes = $2, token_expires_at = $3, token_clients = $4, updated_at = $5 WHERE id = $6',
      [last.sealedTokens, last.scopes, last.tokenExpiresAt, left.map((t) => t.credentialsId), now, id]);
  });
}

export async function updateIdentityName(h: PgHandle, id: string, name: string | null, now: Date): Promise<void> {
  await h.rows('UPDATE identities SET name = $1, updated_at = $2 WHERE id = $3', [name, now, id]);
}

export async function upsertWebhook(h: PgHandle, sub: S.WebhookSubscription): Promise<void> {
  await h.rows(
    'INSERT INTO webhooks (orcid, callback_url, registered_at) VALUES ($1, $2, $3) ON CONFLICT (orcid) DO UPDATE SET callback_url = excluded.callback_url, registered_at = excluded.registered_at',
    [sub.orcid, sub.callbackUrl, sub.registeredAt],
  );
}

export async function deleteWebhook(h: PgHandle, orcid: string): Promise<void> {
  await h.rows('DELETE FROM webhooks WHERE orcid = $1', [orcid]);
}

export async function getWebhook(h: PgHandle, orcid: string): Promise<S.WebhookSubscription | null> {
  const [r] = await h.rows('SELECT * FROM webhooks WHERE orcid = $1', [orcid]);
  return r ? toWebhook(r) : null;
}

export async function createOAuthState(h: PgHandle, state: S.OAuthState): Promise<void> {
  // Expired states are of no use to anyone: each new one sweeps a few away, in the same statement.
  const rows = await h.rows(
    `WITH swept AS (DELETE FROM oauth_states WHERE state_hash IN (SELECT state_hash FROM oauth_states WHERE expires_at < $2 LIMIT 20 FOR UPDATE SKIP LOCKED))
     INSERT INTO oauth_states (state_hash, created_at, expires_at, used_at) VALUES ($1, $2, $3, NULL) ON CONFLICT (state_hash) DO NOTHING RETURNING 1`,
    [state.stateHash, state.createdAt, state.expiresAt],
  );
  if (rows.length === 0) throw new StorageError(STORE_CONFLICT, 'An OAuth state with this hash already exists');
}

export async function consumeOAuthState(h: PgHandle, stateHash: string, now: Date): Promise<S.ConsumeOAuthStateResult> {
  // One statement: only the first caller before expiry changes the row. The row read beside the
  // update is the one before it: a state that was unused and unexpired there, yet not ours, went to
  // a concurrent caller.
  const [r] = await h.rows(
    `WITH used AS (UPDATE oauth_states SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM used) AS won, s.used_at, s.expires_at FROM (SELECT 1) AS one LEFT JOIN oauth_states s ON s.state_hash = $1`,
    [stateHash, now],
  );
  if (r?.won === true) return { ok: true };
  if (!r || r.expires_at === null) return { ok: false, reason: 'unknown' };
  const expired = r.used_at === null && (r.expires_at as Date).getTime() <= now.getTime();
  return { ok: false, reason: expired ? 'expired' : 'used' };
}

export async function putPrefill(h: PgHandle, identityId: string, prefill: S.Prefill, now: Date): Promise<void> {
  await h.rows(
    'INSERT INTO prefills (identity_id, doc, read_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (identity_id) DO UPDATE SET doc = excluded.doc, read_at = excluded.read_at',
    [identityId, JSON.stringify(prefill), now],
  );
}

export async function getPrefill(h: PgHandle, identityId: string): Promise<S.Prefill | null> {
  const [r] = await h.rows('SELECT doc FROM prefills WHERE identity_id = $1', [identityId]);
  return r ? (r.doc as S.Prefill) : null;
}

export async function getSetting(h: PgHandle, key: string): Promise<string | null> {
  const [r] = await h.rows('SELECT value FROM settings WHERE key = $1', [key]);
  return r ? String(r.value) : null;
}

export async function setSetting(h: PgHandle, key: string, value: string): Promise<void> {
  await h.rows('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}
