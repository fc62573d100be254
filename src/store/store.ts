/**
 * The Store port: the only way the rest of the plugin touches persistence.
 *
 * Glossary
 * - identity: a researcher's ORCID iD as connected to this journal, with their (sealed) token set.
 * - contributor: a person on a submission as the host knows them (author, co-author, reviewer, editor),
 *   keyed by the host's own contributor id; linked to an identity once they connect.
 * - deposit: one item we keep on one ORCID record (a work, a peer-review or a service), keyed by
 *   `key` (e.g. `work:article-17:0000-0002-1825-0097`). It holds the *desired* state (payload or
 *   absent) and what we last *posted* (put-code, payload hash). The ledger is the set of deposits.
 * - outbox job: a durable request to bring one deposit's posted state to its desired state. At most
 *   one open job exists per deposit; changing the desired state while a job is leased bumps the
 *   deposit's version, and completing the older version re-queues the job instead of finishing it.
 * - put-code: ORCID's id of an item on a record, returned in the `Location` of a POST.
 * - attempt: one claim of a job by a worker; retry state (attempts, runAt, lastError) lives in the row.
 *
 * Adapters: `sqlite.ts` (embedded default) and `mongo.ts` (production / scale-out). Both pass
 * `test/store/contract.ts`. Tokens reach the store already sealed (AES-256-GCM, see
 * `token-cipher.ts`): the store never sees a plaintext token.
 */

export type IdentityStatus = 'linked' | 'denied' | 'revoked';
export type ContributorRole = 'author' | 'coauthor' | 'reviewer' | 'editor';
export type InvitationState = 'none' | 'sent' | 'reminded' | 'used';
export type DepositKind = 'work' | 'peer-review' | 'service';
/** What we want on the record: the payload, or nothing. */
export type DesiredState = 'present' | 'absent';
/**
 * - `pending`: never posted yet, or a change not yet applied
 * - `synced`: the record holds our latest payload (or, for `absent`, nothing)
 * - `removed-by-researcher`: ORCID answered 404 for our put-code; we do not re-add on our own
 * - `parked`: the job is parked (see the job's parkReason)
 */
export type DepositStatus = 'pending' | 'synced' | 'removed-by-researcher' | 'parked';
export type JobStatus = 'queued' | 'leased' | 'parked' | 'done';

