/**
 * The PostgreSQL store (several instances on one database): node-postgres with a pool, versioned
 * migrations under an advisory lock, claims with `FOR UPDATE SKIP LOCKED`, and NOTIFY/LISTEN so a
 * job desired in one process reaches a worker in another at once.
 *
 * Every operation is a function over the injected handle in `postgres/`, with the name, order and
 * rules (`deposit-rules.ts`) of its SQLite counterpart in `sqlite/`: read the two side by side.
 * `pg` is loaded when the store opens, so hosts on another store need not install it.
 *
 * @example
 * const store = new PostgresStore({ url: 'postgres://journal@db.example/journal', schema: 'orcid' });
 * await store.init();
 */
import { randomUUID } from 'node:crypto';
import type { Directory, Journals, Ledger, Sources, Store } from './ports.js';
import { PgConnection, type PgHandle, type PostgresStoreOptions } from './postgres/handle.js';
import { NotifyListener } from './postgres/listen.js';
import { postgresRateBudget } from './postgres/rate-budget.js';
import * as write from './postgres/ledger-write.js';
import * as claim from './postgres/ledger-claim.js';
import * as read from './postgres/ledger-read.js';
import * as id from './postgres/identities.js';
import * as people from './postgres/contributors.js';
import * as src from './postgres/sources.js';
import * as journals from './postgres/journals.js';
import { WorkSignal, type WorkListener } from './work-signal.js';
import type { ClaimOrder, ClaimOrderOption } from './store.js';

export { redactPostgresUrl, type PostgresStoreOptions } from './postgres/handle.js';

export function postgresLedger(h: PgHandle, order: ClaimOrder = 'fair'): Ledger {
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
    appendHistory: (entry) => write.appendHistory(h, entry, randomUUID()),
    listHistory: (filter) => read.listHistory(h, filter),
  };
}

export function postgresDirectory(h: PgHandle): Directory {
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

export function postgresSources(h: PgHandle): Sources {
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

export function postgresJournals(h: PgHandle): Journals {
  return {
    upsertJournal: (input, now) => journals.upsertJournal(h, input, now),
    getJournal: (journalId) => journals.getJournal(h, journalId),
    listJournals: (filter) => journals.listJournals(h, filter),
    upsertCredentials: (input, now) => journals.upsertCredentials(h, input, now),
    getCredentials: (credentialsId) => journals.getCredentials(h, credentialsId),
    listCredentials: () => journals.listCredentials(h),
  };
}

// The class is the ports bound to one pool (declaration merging gives it their members).
export interface PostgresStore extends Store {}
export class PostgresStore {
  private readonly connection: PgConnection;
  private readonly signal = new WorkSignal();
  private readonly listener: NotifyListener;

  /** `claimOrder` (`?? 'fair'`): see `ClaimOrder`. */
  constructor(options: PostgresStoreOptions & ClaimOrderOption) {
    this.connection = new PgConnection(options);
    this.listener = new NotifyListener(this.connection, this.signal);
    // The shared rate budget is one statement per take; the connection's guard makes an outage a STORE_UNAVAILABLE.
    const budget = postgresRateBudget({ query: async ({ name, text, values }) => ({ rows: await this.connection.rows(text, values, name) }) });
    Object.assign(this, postgresLedger(this.connection, options.claimOrder), postgresDirectory(this.connection), postgresSources(this.connection), budget, postgresJournals(this.connection));
  }

  /** The schema the tables live in (known after `init()`). */
  get schema(): string {
    return this.connection.schema;
  }

  /** Whether the LISTEN connection for `onWork` is up. */
  get listening(): boolean {
    return this.listener.listening;
  }

  async init(): Promise<void> {
    await this.connection.open();
    if (this.signal.size > 0) this.listener.start();
  }

  /** Hear of new work desired by any process on this database and schema (LISTEN/NOTIFY). */
  onWork(listener: WorkListener): () => void {
    const off = this.signal.on(listener);
    if (this.connection.schema !== '') this.listener.start();
    return () => {
      off();
      if (this.signal.size === 0) void this.listener.stop();
    };
  }

  async close(): Promise<void> {
    await this.listener.stop();
    await this.connection.close();
  }
}
