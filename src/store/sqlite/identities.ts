/**
 * Directory operations on identities, webhooks, OAuth states, prefills and settings, over a
 * SQLite handle: one function per operation, each one statement or one transaction.
 */
import { randomUUID } from 'node:crypto';
import { STORE_CONFLICT, StorageError } from '../../errors.js';
import type * as S from '../store.js';
import type { SqliteHandle } from './handle.js';
import { fromDoc, ms, toIdentity, toIdentityToken, toWebhook } from './rows.js';

const DEFAULT_CREDENTIALS = 'default';

export function linkIdentity(h: SqliteHandle, input: S.LinkIdentityInput, now: Date): S.Identity {
  const t = now.getTime();
  const client = input.credentialsId ?? DEFAULT_CREDENTIALS;
  return h.tx(() => {
    // One statement for the identity: fields left out (undefined) keep their stored value; the
    // client connected through moves to the end of `token_clients` (other clients' tokens stay).
    const row = h.one(
      `INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at, token_clients)
       VALUES (@id, @orcid, @host_user_id, @name, @sealed_tokens, @scopes, @token_expires_at, 'linked', @authenticated, @now, @now, @clients)
       ON CONFLICT (orcid) DO UPDATE SET
         host_user_id = CASE WHEN @keep_host THEN identities.host_user_id ELSE @host_user_id END,
         name = CASE WHEN @keep_name THEN identities.name ELSE @name END,
         sealed_tokens = @sealed_tokens, scopes = @scopes, token_expires_at = @token_expires_at, status = 'linked',
         authenticated = @authenticated, updated_at = @now,
         token_clients = CASE WHEN @sealed_tokens IS NULL THEN identities.token_clients ELSE
           (SELECT json_group_array(value) FROM (SELECT value FROM json_each(identities.token_clients) WHERE value <> @client UNION ALL SELECT @client)) END
       RETURNING *`,
      {
        id: randomUUID(), orcid: input.orcid, host_user_id: input.hostUserId ?? null, name: input.name ?? null,
        keep_host: input.hostUserId === undefined ? 1 : 0, keep_name: input.name === undefined ? 1 : 0,
        sealed_tokens: input.sealedTokens, scopes: JSON.stringify(input.scopes), token_expires_at: ms(input.tokenExpiresAt),
        authenticated: input.authenticated === false ? 0 : 1, now: t, client,
        clients: JSON.stringify(input.sealedTokens === null ? [] : [client]),
      },
    )!;
    if (input.sealedTokens !== null) {
      h.run(
        `INSERT INTO identity_tokens (identity_id, credentials_id, sealed_tokens, scopes, token_expires_at, linked_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (identity_id, credentials_id) DO UPDATE SET sealed_tokens = excluded.sealed_tokens, scopes = excluded.scopes,
           token_expires_at = excluded.token_expires_at, linked_at = excluded.linked_at, updated_at = excluded.updated_at`,
        row.id, client, input.sealedTokens, JSON.stringify(input.scopes), ms(input.tokenExpiresAt), t, t,
      );
    }
    return toIdentity(row);
  });
}

export function getIdentityToken(h: SqliteHandle, identityId: string, credentialsId: string): S.IdentityToken | null {
  const r = h.one('SELECT * FROM identity_tokens WHERE identity_id = ? AND credentials_id = ?', identityId, credentialsId);
  return r ? toIdentityToken(r) : null;
}

export function listIdentityTokens(h: SqliteHandle, identityId: string): S.IdentityToken[] {
  return h.all('SELECT * FROM identity_tokens WHERE identity_id = ? ORDER BY linked_at, credentials_id', identityId).map(toIdentityToken);
}

export function getIdentity(h: SqliteHandle, id: string): S.Identity | null {
  const r = h.one('SELECT * FROM identities WHERE id = ?', id);
  return r ? toIdentity(r) : null;
}

export function findIdentityByOrcid(h: SqliteHandle, orcid: string): S.Identity | null {
  const r = h.one('SELECT * FROM identities WHERE orcid = ?', orcid);
  return r ? toIdentity(r) : null;
}

export function findIdentityByHostUser(h: SqliteHandle, hostUserId: string): S.Identity | null {
  // A host user may have linked more than one iD over time: the latest linked one counts, else the
  // latest (an iD being released after they chose another is touched later, but is not theirs now).
  const r = h.one(`SELECT * FROM identities WHERE host_user_id = ? ORDER BY status = 'linked' DESC, updated_at DESC, id DESC LIMIT 1`, hostUserId);
  return r ? toIdentity(r) : null;
}

export function updateIdentityTokens(h: SqliteHandle, id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date, credentialsId = DEFAULT_CREDENTIALS): void {
  h.tx(() => {
    if (sealedTokens !== null) {
      h.run('UPDATE identity_tokens SET sealed_tokens = ?, scopes = ?, token_expires_at = ?, updated_at = ? WHERE identity_id = ? AND credentials_id = ?',
        sealedTokens, JSON.stringify(scopes), ms(tokenExpiresAt), now.getTime(), id, credentialsId);
    }
    // The identity's copy is the last connected client's token: refreshed with it.
    h.run(`UPDATE identities SET sealed_tokens = ?, scopes = ?, token_expires_at = ?, updated_at = ?
           WHERE id = ? AND json_extract(token_clients, '$[#-1]') = ?`, sealedTokens, JSON.stringify(scopes), ms(tokenExpiresAt), now.getTime(), id, credentialsId);
  });
}

