/**
 * The MongoDB store (production / scale-out), through mongoose on its own connection so it never
 * touches a host's global mongoose. Needs a replica set: every read-then-write, claims included,
 * runs in a transaction, whose write conflicts the driver retries.
 *
 * Every operation is a function over the injected handle in `mongo/`, with the name, order and
 * rules (`deposit-rules.ts`) of its SQLite counterpart in `sqlite/`: read the two side by side.
 *
 * @example
 * const store = new MongoStore({ uri: 'mongodb://db1,db2,db3/journal?replicaSet=rs0' });
 * await store.init();
 */
import type { Directory, Journals, Ledger, RateBudget, Sources, Store } from './ports.js';
import { MongoConnection, type MongoHandle, type MongoStoreOptions } from './mongo/handle.js';
import type { ClaimOrder, ClaimOrderOption } from './store.js';
import * as write from './mongo/ledger-write.js';
import * as claim from './mongo/ledger-claim.js';
import * as read from './mongo/ledger-read.js';
import * as id from './mongo/identities.js';
import * as people from './mongo/contributors.js';
import * as src from './mongo/sources.js';
import * as budget from './mongo/rate-budget.js';
import * as journals from './mongo/journals.js';

export { redactMongoUri, type MongoStoreOptions } from './mongo/handle.js';

export function mongoLedger(h: MongoHandle, order: ClaimOrder = 'fair'): Ledger {
  return {
    desireDeposit: async (input, now) => (await write.desireDeposits(h, [input], now))[0]!,
    desireDeposits: (inputs, now) => write.desireDeposits(h, inputs, now),
    getDeposit: (key) => read.getDeposit(h, key),
    listDeposits: (filter) => read.listDeposits(h, filter),
    claimJobs: (workerId, now, limit, leaseMs) => claim.claimJobs(h, workerId, now, limit, leaseMs, order),
    renewLease: (jobId, workerId, now, leaseMs) => claim.renewLease(h, jobId, workerId, now, leaseMs),
    completeJob: (input, now) => claim.completeJob(h, input, now),
    retryJob: (jobId, workerId, error, runAt, now, options) => write.retryJob(h, jobId, workerId, error, runAt, now, options),
    parkJob: (jobId, workerId, reason, now) => write.parkJob(h, jobId, workerId, reason, now),
    parkJobsOfIdentity: (identityId, reason, now) => write.parkJobsOfIdentity(h, identityId, reason, now),
    unparkJobs: (filter, now) => write.unparkJobs(h, filter, now),
    retryJobNow: (jobId, now) => write.retryJobNow(h, jobId, now),
    markDepositRemoved: (key, now) => write.markDepositRemoved(h, key, now),
    adoptPutCode: (key, putCode, now) => write.adoptPutCode(h, key, putCode, now),
    listJobs: (filter) => read.listJobs(h, filter),
    countActiveItemJobs: (identityId) => read.countActiveItemJobs(h, identityId),
    countJobs: (filter) => read.countJobs(h, filter),
    journalQueues: (filter) => read.journalQueues(h, filter),
    nextRunAt: () => read.nextRunAt(h),
    appendHistory: (entry) => write.appendHistory(h, entry),
    listHistory: (filter) => read.listHistory(h, filter),
  };
}

