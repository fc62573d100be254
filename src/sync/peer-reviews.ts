/**
 * Peer-review items as the journal's review policy allows (issue 14, docs/peer-review.md). At
 * completion an item names the journal, role, type and date; once the article is published, an
 * open policy updates the item with its subject (and, for open review, the review's URL and DOI)
 * through the ledger like any other update. Nothing here talks to ORCID.
 */
import type { Directory, Ledger, Sources } from '../store/ports.js';
import type { DesireDepositInput, Identity, StoredArticle } from '../store/store.js';
import type { JournalInfo, Review } from '../types.js';
import type { RuntimeSettings } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { buildPeerReviewXml, journalGroupId, peerReviewSelfExternalId, reviewUnderPolicy, type ReviewSubject } from '../orcid/peer-review.js';
import { depositInput, mayPost as mayPostAny } from './deposit-input.js';

export interface PeerReviewsDeps {
  ledger: Ledger;
  directory: Directory;
  sources: Sources;
  settings: RuntimeSettings;
  now: () => Date;
  /** Who may receive items of this journal (`connect.ts`); default: `mayPost`. */
  mayPost?: (identity: Identity | null) => identity is Identity;
}

/** The subject an open policy may name: the article as published (the host's review fields are not trusted to match). */
export function subjectOf(article: Pick<StoredArticle, 'doi' | 'title' | 'url'> | null | undefined): ReviewSubject | null {
  if (!article) return null;
  return { ...(article.doi ? { doi: article.doi } : {}), title: article.title, ...(article.url ? { url: article.url } : {}) };
}

export function createPeerReviews({ ledger, directory, sources, settings, now, mayPost = mayPostAny }: PeerReviewsDeps) {
  const configuredJournal: JournalInfo = {
    title: settings.journal.title,
    ...(settings.journal.issn ? { issn: settings.journal.issn } : {}),
    ...(settings.journal.eissn ? { eissn: settings.journal.eissn } : {}),
  };

  /** The review with the configured journal when the host named none (issue 14, "Host input checks"). */
  function withJournal(review: Review): Review {
    return review.journal === undefined || review.journal === null ? { ...review, journal: configuredJournal } : review;
  }

  function groupIdFor(review: Review): string {
    return settings.groupId ?? journalGroupId(review.journal ?? configuredJournal);
  }

  /** The item's XML under the journal's policy; `published` is the review's article once it is out. */
  function payload(review: Review, published: Pick<StoredArticle, 'doi' | 'title' | 'url'> | null): string {
    if (!settings.peerReviewsEnabled || !settings.convening) {
      throw new InvalidInputError('review', 'peer reviews are disabled: configure the convening organization (convening.*) to post them');
    }
    const shown = reviewUnderPolicy(withJournal(review), settings.reviewPolicy, subjectOf(published));
    return buildPeerReviewXml(shown, { convening: settings.convening, groupId: groupIdFor(shown) });
  }

  function deposit(review: Review, who: { id: string; orcid: string }, published: StoredArticle | null): DesireDepositInput {
    return depositInput('peer-review', review.id, review.submissionId, who, peerReviewSelfExternalId(withJournal(review)), payload(review, published));
  }

  /** The published article of `submissionId` among `articles`, the latest stored. */
  function articleOf(articles: readonly StoredArticle[], submissionId: string): StoredArticle | null {
    return articles.filter((a) => a.submissionId === submissionId).at(-1) ?? null;
  }

  async function reviewCompleted(input: Review): Promise<number> {
    if (!input || typeof input !== 'object') throw new InvalidInputError('review', 'is required');
    if (!input.id) throw new InvalidInputError('review.id', 'is required');
    if (typeof input.submissionId !== 'string' || !input.submissionId) throw new InvalidInputError('review.submissionId', 'is required');
    if (!input.reviewerContributorId) throw new InvalidInputError('review.reviewerContributorId', 'is required');
    const review = withJournal(input);
    payload(review, null); // validates every field before anything is stored
    // Only an open policy can name the subject, and only of an article already published.
    const published = settings.reviewPolicy === 'blind' ? null
      : articleOf((await sources.sourcesOfContributors([{ id: review.reviewerContributorId, submissionId: review.submissionId }])).articles, review.submissionId);
    await sources.putReview(review, now());
    const [reviewer] = await directory.resolveContributors([review.reviewerContributorId]);
    if (!mayPost(reviewer?.identity ?? null)) return 0;
    const r = await ledger.desireDeposit(deposit(review, reviewer!.identity!, published), now());
    return r.jobId && r.changed ? 1 : 0;
  }

  /**
   * The article of a reviewed submission is out (or corrected): under an open policy every
   * peer-review item of the submission gains its subject. Under `blind`, nothing changes.
   */
  async function articlePublished(article: StoredArticle): Promise<number> {
    if (settings.reviewPolicy === 'blind' || !settings.peerReviewsEnabled || !settings.convening) return 0;
    const posted = (await ledger.listDeposits({ submissionId: article.submissionId })).filter((d) => d.kind === 'peer-review' && d.desiredState === 'present');
    if (posted.length === 0) return 0;
    const reviewers = (await directory.listContributors(article.submissionId)).filter((c) => c.role === 'reviewer');
    const { reviews } = await sources.sourcesOfContributors(reviewers.map((c) => ({ id: c.id, submissionId: c.submissionId })));
    const byId = new Map(reviews.map((r) => [r.id, r]));
    const inputs: DesireDepositInput[] = [];
    for (const d of posted) {
      const review = byId.get(d.sourceId);
      if (review) inputs.push(deposit(review, { id: d.identityId, orcid: d.orcid }, article));
    }
    return (await ledger.desireDeposits(inputs, now())).filter((r) => r.jobId && r.changed).length;
  }

  /** Late consent: the items of `reviews`, each with its article when that is published. */
  function backfill(reviews: readonly Review[], articles: readonly StoredArticle[], who: { id: string; orcid: string }): DesireDepositInput[] {
    return reviews.map((review) => deposit(review, who, articleOf(articles, review.submissionId)));
  }

  return { reviewCompleted, articlePublished, backfill, groupIdFor, withJournal };
}

export type PeerReviews = ReturnType<typeof createPeerReviews>;
