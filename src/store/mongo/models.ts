/**
 * Mongoose schemas of the MongoDB store, their indexes and unique constraints, and the mapping
 * from stored documents to domain objects. Collections are prefixed `orcid_` so the plugin can
 * share a database with its host. Every domain id is the document's `_id` (a string), except
 * history entries, whose ObjectId `_id` also orders entries written in the same millisecond.
 */
import mongoose, { Schema } from 'mongoose';
import { OPEN_JOB_RANGE } from '../deposit-rules.js';
import type { Connection, Model, Types } from 'mongoose';
import type * as S from '../store.js';
import { DEFAULT_JOURNAL_ID } from '../store.js';
import type { EditorAppointment, Review } from '../../types.js';

const str = { type: String, default: null };
const date = { type: Date, default: null };
const options = { versionKey: false as const, autoIndex: false, autoCreate: false };

/** One client's token, embedded in its identity (one per credentials id, in connect order: issue 19). */
export interface IdentityTokenDoc { credentialsId: string; sealedTokens: string; scopes: string[]; tokenExpiresAt: Date | null; linkedAt: Date; updatedAt: Date }
export type IdentityDoc = Omit<S.Identity, 'id' | 'tokenClients'> & { _id: string; tokens?: IdentityTokenDoc[] };
export type ContributorDoc = Omit<S.Contributor, 'id'> & { _id: string };
export type InvitationDoc = Omit<S.Invitation, 'tokenHash'> & { _id: string };
export type DepositDoc = Omit<S.Deposit, 'key'> & { _id: string };
/** A job and the journal it was created for (`DEFAULT_JOURNAL_ID` for jobs made before journals). */
export type JobDoc = Omit<S.Job, 'id'> & { _id: string; journalId: string };
export type WebhookDoc = Omit<S.WebhookSubscription, 'orcid'> & { _id: string };
export type HistoryDoc = Omit<S.HistoryEntry, 'id'> & { _id: Types.ObjectId };
export interface SettingDoc {
  _id: string;
  value: string;
}
export interface SubmissionDoc { _id: string; title: string; journalId: string; createdAt: Date; updatedAt: Date }
export interface ArticleDoc { _id: string; submissionId: string; doc: Omit<S.StoredArticle, 'retraction'>; retraction: { notice?: string } | null; updatedAt: Date }
export interface ReviewDoc { _id: string; reviewerContributorId: string; submissionId: string | null; doc: Review; updatedAt: Date }
export interface AppointmentDoc { _id: string; doc: EditorAppointment; updatedAt: Date }
export interface PrefillDoc { _id: string; doc: S.Prefill; readAt: Date }
export interface OAuthStateDoc { _id: string; createdAt: Date; expiresAt: Date; usedAt: Date | null }
export interface JournalDoc { _id: string; credentialsId: string; issn: string | null; eissn: string | null; settings: Record<string, unknown>; createdAt: Date; updatedAt: Date }
export interface CredentialsDoc { _id: string; env: S.CredentialsRecord['env']; clientId: string; sealedSecret: string; sealedWebhookSecret: string | null; settings: Record<string, unknown>; createdAt: Date; updatedAt: Date }
/** One shared GCRA budget per ORCID client id (`rate-rules.ts`), with the answer of the last take. */
export interface RateBudgetDoc {
  _id: string;
  tatMs: number;
  blockedUntilMs: number;
  slowedTo: number | null;
  slowedAtMs: number | null;
  lastGranted: number;
  lastNextAtMs: number;
  lastPerSecond: number;
  updatedAt: Date;
}

