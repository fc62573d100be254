/**
 * The embedded default store: one SQLite file through better-sqlite3, shared safely by several
 * processes (WAL, busy timeout, IMMEDIATE transactions for every read-then-write).
 *
 * Every operation is a function over the injected handle in `sqlite/` (ledger-*.ts, identities.ts,
 * contributors.ts, sources.ts), the way graphile-worker keeps `src/sql/*`; this file only binds
 * them to one connection, port by port. `mongo.ts` binds the same operations for MongoDB, in the
 * same order, so the two can be read side by side. better-sqlite3 is synchronous: the async
 * methods only keep the ports' shape.
 *
 * @example
 * const store = new SqliteStore({ path: './orcid.db' });
 * await store.init();
 */
import { randomUUID } from 'node:crypto';
import type { Directory, Journals, Ledger, RateBudget, Sources, Store } from './ports.js';
import { SqliteConnection, type SqliteHandle, type SqliteStoreOptions } from './sqlite/handle.js';
import * as write from './sqlite/ledger-write.js';
import * as claim from './sqlite/ledger-claim.js';
import * as read from './sqlite/ledger-read.js';
import * as id from './sqlite/identities.js';
import * as people from './sqlite/contributors.js';
import * as src from './sqlite/sources.js';
import * as budget from './sqlite/rate-budget.js';
import * as journals from './sqlite/journals.js';
import { WorkSignal, type WorkListener } from './work-signal.js';
import type { ClaimOrder, ClaimOrderOption } from './store.js';

export type { SqliteStoreOptions } from './sqlite/handle.js';

const p = <T>(f: () => T): Promise<T> => {
  try {
    return Promise.resolve(f());
  } catch (e) {
    return Promise.reject(e);
  }
};

/** The results, after telling this process's workers when one of them has an open job. */
function signalling<T extends { jobId: string | null }>(results: T[], signal?: WorkSignal): T[] {
  if (signal && results.some((r) => r.jobId !== null)) signal.emit();
  return results;
}

export function sqliteLedger(h: SqliteHandle, completions: { complete: Ledger['completeJob'] }, signal?: WorkSignal, order: ClaimOrder = 'fair'): Ledger {
  return {
    desireDeposit: (input, now) => p(() => signalling(write.desireDeposits(h, [input], now), signal)[0]!),
    desireDeposits: (inputs, now) => p(() => signalling(write.desireDeposits(h, inputs, now), signal)),
    getDeposit: (key) => p(() => read.getDeposit(h, key)),
    listDeposits: (filter) => p(() => read.listDeposits(h, filter)),
    claimJobs: (workerId, now, limit, leaseMs) => p(() => claim.claimJobs(h, workerId, now, limit, leaseMs, order)),
    renewLease: (jobId, workerId, now, leaseMs) => p(() => claim.renewLease(h, jobId, workerId, now, leaseMs)),
    completeJob: (input, now) => completions.complete(input, now),
    retryJob: (jobId, workerId, error, runAt, now, options) => p(() => write.retryJob(h, jobId, workerId, error, runAt, now, options)),
    parkJob: (jobId, workerId, reason, now) => p(() => write.parkJob(h, jobId, workerId, reason, now)),
    parkJobsOfIdentity: (identityId, reason, now) => p(() => write.parkJobsOfIdentity(h, identityId, reason, now)),
    unparkJobs: (filter, now) =>
      p(() => {
        const n = write.unparkJobs(h, filter, now);
        if (n > 0) signal?.emit();
        return n;
      }),
    retryJobNow: (jobId, now) =>
      p(() => {
        const ok = write.retryJobNow(h, jobId, now);
        if (ok) signal?.emit();
        return ok;
      }),
    markDepositRemoved: (key, now) => p(() => write.markDepositRemoved(h, key, now)),
    adoptPutCode: (key, putCode, now) => p(() => write.adoptPutCode(h, key, putCode, now)),
    listJobs: (filter) => p(() => read.listJobs(h, filter)),
    countActiveItemJobs: (identityId) => p(() => read.countActiveItemJobs(h, identityId)),
    countJobs: (filter) => p(() => read.countJobs(h, filter)),
    journalQueues: (filter) => p(() => read.journalQueues(h, filter)),
    nextRunAt: () => p(() => read.nextRunAt(h)),
    appendHistory: (entry) => p(() => write.appendHistory(h, entry, randomUUID())),
    listHistory: (filter) => p(() => read.listHistory(h, filter)),
  };
}

