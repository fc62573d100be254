/**
 * The three store ports: the only way the rest of the plugin touches persistence. Each is as narrow
 * as its callers need, and each has its own contract suite in `test/store/` that every adapter runs.
 *
 * - `Ledger`: what we want at ORCID and the durable jobs that bring it about (desire, claim, renew,
 *   complete, retry, park) with their history. The rules are in `deposit-rules.ts`, shared.
 * - `Directory`: who is who — identities, contributors, invitations, webhooks, OAuth states, the
 *   prefill read from a record, and the journal's few settings.
 * - `Sources`: the host objects items are built from — submissions, articles, reviews, editorial
 *   appointments — and the reminder query over invitations that are due.
 * - `Journals`: the journals one instance serves and the ORCID credentials records they point to
 *   (secrets sealed before they reach the store).
 * - `RateBudget`: ORCID's per-client rate limit, one GCRA row per client id, shared by every process
 *   on the store (the rules are in `rate-rules.ts`, shared).
 *
 * Every method is one round trip to the database (and, where it writes more than one row, one
 * transaction): callers count on that to keep a publish at a handful of round trips.
 */
import type * as S from './store.js';
import type { Article, EditorAppointment, Review } from '../types.js';

export interface Ledger {
  /** Set the desired state of a deposit; exactly one open job exists while it differs from the record. */
  desireDeposit(input: S.DesireDepositInput, now: Date): Promise<S.DesireDepositResult>;
  /** `desireDeposit` for many deposits in one transaction (one event's deposits), results in input order. */
  desireDeposits(inputs: S.DesireDepositInput[], now: Date): Promise<S.DesireDepositResult[]>;
  getDeposit(key: string): Promise<S.Deposit | null>;
  listDeposits(filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string; kind?: S.LedgerKind }): Promise<S.Deposit[]>;
  /**
   * Atomically lease up to `limit` due jobs (queued, or leased with an expired lease) for `workerId`,
   * in the store's claim order (`ClaimOrder`: round-robin across journals, oldest `runAt` first
   * within each; or oldest `runAt` first overall); deposits that will be POSTed (desired present,
   * no put-code) are marked `maybePosted` in the same write. Results in claim order.
   */
  claimJobs(workerId: string, now: Date, limit: number, leaseMs: number): Promise<S.ClaimedJob[]>;
  /** Extend a lease (the worker's heartbeat); false when the lease was lost. */
  renewLease(jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean>;
  /**
   * In one transaction: record the put-code and posted hash on the deposit, and finish the job —
   * or re-queue it when the deposit changed since the claim. Throws StorageError(LEASE_LOST) when
   * `workerId` no longer holds the lease (nothing is written then).
   */
  completeJob(input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }>;
  /**
   * Release the lease and schedule another attempt. `countAttempt: false` (a 429: being throttled
   * says nothing about the job) gives back the attempt the claim counted. LEASE_LOST as above.
   */
  retryJob(jobId: string, workerId: string, error: string, runAt: Date, now: Date, options?: { countAttempt?: boolean }): Promise<void>;
  /** Stop retrying until un-parked (403, revoked token, too many attempts). LEASE_LOST as above. */
  parkJob(jobId: string, workerId: string | null, reason: string, now: Date): Promise<void>;
  /** Park every queued or leased job of an identity's items (not its tasks); returns how many. */
  parkJobsOfIdentity(identityId: string, reason: string, now: Date): Promise<number>;
  /** Queue parked jobs again (attempts reset); by job id or by identity. Returns how many. */
  unparkJobs(filter: { jobId?: string; identityId?: string }, now: Date): Promise<number>;
  /** An editor's "Retry": a queued job waiting for a later attempt runs now. False when it is not queued or already due. */
  retryJobNow(jobId: string, now: Date): Promise<boolean>;
  /** The researcher removed our item (seen through a webhook): no job is queued, we never re-add on our own. */
  markDepositRemoved(depositKey: string, now: Date): Promise<void>;
  /** Adopt a put-code found by reconciliation (409) without finishing the job. */
  adoptPutCode(depositKey: string, putCode: string, now: Date): Promise<void>;
  /** `jobId`: that one job (an editor's action names a job: its deposit says whose submission it is). */
  listJobs(filter: { jobId?: string; status?: S.JobStatus; identityId?: string; submissionId?: string; journalId?: string; limit?: number }): Promise<S.ClaimedJob[]>;
  /** Queued or leased jobs of an identity's items (an unlink waits for its deletes before revoking). */
  countActiveItemJobs(identityId: string): Promise<number>;
  /** Jobs by status, of one journal or of all. */
  countJobs(filter?: { journalId?: string }): Promise<S.JobCounts>;
  /**
   * Per journal with any job, in journal id order (one journal with `journalId`): its job counts, its
   * oldest queued job and its latest standing error, for the platform status page. One read.
   */
  journalQueues(filter?: { journalId?: string }): Promise<S.JournalQueue[]>;
  /** Earliest runAt among queued jobs (for the worker's sleep), or null. */
  nextRunAt(): Promise<Date | null>;
  appendHistory(entry: S.HistoryInput): Promise<void>;
  listHistory(filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<S.HistoryEntry[]>;
  /**
   * Optional: call `listener` soon after a job becomes runnable (a desire or an un-park), so a
   * worker claims it at once instead of at its next poll; returns the unsubscribe function.
   * SQLite signals desires made in this process; PostgreSQL relays NOTIFY from every process.
   * Signals may be spurious or missed: polling stays the fallback.
   */
  onWork?(listener: () => void): () => void;
}

export interface Directory {
  /** Create or update the identity for `orcid` as linked (status `linked`), returning it. */
  linkIdentity(input: S.LinkIdentityInput, now: Date): Promise<S.Identity>;
  getIdentity(id: string): Promise<S.Identity | null>;
  findIdentityByOrcid(orcid: string): Promise<S.Identity | null>;
  /** The iD a host user linked last: the latest linked one, else the latest of any status. */
  findIdentityByHostUser(hostUserId: string): Promise<S.Identity | null>;
  /** Replace the sealed token set of one client (`credentialsId`, default `default`) after a refresh; a token that is gone stays gone. */
  updateIdentityTokens(id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date, credentialsId?: string): Promise<void>;
  /** The token the client of `credentialsId` obtained for the identity, or null. */
  getIdentityToken(identityId: string, credentialsId: string): Promise<S.IdentityToken | null>;
  /** Every client's token of the identity, in the order they were connected through. */
  listIdentityTokens(identityId: string): Promise<S.IdentityToken[]>;
  /** The researcher unlinked: status `unlinking` (the token is kept until our deletes are done). */
  markIdentityUnlinking(id: string, now: Date): Promise<void>;
  /**
   * Delete the sealed tokens and mark revoked. With `credentialsId`, only that client's token goes,
   * and the identity is revoked only when it was its last one.
   */
  revokeIdentity(id: string, now: Date, credentialsId?: string): Promise<void>;
  updateIdentityName(id: string, name: string | null, now: Date): Promise<void>;

  upsertContributor(input: S.UpsertContributorInput, now: Date): Promise<S.Contributor>;
  /** Many contributors in one transaction, returned in input order with their identities. */
  upsertContributors(inputs: S.UpsertContributorsInput[], now: Date): Promise<S.ResolvedContributor[]>;
  /** Contributors by id with their identities, in one read; unknown ids are left out. */
  resolveContributors(ids: string[]): Promise<S.ResolvedContributor[]>;
  getContributor(id: string): Promise<S.Contributor | null>;
  listContributors(submissionId: string): Promise<S.Contributor[]>;
  listContributorsByIdentity(identityId: string): Promise<S.Contributor[]>;
  /** Link the contributor to an identity (clears deniedAt). Never unlinks: editing a contributor keeps its link. */
  linkContributor(contributorId: string, identityId: string, now: Date): Promise<void>;
  /** Unlink every contributor of an identity (when the researcher unlinks). */
  unlinkContributorsOf(identityId: string, now: Date): Promise<void>;
  markContributorDenied(contributorId: string, now: Date): Promise<void>;
  setInvitationState(contributorId: string, state: S.InvitationState, now: Date): Promise<void>;

  createInvitation(invitation: S.NewInvitation): Promise<void>;
  /**
   * Whether the invitation could be used now (known, unused, unexpired), without using it: opening
   * a link, or a mail scanner fetching it, must leave it usable (issue 14).
   */
  checkInvitation(tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult>;
  /** Atomically mark the invitation used; only the first caller gets `ok: true`. */
  consumeInvitation(tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult>;

  upsertWebhook(sub: S.WebhookSubscription): Promise<void>;
  deleteWebhook(orcid: string): Promise<void>;
  getWebhook(orcid: string): Promise<S.WebhookSubscription | null>;

  /** Remember an OAuth `state` sent to ORCID (hashed), valid until `expiresAt`. */
  createOAuthState(state: S.OAuthState): Promise<void>;
  /** Atomically use an OAuth state; only the first caller before expiry gets `ok: true`. */
  consumeOAuthState(stateHash: string, now: Date): Promise<S.ConsumeOAuthStateResult>;

  putPrefill(identityId: string, prefill: S.Prefill, now: Date): Promise<void>;
  getPrefill(identityId: string): Promise<S.Prefill | null>;

  /** The journal's settings (e.g. that a peer-review group exists); never domain data. */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
}

export interface Sources {
  /** Store a submission; `journalId` (default `default`) is kept from its first put: a submission never moves journal. */
  putSubmission(submission: { id: string; title: string; journalId?: string }, now: Date): Promise<void>;
  getSubmissionTitle(id: string): Promise<string | null>;
  /** The journal a submission belongs to, or null for an unknown submission. */
  getSubmissionJournal(id: string): Promise<string | null>;
  /**
   * Store the article (without its XML) and return it as stored. `retraction` undefined keeps the
   * stored retraction (a correction of a retracted article stays retracted).
   */
  putArticle(article: Article, retraction: { notice?: string } | undefined, now: Date): Promise<S.StoredArticle>;
  putReview(review: Review, now: Date): Promise<void>;
  putAppointment(appointment: EditorAppointment, now: Date): Promise<void>;
  /** Articles, reviews and appointments of these contributors, in one read (late consent). */
  sourcesOfContributors(contributors: Array<{ id: string; submissionId: string }>): Promise<S.SourcesOfContributors>;
  /**
   * Contributors invited (state `sent`) at or before `invitedBefore`, not linked, with an email:
   * those due for their one reminder. Pages of `limit`, in (invitedAt, id) order, after `after`.
   */
  dueInvitations(invitedBefore: Date, after: S.DueCursor | null, limit: number): Promise<S.Contributor[]>;
}

export interface RateBudget {
  /**
   * Atomically take up to `want` tokens from the budget `key` (an ORCID client id) at `now`,
   * creating the row on first use. Tokens are granted only as the shared GCRA allows them, so
   * every process together stays within `limit`; a pause or slow-down set by any of them applies.
   */
  takeRateTokens(key: string, want: number, now: Date, limit: S.RateLimitSpec): Promise<S.RateGrant>;
  /**
   * ORCID throttled or said Retry-After: nobody takes tokens for `pause.ms`, the bucket is empty
   * after it, and with `slowDown` the rate is halved (once per one-second volley, whoever reports it).
   * Resolves to the budget's rate after the pause.
   */
  pauseRateBudget(key: string, pause: S.RatePause, now: Date, limit: S.RateLimitSpec): Promise<{ perSecond: number }>;
}

export interface Journals {
  /** Create or replace a journal (its `createdAt` is kept), returning it as stored. */
  upsertJournal(input: S.JournalRecordInput, now: Date): Promise<S.JournalRecord>;
  getJournal(id: string): Promise<S.JournalRecord | null>;
  /** Journals in id order; by credentials record or ISSN (print or electronic) when given. */
  listJournals(filter?: { credentialsId?: string; issn?: string }): Promise<S.JournalRecord[]>;
  /** Create or replace a credentials record (its `createdAt` is kept), returning it as stored. */
  upsertCredentials(input: S.CredentialsRecordInput, now: Date): Promise<S.CredentialsRecord>;
  getCredentials(id: string): Promise<S.CredentialsRecord | null>;
  /** Credentials records in id order. */
  listCredentials(): Promise<S.CredentialsRecord[]>;
}

export interface Store extends Ledger, Directory, Sources, RateBudget, Journals {
  /** Create tables / indexes and run migrations. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
}
