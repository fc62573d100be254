import { expect } from 'chai';
import { InvalidInputError } from '../../src/errors.js';
import { buildPeerReviewXml, reviewUnderPolicy } from '../../src/orcid/peer-review.js';
import { validateOrcidXml } from '../../src/orcid/xsd.js';
import type { Organization, Review, ReviewPolicy } from '../../src/types.js';

/**
 * Issue 14: a peer-review item reveals nothing about an unpublished manuscript. ORCID makes every
 * subject field optional (ORCID-Source `orcid-api-web/tutorial/peer-review.md`, "Describing the
 * subject of the review"; `peer-review-3.0.xsd`: subject-* are minOccurs="0"), so a blind item is
 * a complete, valid item.
 */
const convening: Organization = { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' };

// What a host typically knows at completion: the manuscript's title, and DOIs reserved in advance.
const review: Review = {
  id: 'rev-7', submissionId: 's-1', reviewerContributorId: 'r-1', completedAt: '2026-03-02',
  manuscriptTitle: 'Unpublished findings', articleDoi: '10.5555/reserved.1', articleUrl: 'https://journal.example/preview/1',
  reviewDoi: '10.5555/review.7', reviewUrl: 'https://journal.example/reviews/7',
  journal: { title: 'Journal of Examples', issn: '1234-5679' },
};
const published = { doi: '10.5555/final.1', title: 'Published findings', url: 'https://journal.example/articles/1' };

const SUBJECT = /subject-external-identifier|subject-name|subject-url|Unpublished findings|Published findings|reserved\.1|final\.1|preview\/1|articles\/1/;
const REVIEW_LINKS = /review-url|review\.7|reviews\/7/;

function xmlUnder(policy: ReviewPolicy, subject: typeof published | null) {
  return buildPeerReviewXml(reviewUnderPolicy(review, policy, subject), { convening, groupId: 'issn:1234-5679' });
}

describe('reviewUnderPolicy', () => {
  for (const policy of ['blind', 'open-identities', 'open-review'] as const) {
    it(`${policy}, before publication: the journal, role, type and date, and nothing about the manuscript or the review's links`, async () => {
      const xml = xmlUnder(policy, null);
      expect(xml).not.to.match(SUBJECT);
      expect(xml).not.to.match(REVIEW_LINKS);
      expect(xml).to.include('<peer-review:reviewer-role>reviewer</peer-review:reviewer-role>');
      expect(xml).to.include('<peer-review:review-type>review</peer-review:review-type>');
      expect(xml).to.include('<peer-review:subject-container-name>Journal of Examples</peer-review:subject-container-name>');
      expect(xml).to.match(/<peer-review:review-completion-date>\s*<common:year>2026<\/common:year>\s*<common:month>03<\/common:month>\s*<common:day>02<\/common:day>/);
      expect(xml).to.include('<peer-review:review-group-id>issn:1234-5679</peer-review:review-group-id>');
      expect(xml).to.include('rev-7'); // the host's review id, the item's only `self` id
      expect((await validateOrcidXml(xml, 'peer-review')).errors).to.deep.equal([]);
    });
  }

  it('blind, after publication: still nothing about the manuscript', () => {
    const xml = xmlUnder('blind', published);
    expect(xml).not.to.match(SUBJECT);
    expect(xml).not.to.match(REVIEW_LINKS);
  });

  it('open-identities, after publication: the published article\'s DOI, title and URL, not the review\'s links', async () => {
    const xml = xmlUnder('open-identities', published);
    expect(xml).to.include('<common:external-id-value>10.5555/final.1</common:external-id-value>');
    expect(xml).to.include('<common:title>Published findings</common:title>');
    expect(xml).to.include('<peer-review:subject-url>https://journal.example/articles/1</peer-review:subject-url>');
    // What the host said at completion is not what gets posted: the article as published is.
    expect(xml).not.to.match(/Unpublished findings|reserved\.1|preview\/1/);
    expect(xml).not.to.match(REVIEW_LINKS);
    expect((await validateOrcidXml(xml, 'peer-review')).errors).to.deep.equal([]);
  });

  it('open-review, after publication: the subject and the review\'s own URL and DOI', async () => {
    const xml = xmlUnder('open-review', published);
    expect(xml).to.include('<common:title>Published findings</common:title>');
    expect(xml).to.include('<peer-review:review-url>https://journal.example/reviews/7</peer-review:review-url>');
    expect(xml).to.include('<common:external-id-value>10.5555/review.7</common:external-id-value>');
    expect((await validateOrcidXml(xml, 'peer-review')).errors).to.deep.equal([]);
  });

  it('refuses a policy it does not know, naming the setting', () => {
    expect(() => reviewUnderPolicy(review, 'public' as ReviewPolicy, null)).to.throw(InvalidInputError, 'journal.reviewPolicy: must be one of blind, open-identities, open-review');
  });
});
