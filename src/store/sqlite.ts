/**
 * The embedded default Store: one SQLite file through better-sqlite3, shared safely by several
 * processes (WAL, busy timeout, IMMEDIATE transactions for every read-then-write).
 *
 * better-sqlite3 is synchronous; the async methods only keep the port's shape. Dates are stored
 * as integer milliseconds. The connection lives in `sqlite-db.ts`, the ledger and outbox in
 * `sqlite-outbox.ts`; the ledger rules in `deposit-rules.ts`, shared with MongoDB.
 *
 * @example
 * const store = new SqliteStore({ path: './orcid.db' });
 * await store.init();
 */
import { randomUUID } from 'node:crypto';
import { STORE_CONFLICT, StorageError } from '../errors.js';
import { DEFAULT_LIST_LIMIT } from './deposit-rules.js';
import { ms, toContributor, toHistory, toIdentity, toInvitation, toWebhook } from './sqlite-rows.js';
import type * as S from './store.js';
import { conditions } from './sqlite-db.js';
import { SqliteOutbox } from './sqlite-outbox.js';

export type { SqliteStoreOptions } from './sqlite-db.js';

export class SqliteStore extends SqliteOutbox implements S.Store {
  // identities

  async linkIdentity(input: S.LinkIdentityInput, now: Date): Promise<S.Identity> {
    return this.tx(() => {
      const existing = this.one('SELECT * FROM identities WHERE orcid = ?', input.orcid);
      const p = {
        id: existing ? existing.id : randomUUID(),
        orcid: input.orcid,
        host_user_id: input.hostUserId === undefined ? (existing?.host_user_id ?? null) : input.hostUserId,
        name: input.name === undefined ? (existing?.name ?? null) : input.name,
        sealed_tokens: input.sealedTokens,
        scopes: JSON.stringify(input.scopes),
        token_expires_at: ms(input.tokenExpiresAt),
        authenticated: input.authenticated === false ? 0 : 1,
        now: now.getTime(),
      };
      this.run(
        `INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at)
         VALUES (@id, @orcid, @host_user_id, @name, @sealed_tokens, @scopes, @token_expires_at, 'linked', @authenticated, @now, @now)
         ON CONFLICT (orcid) DO UPDATE SET host_user_id = @host_user_id, name = @name, sealed_tokens = @sealed_tokens, scopes = @scopes,
           token_expires_at = @token_expires_at, status = 'linked', authenticated = @authenticated, updated_at = @now`,
        p,
      );
      return toIdentity(this.one('SELECT * FROM identities WHERE orcid = ?', input.orcid)!);
    });
  }

  async getIdentity(id: string): Promise<S.Identity | null> {
    return this.map(this.one('SELECT * FROM identities WHERE id = ?', id), toIdentity);
  }

  async findIdentityByOrcid(orcid: string): Promise<S.Identity | null> {
    return this.map(this.one('SELECT * FROM identities WHERE orcid = ?', orcid), toIdentity);
  }

  async findIdentityByHostUser(hostUserId: string): Promise<S.Identity | null> {
    // A host user may have linked more than one iD over time: the latest one counts.
    const r = this.one('SELECT * FROM identities WHERE host_user_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1', hostUserId);
    return this.map(r, toIdentity);
  }

  async updateIdentityTokens(id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date): Promise<void> {
    this.run('UPDATE identities SET sealed_tokens = ?, scopes = ?, token_expires_at = ?, updated_at = ? WHERE id = ?', sealedTokens, JSON.stringify(scopes), ms(tokenExpiresAt), now.getTime(), id);
  }

  async revokeIdentity(id: string, now: Date): Promise<void> {
    this.run(`UPDATE identities SET status = 'revoked', sealed_tokens = NULL, token_expires_at = NULL, updated_at = ? WHERE id = ?`, now.getTime(), id);
  }

  async updateIdentityName(id: string, name: string | null, now: Date): Promise<void> {
    this.run('UPDATE identities SET name = ?, updated_at = ? WHERE id = ?', name, now.getTime(), id);
  }

  // contributors

  async upsertContributor(input: S.UpsertContributorInput, now: Date): Promise<S.Contributor> {
    return this.tx(() => {
      const old = this.one('SELECT * FROM contributors WHERE id = ?', input.id);
      // Optional fields left out keep their stored value; the identity link is never touched here.
      const keep = (v: string | null | undefined, column: string) => (v === undefined ? (old?.[column] ?? null) : v);
      const p = {
        id: input.id,
        submission_id: input.submissionId,
        role: input.role,
        given_names: input.givenNames,
        family_name: input.familyName,
        email: keep(input.email, 'email'),
        locale: keep(input.locale, 'locale'),
        host_user_id: keep(input.hostUserId, 'host_user_id'),
        unauthenticated_orcid: keep(input.unauthenticatedOrcid, 'unauthenticated_orcid'),
        now: now.getTime(),
      };
      this.run(
        `INSERT INTO contributors (id, submission_id, role, given_names, family_name, email, locale, host_user_id, identity_id,
           unauthenticated_orcid, denied_at, invitation_state, invited_at, reminded_at, created_at, updated_at)
         VALUES (@id, @submission_id, @role, @given_names, @family_name, @email, @locale, @host_user_id, NULL,
           @unauthenticated_orcid, NULL, 'none', NULL, NULL, @now, @now)
         ON CONFLICT (id) DO UPDATE SET submission_id = @submission_id, role = @role, given_names = @given_names,
           family_name = @family_name, email = @email, locale = @locale, host_user_id = @host_user_id,
           unauthenticated_orcid = @unauthenticated_orcid, updated_at = @now`,
        p,
      );
      return toContributor(this.one('SELECT * FROM contributors WHERE id = ?', input.id)!);
    });
  }

