/** Sources over a MongoDB handle (as `sqlite/sources.ts`): one document per host object, and the reminder query. */
import type { Article, EditorAppointment, Review } from '../../types.js';
import type * as S from '../store.js';
import { DEFAULT_JOURNAL_ID } from '../store.js';
import { retryDuplicate, type MongoHandle } from './handle.js';
import * as M from './models.js';

export async function putSubmission(h: MongoHandle, s: { id: string; title: string; journalId?: string }, now: Date): Promise<void> {
  await h.guard(() => h.m.Submission.updateOne({ _id: s.id }, { $set: { title: s.title, updatedAt: now }, $setOnInsert: { createdAt: now, journalId: s.journalId ?? DEFAULT_JOURNAL_ID } }, { upsert: true }).exec());
}

export async function getSubmissionJournal(h: MongoHandle, id: string): Promise<string | null> {
  return h.guard(async () => {
    const doc = await h.m.Submission.findById(id).lean<M.SubmissionDoc>().exec();
    return doc ? doc.journalId ?? DEFAULT_JOURNAL_ID : null;
  });
}

export async function getSubmissionTitle(h: MongoHandle, id: string): Promise<string | null> {
  return h.guard(async () => (await h.m.Submission.findById(id).lean<M.SubmissionDoc>().exec())?.title ?? null);
}

export async function putArticle(h: MongoHandle, article: Article, retraction: { notice?: string } | undefined, now: Date): Promise<S.StoredArticle> {
  const { jats: _j, crossref: _c, ...doc } = article;
  // undefined keeps the stored retraction: a correction of a retracted article stays retracted.
  const set: Record<string, unknown> = { submissionId: article.submissionId, doc, updatedAt: now };
  const onInsert: Record<string, unknown> = {};
  (retraction === undefined ? onInsert : set).retraction = retraction ?? null;
  // An empty $setOnInsert is refused by servers before 5.0: only send it when it sets something.
  const update = Object.keys(onInsert).length > 0 ? { $set: set, $setOnInsert: onInsert } : { $set: set };
  return h.guard(async () => M.toArticle((await retryDuplicate(() => h.m.Article.findOneAndUpdate({ _id: article.id }, update, { upsert: true, returnDocument: 'after' }).lean<M.ArticleDoc>().exec()))!));
}

export async function putReview(h: MongoHandle, review: Review, now: Date): Promise<void> {
  await h.guard(() => h.m.Review.updateOne({ _id: review.id }, { $set: { reviewerContributorId: review.reviewerContributorId, submissionId: review.submissionId ?? null, doc: review, updatedAt: now } }, { upsert: true }).exec());
}

export async function putAppointment(h: MongoHandle, a: EditorAppointment, now: Date): Promise<void> {
  await h.guard(() => h.m.Appointment.updateOne({ _id: a.contributorId }, { $set: { doc: a, updatedAt: now } }, { upsert: true }).exec());
}

export async function sourcesOfContributors(h: MongoHandle, contributors: Array<{ id: string; submissionId: string }>): Promise<S.SourcesOfContributors> {
  if (contributors.length === 0) return { articles: [], reviews: [], appointments: [] };
  const ids = contributors.map((c) => c.id);
  const submissions = [...new Set(contributors.map((c) => c.submissionId))];
  return h.tx(async (session) => ({
    articles: (await h.m.Article.find({ submissionId: { $in: submissions } }).sort({ updatedAt: 1, _id: 1 }).session(session).lean<M.ArticleDoc[]>().exec()).map(M.toArticle),
    reviews: (await h.m.Review.find({ reviewerContributorId: { $in: ids } }).sort({ _id: 1 }).session(session).lean<M.ReviewDoc[]>().exec()).map((d) => d.doc),
    appointments: (await h.m.Appointment.find({ _id: { $in: ids } }).sort({ _id: 1 }).session(session).lean<M.AppointmentDoc[]>().exec()).map((d) => d.doc),
  }));
}

export async function dueInvitations(h: MongoHandle, invitedBefore: Date, after: S.DueCursor | null, limit: number): Promise<S.Contributor[]> {
  const page = after ? { $or: [{ invitedAt: { $gt: after.invitedAt } }, { invitedAt: after.invitedAt, _id: { $gt: after.contributorId } }] } : {};
  return h.guard(async () => (await h.m.Contributor.find({
    invitationState: 'sent', identityId: null, email: { $ne: null }, invitedAt: { $lte: invitedBefore }, ...page,
  }).sort({ invitedAt: 1, _id: 1 }).limit(limit).lean<M.ContributorDoc[]>().exec()).map(M.toContributor));
}
