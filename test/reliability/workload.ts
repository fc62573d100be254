/**
 * A journal's worth of host events, generated from a seed: articles with one or two authors
 * (works), reviews (peer reviews), then corrections (updates) and retractions (deletes, with the
 * `delete` retraction policy). `expected` is the host's view of what each record must end up with,
 * kept independently of the ledger so the check does not grade the plugin with its own answers.
 */
import type { Article, Review } from '../../src/types.js';
import type { OrcidConnect } from '../../src/plugin.js';
import type { Researcher } from './helpers.js';

const JOURNAL = { title: 'Journal of Emulated Research', issn: '0000-0000' };

export interface Workload {
  articles: Article[];
  reviews: Review[];
  /** Mutations to apply later: corrections and retractions. */
  mutations: Array<{ kind: 'update'; article: Article } | { kind: 'update-review'; review: Review } | { kind: 'delete'; article: Article }>;
  /** deposit key → whether it must be on the record, and a string its payload must contain. */
  expected: Map<string, { present: boolean; marker: string }>;
  deposits: number;
}

export function buildWorkload(researchers: Researcher[], target: number, random: () => number, prefix = 'a'): Workload {
  const articles: Article[] = [];
  const reviews: Review[] = [];
  const expected = new Map<string, { present: boolean; marker: string }>();
  let deposits = 0;
  let n = 0;
  while (deposits < target) {
    n++;
    const pick = () => researchers[Math.floor(random() * researchers.length)]!;
    if (random() < 0.25) {
      const r = pick();
      const review: Review = {
        id: `${prefix}-rev-${n}`, submissionId: `${prefix}-sub-${n}`, reviewerContributorId: `${prefix}-c-${n}-r`, completedAt: '2026-10-20',
        manuscriptTitle: `Manuscript ${n} v1`, journal: JOURNAL,
      };
      reviews.push(review);
      expected.set(`peer-review:${review.id}:${r.orcid}`, { present: true, marker: reviewMarker(review) });
      (review as Review & { researcher: Researcher }).researcher = r;
      deposits++;
      continue;
    }
    const first = pick();
    let second = random() < 0.4 ? pick() : null;
    if (second === first || deposits + 2 > target) second = null;
    const authors = [first, ...(second ? [second] : [])].map((r, i) => ({
      contributorId: `${prefix}-c-${n}-${i}`, givenNames: `Given${i}`, familyName: `Author${n}`, sequence: i + 1, researcher: r,
    }));
    const article: Article = {
      id: `${prefix}-art-${n}`, submissionId: `${prefix}-sub-${n}`, doi: `10.5555/${prefix}.${n}`, title: `Article ${n} v1`,
      url: `https://journal.example/${prefix}/${n}`, publishedAt: '2026-11-01', journal: JOURNAL, authors,
    };
    articles.push(article);
    for (const a of authors) expected.set(`work:${article.id}:${a.researcher.orcid}`, { present: true, marker: article.title });
    deposits += authors.length;
  }
  const mutations: Workload['mutations'] = [];
  for (const a of articles) {
    const roll = random();
    if (roll < 0.1) {
      const updated = { ...a, title: a.title.replace('v1', 'v2') };
      mutations.push({ kind: 'update', article: updated });
      for (const au of a.authors) expected.set(`work:${a.id}:${researcherOf(au).orcid}`, { present: true, marker: updated.title });
    } else if (roll < 0.15) {
      mutations.push({ kind: 'delete', article: a });
      for (const au of a.authors) expected.set(`work:${a.id}:${researcherOf(au).orcid}`, { present: false, marker: '' });
    }
  }
  for (const r of reviews) {
    if (random() < 0.1) {
      // A corrected completion date: the title of an unpublished manuscript is never posted (blind policy).
      const updated = { ...r, manuscriptTitle: r.manuscriptTitle!.replace('v1', 'v2'), completedAt: '2026-10-21' };
      mutations.push({ kind: 'update-review', review: updated });
      expected.set(`peer-review:${r.id}:${researcherOfReview(r).orcid}`, { present: true, marker: reviewMarker(updated) });
    }
  }
  // Interleave the mutation kinds so each chunk applied during a run has some of each.
  mutations.sort(() => random() - 0.5);
  return { articles, reviews, mutations, expected, deposits };
}

function researcherOf(author: Article['authors'][number]): Researcher {
  return (author as typeof author & { researcher: Researcher }).researcher;
}
function researcherOfReview(review: Review): Researcher {
  return (review as Review & { researcher: Researcher }).researcher;
}

/** The host's side of "a person connected": contributors linked to their identity before events arrive. */
export async function linkContributors(orcid: OrcidConnect, w: Workload): Promise<void> {
  const now = new Date();
  for (const a of w.articles) {
    for (const [i, au] of a.authors.entries()) {
      await orcid.store.upsertContributor({ id: au.contributorId, submissionId: a.submissionId, role: i === 0 ? 'author' : 'coauthor', givenNames: au.givenNames, familyName: au.familyName }, now);
      await orcid.store.linkContributor(au.contributorId, researcherOf(au).identityId, now);
    }
  }
  for (const r of w.reviews) {
    await orcid.store.upsertContributor({ id: r.reviewerContributorId, submissionId: r.submissionId, role: 'reviewer', givenNames: 'Rev', familyName: 'Iewer' }, now);
    await orcid.store.linkContributor(r.reviewerContributorId, researcherOfReview(r).identityId, now);
  }
}

/** Strip the test-only `researcher` back-references before handing objects to the plugin. */
export function plainArticle(a: Article): Article {
  return { ...a, authors: a.authors.map(({ contributorId, givenNames, familyName, sequence }) => ({ contributorId, givenNames, familyName, sequence })) };
}
/**
 * What a peer-review payload must contain to be the latest: its completion day. Under the default
 * blind policy (issue 14) the manuscript's title is never posted, so it cannot mark a version.
 */
export function reviewMarker(r: Pick<Review, 'completedAt'>): string {
  return `<common:day>${String(r.completedAt).slice(8, 10)}</common:day>`;
}

export function plainReview(r: Review): Review {
  const { researcher: _r, ...rest } = r as Review & { researcher?: Researcher };
  return rest;
}

export async function publishAll(orcid: OrcidConnect, w: Workload): Promise<number> {
  let queued = 0;
  for (const a of w.articles) queued += (await orcid.articlePublished(plainArticle(a))).queued;
  for (const r of w.reviews) queued += (await orcid.reviewCompleted(plainReview(r))).queued;
  return queued;
}

export async function applyMutations(orcid: OrcidConnect, list: Workload['mutations']): Promise<void> {
  for (const m of list) {
    if (m.kind === 'update') await orcid.articleUpdated(plainArticle(m.article));
    else if (m.kind === 'update-review') await orcid.reviewCompleted(plainReview(m.review));
    else await orcid.articleRetracted(plainArticle(m.article), { notice: 'Retracted by the journal.' });
  }
}

/** The mutations split into `parts` chunks, to apply one chunk per worker restart. */
export function chunks<T>(list: T[], parts: number): T[][] {
  const size = Math.ceil(list.length / Math.max(1, parts));
  const out: T[][] = [];
  for (let i = 0; i < parts; i++) out.push(list.slice(i * size, (i + 1) * size));
  return out;
}
