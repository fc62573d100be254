import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import { dumpDb } from '../reliability/helpers.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError, InvalidInputError } from '../../src/errors.js';
import { normalizeIssn } from '../../src/orcid/payload-common.js';
import type { Article } from '../../src/types.js';

/**
 * Issue 14, "Host input checks": bad host input is refused with a typed error naming the field,
 * before anything is stored (the whole SQLite file is compared before and after).
 */
describe('host input checks', function () {
  this.timeout(60_000);
  let h: Harness;
  let dir: string;
  let dbFile: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orcid-host-input-'));
    dbFile = join(dir, 'orcid.db');
    h = await startHarness({ storeUrl: `sqlite:${dbFile}` });
  });
  afterEach(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The error `event` throws, and whether the store is byte-for-byte as before. */
  async function refused(event: () => Promise<unknown>): Promise<{ error: Error & { code?: string; path?: string }; unchanged: boolean }> {
    const before = dumpDb(dbFile);
    const mails = h.orcid.mailer.outbox().length;
    try {
      await event();
    } catch (e) {
      return { error: e as Error, unchanged: dumpDb(dbFile) === before && h.orcid.mailer.outbox().length === mails };
    }
    throw new Error('the event was accepted');
  }

  const article = (journal: Article['journal']): Article => ({
    id: 'a1', submissionId: 's1', title: 'T', url: 'https://journal.example/a1', publishedAt: '2026-11-01', journal,
    authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }],
  });

  describe('ISSN', () => {
    it('normalizeIssn checks the check digit (ISO 3297)', () => {
      expect(normalizeIssn('0317-8471', 'x')).to.equal('0317-8471');
      expect(normalizeIssn('2050084x', 'x')).to.equal('2050-084X');
      expect(() => normalizeIssn('0317-8472', 'journal.issn')).to.throw(InvalidInputError, 'journal.issn: is not an ISSN: the check digit of "0317-8472" should be 1');
    });

    it('an article with a mistyped ISSN is refused, and nothing is stored', async () => {
      const { error, unchanged } = await refused(() => h.orcid.articlePublished(article({ title: 'J', issn: '1234-5678' })));
      expect([error.constructor.name, error.message]).to.deep.equal(['InvalidInputError', 'article.journal.issn: is not an ISSN: the check digit of "1234-5678" should be 9']);
      expect(unchanged).to.equal(true);
    });

    it('a review with a mistyped ISSN is refused, and nothing is stored', async () => {
      const { error, unchanged } = await refused(() => h.orcid.reviewCompleted({ id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20', journal: { title: 'J', eissn: '2050-0841' } }));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.contain('review.journal.eissn: is not an ISSN');
      expect(unchanged).to.equal(true);
    });

    it('the configuration refuses a journal ISSN with a wrong check digit', () => {
      expect(() => loadConfig({ journal: { title: 'J', issn: '1234-5678' } }, {})).to.throw(ConfigError, 'journal.issn: "1234-5678" is not an ISSN: its check digit should be 9');
      expect(loadConfig({ journal: { title: 'J', issn: '1234-5679' } }, {}).journal.issn).to.equal('1234-5679');
    });
  });

  describe('the configured journal', () => {
    it('reviewCompleted without a journal uses the configured one', async () => {
      await h.orcid.reviewerAssigned({ submissionId: 's1', reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', hostUserId: 'u-r' } });
      await h.connect(new Browser({ 'x-user': 'u-r' }), `${h.url}/orcid/connect?role=reviewer&submission=s1`, h.researchers.reviewer!);
      expect((await h.orcid.reviewCompleted({ id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20' })).queued).to.equal(1);
      await h.orcid.worker.drain();
      const [item] = (await h.record(h.researchers.reviewer!)).items.filter((i) => i.type === 'peer-review');
      expect(item!.xml).to.include('<peer-review:review-group-id>issn:0000-0000</peer-review:review-group-id>');
      expect(item!.xml).to.include('Journal of Emulated Research');
    });

    it('articlePublished without a journal uses the configured one', async () => {
      const { queued } = await h.orcid.articlePublished({ ...article(undefined as never), journal: undefined as never });
      expect(queued).to.equal(0); // nobody connected; the article was accepted and stored
      const [stored] = (await h.orcid.store.sourcesOfContributors([{ id: 'c1', submissionId: 's1' }])).articles;
      expect(stored!.journal).to.deep.equal({ title: 'Journal of Emulated Research', issn: '0000-0000' });
    });
  });

  describe('email addresses', () => {
    for (const bad of ['sofia@example', 'a@example.org, b@example.org', 'Sofia <sofia@example.org>', 'sofia@@example.org', 'sofia example@org.example']) {
      it(`submissionCreated refuses ${JSON.stringify(bad)} before anything is stored or sent`, async () => {
        const { error, unchanged } = await refused(() => h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
          { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
          { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: bad },
        ] }));
        expect([error.constructor.name, error.message]).to.deep.equal(['InvalidInputError', 'submission.contributors[1].email: is not one email address']);
        expect(unchanged).to.equal(true);
      });
    }

    it('reviewerAssigned refuses a bad address before anything is stored or sent', async () => {
      const { error, unchanged } = await refused(() => h.orcid.reviewerAssigned({ submissionId: 's1', reviewer: { contributorId: 'r1', givenNames: 'A', familyName: 'O', email: 'a@example' } }));
      expect(error.message).to.equal('assignment.reviewer.email: is not one email address');
      expect(unchanged).to.equal(true);
    });

    it('articlePublished refuses an author\'s bad address before anything is stored', async () => {
      const bad = article({ title: 'J', issn: '0000-0000' });
      bad.authors[0]!.email = 'josiah@example.org; eve@example.org';
      const { error, unchanged } = await refused(() => h.orcid.articlePublished(bad));
      expect(error.message).to.equal('article.authors[0].email: is not one email address');
      expect(unchanged).to.equal(true);
    });
  });
});