const identitySchema = new Schema<IdentityDoc>(
  {
    _id: { type: String, required: true },
    orcid: { type: String, required: true },
    hostUserId: str,
    name: str,
    sealedTokens: str,
    scopes: { type: [String], default: [] },
    tokenExpiresAt: date,
    tokens: {
      type: [{ _id: false, credentialsId: { type: String, required: true }, sealedTokens: { type: String, required: true }, scopes: [String], tokenExpiresAt: date, linkedAt: Date, updatedAt: Date }],
      default: [],
    },
    status: { type: String, required: true },
    authenticated: { type: Boolean, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...options, collection: 'orcid_identities' },
);
identitySchema.index({ orcid: 1 }, { unique: true });
identitySchema.index({ hostUserId: 1, updatedAt: -1 });
identitySchema.index({ 'tokens.credentialsId': 1 });

const contributorSchema = new Schema<ContributorDoc>(
  {
    _id: { type: String, required: true },
    submissionId: { type: String, required: true },
    role: { type: String, required: true },
    givenNames: { type: String, required: true },
    familyName: { type: String, required: true },
    email: str,
    locale: str,
    hostUserId: str,
    identityId: str,
    unauthenticatedOrcid: str,
    deniedAt: date,
    invitationState: { type: String, required: true },
    invitedAt: date,
    remindedAt: date,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...options, collection: 'orcid_contributors' },
);
contributorSchema.index({ submissionId: 1, createdAt: 1, _id: 1 });
contributorSchema.index({ identityId: 1 });
// The reminder query: invitations sent and not answered, oldest first.
contributorSchema.index({ invitationState: 1, invitedAt: 1, _id: 1 });

const invitationSchema = new Schema<InvitationDoc>(
  {
    _id: { type: String, required: true },
    contributorId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: date,
    locale: { type: String, default: null },
  },
  { ...options, collection: 'orcid_invitations' },
);

const depositSchema = new Schema<DepositDoc>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    identityId: { type: String, required: true },
    orcid: { type: String, required: true },
    sourceId: { type: String, required: true },
    submissionId: str,
    externalIdType: { type: String, required: true },
    externalIdValue: { type: String, required: true },
    desiredState: { type: String, required: true },
    payload: str,
    payloadHash: str,
    version: { type: Number, required: true },
    putCode: str,
    postedHash: str,
    maybePosted: { type: Boolean, default: false },
    status: { type: String, required: true },
    lastError: str,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...options, collection: 'orcid_deposits' },
);
depositSchema.index({ identityId: 1 });
depositSchema.index({ submissionId: 1 });
depositSchema.index({ sourceId: 1 });
depositSchema.index({ orcid: 1 });

const jobSchema = new Schema<JobDoc>(
  {
    _id: { type: String, required: true },
    depositKey: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, required: true },
    runAt: { type: Date, required: true },
    leasedBy: str,
    leaseExpiresAt: date,
    lastError: str,
    parkReason: str,
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    journalId: { type: String, required: true, default: DEFAULT_JOURNAL_ID },
  },
  { ...options, collection: 'orcid_jobs' },
);
// At most one open job per deposit, enforced by the server. Partial index filters take no `$in`
// before MongoDB 6, so the filter is the same set written as a range: see OPEN_JOB_RANGE.
jobSchema.index({ depositKey: 1 }, { unique: true, partialFilterExpression: { status: OPEN_JOB_RANGE }, name: 'one_open_job_per_deposit_v2' });
jobSchema.index({ depositKey: 1, status: 1 });
jobSchema.index({ status: 1, runAt: 1, _id: 1 });
jobSchema.index({ status: 1, leaseExpiresAt: 1 });
// The fair claim: the journals with queued jobs (a distinct scan), then each one's oldest due jobs.
jobSchema.index({ status: 1, journalId: 1, runAt: 1, _id: 1 });

const webhookSchema = new Schema<WebhookDoc>(
  {
    _id: { type: String, required: true },
    callbackUrl: { type: String, required: true },
    registeredAt: { type: Date, required: true },
  },
  { ...options, collection: 'orcid_webhooks' },
);

const historySchema = new Schema<HistoryDoc>(
  {
    at: { type: Date, required: true },
    event: { type: String, required: true },
    orcid: str,
    identityId: str,
    submissionId: str,
    depositKey: str,
    jobId: str,
    detail: { type: Schema.Types.Mixed, default: {} },
  },
  { ...options, collection: 'orcid_history', minimize: false },
);
historySchema.index({ at: -1, _id: -1 });
historySchema.index({ orcid: 1, at: -1 });
historySchema.index({ submissionId: 1, at: -1 });
historySchema.index({ depositKey: 1, at: -1 });

