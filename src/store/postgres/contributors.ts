/** Directory operations on contributors and invitations over a PostgreSQL handle, in the order of `sqlite/contributors.ts`. */
import { STORE_CONFLICT, StorageError } from '../../errors.js';
import type * as S from '../store.js';
import type { PgHandle } from './handle.js';
import { toContributor, toIdentity, toInvitation, type Row } from './rows.js';

const IDENTITY_COLUMNS = ['id', 'orcid', 'host_user_id', 'name', 'sealed_tokens', 'scopes', 'token_expires_at', 'token_clients', 'status', 'authenticated', 'created_at', 'updated_at'];
const IDENTITY_AS_I = IDENTITY_COLUMNS.map((c) => `i.${c} AS i_${c}`).join(', ');

/** Whether this row's entry in the JSON array ($1) says to keep the stored value of a field. */
const keep = (flag: string): string => `$1::jsonb @> jsonb_build_array(jsonb_build_object('id', c.id::text, '${flag}', true))`;

/**
 * Contributors upserted from one JSON array (optional fields left out keep their stored value; the
 * identity link is never touched here), returned as written with their identities: one statement.
 */
const UPSERT = `WITH up AS (
    INSERT INTO contributors AS c (id, submission_id, role, given_names, family_name, email, locale, host_user_id, identity_id,
      unauthenticated_orcid, denied_at, invitation_state, invited_at, reminded_at, created_at, updated_at)
    SELECT x.id, x.submission_id, x.role, x.given_names, x.family_name, x.email, x.locale, x.host_user_id, NULL,
      x.unauthenticated_orcid, NULL, 'none', NULL, NULL, $2, $2
    FROM jsonb_to_recordset($1::jsonb) AS x(id text, submission_id text, role text, given_names text, family_name text, email text,
      locale text, host_user_id text, unauthenticated_orcid text, keep_role boolean, keep_email boolean, keep_locale boolean,
      keep_host boolean, keep_orcid boolean)
    ON CONFLICT (id) DO UPDATE SET submission_id = excluded.submission_id,
      role = CASE WHEN ${keep('keep_role')} THEN c.role ELSE excluded.role END,
      given_names = excluded.given_names, family_name = excluded.family_name,
      email = CASE WHEN ${keep('keep_email')} THEN c.email ELSE excluded.email END,
      locale = CASE WHEN ${keep('keep_locale')} THEN c.locale ELSE excluded.locale END,
      host_user_id = CASE WHEN ${keep('keep_host')} THEN c.host_user_id ELSE excluded.host_user_id END,
      unauthenticated_orcid = CASE WHEN ${keep('keep_orcid')} THEN c.unauthenticated_orcid ELSE excluded.unauthenticated_orcid END,
      updated_at = excluded.updated_at
    RETURNING *)
  SELECT up.*, ${IDENTITY_AS_I} FROM up LEFT JOIN identities i ON i.id = up.identity_id`;

/** A contributor row with its identity's columns prefixed `i_` (null when not linked). */
const RESOLVED = `SELECT c.*, ${IDENTITY_AS_I} FROM contributors c LEFT JOIN identities i ON i.id = c.identity_id`;

function toResolved(r: Row): S.ResolvedContributor {
  const i: Row = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('i_')) i[k.slice(2)] = v;
  return { contributor: toContributor(r), identity: i.id === null || i.id === undefined ? null : toIdentity(i) };
}

function record(input: S.UpsertContributorsInput): Row {
  return {
    id: input.id, submission_id: input.submissionId, role: input.role, given_names: input.givenNames, family_name: input.familyName,
    email: input.email ?? null, locale: input.locale ?? null, host_user_id: input.hostUserId ?? null, unauthenticated_orcid: input.unauthenticatedOrcid ?? null,
    keep_role: input.keepRole === true, keep_email: input.email === undefined, keep_locale: input.locale === undefined,
    keep_host: input.hostUserId === undefined, keep_orcid: input.unauthenticatedOrcid === undefined,
  };
}

async function upsertBatch(h: PgHandle, inputs: S.UpsertContributorsInput[], now: Date): Promise<Map<string, S.ResolvedContributor>> {
  const rows = await h.rows(UPSERT, [JSON.stringify(inputs.map(record)), now]);
  return new Map(rows.map((r) => [String(r.id), toResolved(r)]));
}

export async function upsertContributor(h: PgHandle, input: S.UpsertContributorInput, now: Date): Promise<S.Contributor> {
  return (await upsertBatch(h, [input], now)).get(input.id)!.contributor;
}

