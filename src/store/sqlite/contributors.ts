/** Directory operations on contributors and invitations over a SQLite handle, one function per operation. */
import { STORE_CONFLICT, StorageError } from '../../errors.js';
import type * as S from '../store.js';
import { placeholders, type SqliteHandle } from './handle.js';
import { ms, toContributor, toIdentity, toInvitation, type Row } from './rows.js';

const UPSERT = `INSERT INTO contributors (id, submission_id, role, given_names, family_name, email, locale, host_user_id, identity_id,
    unauthenticated_orcid, denied_at, invitation_state, invited_at, reminded_at, created_at, updated_at)
  VALUES (@id, @submission_id, @role, @given_names, @family_name, @email, @locale, @host_user_id, NULL,
    @unauthenticated_orcid, NULL, 'none', NULL, NULL, @now, @now)
  ON CONFLICT (id) DO UPDATE SET submission_id = @submission_id,
    role = CASE WHEN @keep_role THEN contributors.role ELSE @role END,
    given_names = @given_names, family_name = @family_name,
    email = CASE WHEN @keep_email THEN contributors.email ELSE @email END,
    locale = CASE WHEN @keep_locale THEN contributors.locale ELSE @locale END,
    host_user_id = CASE WHEN @keep_host THEN contributors.host_user_id ELSE @host_user_id END,
    unauthenticated_orcid = CASE WHEN @keep_orcid THEN contributors.unauthenticated_orcid ELSE @unauthenticated_orcid END,
    updated_at = @now
  RETURNING *`;

/** A contributor row with its identity's columns prefixed `i_` (null when not linked). */
const RESOLVED = `SELECT c.*, i.id AS i_id, i.orcid AS i_orcid, i.host_user_id AS i_host_user_id, i.name AS i_name, i.sealed_tokens AS i_sealed_tokens,
    i.scopes AS i_scopes, i.token_expires_at AS i_token_expires_at, i.token_clients AS i_token_clients, i.status AS i_status, i.authenticated AS i_authenticated,
    i.created_at AS i_created_at, i.updated_at AS i_updated_at
  FROM contributors c LEFT JOIN identities i ON i.id = c.identity_id`;

function toResolved(r: Row): S.ResolvedContributor {
  const i: Row = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('i_')) i[k.slice(2)] = v;
  return { contributor: toContributor(r), identity: i.id === null || i.id === undefined ? null : toIdentity(i) };
}

function upsertOne(h: SqliteHandle, input: S.UpsertContributorsInput, now: Date): S.Contributor {
  // Optional fields left out keep their stored value; the identity link is never touched here.
  return toContributor(h.one(UPSERT, {
    id: input.id, submission_id: input.submissionId, role: input.role, given_names: input.givenNames, family_name: input.familyName,
    email: input.email ?? null, locale: input.locale ?? null, host_user_id: input.hostUserId ?? null, unauthenticated_orcid: input.unauthenticatedOrcid ?? null,
    keep_role: input.keepRole ? 1 : 0, keep_email: input.email === undefined ? 1 : 0,
    keep_locale: input.locale === undefined ? 1 : 0, keep_host: input.hostUserId === undefined ? 1 : 0,
    keep_orcid: input.unauthenticatedOrcid === undefined ? 1 : 0, now: now.getTime(),
  })!);
}

export function upsertContributor(h: SqliteHandle, input: S.UpsertContributorInput, now: Date): S.Contributor {
  return upsertOne(h, input, now);
}

export function upsertContributors(h: SqliteHandle, inputs: S.UpsertContributorsInput[], now: Date): S.ResolvedContributor[] {
  if (inputs.length === 0) return [];
  return h.tx(() => {
    for (const input of inputs) upsertOne(h, input, now);
    return resolveContributors(h, inputs.map((i) => i.id));
  });
}