export function sqliteDirectory(h: SqliteHandle): Directory {
  return {
    linkIdentity: (input, now) => p(() => id.linkIdentity(h, input, now)),
    getIdentity: (identityId) => p(() => id.getIdentity(h, identityId)),
    findIdentityByOrcid: (orcid) => p(() => id.findIdentityByOrcid(h, orcid)),
    findIdentityByHostUser: (hostUserId) => p(() => id.findIdentityByHostUser(h, hostUserId)),
    updateIdentityTokens: (identityId, sealed, scopes, expiresAt, now, credentialsId) => p(() => id.updateIdentityTokens(h, identityId, sealed, scopes, expiresAt, now, credentialsId)),
    getIdentityToken: (identityId, credentialsId) => p(() => id.getIdentityToken(h, identityId, credentialsId)),
    listIdentityTokens: (identityId) => p(() => id.listIdentityTokens(h, identityId)),
    markIdentityUnlinking: (identityId, now) => p(() => id.markIdentityUnlinking(h, identityId, now)),
    revokeIdentity: (identityId, now, credentialsId) => p(() => id.revokeIdentity(h, identityId, now, credentialsId)),
    updateIdentityName: (identityId, name, now) => p(() => id.updateIdentityName(h, identityId, name, now)),
    upsertContributor: (input, now) => p(() => people.upsertContributor(h, input, now)),
    upsertContributors: (inputs, now) => p(() => people.upsertContributors(h, inputs, now)),
    resolveContributors: (ids) => p(() => people.resolveContributors(h, ids)),
    getContributor: (contributorId) => p(() => people.getContributor(h, contributorId)),
    listContributors: (submissionId) => p(() => people.listContributors(h, submissionId)),
    listContributorsByIdentity: (identityId) => p(() => people.listContributorsByIdentity(h, identityId)),
    linkContributor: (contributorId, identityId, now) => p(() => people.linkContributor(h, contributorId, identityId, now)),
    unlinkContributorsOf: (identityId, now) => p(() => people.unlinkContributorsOf(h, identityId, now)),
    markContributorDenied: (contributorId, now) => p(() => people.markContributorDenied(h, contributorId, now)),
    setInvitationState: (contributorId, state, now) => p(() => people.setInvitationState(h, contributorId, state, now)),
    createInvitation: (invitation) => p(() => people.createInvitation(h, invitation)),
    checkInvitation: (tokenHash, now) => p(() => people.checkInvitation(h, tokenHash, now)),
    consumeInvitation: (tokenHash, now) => p(() => people.consumeInvitation(h, tokenHash, now)),
    upsertWebhook: (sub) => p(() => id.upsertWebhook(h, sub)),
    deleteWebhook: (orcid) => p(() => id.deleteWebhook(h, orcid)),
    getWebhook: (orcid) => p(() => id.getWebhook(h, orcid)),
    createOAuthState: (state) => p(() => id.createOAuthState(h, state)),
    consumeOAuthState: (stateHash, now) => p(() => id.consumeOAuthState(h, stateHash, now)),
    putPrefill: (identityId, prefill, now) => p(() => id.putPrefill(h, identityId, prefill, now)),
    getPrefill: (identityId) => p(() => id.getPrefill(h, identityId)),
    getSetting: (key) => p(() => id.getSetting(h, key)),
    setSetting: (key, value) => p(() => id.setSetting(h, key, value)),
  };
}

export function sqliteSources(h: SqliteHandle): Sources {
  return {
    putSubmission: (submission, now) => p(() => src.putSubmission(h, submission, now)),
    getSubmissionTitle: (submissionId) => p(() => src.getSubmissionTitle(h, submissionId)),
    getSubmissionJournal: (submissionId) => p(() => src.getSubmissionJournal(h, submissionId)),
    putArticle: (article, retraction, now) => p(() => src.putArticle(h, article, retraction, now)),
    putReview: (review, now) => p(() => src.putReview(h, review, now)),
    putAppointment: (appointment, now) => p(() => src.putAppointment(h, appointment, now)),
    sourcesOfContributors: (contributors) => p(() => src.sourcesOfContributors(h, contributors)),
    dueInvitations: (invitedBefore, after, limit) => p(() => src.dueInvitations(h, invitedBefore, after, limit)),
  };
}

export function sqliteRateBudget(h: SqliteHandle): RateBudget {
  return {
    takeRateTokens: (key, want, now, limit) => p(() => budget.takeRateTokens(h, key, want, now, limit)),
    pauseRateBudget: (key, pause, now, limit) => p(() => budget.pauseRateBudget(h, key, pause, now, limit)),
  };
}

export function sqliteJournals(h: SqliteHandle): Journals {
  return {
    upsertJournal: (input, now) => p(() => journals.upsertJournal(h, input, now)),
    getJournal: (journalId) => p(() => journals.getJournal(h, journalId)),
    listJournals: (filter) => p(() => journals.listJournals(h, filter)),
    upsertCredentials: (input, now) => p(() => journals.upsertCredentials(h, input, now)),
    getCredentials: (credentialsId) => p(() => journals.getCredentials(h, credentialsId)),
    listCredentials: () => p(() => journals.listCredentials(h)),
  };
}

// The class is the ports bound to one connection (declaration merging gives it their members).
export interface SqliteStore extends Store {}
export class SqliteStore {
  readonly path: string;
  private readonly connection: SqliteConnection;
  private readonly completions: ReturnType<typeof claim.completionBatcher>;
  private readonly signal = new WorkSignal();

  /** `claimOrder` (`?? 'fair'`): see `ClaimOrder`. */
  constructor(options: SqliteStoreOptions & ClaimOrderOption) {
    this.path = options.path;
    this.connection = new SqliteConnection(options);
    this.completions = claim.completionBatcher(this.connection);
    Object.assign(this, sqliteLedger(this.connection, this.completions, this.signal, options.claimOrder), sqliteDirectory(this.connection), sqliteSources(this.connection), sqliteRateBudget(this.connection), sqliteJournals(this.connection));
  }

  /**
   * Hear of jobs desired through this store object, in this process. Other processes sharing the
   * file are not heard: their jobs wait for the next poll.
   */
  onWork(listener: WorkListener): () => void {
    return this.signal.on(listener);
  }

  async init(): Promise<void> {
    this.connection.open();
  }

  async close(): Promise<void> {
    // Completions buffered for the next turn of the event loop are written before closing.
    this.completions.flush();
    this.connection.close();
  }
}