export async function upsertContributors(h: PgHandle, inputs: S.UpsertContributorsInput[], now: Date): Promise<S.ResolvedContributor[]> {
  if (inputs.length === 0) return [];
  // One statement cannot change a row twice: a contributor listed twice is written as its last entry says.
  const last = new Map(inputs.map((i) => [i.id, i]));
  const written = await upsertBatch(h, [...last.values()], now);
  return inputs.flatMap((i, n) => (inputs.findIndex((j) => j.id === i.id) === n ? [written.get(i.id)!] : []));
}

export async function resolveContributors(h: PgHandle, ids: string[]): Promise<S.ResolvedContributor[]> {
  if (ids.length === 0) return [];
  const byId = new Map((await h.rows(`${RESOLVED} WHERE c.id = ANY($1)`, [ids])).map((r) => [String(r.id), toResolved(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function getContributor(h: PgHandle, id: string): Promise<S.Contributor | null> {
  const [r] = await h.rows('SELECT * FROM contributors WHERE id = $1', [id]);
  return r ? toContributor(r) : null;
}

export async function listContributors(h: PgHandle, submissionId: string): Promise<S.Contributor[]> {
  return (await h.rows('SELECT * FROM contributors WHERE submission_id = $1 ORDER BY created_at, id', [submissionId])).map(toContributor);
}

export async function listContributorsByIdentity(h: PgHandle, identityId: string): Promise<S.Contributor[]> {
  return (await h.rows('SELECT * FROM contributors WHERE identity_id = $1 ORDER BY created_at, id', [identityId])).map(toContributor);
}

export async function linkContributor(h: PgHandle, contributorId: string, identityId: string, now: Date): Promise<void> {
  await h.rows('UPDATE contributors SET identity_id = $1, denied_at = NULL, updated_at = $2 WHERE id = $3', [identityId, now, contributorId]);
}

export async function unlinkContributorsOf(h: PgHandle, identityId: string, now: Date): Promise<void> {
  await h.rows('UPDATE contributors SET identity_id = NULL, updated_at = $1 WHERE identity_id = $2', [now, identityId]);
}

export async function markContributorDenied(h: PgHandle, contributorId: string, now: Date): Promise<void> {
  await h.rows('UPDATE contributors SET denied_at = $1, updated_at = $1 WHERE id = $2', [now, contributorId]);
}

export async function setInvitationState(h: PgHandle, contributorId: string, state: S.InvitationState, now: Date): Promise<void> {
  await h.rows(
    `UPDATE contributors SET invitation_state = $1, updated_at = $2,
       invited_at = CASE WHEN $1 = 'sent' THEN $2 ELSE invited_at END,
       reminded_at = CASE WHEN $1 = 'reminded' THEN $2 ELSE reminded_at END
     WHERE id = $3`,
    [state, now, contributorId],
  );
}

export async function createInvitation(h: PgHandle, inv: S.NewInvitation): Promise<void> {
  const rows = await h.rows(
    'INSERT INTO invitations (token_hash, contributor_id, created_at, expires_at, used_at, locale) VALUES ($1, $2, $3, $4, NULL, $5) ON CONFLICT (token_hash) DO NOTHING RETURNING 1',
    [inv.tokenHash, inv.contributorId, inv.createdAt, inv.expiresAt, inv.locale ?? null],
  );
  if (rows.length === 0) throw new StorageError(STORE_CONFLICT, 'An invitation with this token hash already exists');
}

/** Read an invitation without using it (opening a link, a mail scanner's prefetch). */
export async function checkInvitation(h: PgHandle, tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
  const [r] = await h.rows('SELECT * FROM invitations WHERE token_hash = $1', [tokenHash]);
  if (!r) return { ok: false, reason: 'unknown' };
  const inv = toInvitation(r);
  if (inv.usedAt) return { ok: false, reason: 'used', invitation: inv };
  if (inv.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', invitation: inv };
  return { ok: true, invitation: inv };
}

export async function consumeInvitation(h: PgHandle, tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
  // One statement, as consumeOAuthState: only the first caller before expiry changes the row.
  const [r] = await h.rows(
    `WITH used AS (UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING *)
     SELECT s.*, EXISTS (SELECT 1 FROM used) AS won FROM (SELECT 1) AS one LEFT JOIN invitations s ON s.token_hash = $1`,
    [tokenHash, now],
  );
  if (!r || r.token_hash === null) return { ok: false, reason: 'unknown' };
  const inv = toInvitation(r);
  if (r.won === true) return { ok: true, invitation: { ...inv, usedAt: now } };
  const expired = inv.usedAt === null && inv.expiresAt.getTime() <= now.getTime();
  return { ok: false, reason: expired ? 'expired' : 'used', invitation: inv };
}
