import { expect } from 'chai';
import { Browser } from '../flows/harness.js';
import { control, printFigures, recordItems, startStage, type Stage } from './helpers.js';
import type { Article } from '../../src/types.js';

const JOURNAL = { title: 'Journal of Emulated Research', issn: '0000-0000' };

/**
 * A researcher revokes our access at ORCID while their jobs are queued: the jobs park (nothing is
 * retried against a dead token), exactly one re-invitation is mailed, and once they connect again
 * through that invitation every parked job finishes, each item once.
 */
describe('reliability: revocation mid-drain', function () {
  this.timeout(60_000);
  const figures: Record<string, unknown> = {};
  after(() => printFigures('revocation', figures));

  it('parks their jobs, re-invites once, and finishes the jobs after they reconnect', async () => {
    let stage: Stage | undefined;
    // The plugin's routes need a public URL before the host listens; the stage's plugin is the host.
    const { createServer } = await import('node:http');
    const Koa = (await import('koa')).default;
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      stage = await startStage({ researchers: 1, seed: 6006, env: { PUBLIC_URL: url, ORCID_WORKER_CONCURRENCY: '2' } });
      const app = new Koa();
      app.use(stage.orcid.routes());
      server.on('request', app.callback());
      const [r] = stage.researchers;
      const now = new Date();
      const articles: Article[] = [];
      for (let i = 1; i <= 10; i++) {
        const cid = `rv-c-${i}`;
        await stage.orcid.store.upsertContributor({ id: cid, submissionId: `rv-s-${i}`, role: 'author', givenNames: 'Given0', familyName: 'Family0', email: r!.email }, now);
        await stage.orcid.store.linkContributor(cid, r!.identityId, now);
        articles.push({ id: `rv-a-${i}`, submissionId: `rv-s-${i}`, doi: `10.5555/rv.${i}`, title: `Revocation ${i}`, url: `https://journal.example/rv/${i}`,
          publishedAt: '2026-11-01', journal: JOURNAL, authors: [{ contributorId: cid, givenNames: 'Given0', familyName: 'Family0', sequence: 1 }] });
      }
      for (const a of articles) await stage.orcid.articlePublished(a);
      expect(await stage.orcid.worker.runOnce()).to.equal(2); // two delivered, eight still queued
      await control(stage.emulator, 'POST', '/revoke', { accessToken: r!.accessToken }); // the researcher revokes at ORCID
      await stage.orcid.worker.drain();

      const parked = (await stage.orcid.store.listJobs({ status: 'parked', limit: 100 })).length;
      expect(parked).to.equal(8);
      expect(await stage.orcid.store.countJobs()).to.deep.include({ queued: 0, leased: 0, parked: 8 });
      const identity = await stage.orcid.store.getIdentity(r!.identityId);
      expect([identity!.status, identity!.sealedTokens]).to.deep.equal(['revoked', null]);
      const mails = stage.orcid.mailer.outbox().filter((m) => m.to === r!.email);
      expect(mails).to.have.length(1);
      expect((await recordItems(stage.emulator, r!.orcid)).length).to.equal(2);

      // They reconnect through the re-invitation link.
      const link = /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mails[0]!.text)?.[0];
      expect(link, 'the re-invitation carries a link').to.be.a('string');
      const b = new Browser();
      const toOrcid = await b.request(link!);
      expect(toOrcid.status).to.equal(302);
      const form: Record<string, string> = Object.fromEntries(new URL(toOrcid.location!).searchParams);
      const consent = await b.request(`${stage.emulator.url}/oauth/authorize`, { form: { ...form, orcid: r!.orcid, decision: 'authorize' } });
      const back = await b.request(consent.location!);
      expect(back.status).to.equal(302);
      await stage.orcid.worker.drain();

      expect(await stage.orcid.store.countJobs()).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const items = await recordItems(stage.emulator, r!.orcid);
      expect(items.map((i) => i.title).sort()).to.deep.equal(articles.map((a) => a.title).sort());
      expect(stage.orcid.mailer.outbox().filter((m) => m.to === r!.email)).to.have.length(1);
      figures['revoked mid-drain'] = { queued: 10, deliveredBefore: 2, parked, reinvitations: mails.length, itemsAfterReconnect: items.length };
    } finally {
      await stage?.close();
      await new Promise((r) => server.close(r));
    }
  });
});
