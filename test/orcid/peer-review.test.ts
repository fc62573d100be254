import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidInputError } from '../../src/errors.js';
import { selfExternalId } from '../../src/orcid/payload-common.js';
import { buildGroupIdRecordXml, buildPeerReviewXml, journalGroupId } from '../../src/orcid/peer-review.js';
import { validateOrcidXml } from '../../src/orcid/xsd.js';
import type { Organization, Review } from '../../src/types.js';
import { organization as organizationArb, review as reviewArb } from './arbitraries.js';

const publisher: Organization = {
  name: 'Example Press',
  city: 'Oxford',
  region: 'Oxfordshire',
  country: 'gb',
  disambiguatedId: '052gg0110',
  disambiguationSource: 'ROR',
};

const review: Review = {
  id: 'r-9',
  submissionId: 's-1',
  reviewerContributorId: 'c-3',
  completedAt: new Date('2024-03-02T23:30:00Z'),
  reviewDoi: 'doi:10.5555/Review.9',
  reviewUrl: 'https://journal.example/reviews/9',
  articleDoi: '10.1234/abc.5',
  manuscriptTitle: 'Dense graphs & <i>friends</i>',
  journal: { title: 'Journal of Examples', issn: '1234-5679' },
};

const EXPECTED = `<?xml version="1.0" encoding="UTF-8"?>
<peer-review:peer-review xmlns:peer-review="http://www.orcid.org/ns/peer-review" xmlns:common="http://www.orcid.org/ns/common" put-code="7">
  <peer-review:reviewer-role>reviewer</peer-review:reviewer-role>
  <peer-review:review-identifiers>
    <common:external-id>
      <common:external-id-type>doi</common:external-id-type>
      <common:external-id-value>10.5555/review.9</common:external-id-value>
      <common:external-id-url>https://doi.org/10.5555/review.9</common:external-id-url>
      <common:external-id-relationship>self</common:external-id-relationship>
    </common:external-id>
    <common:external-id>
      <common:external-id-type>source-work-id</common:external-id-type>
      <common:external-id-value>issn:1234-5679:review:r-9</common:external-id-value>
      <common:external-id-relationship>self</common:external-id-relationship>
    </common:external-id>
  </peer-review:review-identifiers>
  <peer-review:review-url>https://journal.example/reviews/9</peer-review:review-url>
  <peer-review:review-type>review</peer-review:review-type>
  <peer-review:review-completion-date>
    <common:year>2024</common:year>
    <common:month>03</common:month>
    <common:day>02</common:day>
  </peer-review:review-completion-date>
  <peer-review:review-group-id>issn:1234-5679</peer-review:review-group-id>
  <peer-review:subject-external-identifier>
    <common:external-id-type>doi</common:external-id-type>
    <common:external-id-value>10.1234/abc.5</common:external-id-value>
    <common:external-id-url>https://doi.org/10.1234/abc.5</common:external-id-url>
    <common:external-id-relationship>self</common:external-id-relationship>
  </peer-review:subject-external-identifier>
  <peer-review:subject-container-name>Journal of Examples</peer-review:subject-container-name>
  <peer-review:subject-type>journal-article</peer-review:subject-type>
  <peer-review:subject-name>
    <common:title>Dense graphs &amp; friends</common:title>
  </peer-review:subject-name>
  <peer-review:convening-organization>
    <common:name>Example Press</common:name>
    <common:address>
      <common:city>Oxford</common:city>
      <common:region>Oxfordshire</common:region>
      <common:country>GB</common:country>
    </common:address>
    <common:disambiguated-organization>
      <common:disambiguated-organization-identifier>https://ror.org/052gg0110</common:disambiguated-organization-identifier>
      <common:disambiguation-source>ROR</common:disambiguation-source>
    </common:disambiguated-organization>
  </peer-review:convening-organization>
</peer-review:peer-review>`;

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidInputError);
    return (e as InvalidInputError).path;
  }
  throw new Error('expected an InvalidInputError');
}