export function mongoDirectory(h: MongoHandle): Directory {
  return {
    linkIdentity: (input, now) => id.linkIdentity(h, input, now),
    getIdentity: (identityId) => id.getIdentity(h, identityId),
    findIdentityByOrcid: (orcid) => id.findIdentityByOrcid(h, orcid),
    findIdentityByHostUser: (hostUserId) => id.findIdentityByHostUser(h, hostUserId),
    updateIdentityTokens: (identityId, sealed, scopes, expiresAt, now, credentialsId) => id.updateIdentityTokens(h, identityId, sealed, scopes, expiresAt, now, credentialsId),
    getIdentityToken: (identityId, credentialsId) => id.getIdentityToken(h, identityId, credentialsId),
    listIdentityTokens: (identityId) => id.listIdentityTokens(h, identityId),
    markIdentityUnlinking: (identityId, now) => id.markIdentityUnlinking(h, identityId, now),
    revokeIdentity: (identityId, now, credentialsId) => id.revokeIdentity(h, identityId, now, credentialsId),
    updateIdentityName: (identityId, name, now) => id.updateIdentityName(h, identityId, name, now),
    upsertContributor: (input, now) => people.upsertContributor(h, input, now),
    upsertContributors: (inputs, now) => people.upsertContributors(h, inputs, now),
    resolveContributors: (ids) => people.resolveContributors(h, ids),
    getContributor: (contributorId) => people.getContributor(h, contributorId),
    listContributors: (submissionId) => people.listContributors(h, submissionId),
    listContributorsByIdentity: (identityId) => people.listContributorsByIdentity(h, identityId),
    linkContributor: (contributorId, identityId, now) => people.linkContributor(h, contributorId, identityId, now),
    unlinkContributorsOf: (identityId, now) => people.unlinkContributorsOf(h, identityId, now),
    markContributorDenied: (contributorId, now) => people.markContributorDenied(h, contributorId, now),
    setInvitationState: (contributorId, state, now) => people.setInvitationState(h, contributorId, state, now),
    createInvitation: (invitation) => people.createInvitation(h, invitation),
    checkInvitation: (tokenHash, now) => people.checkInvitation(h, tokenHash, now),
    consumeInvitation: (tokenHash, now) => people.consumeInvitation(h, tokenHash, now),
    upsertWebhook: (sub) => id.upsertWebhook(h, sub),
    deleteWebhook: (orcid) => id.deleteWebhook(h, orcid),
    getWebhook: (orcid) => id.getWebhook(h, orcid),
    createOAuthState: (state) => id.createOAuthState(h, state),
    consumeOAuthState: (stateHash, now) => id.consumeOAuthState(h, stateHash, now),
    putPrefill: (identityId, prefill, now) => id.putPrefill(h, identityId, prefill, now),
    getPrefill: (identityId) => id.getPrefill(h, identityId),
    getSetting: (key) => id.getSetting(h, key),
    setSetting: (key, value) => id.setSetting(h, key, value),
  };
}

export function mongoSources(h: MongoHandle): Sources {
  return {
    putSubmission: (submission, now) => src.putSubmission(h, submission, now),
    getSubmissionTitle: (submissionId) => src.getSubmissionTitle(h, submissionId),
    getSubmissionJournal: (submissionId) => src.getSubmissionJournal(h, submissionId),
    putArticle: (article, retraction, now) => src.putArticle(h, article, retraction, now),
    putReview: (review, now) => src.putReview(h, review, now),
    putAppointment: (appointment, now) => src.putAppointment(h, appointment, now),
    sourcesOfContributors: (contributors) => src.sourcesOfContributors(h, contributors),
    dueInvitations: (invitedBefore, after, limit) => src.dueInvitations(h, invitedBefore, after, limit),
  };
}

export function mongoRateBudget(h: MongoHandle): RateBudget {
  return {
    takeRateTokens: (key, want, now, limit) => budget.takeRateTokens(h, key, want, now, limit),
    pauseRateBudget: (key, pause, now, limit) => budget.pauseRateBudget(h, key, pause, now, limit),
  };
}

export function mongoJournals(h: MongoHandle): Journals {
  return {
    upsertJournal: (input, now) => journals.upsertJournal(h, input, now),
    getJournal: (journalId) => journals.getJournal(h, journalId),
    listJournals: (filter) => journals.listJournals(h, filter),
    upsertCredentials: (input, now) => journals.upsertCredentials(h, input, now),
    getCredentials: (credentialsId) => journals.getCredentials(h, credentialsId),
    listCredentials: () => journals.listCredentials(h),
  };
}

// The class is the ports bound to one connection (declaration merging gives it their members).
export interface MongoStore extends Store {}
export class MongoStore {
  private readonly connection: MongoConnection;

  /** `claimOrder` (`?? 'fair'`): see `ClaimOrder`. */
  constructor(options: MongoStoreOptions & ClaimOrderOption) {
    this.connection = new MongoConnection(options);
    Object.assign(this, mongoLedger(this.connection, options.claimOrder), mongoDirectory(this.connection), mongoSources(this.connection), mongoRateBudget(this.connection), mongoJournals(this.connection));
  }

  async init(): Promise<void> {
    await this.connection.open();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
