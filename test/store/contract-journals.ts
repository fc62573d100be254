/** The Journals contract: journals and ORCID credentials records, their upserts, lookups and listings. */
import { expect } from 'chai';
import type { CredentialsRecordInput, JournalRecordInput } from '../../src/store/store.js';
import { T0, at, type StoreRef } from './contract.js';

const journal = (id: string, over: Partial<JournalRecordInput> = {}): JournalRecordInput => ({
  id, credentialsId: 'pub-a', issn: null, eissn: null, settings: { title: `Journal ${id}`, languages: ['en'], locale: 'en' }, ...over,
});
const credentials = (id: string, over: Partial<CredentialsRecordInput> = {}): CredentialsRecordInput => ({
  id, env: 'sandbox', clientId: 'APP-AAAAAAAAAAAAAAAA', sealedSecret: 'v1.k.sealed-secret', sealedWebhookSecret: null, settings: { premium: false }, ...over,
});

export function journalsContract(ref: StoreRef): void {
  submissionJournalContract(ref);
  describe('journals', () => {
    it('stores a journal and returns it as stored, settings and all', async () => {
      const given = journal('j1', { issn: '0317-8471', settings: { title: 'Journal of Examples', languages: ['en', 'fr'], nested: { reminderDays: 3 } } });
      const stored = await ref.store.upsertJournal(given, T0);
      expect(stored).to.deep.equal({ ...given, createdAt: T0, updatedAt: T0 });
      expect(await ref.store.getJournal('j1')).to.deep.equal(stored);
      expect(await ref.store.getJournal('nope')).to.equal(null);
    });

    it('replaces a journal on upsert and keeps when it was created', async () => {
      await ref.store.upsertJournal(journal('j1', { issn: '0317-8471' }), T0);
      const again = await ref.store.upsertJournal(journal('j1', { credentialsId: 'pub-b', issn: null, eissn: '1234-5679', settings: { title: 'Renamed' } }), at(5));
      expect(again).to.deep.equal({ id: 'j1', credentialsId: 'pub-b', issn: null, eissn: '1234-5679', settings: { title: 'Renamed' }, createdAt: T0, updatedAt: at(5) });
      expect(await ref.store.listJournals()).to.deep.equal([again]);
    });

    it('lists journals in id order, by credentials record and by either ISSN', async () => {
      await ref.store.upsertJournal(journal('zh', { credentialsId: 'pub-b', eissn: '2049-3630' }), T0);
      await ref.store.upsertJournal(journal('en', { issn: '0317-8471' }), T0);
      await ref.store.upsertJournal(journal('fr', { issn: '2049-3630' }), T0);
      expect((await ref.store.listJournals()).map((j) => j.id)).to.deep.equal(['en', 'fr', 'zh']);
      expect((await ref.store.listJournals({ credentialsId: 'pub-a' })).map((j) => j.id)).to.deep.equal(['en', 'fr']);
      expect((await ref.store.listJournals({ issn: '2049-3630' })).map((j) => j.id)).to.deep.equal(['fr', 'zh']);
      expect((await ref.store.listJournals({ credentialsId: 'pub-b', issn: '2049-3630' })).map((j) => j.id)).to.deep.equal(['zh']);
      expect(await ref.store.listJournals({ credentialsId: 'none' })).to.deep.equal([]);
    });
  });

  describe('credentials', () => {
    it('stores a credentials record with its sealed secrets as given', async () => {
      const given = credentials('pub-a', { sealedWebhookSecret: 'v1.k.sealed-webhook', settings: { premium: true, baseUrl: 'https://sandbox.orcid.org' } });
      const stored = await ref.store.upsertCredentials(given, T0);
      expect(stored).to.deep.equal({ ...given, createdAt: T0, updatedAt: T0 });
      expect(await ref.store.getCredentials('pub-a')).to.deep.equal(stored);
      expect(await ref.store.getCredentials('pub-b')).to.equal(null);
    });

    it('replaces a credentials record on upsert (a rotated secret) and keeps when it was created', async () => {
      await ref.store.upsertCredentials(credentials('pub-a', { sealedWebhookSecret: 'v1.k.w' }), T0);
      const rotated = await ref.store.upsertCredentials(credentials('pub-a', { env: 'production', clientId: 'APP-BBBBBBBBBBBBBBBB', sealedSecret: 'v1.k.rotated' }), at(9));
      expect(rotated).to.deep.equal({ ...credentials('pub-a', { env: 'production', clientId: 'APP-BBBBBBBBBBBBBBBB', sealedSecret: 'v1.k.rotated' }), createdAt: T0, updatedAt: at(9) });
      expect(await ref.store.listCredentials()).to.deep.equal([rotated]);
    });

    it('lists credentials records in id order', async () => {
      await ref.store.upsertCredentials(credentials('pub-b'), T0);
      await ref.store.upsertCredentials(credentials('default'), T0);
      await ref.store.upsertCredentials(credentials('pub-a'), T0);
      expect((await ref.store.listCredentials()).map((c) => c.id)).to.deep.equal(['default', 'pub-a', 'pub-b']);
    });
  });
}

/** Submissions remember their journal (Sources), run with the Journals contract. */
export function submissionJournalContract(ref: StoreRef): void {
  describe('the journal of a submission', () => {
    it('is the one of its first put, "default" when none was named, null for an unknown submission', async () => {
      await ref.store.putSubmission({ id: 's1', title: 'One', journalId: 'zh' }, T0);
      await ref.store.putSubmission({ id: 's1', title: 'One, revised', journalId: 'en' }, at(1));
      await ref.store.putSubmission({ id: 's2', title: 'Two' }, T0);
      expect(await ref.store.getSubmissionJournal('s1')).to.equal('zh');
      expect(await ref.store.getSubmissionTitle('s1')).to.equal('One, revised');
      expect(await ref.store.getSubmissionJournal('s2')).to.equal('default');
      expect(await ref.store.getSubmissionJournal('s3')).to.equal(null);
    });
  });
}
