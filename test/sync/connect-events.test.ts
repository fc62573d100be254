import { expect } from 'chai';
import type { Harness } from '../flows/harness.js';
import { article, connectAs, connectAuthor, historyOf, items, onlyDeposit, startSyncHarness } from './helpers.js';

const appointment = { contributorId: 'e1', role: 'Handling Editor', startDate: '2025-01-01' };

describe('host events → items on the record (emulator)', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());

  describe('articleRetracted', () => {
    it('by default updates the work in place, marked as retracted', async () => {
      h = await startSyncHarness();
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const [before] = await items(h, h.researchers.author!, 'work');
      expect((await h.orcid.articleRetracted(article(), { notice: 'Image duplication.' })).queued).to.equal(1);
      await h.orcid.worker.drain();
      const works = await items(h, h.researchers.author!, 'work');
      expect(works.map((w) => w.putCode)).to.deep.equal([before!.putCode]);
      expect(works[0]!.xml).to.include('RETRACTED: Synchronised results');
    });

    it('with the delete policy removes the work, and a later update does not bring it back', async () => {
      h = await startSyncHarness({ policies: { retraction: 'delete' } });
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
      expect((await h.orcid.articleRetracted(article())).queued).to.equal(1);
      await h.orcid.worker.drain();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(0);
      const d = await onlyDeposit(h);
      expect([d.desiredState, d.putCode, d.status]).to.deep.equal(['absent', null, 'synced']);
      expect((await h.orcid.articleUpdated(article({ title: 'After retraction' }))).queued).to.equal(0);
      await h.orcid.worker.drain();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(0);
    });
  });

  describe('articleUpdated', () => {
    it('with the same contributorIds keeps the authenticated link and updates in place', async () => {
      h = await startSyncHarness();
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      // The host edits the author's name (same contributorId) and corrects the title.
      const edited = article({ title: 'Synchronised results (v2)',
        authors: [{ contributorId: 'c1', givenNames: 'Josiah S.', familyName: 'Carberry', email: 'josiah@example.org', sequence: 1 }] });
      expect((await h.orcid.articleUpdated(edited)).queued).to.equal(1);
      await h.orcid.worker.drain();
      const c = await h.orcid.store.getContributor('c1');
      const identity = await h.orcid.store.findIdentityByOrcid(h.researchers.author!);
      expect([c!.identityId, identity!.status]).to.deep.equal([identity!.id, 'linked']);
      const works = await items(h, h.researchers.author!, 'work');
      expect(works).to.have.length(1);
      expect(works[0]!.xml).to.include('Synchronised results (v2)');
    });
  });

  describe('late consent', () => {
    it('queues the work at once for an author who connects after publication', async () => {
      h = await startSyncHarness();
      await h.orcid.articlePublished(article());
      expect(await h.orcid.store.listDeposits({ submissionId: 's1' })).to.have.length(0);
      await connectAuthor(h, { runTasks: false });
      const d = await onlyDeposit(h);
      expect([d.kind, d.status]).to.deep.equal(['work', 'pending']);
      await h.orcid.worker.drain();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
    });

    it('queues the peer review for a reviewer who connects after completing the review', async () => {
      h = await startSyncHarness();
      await h.orcid.reviewerAssigned({ submissionId: 's1', manuscriptTitle: 'Synchronised results',
        reviewer: { contributorId: 'r1', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org', hostUserId: 'u-r1' } });
      const review = { id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20',
        articleDoi: '10.5555/sync.1', manuscriptTitle: 'Synchronised results', journal: { title: 'Journal of Emulated Research', issn: '0000-0000' } };
      expect((await h.orcid.reviewCompleted(review)).queued).to.equal(0);
      await connectAs(h, 'u-r1', 'reviewer', h.researchers.coauthor!);
      await h.orcid.worker.drain();
      const reviews = await items(h, h.researchers.coauthor!, 'peer-review');
      expect(reviews).to.have.length(1);
      expect(reviews[0]!.xml).to.include('<peer-review:review-group-id>issn:0000-0000</peer-review:review-group-id>');
    });
  });

  describe('editorAppointed / editorTermEnded', () => {
    it('puts a service on the editor\'s record and adds the end date when the term ends', async () => {
      h = await startSyncHarness();
      const editorOrcid = h.researchers.reviewer!;
      // Appointed before connecting: the service is backfilled on connect.
      expect((await h.orcid.editorAppointed(appointment)).queued).to.equal(0);
      await connectAs(h, 'u-e1', 'editor', editorOrcid);
      await h.orcid.worker.drain();
      const [service] = await items(h, editorOrcid, 'service');
      expect(service!.xml).to.include('Handling Editor');
      expect(service!.xml).to.not.include('end-date');
      expect((await h.orcid.editorTermEnded({ ...appointment, endDate: '2026-06-30' })).queued).to.equal(1);
      await h.orcid.worker.drain();
      const after = await items(h, editorOrcid, 'service');
      expect(after.map((s) => s.putCode)).to.deep.equal([service!.putCode]);
      expect(after[0]!.xml.replace(/>\s+</g, '><')).to.match(/<common:end-date><common:year>2026<\/common:year><common:month>06<\/common:month><common:day>30<\/common:day><\/common:end-date>/);
      const d = (await h.orcid.store.listDeposits({ orcid: editorOrcid })).find((x) => x.kind === 'service')!;
      expect((await historyOf(h, d.key)).map((e) => e.event)).to.deep.equal(['job.completed', 'job.completed']);
    });
  });
});