const doc = { type: Schema.Types.Mixed, required: true };
const submissionSchema = new Schema<SubmissionDoc>({ _id: { type: String, required: true }, title: { type: String, default: '' }, journalId: { type: String, default: 'default' }, createdAt: { type: Date, required: true }, updatedAt: { type: Date, required: true } }, { ...options, collection: 'orcid_submissions' });
submissionSchema.index({ journalId: 1, _id: 1 });
const articleSchema = new Schema<ArticleDoc>({ _id: { type: String, required: true }, submissionId: { type: String, required: true }, doc, retraction: { type: Schema.Types.Mixed, default: null }, updatedAt: { type: Date, required: true } }, { ...options, collection: 'orcid_articles', minimize: false });
articleSchema.index({ submissionId: 1, updatedAt: 1 });
const reviewSchema = new Schema<ReviewDoc>({ _id: { type: String, required: true }, reviewerContributorId: { type: String, required: true }, submissionId: str, doc, updatedAt: { type: Date, required: true } }, { ...options, collection: 'orcid_reviews', minimize: false });
reviewSchema.index({ reviewerContributorId: 1, _id: 1 });
const appointmentSchema = new Schema<AppointmentDoc>({ _id: { type: String, required: true }, doc, updatedAt: { type: Date, required: true } }, { ...options, collection: 'orcid_appointments', minimize: false });
const prefillSchema = new Schema<PrefillDoc>({ _id: { type: String, required: true }, doc, readAt: { type: Date, required: true } }, { ...options, collection: 'orcid_prefills', minimize: false });
const oauthStateSchema = new Schema<OAuthStateDoc>({ _id: { type: String, required: true }, createdAt: { type: Date, required: true }, expiresAt: { type: Date, required: true }, usedAt: date }, { ...options, collection: 'orcid_oauth_states' });
// Expired states are removed by the server (TTL index).
oauthStateSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

const settingSchema = new Schema<SettingDoc>({ _id: { type: String, required: true }, value: { type: String, required: true } }, { ...options, collection: 'orcid_settings' });

const num = { type: Number, default: null };
const rateBudgetSchema = new Schema<RateBudgetDoc>({
  _id: { type: String, required: true }, tatMs: num, blockedUntilMs: num, slowedTo: num, slowedAtMs: num,
  lastGranted: num, lastNextAtMs: num, lastPerSecond: num, updatedAt: date,
}, { ...options, collection: 'orcid_rate_budgets' });

const mixed = { type: Schema.Types.Mixed, default: {} };
const journalSchema = new Schema<JournalDoc>({
  _id: { type: String, required: true }, credentialsId: { type: String, required: true }, issn: str, eissn: str, settings: mixed,
  createdAt: { type: Date, required: true }, updatedAt: { type: Date, required: true },
}, { ...options, collection: 'orcid_journals', minimize: false });
journalSchema.index({ credentialsId: 1, _id: 1 });
journalSchema.index({ issn: 1 });
journalSchema.index({ eissn: 1 });
const credentialsSchema = new Schema<CredentialsDoc>({
  _id: { type: String, required: true }, env: { type: String, required: true }, clientId: { type: String, required: true },
  sealedSecret: { type: String, required: true }, sealedWebhookSecret: str, settings: mixed,
  createdAt: { type: Date, required: true }, updatedAt: { type: Date, required: true },
}, { ...options, collection: 'orcid_credentials', minimize: false });
credentialsSchema.index({ clientId: 1 });

export interface Models {
  Identity: Model<IdentityDoc>;
  Contributor: Model<ContributorDoc>;
  Invitation: Model<InvitationDoc>;
  Deposit: Model<DepositDoc>;
  Job: Model<JobDoc>;
  Webhook: Model<WebhookDoc>;
  History: Model<HistoryDoc>;
  Setting: Model<SettingDoc>;
  Submission: Model<SubmissionDoc>;
  Article: Model<ArticleDoc>;
  Review: Model<ReviewDoc>;
  Appointment: Model<AppointmentDoc>;
  Prefill: Model<PrefillDoc>;
  OAuthState: Model<OAuthStateDoc>;
  RateBudget: Model<RateBudgetDoc>;
  Journal: Model<JournalDoc>;
  Credentials: Model<CredentialsDoc>;
}

export function defineModels(conn: Connection): Models {
  return {
    Identity: conn.model<IdentityDoc>('OrcidIdentity', identitySchema),
    Contributor: conn.model<ContributorDoc>('OrcidContributor', contributorSchema),
    Invitation: conn.model<InvitationDoc>('OrcidInvitation', invitationSchema),
    Deposit: conn.model<DepositDoc>('OrcidDeposit', depositSchema),
    Job: conn.model<JobDoc>('OrcidJob', jobSchema),
    Webhook: conn.model<WebhookDoc>('OrcidWebhook', webhookSchema),
    History: conn.model<HistoryDoc>('OrcidHistory', historySchema),
    Setting: conn.model<SettingDoc>('OrcidSetting', settingSchema),
    Submission: conn.model<SubmissionDoc>('OrcidSubmission', submissionSchema),
    Article: conn.model<ArticleDoc>('OrcidArticle', articleSchema),
    Review: conn.model<ReviewDoc>('OrcidReview', reviewSchema),
    Appointment: conn.model<AppointmentDoc>('OrcidAppointment', appointmentSchema),
    Prefill: conn.model<PrefillDoc>('OrcidPrefill', prefillSchema),
    OAuthState: conn.model<OAuthStateDoc>('OrcidOAuthState', oauthStateSchema),
    RateBudget: conn.model<RateBudgetDoc>('OrcidRateBudget', rateBudgetSchema),
    Journal: conn.model<JournalDoc>('OrcidJournal', journalSchema),
    Credentials: conn.model<CredentialsDoc>('OrcidCredentials', credentialsSchema),
  };
}

