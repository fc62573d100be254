/**
 * Sources over a PostgreSQL handle: the host objects items are built from, one row each, and the
 * reminder query. One statement per operation, in the order of `sqlite/sources.ts`.
 */
import type { Article, EditorAppointment, Review } from '../../types.js';
import type * as S from '../store.js';
import { DEFAULT_JOURNAL_ID } from '../store.js';
import type { PgHandle } from './handle.js';
import { toArticle, toContributor } from './rows.js';

export async function putSubmission(h: PgHandle, s: { id: string; title: string; journalId?: string }, now: Date): Promise<void> {
  await h.rows('INSERT INTO submissions (id, title, journal_id, created_at, updated_at) VALUES ($1, $2, $4, $3, $3) ON CONFLICT (id) DO UPDATE SET title = excluded.title, updated_at = excluded.updated_at', [s.id, s.title, now, s.journalId ?? DEFAULT_JOURNAL_ID]);
}

export async function getSubmissionJournal(h: PgHandle, id: string): Promise<string | null> {
  const [r] = await h.rows('SELECT journal_id FROM submissions WHERE id = $1', [id]);
  return r ? String(r.journal_id) : null;
}

export async function getSubmissionTitle(h: PgHandle, id: string): Promise<string | null> {
  const [r] = await h.rows('SELECT title FROM submissions WHERE id = $1', [id]);
  return r ? String(r.title) : null;
}

export async function putArticle(h: PgHandle, article: Article, retraction: { notice?: string } | undefined, now: Date): Promise<S.StoredArticle> {
  const { jats: _j, crossref: _c, ...doc } = article;
  // undefined keeps the stored retraction: a correction of a retracted article stays retracted.
  const [r] = await h.rows(
    `INSERT INTO articles (id, submission_id, doc, retraction, updated_at) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)
     ON CONFLICT (id) DO UPDATE SET submission_id = excluded.submission_id, doc = excluded.doc,
       retraction = CASE WHEN $6 THEN articles.retraction ELSE excluded.retraction END, updated_at = excluded.updated_at
     RETURNING doc, retraction`,
    [article.id, article.submissionId, JSON.stringify(doc), retraction === undefined ? null : JSON.stringify(retraction), now, retraction === undefined],
  );
  return toArticle(r!.doc, r!.retraction);
}

export async function putReview(h: PgHandle, review: Review, now: Date): Promise<void> {
  await h.rows(
    `INSERT INTO reviews (id, reviewer_contributor_id, submission_id, doc, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (id) DO UPDATE SET reviewer_contributor_id = excluded.reviewer_contributor_id, submission_id = excluded.submission_id, doc = excluded.doc, updated_at = excluded.updated_at`,
    [review.id, review.reviewerContributorId, review.submissionId ?? null, JSON.stringify(review), now],
  );
}

export async function putAppointment(h: PgHandle, a: EditorAppointment, now: Date): Promise<void> {
  await h.rows(
    'INSERT INTO appointments (contributor_id, doc, updated_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (contributor_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at',
    [a.contributorId, JSON.stringify(a), now],
  );
}

export async function sourcesOfContributors(h: PgHandle, contributors: Array<{ id: string; submissionId: string }>): Promise<S.SourcesOfContributors> {
  if (contributors.length === 0) return { articles: [], reviews: [], appointments: [] };
  const ids = contributors.map((c) => c.id);
  const submissions = [...new Set(contributors.map((c) => c.submissionId))];
  // Three lists in one statement (one snapshot), each as a JSON array in its order.
  const [r] = await h.rows(
    `SELECT
       (SELECT coalesce(jsonb_agg(jsonb_build_array(doc, retraction) ORDER BY updated_at, id), '[]') FROM articles WHERE submission_id = ANY($1)) AS articles,
       (SELECT coalesce(jsonb_agg(doc ORDER BY id), '[]') FROM reviews WHERE reviewer_contributor_id = ANY($2)) AS reviews,
       (SELECT coalesce(jsonb_agg(doc ORDER BY contributor_id), '[]') FROM appointments WHERE contributor_id = ANY($2)) AS appointments`,
    [submissions, ids],
  );
  return {
    articles: (r!.articles as Array<[unknown, unknown]>).map(([doc, retraction]) => toArticle(doc, retraction)),
    reviews: r!.reviews as Review[],
    appointments: r!.appointments as EditorAppointment[],
  };
}

export async function dueInvitations(h: PgHandle, invitedBefore: Date, after: S.DueCursor | null, limit: number): Promise<S.Contributor[]> {
  return (await h.rows(
    `SELECT * FROM contributors
     WHERE invitation_state = 'sent' AND identity_id IS NULL AND invited_at <= $1 AND email IS NOT NULL
       AND ($2::timestamptz IS NULL OR (invited_at, id) > ($2, $3::text))
     ORDER BY invited_at, id LIMIT $4`,
    [invitedBefore, after?.invitedAt ?? null, after?.contributorId ?? '', limit],
  )).map(toContributor);
}
