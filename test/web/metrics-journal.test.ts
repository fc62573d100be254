import { expect } from 'chai';
import { boundedLabel } from '../../src/web/metrics.js';
import { article, connectAuthor, startSyncHarness } from '../sync/helpers.js';
import type { Harness } from '../flows/harness.js';

describe('boundedLabel', () => {
  it('keeps the first journals seen and counts every later one as "other"', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map(label)).to.deep.equal(['a', 'b', 'other', 'a', 'other', 'b']);
  });
});

describe('metrics by journal', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('counts settled jobs per journal beside the totals, the journal taken from the submission', async () => {
    h = await startSyncHarness({ metrics: { enabled: true }, journals: [{ id: 'jb', title: 'Journal B', issn: '2049-3630', credentialsId: 'default' }] });
    await connectAuthor(h);
    await h.orcid.submissionCreated({ id: 's2', journalId: 'jb', title: 'Two', contributors: [
      { contributorId: 'c2', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
    ] });
    await h.orcid.articlePublished(article());
    await h.orcid.articlePublished(article({ id: 'a2', submissionId: 's2', doi: '10.5555/sync.2', authors: [{ contributorId: 'c2', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] }));
    await h.orcid.worker.drain();
    const text = await (await fetch(`${h.url}/orcid/metrics`)).text();
    expect(text).to.include('orcid_jobs_settled_total{kind="work",outcome="synced"} 2');
    expect(text).to.include('orcid_journal_jobs_settled_total{journal="default",kind="work",outcome="synced"} 1');
    expect(text).to.include('orcid_journal_jobs_settled_total{journal="jb",kind="work",outcome="synced"} 1');
  });
});
