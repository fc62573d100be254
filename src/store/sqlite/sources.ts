/**
 * Sources over a SQLite handle: the host objects items are built from, one row each, and the
 * reminder query. One function per operation; every write is one statement on the row it changes.
 */
import type { Article, EditorAppointment, Review } from '../../types.js';
import type * as S from '../store.js';
import { DEFAULT_JOURNAL_ID } from '../store.js';
import { placeholders, type SqliteHandle } from './handle.js';
import { fromDoc, ms, toArticle, toContributor } from './rows.js';

export function putSubmission(h: SqliteHandle, s: { id: string; title: string; journalId?: string }, now: Date): void {
  h.run('INSERT INTO submissions (id, title, journal_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at', s.id, s.title, s.journalId ?? DEFAULT_JOURNAL_ID, now.getTime(), now.getTime());
}

export function getSubmissionJournal(h: SqliteHandle, id: string): string | null {
  const r = h.one('SELECT journal_id FROM submissions WHERE id = ?', id);
  return r ? String(r.journal_id) : null;
}

export function getSubmissionTitle(h: SqliteHandle, id: string): string | null {
  const r = h.one('SELECT title FROM submissions WHERE id = ?', id);
  return r ? String(r.title) : null;
}

export function putArticle(h: SqliteHandle, article: Article, retraction: { notice?: string } | undefined, now: Date): S.StoredArticle {
  const { jats: _j, crossref: _c, ...doc } = article;
  // undefined keeps the stored retraction: a correction of a retracted article stays retracted.
  const r = h.one(
    `INSERT INTO articles (id, submission_id, doc, retraction, updated_at) VALUES (@id, @submission_id, @doc, @retraction, @now)
     ON CONFLICT (id) DO UPDATE SET submission_id = @submission_id, doc = @doc,
       retraction = CASE WHEN @keep THEN articles.retraction ELSE @retraction END, updated_at = @now
     RETURNING *`,
    { id: article.id, submission_id: article.submissionId, doc: JSON.stringify(doc), retraction: retraction === undefined ? null : JSON.stringify(retraction), keep: retraction === undefined ? 1 : 0, now: now.getTime() },
  );
  return toArticle(r!);
}

export function putReview(h: SqliteHandle, review: Review, now: Date): void {
  h.run(
    `INSERT INTO reviews (id, reviewer_contributor_id, submission_id, doc, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET reviewer_contributor_id = excluded.reviewer_contributor_id, submission_id = excluded.submission_id, doc = excluded.doc, updated_at = excluded.updated_at`,
    review.id, review.reviewerContributorId, review.submissionId ?? null, JSON.stringify(review), now.getTime(),
  );
}

export function putAppointment(h: SqliteHandle, a: EditorAppointment, now: Date): void {
  h.run('INSERT INTO appointments (contributor_id, doc, updated_at) VALUES (?, ?, ?) ON CONFLICT (contributor_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at', a.contributorId, JSON.stringify(a), now.getTime());
}

export function sourcesOfContributors(h: SqliteHandle, contributors: Array<{ id: string; submissionId: string }>): S.SourcesOfContributors {
  if (contributors.length === 0) return { articles: [], reviews: [], appointments: [] };
  const ids = contributors.map((c) => c.id);
  const submissions = [...new Set(contributors.map((c) => c.submissionId))];
  return h.tx(() => ({
    // The latest article of each submission (a submission is published as one article).
    articles: h.all(`SELECT * FROM articles WHERE submission_id IN (${placeholders(submissions.length)}) ORDER BY updated_at, id`, ...submissions).map(toArticle),
    reviews: h.all(`SELECT doc FROM reviews WHERE reviewer_contributor_id IN (${placeholders(ids.length)}) ORDER BY id`, ...ids).map((r) => fromDoc<Review>(r)),
    appointments: h.all(`SELECT doc FROM appointments WHERE contributor_id IN (${placeholders(ids.length)}) ORDER BY contributor_id`, ...ids).map((r) => fromDoc<EditorAppointment>(r)),
  }));
}

export function dueInvitations(h: SqliteHandle, invitedBefore: Date, after: S.DueCursor | null, limit: number): S.Contributor[] {
  const a = after ? ms(after.invitedAt)! : -1;
  const id = after ? after.contributorId : '';
  return h.all(
    `SELECT * FROM contributors INDEXED BY contributors_due
     WHERE invitation_state = 'sent' AND identity_id IS NULL AND invited_at <= ? AND email IS NOT NULL AND (invited_at > ? OR (invited_at = ? AND id > ?))
     ORDER BY invited_at, id LIMIT ?`,
    ms(invitedBefore), a, a, id, limit,
  ).map(toContributor);
}
