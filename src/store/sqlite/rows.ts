/** SQLite rows (snake_case, integer ms dates) to domain objects and back. Pure. */
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

export const ms = (d: Date | null | undefined): number | null => (d ? d.getTime() : null);
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toIdentity(r: Row): Identity {
  return {
    id: String(r.id),
    orcid: String(r.orcid),
    hostUserId: str(r.host_user_id),
    name: str(r.name),
    sealedTokens: str(r.sealed_tokens),
    scopes: JSON.parse(String(r.scopes)) as string[],
    tokenExpiresAt: date(r.token_expires_at),
    tokenClients: r.token_clients === undefined || r.token_clients === null ? [] : JSON.parse(String(r.token_clients)) as string[],
    status: r.status as IdentityStatus,
    authenticated: r.authenticated === 1,
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

export function toIdentityToken(r: Row): IdentityToken {
  return {
    identityId: String(r.identity_id),
    credentialsId: String(r.credentials_id),
    sealedTokens: String(r.sealed_tokens),
    scopes: JSON.parse(String(r.scopes)) as string[],
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
    maybePosted: Number(r.maybe_posted) === 1,
    status: r.status as DepositStatus,
    lastError: str(r.last_error),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}

/** Named parameters for the deposits table. */
export function depositParams(d: Deposit): Row {
  return {
    key: d.key,
    kind: d.kind,
    identity_id: d.identityId,
    orcid: d.orcid,
    source_id: d.sourceId,
    submission_id: d.submissionId,
    external_id_type: d.externalIdType,
    external_id_value: d.externalIdValue,
    desired_state: d.desiredState,
    payload: d.payload,
    payload_hash: d.payloadHash,
    version: d.version,
    put_code: d.putCode,
    posted_hash: d.postedHash,
    maybe_posted: d.maybePosted ? 1 : 0,
    status: d.status,
    last_error: d.lastError,
    created_at: ms(d.createdAt),
    updated_at: ms(d.updatedAt),
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

export function jobParams(j: Job): Row {
  return {
    id: j.id,
    deposit_key: j.depositKey,
    status: j.status,
    attempts: j.attempts,
    run_at: ms(j.runAt),
    leased_by: j.leasedBy,
    lease_expires_at: ms(j.leaseExpiresAt),
    last_error: j.lastError,
    park_reason: j.parkReason,
    created_at: ms(j.createdAt),
    updated_at: ms(j.updatedAt),
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
    detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
  };
}

export function toArticle(r: Row): StoredArticle {
  const retraction = r.retraction === null || r.retraction === undefined ? null : (JSON.parse(String(r.retraction)) as { notice?: string });
  return { ...(JSON.parse(String(r.doc)) as Omit<StoredArticle, 'retraction'>), retraction };
}

export const fromDoc = <T>(r: Row): T => JSON.parse(String(r.doc)) as T;
