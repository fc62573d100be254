/**
 * PostgreSQL rows (snake_case; `pg` already gives Date, boolean, text[] and parsed jsonb) to
 * domain objects and back. Pure.
 */
import type {
  ClaimedJob,
  Contributor,
  ContributorRole,
  Deposit,
  DepositStatus,
  DesiredState,
  HistoryEntry,
  Identity,
  IdentityStatus,
  IdentityToken,
  InvitationState,
  Invitation,
  Job,
  JobStatus,
  LedgerKind,
  StoredArticle,
  WebhookSubscription,
} from '../store.js';

export type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toIdentity(r: Row): Identity {
  return {
    id: String(r.id),
    orcid: String(r.orcid),
    hostUserId: str(r.host_user_id),
    name: str(r.name),
    sealedTokens: str(r.sealed_tokens),
    scopes: [...(r.scopes as string[])],
    tokenExpiresAt: date(r.token_expires_at),
    tokenClients: Array.isArray(r.token_clients) ? [...(r.token_clients as string[])] : [],
    status: r.status as IdentityStatus,
    authenticated: r.authenticated === true,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

export function toIdentityToken(r: Row): IdentityToken {
  return {
    identityId: String(r.identity_id),
    credentialsId: String(r.credentials_id),
    sealedTokens: String(r.sealed_tokens),
    scopes: [...(r.scopes as string[])],
    tokenExpiresAt: date(r.token_expires_at),
    updatedAt: date(r.updated_at)!,
  };
}

export function toContributor(r: Row): Contributor {
  return {
    id: String(r.id),
    submissionId: String(r.submission_id),
    role: r.role as ContributorRole,
    givenNames: String(r.given_names),
    familyName: String(r.family_name),
    email: str(r.email),
    locale: str(r.locale),
    hostUserId: str(r.host_user_id),
    identityId: str(r.identity_id),
    unauthenticatedOrcid: str(r.unauthenticated_orcid),
    deniedAt: date(r.denied_at),
    invitationState: r.invitation_state as InvitationState,
    invitedAt: date(r.invited_at),
    remindedAt: date(r.reminded_at),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

export function toInvitation(r: Row): Invitation {
  return {
    tokenHash: String(r.token_hash),
    contributorId: String(r.contributor_id),
    createdAt: date(r.created_at)!,
    expiresAt: date(r.expires_at)!,
    usedAt: date(r.used_at),
    locale: r.locale === null || r.locale === undefined ? null : String(r.locale),
  };
}

export const DEPOSIT_COLUMNS = [
  'key', 'kind', 'identity_id', 'orcid', 'source_id', 'submission_id', 'external_id_type', 'external_id_value', 'desired_state',
  'payload', 'payload_hash', 'version', 'put_code', 'posted_hash', 'maybe_posted', 'status', 'last_error', 'created_at', 'updated_at',
] as const;
/** Column types for `jsonb_to_recordset` (rows sent as one JSON array). */
export const DEPOSIT_RECORD = `key text, kind text, identity_id text, orcid text, source_id text, submission_id text, external_id_type text,
  external_id_value text, desired_state text, payload text, payload_hash text, version integer, put_code text, posted_hash text,
  maybe_posted boolean, status text, last_error text, created_at timestamptz, updated_at timestamptz`;

export const JOB_COLUMNS = ['id', 'deposit_key', 'status', 'attempts', 'run_at', 'leased_by', 'lease_expires_at', 'last_error', 'park_reason', 'created_at', 'updated_at', 'journal_id'] as const;
export const JOB_RECORD = `id text, deposit_key text, status text, attempts integer, run_at timestamptz, leased_by text, lease_expires_at timestamptz,
  last_error text, park_reason text, created_at timestamptz, updated_at timestamptz, journal_id text`;

export function toDeposit(r: Row): Deposit {
  return {
    key: String(r.key),
    kind: r.kind as LedgerKind,
    identityId: String(r.identity_id),
    orcid: String(r.orcid),
    sourceId: String(r.source_id),
    submissionId: str(r.submission_id),
    externalIdType: String(r.external_id_type),
    externalIdValue: String(r.external_id_value),
    desiredState: r.desired_state as DesiredState,
    payload: str(r.payload),
    payloadHash: str(r.payload_hash),
    version: Number(r.version),
    putCode: str(r.put_code),
    postedHash: str(r.posted_hash),
    maybePosted: r.maybe_posted === true,
    status: r.status as DepositStatus,
    lastError: str(r.last_error),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

/** A deposit as a JSON record for `jsonb_to_recordset(…) AS x(DEPOSIT_RECORD)`. */
export function depositRecord(d: Deposit): Row {
  return {
    key: d.key, kind: d.kind, identity_id: d.identityId, orcid: d.orcid, source_id: d.sourceId, submission_id: d.submissionId,
    external_id_type: d.externalIdType, external_id_value: d.externalIdValue, desired_state: d.desiredState, payload: d.payload,
    payload_hash: d.payloadHash, version: d.version, put_code: d.putCode, posted_hash: d.postedHash, maybe_posted: d.maybePosted,
    status: d.status, last_error: d.lastError, created_at: d.createdAt.toISOString(), updated_at: d.updatedAt.toISOString(),
  };
}

export function toJob(r: Row): Job {
  return {
    id: String(r.id),
    depositKey: String(r.deposit_key),
    status: r.status as JobStatus,
    attempts: Number(r.attempts),
    runAt: date(r.run_at)!,
    leasedBy: str(r.leased_by),
    leaseExpiresAt: date(r.lease_expires_at),
    lastError: str(r.last_error),
    parkReason: str(r.park_reason),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

/** A job and its journal as a JSON record for `jsonb_to_recordset(…) AS x(JOB_RECORD)`. */
export function jobRecord(j: Job, journalId: string): Row {
  return {
    journal_id: journalId,
    id: j.id, deposit_key: j.depositKey, status: j.status, attempts: j.attempts, run_at: j.runAt.toISOString(), leased_by: j.leasedBy,
    lease_expires_at: j.leaseExpiresAt?.toISOString() ?? null, last_error: j.lastError, park_reason: j.parkReason,
    created_at: j.createdAt.toISOString(), updated_at: j.updatedAt.toISOString(),
  };
}

/** A row of `jobs` joined with its deposit, the deposit's columns prefixed with `d_`. */
export function splitJoined(r: Row): ClaimedJob {
  const d: Row = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('d_')) d[k.slice(2)] = v;
  return { job: toJob(r), deposit: toDeposit(d), journalId: String(r.journal_id) };
}

export function toWebhook(r: Row): WebhookSubscription {
  return { orcid: String(r.orcid), callbackUrl: String(r.callback_url), registeredAt: date(r.registered_at)! };
}

export function toHistory(r: Row): HistoryEntry {
  return {
    id: String(r.id),
    at: date(r.at)!,
    event: String(r.event),
    orcid: str(r.orcid),
    identityId: str(r.identity_id),
    submissionId: str(r.submission_id),
    depositKey: str(r.deposit_key),
    jobId: str(r.job_id),
    detail: r.detail as Record<string, unknown>,
  };
}

export function toArticle(doc: unknown, retraction: unknown): StoredArticle {
  return { ...(doc as Omit<StoredArticle, 'retraction'>), retraction: (retraction ?? null) as { notice?: string } | null };
}