export const newObjectId = (): Types.ObjectId => new mongoose.Types.ObjectId();

// Stored documents to domain objects. Lean documents may lack fields written by older versions,
// hence the `?? null`s.

export const toIdentity = ({ _id, ...d }: IdentityDoc): S.Identity => ({
  id: _id, orcid: d.orcid, hostUserId: d.hostUserId ?? null, name: d.name ?? null, sealedTokens: d.sealedTokens ?? null,
  scopes: [...(d.scopes ?? [])], tokenExpiresAt: d.tokenExpiresAt ?? null, tokenClients: (d.tokens ?? []).map((t) => t.credentialsId),
  status: d.status, authenticated: d.authenticated, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

export const toIdentityToken = (identityId: string, t: IdentityTokenDoc): S.IdentityToken => ({
  identityId, credentialsId: t.credentialsId, sealedTokens: t.sealedTokens, scopes: [...(t.scopes ?? [])],
  tokenExpiresAt: t.tokenExpiresAt ?? null, updatedAt: t.updatedAt,
});

export const toContributor = ({ _id, ...d }: ContributorDoc): S.Contributor => ({
  id: _id, submissionId: d.submissionId, role: d.role, givenNames: d.givenNames, familyName: d.familyName, email: d.email ?? null,
  locale: d.locale ?? null, hostUserId: d.hostUserId ?? null, identityId: d.identityId ?? null,
  unauthenticatedOrcid: d.unauthenticatedOrcid ?? null, deniedAt: d.deniedAt ?? null, invitationState: d.invitationState,
  invitedAt: d.invitedAt ?? null, remindedAt: d.remindedAt ?? null, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

export const toInvitation = ({ _id, ...d }: InvitationDoc): S.Invitation => ({
  tokenHash: _id, contributorId: d.contributorId, createdAt: d.createdAt, expiresAt: d.expiresAt, usedAt: d.usedAt ?? null, locale: d.locale ?? null,
});

export const toDeposit = ({ _id, ...d }: DepositDoc): S.Deposit => ({
  key: _id, kind: d.kind, identityId: d.identityId, orcid: d.orcid, sourceId: d.sourceId, submissionId: d.submissionId ?? null,
  externalIdType: d.externalIdType, externalIdValue: d.externalIdValue, desiredState: d.desiredState, payload: d.payload ?? null,
  payloadHash: d.payloadHash ?? null, version: d.version, putCode: d.putCode ?? null, postedHash: d.postedHash ?? null,
  maybePosted: d.maybePosted === true, status: d.status, lastError: d.lastError ?? null, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

export const fromDeposit = ({ key, ...d }: S.Deposit): DepositDoc => ({ _id: key, ...d });

export const toJob = ({ _id, journalId: _journal, ...d }: JobDoc): S.Job => ({
  id: _id, depositKey: d.depositKey, status: d.status, attempts: d.attempts, runAt: d.runAt,
  leasedBy: d.leasedBy ?? null, leaseExpiresAt: d.leaseExpiresAt ?? null, lastError: d.lastError ?? null,
  parkReason: d.parkReason ?? null, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

export const fromJob = ({ id, ...j }: S.Job, journalId: string): JobDoc => ({ _id: id, ...j, journalId });

/** A job document and its deposit as the ledger returns them. */
export const toClaimed = (d: JobDoc, deposit: S.Deposit): S.ClaimedJob => ({ job: toJob(d), deposit, journalId: d.journalId ?? DEFAULT_JOURNAL_ID });

export const toWebhook = (d: WebhookDoc): S.WebhookSubscription => ({ orcid: d._id, callbackUrl: d.callbackUrl, registeredAt: d.registeredAt });

export const toHistory = ({ _id, ...d }: HistoryDoc): S.HistoryEntry => ({
  id: _id.toHexString(), at: d.at, event: d.event, orcid: d.orcid ?? null, identityId: d.identityId ?? null,
  submissionId: d.submissionId ?? null, depositKey: d.depositKey ?? null, jobId: d.jobId ?? null, detail: d.detail ?? {},
});

export const toArticle = (d: ArticleDoc): S.StoredArticle => ({ ...d.doc, retraction: d.retraction ?? null });