export function resolveContributors(h: SqliteHandle, ids: string[]): S.ResolvedContributor[] {
  if (ids.length === 0) return [];
  const byId = new Map<string, S.ResolvedContributor>();
  // SQLite allows 32,766 parameters; an article's author list stays far below in chunks of 500.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of h.all(`${RESOLVED} WHERE c.id IN (${placeholders(chunk.length)})`, ...chunk)) byId.set(String(r.id), toResolved(r));
  }
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function getContributor(h: SqliteHandle, id: string): S.Contributor | null {
  const r = h.one('SELECT * FROM contributors WHERE id = ?', id);
  return r ? toContributor(r) : null;
}

export function listContributors(h: SqliteHandle, submissionId: string): S.Contributor[] {
  return h.all('SELECT * FROM contributors WHERE submission_id = ? ORDER BY created_at, id', submissionId).map(toContributor);
}

export function listContributorsByIdentity(h: SqliteHandle, identityId: string): S.Contributor[] {
  return h.all('SELECT * FROM contributors WHERE identity_id = ? ORDER BY created_at, id', identityId).map(toContributor);
}

export function linkContributor(h: SqliteHandle, contributorId: string, identityId: string, now: Date): void {
  h.run('UPDATE contributors SET identity_id = ?, denied_at = NULL, updated_at = ? WHERE id = ?', identityId, now.getTime(), contributorId);
}

export function unlinkContributorsOf(h: SqliteHandle, identityId: string, now: Date): void {
  h.run('UPDATE contributors SET identity_id = NULL, updated_at = ? WHERE identity_id = ?', now.getTime(), identityId);
}

export function markContributorDenied(h: SqliteHandle, contributorId: string, now: Date): void {
  h.run('UPDATE contributors SET denied_at = ?, updated_at = ? WHERE id = ?', now.getTime(), now.getTime(), contributorId);
}

export function setInvitationState(h: SqliteHandle, contributorId: string, state: S.InvitationState, now: Date): void {
  const t = now.getTime();
  h.run(
    `UPDATE contributors SET invitation_state = ?, updated_at = ?,
       invited_at = CASE WHEN ? = 'sent' THEN ? ELSE invited_at END,
       reminded_at = CASE WHEN ? = 'reminded' THEN ? ELSE reminded_at END
     WHERE id = ?`,
    state, t, state, t, state, t, contributorId,
  );
}

export function createInvitation(h: SqliteHandle, inv: S.NewInvitation): void {
  const r = h.run('INSERT OR IGNORE INTO invitations (token_hash, contributor_id, created_at, expires_at, used_at, locale) VALUES (?, ?, ?, ?, NULL, ?)', inv.tokenHash, inv.contributorId, ms(inv.createdAt), ms(inv.expiresAt), inv.locale ?? null);
  if (r.changes === 0) throw new StorageError(STORE_CONFLICT, 'An invitation with this token hash already exists');
}

export function checkInvitation(h: SqliteHandle, tokenHash: string, now: Date): S.ConsumeInvitationResult {
  const row = h.one('SELECT * FROM invitations WHERE token_hash = ?', tokenHash);
  if (!row) return { ok: false, reason: 'unknown' };
  const inv = toInvitation(row);
  if (inv.usedAt) return { ok: false, reason: 'used', invitation: inv };
  if (inv.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', invitation: inv };
  return { ok: true, invitation: inv };
}

export function consumeInvitation(h: SqliteHandle, tokenHash: string, now: Date): S.ConsumeInvitationResult {
  return h.tx(() => {
    const row = h.one('SELECT * FROM invitations WHERE token_hash = ?', tokenHash);
    if (!row) return { ok: false, reason: 'unknown' };
    const inv = toInvitation(row);
    if (inv.usedAt) return { ok: false, reason: 'used', invitation: inv };
    if (inv.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', invitation: inv };
    h.run('UPDATE invitations SET used_at = ? WHERE token_hash = ?', now.getTime(), tokenHash);
    return { ok: true, invitation: { ...inv, usedAt: now } };
  });
}