export function markIdentityUnlinking(h: SqliteHandle, id: string, now: Date): void {
  h.run(`UPDATE identities SET status = 'unlinking', updated_at = ? WHERE id = ? AND status = 'linked'`, now.getTime(), id);
}

export function revokeIdentity(h: SqliteHandle, id: string, now: Date, credentialsId?: string): void {
  h.tx(() => {
    if (credentialsId === undefined) h.run('DELETE FROM identity_tokens WHERE identity_id = ?', id);
    else h.run('DELETE FROM identity_tokens WHERE identity_id = ? AND credentials_id = ?', id, credentialsId);
    const left = listIdentityTokens(h, id);
    const last = left.at(-1);
    if (!last) {
      h.run(`UPDATE identities SET status = 'revoked', sealed_tokens = NULL, token_expires_at = NULL, token_clients = '[]', updated_at = ? WHERE id = ?`, now.getTime(), id);
      return;
    }
    // Another client's token remains: the identity keeps its status, and its copy is that token.
    h.run('UPDATE identities SET sealed_tokens = ?, scopes = ?, token_expires_at = ?, token_clients = ?, updated_at = ? WHERE id = ?',
      last.sealedTokens, JSON.stringify(last.scopes), ms(last.tokenExpiresAt), JSON.stringify(left.map((t) => t.credentialsId)), now.getTime(), id);
  });
}

export function updateIdentityName(h: SqliteHandle, id: string, name: string | null, now: Date): void {
  h.run('UPDATE identities SET name = ?, updated_at = ? WHERE id = ?', name, now.getTime(), id);
}

export function upsertWebhook(h: SqliteHandle, sub: S.WebhookSubscription): void {
  h.run('INSERT INTO webhooks (orcid, callback_url, registered_at) VALUES (?, ?, ?) ON CONFLICT (orcid) DO UPDATE SET callback_url = excluded.callback_url, registered_at = excluded.registered_at', sub.orcid, sub.callbackUrl, ms(sub.registeredAt));
}

export function deleteWebhook(h: SqliteHandle, orcid: string): void {
  h.run('DELETE FROM webhooks WHERE orcid = ?', orcid);
}

export function getWebhook(h: SqliteHandle, orcid: string): S.WebhookSubscription | null {
  const r = h.one('SELECT * FROM webhooks WHERE orcid = ?', orcid);
  return r ? toWebhook(r) : null;
}

export function createOAuthState(h: SqliteHandle, state: S.OAuthState): void {
  h.tx(() => {
    // Expired states are of no use to anyone: each new one sweeps a few away.
    h.run('DELETE FROM oauth_states WHERE state_hash IN (SELECT state_hash FROM oauth_states WHERE expires_at < ? LIMIT 20)', ms(state.createdAt));
    const r = h.run('INSERT OR IGNORE INTO oauth_states (state_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, NULL)', state.stateHash, ms(state.createdAt), ms(state.expiresAt));
    if (r.changes === 0) throw new StorageError(STORE_CONFLICT, 'An OAuth state with this hash already exists');
  });
}

export function consumeOAuthState(h: SqliteHandle, stateHash: string, now: Date): S.ConsumeOAuthStateResult {
  // One statement: only the first caller before expiry changes the row.
  const t = now.getTime();
  const used = h.run('UPDATE oauth_states SET used_at = ? WHERE state_hash = ? AND used_at IS NULL AND expires_at > ?', t, stateHash, t);
  if (used.changes === 1) return { ok: true };
  const r = h.one('SELECT used_at FROM oauth_states WHERE state_hash = ?', stateHash);
  return { ok: false, reason: !r ? 'unknown' : r.used_at !== null ? 'used' : 'expired' };
}

export function putPrefill(h: SqliteHandle, identityId: string, prefill: S.Prefill, now: Date): void {
  h.run('INSERT INTO prefills (identity_id, doc, read_at) VALUES (?, ?, ?) ON CONFLICT (identity_id) DO UPDATE SET doc = excluded.doc, read_at = excluded.read_at', identityId, JSON.stringify(prefill), now.getTime());
}

export function getPrefill(h: SqliteHandle, identityId: string): S.Prefill | null {
  const r = h.one('SELECT doc FROM prefills WHERE identity_id = ?', identityId);
  return r ? fromDoc<S.Prefill>(r) : null;
}

export function getSetting(h: SqliteHandle, key: string): string | null {
  const r = h.one('SELECT value FROM settings WHERE key = ?', key);
  return r ? String(r.value) : null;
}

export function setSetting(h: SqliteHandle, key: string, value: string): void {
  h.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
}