describe('buildPeerReviewXml', () => {
  it('writes a representative review exactly, in XSD order, and ORCID accepts it', async () => {
    const xml = buildPeerReviewXml(review, { convening: publisher, groupId: 'issn:1234-5679', putCode: '7' });
    expect(xml).to.equal(EXPECTED);
    expect(await validateOrcidXml(xml, 'peer-review')).to.deep.equal({ valid: true, errors: [] });
  });

  it('writes a confidential review (no DOI, URL or title) with only the host id and an evaluation type', async () => {
    const xml = buildPeerReviewXml(
      { id: 'r-1', submissionId: 's', reviewerContributorId: 'c', completedAt: '2023-11', journal: { title: 'J' }, type: 'evaluation' },
      { convening: publisher, groupId: 'orcid-generated:abc' },
    );
    for (const absent of ['review-url', 'subject-external-identifier', 'subject-name', '>doi<', '<common:day>']) expect(xml).not.to.include(absent);
    expect(xml).to.include('<common:external-id-value>j:review:r-1</common:external-id-value>');
    expect(xml).to.include('<peer-review:review-type>evaluation</peer-review:review-type>');
    expect((await validateOrcidXml(xml, 'peer-review')).errors).to.deep.equal([]);
  });

  it('names the missing or invalid field', () => {
    const opts = { convening: publisher, groupId: 'issn:1234-5679' };
    expect(pathOf(() => buildPeerReviewXml(review, { groupId: 'issn:1234-5679' } as never))).to.equal('options.convening');
    expect(pathOf(() => buildPeerReviewXml(review, { ...opts, convening: { ...publisher, name: ' ' } }))).to.equal('options.convening.name');
    expect(pathOf(() => buildPeerReviewXml(review, { ...opts, convening: { ...publisher, country: 'GBR' } }))).to.equal('options.convening.country');
    expect(pathOf(() => buildPeerReviewXml(review, { ...opts, convening: { ...publisher, disambiguatedId: '' } }))).to.equal('options.convening.disambiguatedId');
    expect(pathOf(() => buildPeerReviewXml(review, { ...opts, groupId: '1234-5679' }))).to.equal('options.groupId');
    expect(pathOf(() => buildPeerReviewXml({ ...review, completedAt: 'yesterday' }, opts))).to.equal('review.completedAt');
    expect(pathOf(() => buildPeerReviewXml({ ...review, reviewDoi: 'nope' }, opts))).to.equal('review.reviewDoi');
    expect(pathOf(() => buildPeerReviewXml({ ...review, journal: { title: '' } }, opts))).to.equal('review.journal.title');
    expect(pathOf(() => buildPeerReviewXml({ ...review, id: '' }, opts))).to.equal('review.id');
  });

  it('produces payloads ORCID’s XSD accepts for generated reviews and organizations', async function () {
    this.timeout(120_000); // XSD validation in WebAssembly: CPU-bound, slow on a loaded 2-core machine
    await fc.assert(
      fc.asyncProperty(reviewArb, organizationArb, async (r, org) => {
        const xml = buildPeerReviewXml(r, { convening: org, groupId: 'issn:1234-5679' });
        expect((await validateOrcidXml(xml, 'peer-review')).errors).to.deep.equal([]);
        expect(xml).to.include(`<common:external-id-value>${selfExternalId('peer-review', r).value}</common:external-id-value>`);
      }),
      { numRuns: 25 },
    );
  });
});

describe('journalGroupId', () => {
  it('prefers the print ISSN (usually the ISSN-L), then the electronic one', () => {
    expect(journalGroupId({ title: 'J', issn: '1234-5679', eissn: '2050-084X' })).to.equal('issn:1234-5679');
    expect(journalGroupId({ title: 'J', eissn: '2050084x' })).to.equal('issn:2050-084X');
  });

  it('refuses a journal without an ISSN, or with a malformed one', () => {
    expect(pathOf(() => journalGroupId({ title: 'J' }))).to.equal('journal.issn');
    expect(pathOf(() => journalGroupId({ title: 'J', issn: '12345' }))).to.equal('journal.issn');
  });
});

describe('buildGroupIdRecordXml', () => {
  // Not XSD-validated here: the vendored group-id-3.0.xsd imports common_2.1, which is not vendored.
  it('writes the group-id-record in the XSD’s order', () => {
    expect(buildGroupIdRecordXml({ name: 'Journal of Examples', groupId: 'issn:1234-5679', description: 'Reviews for J', type: 'journal' })).to.equal(
      `<?xml version="1.0" encoding="UTF-8"?>
<group-id:group-id-record xmlns:group-id="http://www.orcid.org/ns/group-id" xmlns:common="http://www.orcid.org/ns/common">
  <group-id:name>Journal of Examples</group-id:name>
  <group-id:group-id>issn:1234-5679</group-id:group-id>
  <group-id:description>Reviews for J</group-id:description>
  <group-id:type>journal</group-id:type>
</group-id:group-id-record>`,
    );
  });

  it('refuses a group id ORCID would reject', () => {
    expect(pathOf(() => buildGroupIdRecordXml({ name: 'J', groupId: 'journal:1', description: 'd', type: 'journal' }))).to.equal('groupIdRecord.groupId');
  });
});
