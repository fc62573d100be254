/**
 * The records the store ports (`ports.ts`) speak in: the only shapes the rest of the plugin sees of
 * persistence.
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
 * - task: a ledger entry that is not an item on a record but a durable side effect at ORCID (a webhook
 *   registration, a token revocation, a record read for prefill, a webhook reconciliation). It has
 *   a desired state and an outbox job like an item, so a crash never loses it.
 *
 * Adapters: `sqlite.ts` (embedded default), `postgres.ts` and `mongo.ts` (several instances). All pass the
 * contract suites in `test/store/`, one per port. Tokens reach the store already sealed (AES-256-GCM, see
 * `token-cipher.ts`): the store never sees a plaintext token.
 */

/** `unlinking`: the researcher unlinked; our items are being removed, then the token is revoked. */
export type IdentityStatus = 'linked' | 'denied' | 'revoked' | 'unlinking';
export type ContributorRole = 'author' | 'coauthor' | 'reviewer' | 'editor';
export type InvitationState = 'none' | 'sent' | 'reminded' | 'used';
/** Items on a record. */
export type DepositKind = 'work' | 'peer-review' | 'service';
/**
 * Durable side effects at ORCID, kept in the ledger beside the items:
 * - `webhook`: our webhook for a record (present = registered at the payload's URL, absent = removed)
 * - `revocation`: the researcher's token revoked at ORCID (present = revoked)
 * - `prefill`: the record read once for the host's forms (present = read)
 * - `reconcile`: the record compared with our items after ORCID notified a change (each notice a version)
 */
export type TaskKind = 'webhook' | 'revocation' | 'prefill' | 'reconcile';
export type LedgerKind = DepositKind | TaskKind;
export const ITEM_KINDS: readonly DepositKind[] = ['work', 'peer-review', 'service'];
export const isItemKind = (kind: LedgerKind): kind is DepositKind => (ITEM_KINDS as readonly string[]).includes(kind);
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

/**
 * The journal of host events and jobs that name none: the single-journal configuration is this
 * journal, and every store made before journals holds only this one.
 */
export const DEFAULT_JOURNAL_ID = 'default';

/**
 * The order `claimJobs` takes due jobs in (a store option, `?? 'fair'`):
 * - `fair`: round-robin across journals. A claim of `limit` takes each journal's oldest due job
 *   (by runAt), then each one's second, and so on, so one journal's backlog never makes another
 *   wait for it: a journal with work due gets a job in every claim that has a slot per journal.
 *   When more journals have work due than the claim has slots, the journals of the last round are
 *   picked at random (fair on average, and nothing to store or lock between claims). Within a
 *   journal, runAt order. See docs/fairness.md.
 * - `fifo`: oldest runAt first over every journal (the order before journals); a backlog of one
 *   journal delays every other one by all of it. Kept as the baseline the `fairness` benchmark
 *   measures against.
 */
export type ClaimOrder = 'fair' | 'fifo';

/** The store option that chooses the claim order (every adapter takes it). */
export interface ClaimOrderOption {
  claimOrder?: ClaimOrder;
}

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
  /**
   * The credentials records (ORCID member clients) holding a token of this identity, the one
   * connected through last at the end (issue 19). `sealedTokens`, `scopes` and `tokenExpiresAt` are
   * that last connect's; a job uses its own client's token (`Directory.getIdentityToken`).
   */
  tokenClients: string[];
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
  /** The credentials record whose client obtained the token (default `default`); other clients' tokens are kept. */
  credentialsId?: string;
}

/** One ORCID client's token of an identity: tokens belong to the client that obtained them (issue 19). */
export interface IdentityToken {
  identityId: string;
  credentialsId: string;
  sealedTokens: string;
  scopes: string[];
  tokenExpiresAt: Date | null;
  updatedAt: Date;
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
  /** The language the invitation was written in (the contributor's locale when it was sent); its pages speak it. */
  locale: string | null;
}

/** What `createInvitation` takes: `locale` may be left out (no language: the browser's then). */
export type NewInvitation = Omit<Invitation, 'usedAt' | 'locale'> & { locale?: string | null };

/** A spent or expired invitation is still returned: its page speaks the invitation's language. */
export type ConsumeInvitationResult =
  | { ok: true; invitation: Invitation }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'used' | 'expired'; invitation: Invitation };

