/**
 * Review → ORCID v3.0 `peer-review` XML, and the `group-id-record` a journal's reviews are grouped
 * under. Pure. Element order follows `vendor/orcid-model/record_3.0/peer-review-3.0.xsd` and
 * `group-id-3.0/group-id-3.0.xsd`; namespaces follow the official samples.
 */
import { InvalidInputError } from '../errors.js';
import type { JournalInfo, Organization, Review, ReviewPolicy } from '../types.js';
import {
  LIMITS,
  xmlbuilder2,
  NS,
  addExternalIds,
  addFuzzyDate,
  addOrganization,
  cleanOptional,
  cleanRequired,
  requiredId,
  doiExternalId,
  el,
  fuzzyDate,
  httpUrl,
  journalKey,
  optionalDoi,
  orcidRoot,
  primaryIssn,
  serialize,
  writeExternalIdFields,
  type ExternalId,
} from './payload-common.js';

export interface PeerReviewOptions {
  /** The organization convening the review (the publisher); ORCID requires a disambiguated id. */
  convening: Organization;
  /** The group the review is aggregated under, e.g. `issn:1234-5678` (see {@link journalGroupId}). */
  groupId: string;
  /** Set when updating an item ORCID already holds. */
  putCode?: string;
}

// common-3.0.xsd `group-id`: the prefixes ORCID accepts.
const GROUP_ID = /^(ringgold:|issn:|orcid-generated:|fundref:|publons:)[0-9a-zA-Z^._~:/?#[\]@!$&'()*+,;=-]{2,}$/;

/**
 * The self external id that names a review on a record: `source-work-id`
 * `<journal key>:review:<review id>`. Confidential reviews have no DOI, and a DOI may be minted
 * after the first deposit, so only the host's id is stable; the review DOI, when present, is a
 * second `self` id in the payload.
 */
export function peerReviewSelfExternalId(review: Pick<Review, 'id' | 'journal'>): ExternalId {
  const id = requiredId(review.id, 200, 'review.id');
  if (review.journal === undefined || review.journal === null) throw new InvalidInputError('review.journal', 'is required');
  return { type: 'source-work-id', value: `${journalKey(review.journal, 'review.journal')}:review:${id}`, relationship: 'self' };
}

/**
 * Build the ORCID `peer-review` for a completed review.
 * @throws InvalidInputError naming the field (`review.completedAt`, `options.convening`, …).
 * @example buildPeerReviewXml(review, { convening: publisher, groupId: journalGroupId(review.journal) })
 */
export function buildPeerReviewXml(review: Review, options: PeerReviewOptions): string {
  if (review === null || typeof review !== 'object') throw new InvalidInputError('review', 'is required');
  if (options === undefined || options === null) throw new InvalidInputError('options', 'is required');
  const selfId = peerReviewSelfExternalId(review);
  const completed = fuzzyDate(review.completedAt, 'review.completedAt');
  const groupId = typeof options.groupId === 'string' ? options.groupId.trim() : '';
  if (!GROUP_ID.test(groupId) || groupId.length > LIMITS.title) {
    throw new InvalidInputError('options.groupId', 'must be an ORCID group id such as issn:1234-5678');
  }
  const type = review.type ?? 'review';
  if (type !== 'review' && type !== 'evaluation') throw new InvalidInputError('review.type', 'must be review or evaluation');
  const reviewDoi = optionalDoi(review.reviewDoi, 'review.reviewDoi');
  const articleDoi = optionalDoi(review.articleDoi, 'review.articleDoi');
  const reviewUrl = review.reviewUrl?.trim() ? httpUrl(review.reviewUrl, 'review.reviewUrl') : undefined;
  const articleUrl = review.articleUrl?.trim() ? httpUrl(review.articleUrl, 'review.articleUrl') : undefined;
  const journalTitle = cleanRequired(review.journal!.title, LIMITS.title, 'review.journal.title');

  const root = orcidRoot('peer-review', 'peer-review', options.putCode);
  el(root, 'peer-review', 'reviewer-role', 'reviewer');
  const ids: ExternalId[] = [];
  if (reviewDoi !== undefined) ids.push(doiExternalId(reviewDoi, 'self'));
  ids.push(selfId);
  addExternalIds(root, 'peer-review', 'review-identifiers', ids);
  if (reviewUrl !== undefined) el(root, 'peer-review', 'review-url', reviewUrl);
  el(root, 'peer-review', 'review-type', type);
  addFuzzyDate(root, 'peer-review', 'review-completion-date', completed);
  el(root, 'peer-review', 'review-group-id', groupId);
  // The subject's DOI is `self` from the subject's point of view (as in ORCID's sample).
  if (articleDoi !== undefined) writeExternalIdFields(el(root, 'peer-review', 'subject-external-identifier'), doiExternalId(articleDoi, 'self'));
  el(root, 'peer-review', 'subject-container-name', journalTitle);
  el(root, 'peer-review', 'subject-type', 'journal-article');
  const subjectTitle = cleanOptional(review.manuscriptTitle, LIMITS.title);
  if (subjectTitle !== undefined) el(el(root, 'peer-review', 'subject-name'), 'common', 'title', subjectTitle);
  if (articleUrl !== undefined) el(root, 'peer-review', 'subject-url', articleUrl);
  addOrganization(root, 'peer-review', 'convening-organization', options.convening, 'options.convening');
  return serialize(root);
}

/** The published article a review is about: what an open policy adds to the item on publication. */
export interface ReviewSubject {
  doi?: string;
  title?: string;
  url?: string;
}

export const REVIEW_POLICIES: readonly ReviewPolicy[] = ['blind', 'open-identities', 'open-review'];

/**
 * The review as the journal's policy lets ORCID show it now (docs/peer-review.md). ORCID makes every
 * subject field optional (ORCID-Source `tutorial/peer-review.md`, "Describing the subject of the
 * review"), so a blind item is complete without them. Before publication (`published` null) no
 * policy names the manuscript; after it, `open-identities` adds the article's DOI, title and URL
 * (from the published article, not from what the host said at completion), and `open-review` also
 * the review's own URL and DOI. Pure.
 * @example reviewUnderPolicy(review, 'blind', article) // no articleDoi, manuscriptTitle, articleUrl, reviewUrl, reviewDoi
 */
export function reviewUnderPolicy(review: Review, policy: ReviewPolicy, published: ReviewSubject | null): Review {
  if (!REVIEW_POLICIES.includes(policy)) throw new InvalidInputError('journal.reviewPolicy', `must be one of ${REVIEW_POLICIES.join(', ')}`);
  const { articleDoi: _doi, articleUrl: _url, manuscriptTitle: _title, reviewDoi, reviewUrl, ...bare } = review;
  if (policy === 'blind' || published === null) return bare;
  const subject: Partial<Review> = {};
  if (published.doi) subject.articleDoi = published.doi;
  if (published.title) subject.manuscriptTitle = published.title;
  if (published.url) subject.articleUrl = published.url;
  if (policy === 'open-identities') return { ...bare, ...subject };
  return { ...bare, ...subject, ...(reviewDoi ? { reviewDoi } : {}), ...(reviewUrl ? { reviewUrl } : {}) };
}

/**
 * The peer-review group id of a journal: `issn:` + its print ISSN, else its electronic ISSN
 * (the print ISSN is almost always the ISSN-L, which ORCID's ISSN groups are keyed on).
 * @throws InvalidInputError when the journal has no ISSN: configure a group id instead.
 * @example journalGroupId({ title: 'J', issn: '1234-5679', eissn: '2050-084X' }) // 'issn:1234-5679'
 */
export function journalGroupId(journal: JournalInfo): string {
  const issn = primaryIssn(journal ?? { title: '' });
  if (issn === undefined) throw new InvalidInputError('journal.issn', 'is required to derive a peer-review group id (issn:XXXX-XXXX)');
  return `issn:${issn}`;
}

export interface GroupIdRecordInput {
  name: string;
  groupId: string;
  description: string;
  type: 'journal' | 'publisher' | 'conference' | 'peer-review service';
  putCode?: string;
}

/** The body of `POST /group-id-record` (client_credentials, `/group-id-record/update`). */
export function buildGroupIdRecordXml(input: GroupIdRecordInput): string {
  const name = cleanRequired(input.name, LIMITS.title, 'groupIdRecord.name');
  const description = cleanRequired(input.description, LIMITS.title, 'groupIdRecord.description');
  const groupId = typeof input.groupId === 'string' ? input.groupId.trim() : '';
  if (!GROUP_ID.test(groupId)) throw new InvalidInputError('groupIdRecord.groupId', 'must be an ORCID group id such as issn:1234-5678');
  if (!['journal', 'publisher', 'conference', 'peer-review service'].includes(input.type)) {
    throw new InvalidInputError('groupIdRecord.type', 'must be journal, publisher, conference or peer-review service');
  }
  const attrs: Record<string, string> = { 'xmlns:common': NS.common };
  if (input.putCode !== undefined) {
    if (!/^\d{1,19}$/.test(input.putCode)) throw new InvalidInputError('groupIdRecord.putCode', 'must be a string of digits');
    attrs['put-code'] = input.putCode;
  }
  const root = xmlbuilder2().create({ version: '1.0', encoding: 'UTF-8' }).ele(NS['group-id'], 'group-id:group-id-record', attrs);
  el(root, 'group-id', 'name', name);
  el(root, 'group-id', 'group-id', groupId);
  el(root, 'group-id', 'description', description);
  el(root, 'group-id', 'type', input.type);
  return serialize(root);
}