  async getContributor(id: string): Promise<S.Contributor | null> {
    return this.map(this.one('SELECT * FROM contributors WHERE id = ?', id), toContributor);
  }

  async listContributors(submissionId: string): Promise<S.Contributor[]> {
    return this.all('SELECT * FROM contributors WHERE submission_id = ? ORDER BY created_at, id', submissionId).map(toContributor);
  }

  async listContributorsByIdentity(identityId: string): Promise<S.Contributor[]> {
    return this.all('SELECT * FROM contributors WHERE identity_id = ? ORDER BY created_at, id', identityId).map(toContributor);
  }

  async linkContributor(contributorId: string, identityId: string, now: Date): Promise<void> {
    this.run('UPDATE contributors SET identity_id = ?, denied_at = NULL, updated_at = ? WHERE id = ?', identityId, now.getTime(), contributorId);
  }

  async unlinkContributorsOf(identityId: string, now: Date): Promise<void> {
    this.run('UPDATE contributors SET identity_id = NULL, updated_at = ? WHERE identity_id = ?', now.getTime(), identityId);
  }

  async markContributorDenied(contributorId: string, now: Date): Promise<void> {
    this.run('UPDATE contributors SET denied_at = ?, updated_at = ? WHERE id = ?', now.getTime(), now.getTime(), contributorId);
  }

  async setInvitationState(contributorId: string, state: S.InvitationState, now: Date): Promise<void> {
    const t = now.getTime();
    this.run(
      `UPDATE contributors SET invitation_state = ?, updated_at = ?,
         invited_at = CASE WHEN ? = 'sent' THEN ? ELSE invited_at END,
         reminded_at = CASE WHEN ? = 'reminded' THEN ? ELSE reminded_at END
       WHERE id = ?`,
      state, t, state, t, state, t, contributorId,
    );
  }

  // invitations

  async createInvitation(inv: Omit<S.Invitation, 'usedAt'>): Promise<void> {
    const r = this.run('INSERT OR IGNORE INTO invitations (token_hash, contributor_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)', inv.tokenHash, inv.contributorId, ms(inv.createdAt), ms(inv.expiresAt));
    if (r.changes === 0) throw new StorageError(STORE_CONFLICT, 'An invitation with this token hash already exists');
  }

  async consumeInvitation(tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
    return this.tx(() => {
      const row = this.one('SELECT * FROM invitations WHERE token_hash = ?', tokenHash);
      if (!row) return { ok: false, reason: 'unknown' };
      const inv = toInvitation(row);
      if (inv.usedAt) return { ok: false, reason: 'used' };
      if (inv.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
      this.run('UPDATE invitations SET used_at = ? WHERE token_hash = ?', now.getTime(), tokenHash);
      return { ok: true, invitation: { ...inv, usedAt: now } };
    });
  }

  // webhooks

  async upsertWebhook(sub: S.WebhookSubscription): Promise<void> {
    this.run('INSERT INTO webhooks (orcid, callback_url, registered_at) VALUES (?, ?, ?) ON CONFLICT (orcid) DO UPDATE SET callback_url = excluded.callback_url, registered_at = excluded.registered_at', sub.orcid, sub.callbackUrl, ms(sub.registeredAt));
  }

  async deleteWebhook(orcid: string): Promise<void> {
    this.run('DELETE FROM webhooks WHERE orcid = ?', orcid);
  }

  async getWebhook(orcid: string): Promise<S.WebhookSubscription | null> {
    return this.map(this.one('SELECT * FROM webhooks WHERE orcid = ?', orcid), toWebhook);
  }

  async listWebhooks(): Promise<S.WebhookSubscription[]> {
    return this.all('SELECT * FROM webhooks ORDER BY orcid').map(toWebhook);
  }

  // history

  async appendHistory(e: S.HistoryInput): Promise<void> {
    this.insertHistory(e);
  }



  async listHistory(filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<S.HistoryEntry[]> {
    const { where, params } = conditions({ orcid: filter.orcid, submission_id: filter.submissionId, deposit_key: filter.depositKey });
    return this.all(`SELECT * FROM history ${where} ORDER BY at DESC, seq DESC LIMIT ?`, ...params, filter.limit ?? DEFAULT_LIST_LIMIT).map(toHistory);
  }

  // settings

  async getSetting(key: string): Promise<string | null> {
    const r = this.one('SELECT value FROM settings WHERE key = ?', key);
    return r ? String(r.value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }
}