export interface Deposit {
  key: string;
  kind: LedgerKind;
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
  kind: LedgerKind;
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
  /**
   * The journal whose ORCID client the job works for, and whose share of the rate limit it takes
   * (`?? DEFAULT_JOURNAL_ID`). Set on the job when it is created: a job keeps its journal.
   */
  journalId?: string;
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
  /** Claims so far (a 429 gives its claim back). The limit is the worker's `maxAttempts` setting, nowhere else. */
  attempts: number;
  runAt: Date;
  leasedBy: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  parkReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A claimed job with the deposit it works on, as of the claim, and the job's journal. */
export interface ClaimedJob {
  job: Job;
  deposit: Deposit;
  journalId: string;
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

/** One job a journal's row on the platform status page points to (`Ledger.journalQueues`). */
export interface JournalQueueJob {
  jobId: string;
  depositKey: string;
  kind: LedgerKind;
  /** The item's submission (null for an editor's service item, or a task of none). */
  submissionId: string | null;
  status: JobStatus;
}

/** A journal's jobs at a glance: counts by status, the oldest waiting job and the latest standing error. */
export interface JournalQueue {
  journalId: string;
  counts: JobCounts;
  /** The queued job created first (waiting longest), with when it was created and when it may run. */
  oldestWaiting: (JournalQueueJob & { since: Date; runAt: Date }) | null;
  /**
   * The open job (queued, leased or parked) whose error was written last: its park reason, else its
   * last error, as stored (put into words by the page). A job that then succeeded is no longer open.
   */
  lastError: (JournalQueueJob & { error: string; at: Date }) | null;
}

export type { Directory, Journals, Ledger, Sources, Store } from './ports.js';

/** A contributor with the identity it is linked to (null when not linked), read in one go. */
export interface ResolvedContributor {
  contributor: Contributor;
  identity: Identity | null;
}

/** `upsertContributor` input; `keepRole` keeps a stored contributor's role (the given one is for a new row). */
export type UpsertContributorsInput = UpsertContributorInput & { keepRole?: boolean };

/** An OAuth round trip in progress: single use, server-side (the session cookie alone can be replayed). */
export interface OAuthState {
  /** SHA-256 of the `state` sent to ORCID. */
  stateHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export type ConsumeOAuthStateResult = { ok: true } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** Names, emails and affiliations read from a record (with /read-limited) for the host's forms. */
export type Prefill = Record<string, unknown>;

/** A host article as kept for backfill and corrections (without its JATS/Crossref XML). */
export interface StoredArticle extends Omit<import('../types.js').Article, 'jats' | 'crossref'> {
  retraction: { notice?: string } | null;
}

/** The host objects items are built from, for a set of contributors (late consent). */
export interface SourcesOfContributors {
  /** Articles of the contributors' submissions. */
  articles: StoredArticle[];
  /** Reviews written by the contributors. */
  reviews: import('../types.js').Review[];
  /** Editorial appointments of the contributors. */
  appointments: import('../types.js').EditorAppointment[];
}

/** Where a page of `dueInvitations` ends: the next page starts after it. */
export interface DueCursor {
  invitedAt: Date;
  contributorId: string;
}

/**
 * ORCID's limit for one member client as the limiter applies it, passed with every rate-budget
 * call (the row keeps state, not settings, so a changed setting applies at once).
 */
export interface RateLimitSpec {
  /** Sustained requests per second for the whole client, every process together. */
  perSecond: number;
  /** Requests that may go at once after a quiet period (an integer >= 1). */
  burst: number;
  /** The lowest rate throttling may bring it down to (<= perSecond). */
  minPerSecond: number;
  /** Time to climb from `minPerSecond` back to `perSecond` without throttling; 0 = at once. */
  recoveryMs: number;
}

/** The answer to one take from a shared rate budget. */
export interface RateGrant {
  /** Tokens granted now (0..want): each is one request that may be sent at once. */
  granted: number;
  /**
   * Epoch ms when the next token after these can be had: at or before now while tokens are left,
   * so a caller with more waiting asks again at once, and otherwise sleeps until then.
   */
  nextAtMs: number;
  /** The budget's current sustained rate (lower than `perSecond` after throttling). */
  perSecond: number;
}

/** A pause of the whole client: ORCID throttled (`slowDown`: also halve the rate) or said Retry-After. */
export interface RatePause {
  ms: number;
  slowDown: boolean;
}

/**
 * A journal as the `Journals` port keeps it: its id, the credentials record it uses, the ISSNs
 * (indexed, for lookups) and its settings as validated (`journals/schema.ts`), kept whole.
 */
export interface JournalRecord {
  id: string;
  credentialsId: string;
  issn: string | null;
  eissn: string | null;
  /** The journal's settings (title, languages, policies, …) as the host gave them, validated. */
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type JournalRecordInput = Omit<JournalRecord, 'createdAt' | 'updatedAt'>;

/**
 * An ORCID member client's credentials as the `Journals` port keeps them. The secrets reach the
 * store already sealed (AES-256-GCM, `token-cipher.ts`), as tokens do: the store never sees them.
 */
export interface CredentialsRecord {
  id: string;
  env: 'production' | 'sandbox' | 'emulator';
  clientId: string;
  /** The sealed client secret. */
  sealedSecret: string;
  /** The sealed Premium webhook secret, when the client has one. */
  sealedWebhookSecret: string | null;
  /** What is not secret: `premium`. */
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type CredentialsRecordInput = Omit<CredentialsRecord, 'createdAt' | 'updatedAt'>;
