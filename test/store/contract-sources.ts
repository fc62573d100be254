/** The Sources contract: submissions, articles, reviews, appointments, and the due-invitations query. */
import { expect } from 'chai';
import type { Article, Review } from '../../src/types.js';
import { T0, at, type StoreRef } from './contract.js';

const article = (over: Partial<Article> = {}): Article => ({
  id: 'a1', submissionId: 's1', doi: '10.5555/x.1', title: 'Results', url: 'https://j.example/a1', publishedAt: '2026-11-01',
  journal: { title: 'J', issn: '0000-0000' }, authors: [{ contributorId: 'c1', givenNames: 'J', familyName: 'C', sequence: 1 }], ...over,
});
const review = (id: string, reviewer: string): Review => ({ id, submissionId: `s-${id}`, reviewerContributorId: reviewer, completedAt: '2026-10-20' } as Review);

export function sourcesContract(ref: StoreRef): void {
  describe('submissions', () => {
    it('keeps the title of a submission, the latest one given', async () => {
      expect(await ref.store.getSubmissionTitle('s1')).to.equal(null);
      await ref.store.putSubmission({ id: 's1', title: 'First' }, T0);
      await ref.store.putSubmission({ id: 's1', title: 'Second' }, at(1));
      expect(await ref.store.getSubmissionTitle('s1')).to.equal('Second');
    });
  });

  describe('articles', () => {
    it('stores an article without its XML and returns it as stored', async () => {
      const stored = await ref.store.putArticle(article({ jats: '<article/>', crossref: '<doi_batch/>' }), undefined, T0);
      expect(stored).to.deep.equal({ ...article(), retraction: null });
      expect((await ref.store.sourcesOfContributors([{ id: 'c1', submissionId: 's1' }])).articles).to.deep.equal([stored]);
    });

    it('keeps a retraction when a correction does not mention it, and replaces it when one is given', async () => {
      await ref.store.putArticle(article(), undefined, T0);
      expect((await ref.store.putArticle(article(), { notice: 'Image duplication.' }, at(1))).retraction).to.deep.equal({ notice: 'Image duplication.' });
      const corrected = await ref.store.putArticle(article({ title: 'Results (corrected)' }), undefined, at(2));
      expect(corrected).to.deep.include({ title: 'Results (corrected)', retraction: { notice: 'Image duplication.' } });
    });
  });

  describe('sourcesOfContributors', () => {
    it('finds the articles of their submissions, their reviews and their appointments in one read', async () => {
      await ref.store.putArticle(article(), undefined, T0);
      await ref.store.putArticle(article({ id: 'a2', submissionId: 's2' }), undefined, T0);
      await ref.store.putReview(review('rv1', 'r1'), T0);
      await ref.store.putReview(review('rv2', 'r1'), T0);
      await ref.store.putReview(review('rv3', 'r2'), T0);
      await ref.store.putAppointment({ contributorId: 'e1', role: 'Editor', startDate: '2025-01-01' }, T0);
      const found = await ref.store.sourcesOfContributors([{ id: 'c1', submissionId: 's1' }, { id: 'r1', submissionId: 's9' }, { id: 'e1', submissionId: 's9' }]);
      expect(found.articles.map((a) => a.id)).to.deep.equal(['a1']);
      expect(found.reviews.map((r) => r.id)).to.deep.equal(['rv1', 'rv2']);
      expect(found.appointments.map((a) => a.contributorId)).to.deep.equal(['e1']);
      expect(await ref.store.sourcesOfContributors([])).to.deep.equal({ articles: [], reviews: [], appointments: [] });
    });

    it('loses no review of one reviewer written concurrently', async () => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => ref.store.putReview(review(`rv${String(i).padStart(2, '0')}`, 'r1'), T0)));
      expect((await ref.store.sourcesOfContributors([{ id: 'r1', submissionId: 's' }])).reviews).to.have.length(12);
    });
  });

  describe('dueInvitations', () => {
    async function invitee(id: string, invitedAt: Date, over: { email?: string | null } = {}) {
      await ref.store.upsertContributor({ id, submissionId: `s-${id}`, role: 'coauthor', givenNames: 'A', familyName: id, email: over.email === undefined ? `${id}@example.org` : over.email }, T0);
      await ref.store.setInvitationState(id, 'sent', invitedAt);
    }

    it('lists invitees due for a reminder (sent, not linked, with an email), oldest first, page by page', async () => {
      await invitee('c3', at(3));
      await invitee('c1', at(1));
      await invitee('c2', at(1));
      await invitee('late', at(100));
      await invitee('noemail', at(1), { email: null });
      await invitee('linked', at(1));
      await ref.store.linkContributor('linked', 'idn-1', at(2));
      await invitee('reminded', at(1));
      await ref.store.setInvitationState('reminded', 'reminded', at(2));
      const first = await ref.store.dueInvitations(at(50), null, 2);
      expect(first.map((c) => c.id)).to.deep.equal(['c1', 'c2']);
      const last = first[1]!;
      const next = await ref.store.dueInvitations(at(50), { invitedAt: last.invitedAt!, contributorId: last.id }, 2);
      expect(next.map((c) => c.id)).to.deep.equal(['c3']);
    });

    it('has no cap: every due invitation is found', async () => {
      for (let i = 0; i < 600; i++) await invitee(`c${String(i).padStart(4, '0')}`, at(i % 7));
      const seen: string[] = [];
      let after = null;
      for (;;) {
        const page = await ref.store.dueInvitations(at(10), after, 250);
        seen.push(...page.map((c) => c.id));
        if (page.length < 250) break;
        after = { invitedAt: page.at(-1)!.invitedAt!, contributorId: page.at(-1)!.id };
      }
      expect(new Set(seen).size).to.equal(600);
    });
  });
}