export interface Identity {
  id: string;
  orcid: string;
  hostUserId: string | null;
  /** Name as ORCID returned it in the token response. */
  name: string | null;
  /** AES-256-GCM sealed token set (opaque to the store); null once revoked. */
  sealedTokens: string | null;
  scopes: string[];
  tokenExpiresAt: Date | null;
  status: IdentityStatus;
  /** Whether the iD was collected through OAuth (true) or typed by hand (false). */
  authenticated: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface LinkIdentityInput {
  orcid: string;
  hostUserId?: string | null;
  name?: string | null;
  sealedTokens: string | null;
  scopes: string[];
  tokenExpiresAt: Date | null;
  authenticated?: boolean;
}

export interface Contributor {
  /** The host's contributor id (unique across the host). */
  id: string;
  submissionId: string;
  role: ContributorRole;
  givenNames: string;
  familyName: string;
  email: string | null;
  locale: string | null;
  hostUserId: string | null;
  /** Set once the person connected their iD. */
  identityId: string | null;
  /** An iD the host typed by hand (never shown as authenticated). */
  unauthenticatedOrcid: string | null;
  /** Set when the person declined at ORCID (`access_denied`). */
  deniedAt: Date | null;
  invitationState: InvitationState;
  invitedAt: Date | null;
  remindedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UpsertContributorInput {
  id: string;
  submissionId: string;
  role: ContributorRole;
  givenNames: string;
  familyName: string;
  email?: string | null;
  locale?: string | null;
  hostUserId?: string | null;
  unauthenticatedOrcid?: string | null;
}

export interface Invitation {
  /** SHA-256 of the random token (the token itself is only ever in the email). */
  tokenHash: string;
  contributorId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export type ConsumeInvitationResult =
  | { ok: true; invitation: Invitation }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export interface Deposit {
  key: string;
  kind: DepositKind;
  identityId: string;
  orcid: string;
  /** The host object it comes from (article id, review id, editor appointment id). */
  sourceId: string;
  submissionId: string | null;
  /** The self external id that identifies our item on the record (for 409 reconciliation). */
  externalIdType: string;
  externalIdValue: string;
  desiredState: DesiredState;
  /** ORCID XML (v3.0) of the desired item; null when desiredState is `absent`. */
  payload: string | null;
  payloadHash: string | null;
  /** Bumped on every change of the desired state. */
  version: number;
  putCode: string | null;
  postedHash: string | null;
  /**
   * A worker claimed this deposit to POST it and no put-code came back yet: the item may be on
   * the record even so (the answer was lost). Removing such a deposit needs a look at the record.
   * Set by `claimJobs`, cleared by `completeJob`.
   */
  maybePosted: boolean;
  status: DepositStatus;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DesireDepositInput {
  key: string;
  kind: DepositKind;
  identityId: string;
  orcid: string;
  sourceId: string;
  submissionId?: string | null;
  externalIdType: string;
  externalIdValue: string;
  desiredState: DesiredState;
  payload: string | null;
  payloadHash: string | null;
  /** Earliest time the job may run (default: now). */
  runAt?: Date;
  maxAttempts?: number;
  /**
   * Queue a job even if the record already matches (used by "send again" after the researcher
   * removed the item; clears the put-code).
   */
  force?: boolean;
}

export interface DesireDepositResult {
  deposit: Deposit;
  /** The open job for this deposit, or null when the record already holds the desired state. */
  jobId: string | null;
  /** True when the call changed the desired state (a new version). */
  changed: boolean;
}

export interface Job {
  id: string;
  depositKey: string;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  leasedBy: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  parkReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A claimed job with the deposit it works on, as of the claim. */
export interface ClaimedJob {
  job: Job;
  deposit: Deposit;
}

export interface CompleteJobInput {
  jobId: string;
  workerId: string;
  /** The deposit version the worker applied (from the claimed deposit). */
  version: number;
  /** Put-code now on the record (null after a delete). */
  putCode: string | null;
  /** Hash of the payload now on the record (null after a delete). */
  postedHash: string | null;
  /** `removed-by-researcher` when ORCID answered 404 to an update or delete. */
  outcome: 'synced' | 'removed-by-researcher';
  /** A history entry written in the same transaction (its detail gets `requeued`). */
  history?: HistoryInput;
}

export interface WebhookSubscription {
  orcid: string;
  callbackUrl: string;
  registeredAt: Date;
}

export interface HistoryEntry {
  id: string;
  at: Date;
  event: string;
  orcid: string | null;
  identityId: string | null;
  submissionId: string | null;
  depositKey: string | null;
  jobId: string | null;
  detail: Record<string, unknown>;
}

export type HistoryInput = Omit<HistoryEntry, 'id' | 'orcid' | 'identityId' | 'submissionId' | 'depositKey' | 'jobId'> &
  Partial<Pick<HistoryEntry, 'orcid' | 'identityId' | 'submissionId' | 'depositKey' | 'jobId'>>;

export interface JobCounts {
  queued: number;
  leased: number;
  parked: number;
  done: number;
}

export interface Store {
  /** Create tables / indexes and run migrations. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;

  // identities
  /** Create or update the identity for `orcid` as linked (status `linked`), returning it. */
  linkIdentity(input: LinkIdentityInput, now: Date): Promise<Identity>;
  getIdentity(id: string): Promise<Identity | null>;
  findIdentityByOrcid(orcid: string): Promise<Identity | null>;
  findIdentityByHostUser(hostUserId: string): Promise<Identity | null>;
  /** Replace the sealed token set (after a refresh). */
  updateIdentityTokens(id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date): Promise<void>;
  /** Mark revoked and delete the sealed tokens. */
  revokeIdentity(id: string, now: Date): Promise<void>;
  updateIdentityName(id: string, name: string | null, now: Date): Promise<void>;

  // contributors
  upsertContributor(input: UpsertContributorInput, now: Date): Promise<Contributor>;
  getContributor(id: string): Promise<Contributor | null>;
  listContributors(submissionId: string): Promise<Contributor[]>;
  listContributorsByIdentity(identityId: string): Promise<Contributor[]>;
  /** Link the contributor to an identity (clears deniedAt). Never unlinks: editing a contributor keeps its link. */
  linkContributor(contributorId: string, identityId: string, now: Date): Promise<void>;
  /** Unlink every contributor of an identity (when the researcher unlinks). */
  unlinkContributorsOf(identityId: string, now: Date): Promise<void>;
  markContributorDenied(contributorId: string, now: Date): Promise<void>;
  setInvitationState(contributorId: string, state: InvitationState, now: Date): Promise<void>;

  // invitations
  createInvitation(invitation: Omit<Invitation, 'usedAt'>): Promise<void>;
  /** Atomically mark the invitation used; only the first caller gets `ok: true`. */
  consumeInvitation(tokenHash: string, now: Date): Promise<ConsumeInvitationResult>;

  // deposits and outbox
  /** Set the desired state of a deposit and make sure exactly one open job exists when it differs from the record. */
  desireDeposit(input: DesireDepositInput, now: Date): Promise<DesireDepositResult>;
  getDeposit(key: string): Promise<Deposit | null>;
  listDeposits(filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string }): Promise<Deposit[]>;
  /**
   * Atomically lease up to `limit` due jobs (queued, or leased with an expired lease) for `workerId`;
   * deposits that will be POSTed (desired present, no put-code) are marked `maybePosted`.
   */
  claimJobs(workerId: string, now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]>;
  /** Extend a lease; false when the lease was lost. */
  renewLease(jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean>;
  /**
   * In one transaction: record the put-code and posted hash on the deposit, and finish the job —
   * or re-queue it when the deposit changed since the claim. Throws StorageError(LEASE_LOST) when
   * `workerId` no longer holds the lease (nothing is written then).
   */
  completeJob(input: CompleteJobInput, now: Date): Promise<{ requeued: boolean }>;
  /**
   * The researcher removed our item (seen through a webhook): status `removed-by-researcher`, put-code
   * and posted hash cleared; no job is queued (we never re-add on our own).
   */
  markDepositRemoved(depositKey: string, now: Date): Promise<void>;
  /** Adopt a put-code found by reconciliation (409) without finishing the job. */
  adoptPutCode(depositKey: string, putCode: string, now: Date): Promise<void>;
  /**
   * Release the lease and schedule another attempt. `countAttempt: false` (a 429: being throttled
   * says nothing about the job) gives back the attempt the claim counted.
   */
  retryJob(jobId: string, workerId: string, error: string, runAt: Date, now: Date, options?: { countAttempt?: boolean }): Promise<void>;
  /** Stop retrying until un-parked (403, revoked token, too many attempts). */
  parkJob(jobId: string, workerId: string | null, reason: string, now: Date): Promise<void>;
  /** Park every open job of an identity; returns how many. */
  parkJobsOfIdentity(identityId: string, reason: string, now: Date): Promise<number>;
  /** Queue parked jobs again (attempts reset); by job id or by identity. Returns how many. */
  unparkJobs(filter: { jobId?: string; identityId?: string }, now: Date): Promise<number>;
  getJob(id: string): Promise<Job | null>;
  getOpenJobForDeposit(depositKey: string): Promise<Job | null>;
  listJobs(filter: { status?: JobStatus; identityId?: string; submissionId?: string; limit?: number }): Promise<ClaimedJob[]>;
  countJobs(): Promise<JobCounts>;
  /** Earliest runAt among queued jobs (for the worker's sleep), or null. */
  nextRunAt(): Promise<Date | null>;

  // webhooks
  upsertWebhook(sub: WebhookSubscription): Promise<void>;
  deleteWebhook(orcid: string): Promise<void>;
  getWebhook(orcid: string): Promise<WebhookSubscription | null>;
  listWebhooks(): Promise<WebhookSubscription[]>;

  // history (append-only)
  appendHistory(entry: HistoryInput): Promise<void>;
  listHistory(filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<HistoryEntry[]>;

  // small settings cache (e.g. the journal's peer-review group id)
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}
