import type { Store } from '../store/store.js';
import type { Article, EditorAppointment, Review } from '../types.js';

/**
 * The host objects deposits are built from, kept so that late consent can be backfilled and
 * corrections re-built without asking the host again. Stored through the Store's settings map
 * (JSON by key); the article's JATS/Crossref XML is not kept.
 */
export interface StoredArticle extends Article {
  retraction: { notice?: string } | null;
}

export function sources(store: Store) {
  async function getJson<T>(key: string): Promise<T | null> {
    const raw = await store.getSetting(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  }
  const put = (key: string, value: unknown) => store.setSetting(key, JSON.stringify(value));

  return {
    async putArticle(article: Article, retraction: { notice?: string } | null) {
      const { jats: _j, crossref: _c, ...rest } = article;
      const previous = await getJson<StoredArticle>(`article:${article.id}`);
      await put(`article:${article.id}`, { ...rest, retraction: retraction ?? previous?.retraction ?? null });
      await store.setSetting(`submission-article:${article.submissionId}`, article.id);
    },
    getArticle: (id: string) => getJson<StoredArticle>(`article:${id}`),
    async getArticleOfSubmission(submissionId: string): Promise<StoredArticle | null> {
      const id = await store.getSetting(`submission-article:${submissionId}`);
      return id === null ? null : getJson<StoredArticle>(`article:${id}`);
    },
    async putReview(review: Review) {
      await put(`review:${review.id}`, review);
      const ids = (await getJson<string[]>(`contributor-reviews:${review.reviewerContributorId}`)) ?? [];
      if (!ids.includes(review.id)) await put(`contributor-reviews:${review.reviewerContributorId}`, [...ids, review.id]);
    },
    async reviewsOf(contributorId: string): Promise<Review[]> {
      const ids = (await getJson<string[]>(`contributor-reviews:${contributorId}`)) ?? [];
      const out: Review[] = [];
      for (const id of ids) {
        const r = await getJson<Review>(`review:${id}`);
        if (r) out.push(r);
      }
      return out;
    },
    putAppointment: (a: EditorAppointment) => put(`editor:${a.contributorId}`, a),
    getAppointment: (contributorId: string) => getJson<EditorAppointment>(`editor:${contributorId}`),
  };
}
