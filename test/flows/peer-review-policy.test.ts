import { expect } from 'chai';
import { Browser, startHarness, type Harness } from './harness.js';
import type { Article, ReviewPolicy } from '../../src/types.js';

/**
 * Issue 14, against the emulator: the item a reviewer gets names nothing of the manuscript while it
 * is unpublished; on publication, only an open policy updates the same item (same put-code) with
 * its subject, through the outbox like any other update.
 */
const JOURNAL = { title: 'Journal of Emulated Research', issn: '0000-0000' };

const article: Article = {
  id: 'a1', submissionId: 's1', doi: '10.5555/published.1', title: 'Published results', url: 'https://journal.example/a1',
  publishedAt: '2026-11-01', journal: JOURNAL,
  authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }],
};

describe('peer-review items under the journal\'s review policy (emulator)', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(() => h?.close());

  async function reviewedManuscript(policy: ReviewPolicy | undefined, options: { connectFirst?: boolean } = {}) {
    h = await startHarness({ journal: { ...JOURNAL, ...(policy ? { reviewPolicy: policy } : {}) } });
    await h.orcid.submissionCreated({ id: 's1', title: 'Confidential manuscript', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
    ] });
    await h.orcid.reviewerAssigned({ submissionId: 's1', manuscriptTitle: 'Confidential manuscript',
      reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', hostUserId: 'u-reviewer' } });
    const connect = () => h.connect(new Browser({ 'x-user': 'u-reviewer' }), `${h.url}/orcid/connect?role=reviewer&submission=s1`, h.researchers.reviewer!);
    if (options.connectFirst !== false) expect((await connect()).status).to.equal(302);
    // Everything a host might know at completion, including what it must not post yet.
    await h.orcid.reviewCompleted({ id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20',
      manuscriptTitle: 'Confidential manuscript', articleDoi: '10.5555/reserved.1', reviewUrl: 'https://journal.example/reviews/1', reviewDoi: '10.5555/review.1' });
    return { connect };
  }

  async function reviewItems() {
    await h.orcid.worker.drain();
    return (await h.record(h.researchers.reviewer!)).items.filter((i) => i.type === 'peer-review');
  }

  it('blind (the default): the item names the journal, and stays silent about the manuscript after publication', async () => {
    await reviewedManuscript(undefined);
    const [item] = await reviewItems();
    expect(item!.xml).to.include('issn:0000-0000');
    expect(item!.xml).not.to.match(/Confidential manuscript|reserved\.1|subject-name|subject-external-identifier|review-url/);
    await h.orcid.articlePublished(article);
    const after = await reviewItems();
    expect(after.map((i) => i.putCode)).to.deep.equal([item!.putCode]);
    expect(after[0]!.xml).not.to.match(/Published results|published\.1|Confidential manuscript|subject-name|review-url/);
  });

  it('open-review: the same item gains the published title, DOI, URL and the review\'s URL on publication', async () => {
    await reviewedManuscript('open-review');
    const [item] = await reviewItems();
    expect(item!.xml).not.to.match(/Confidential manuscript|reserved\.1|subject-name|review-url/);
    await h.orcid.articlePublished(article);
    const after = await reviewItems();
    expect(after.map((i) => i.putCode)).to.deep.equal([item!.putCode]);
    expect(after[0]!.xml).to.include('Published results');
    expect(after[0]!.xml).to.include('10.5555/published.1');
    expect(after[0]!.xml).to.include('https://journal.example/reviews/1');
    expect(after[0]!.xml).not.to.match(/Confidential manuscript|reserved\.1/);
  });

  it('open-identities: a reviewer who connects after publication gets the item with its subject, without the review\'s links', async () => {
    const { connect } = await reviewedManuscript('open-identities', { connectFirst: false });
    await h.orcid.articlePublished(article);
    expect((await connect()).status).to.equal(302);
    const [item] = await reviewItems();
    expect(item!.xml).to.include('Published results');
    expect(item!.xml).not.to.match(/review-url|review\.1/);
  });
});
