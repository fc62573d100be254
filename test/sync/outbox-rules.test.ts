import { expect } from 'chai';
import { isItemKind } from '../../src/store/store.js';
import type { Harness } from '../flows/harness.js';
import {
  article, connectAuthor, editor, emulatorPost, historyOf, items, manualClock, mintToken, onlyDeposit, onlyJob,
  pluginAccessToken, replaceTokens, setFaults, startSyncHarness,
} from './helpers.js';

const MINUTE = 60_000;

describe('outbox worker rules against the emulator', function () {
  this.timeout(30_000);
  let h: Harness;
  let clock: ReturnType<typeof manualClock>;
  let author: string;

  async function start(options: Parameters<typeof startSyncHarness>[0] = {}) {
    clock = manualClock();
    h = await startSyncHarness({ now: clock.now, ...options });
    author = h.researchers.author!;
  }
  afterEach(() => h?.close());

  describe('2xx', () => {
    beforeEach(() => start());

    it('posts the work, stores the put-code with the completed job, and records it in the history', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      expect(await h.orcid.worker.drain()).to.equal(1);
      const [work] = await items(h, author, 'work');
      const d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['synced', work!.putCode]);
      expect((await historyOf(h, d.key)).map((e) => [e.event, e.detail.putCode])).to.deep.equal([['job.completed', work!.putCode]]);
    });
  });

  describe('409', () => {
    beforeEach(() => start());

    it('adopts the put-code of our own item found by external id, then updates it: one item on the record', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      // Our POST landed but the put-code was lost (crash before completing the job).
      const lost = await onlyDeposit(h);
      const token = (await mintToken(h, author, '/activities/update')).access_token;
      const res = await fetch(`${h.emulator.url}/v3.0/${author}/work`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.orcid+xml' }, body: lost.payload!,
      });
      expect(res.status).to.equal(201);
      const landed = res.headers.get('location')!.split('/').at(-1)!;
      await h.orcid.articleUpdated(article({ title: 'Synchronised results, corrected' }));
      await h.orcid.worker.drain();
      const works = await items(h, author, 'work');
      expect(works.map((w) => w.putCode)).to.deep.equal([landed]);
      expect(works[0]!.xml).to.include('Synchronised results, corrected');
      const d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['synced', landed]);
      expect((await historyOf(h, d.key)).map((e) => e.event)).to.deep.equal(['item.adopted', 'job.completed']);
    });
  });

  describe('409 from another system on our ORCID client (migration)', () => {
    beforeEach(() => start());

    // README "Payload rules…", Duplicates: 409 for any self id of an item from the same client.
    it('adopts the work an earlier system (e.g. OJS) posted with the same DOI and updates it: one item, never parked', async () => {
      await connectAuthor(h);
      const token = (await mintToken(h, author, '/activities/update')).access_token;
      const ojs = (await import('../../src/orcid/work.js')).buildWorkXml(article({ id: 'ojs-12', title: 'Synchronised results (from OJS)' }), { orcidHost: 'sandbox.orcid.org' })
        .replace(/issn:0000-0000:ojs-12/, 'ojs:article/12');
      const res = await fetch(`${h.emulator.url}/v3.0/${author}/work`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.orcid+xml' }, body: ojs,
      });
      expect(res.status, await res.clone().text()).to.equal(201);
      const landed = res.headers.get('location')!.split('/').at(-1)!;
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const works = await items(h, author, 'work');
      expect(works.map((w) => w.putCode)).to.deep.equal([landed]);
      expect(works[0]!.xml).to.include('issn:0000-0000:a1').and.not.include('ojs:article/12');
      const d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['synced', landed]);
      expect((await historyOf(h, d.key)).map((e) => e.event)).to.deep.equal(['item.adopted', 'job.completed']);
    });
  });

  describe('401 invalid_token', () => {
    beforeEach(() => start());

    it('refreshes an expired access token and goes on', async () => {
      await connectAuthor(h);
      const before = await pluginAccessToken(h, author);
      await emulatorPost(h, '/_emulator/expire', { accessToken: before });
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      expect(await items(h, author, 'work')).to.have.length(1);
      expect(await pluginAccessToken(h, author)).to.not.equal(before);
      expect((await h.orcid.store.findIdentityByOrcid(author))!.status).to.equal('linked');
    });

    it('without a usable refresh token: revokes the link, parks its jobs, sends one re-invitation; reconnecting finishes them', async () => {
      const browser = await connectAuthor(h);
      await emulatorPost(h, '/_emulator/revoke', { accessToken: await pluginAccessToken(h, author) });
      await h.orcid.articlePublished(article());
      await h.orcid.articlePublished(article({ id: 'a2', doi: '10.5555/sync.2', title: 'Second article' }));
      await h.orcid.worker.drain();
      const identity = (await h.orcid.store.findIdentityByOrcid(author))!;
      expect([identity.status, identity.sealedTokens]).to.deep.equal(['revoked', null]);
      const jobs = (await h.orcid.store.listJobs({ identityId: identity.id })).filter((j) => isItemKind(j.deposit.kind));
      expect(jobs.map((j) => j.job.status)).to.deep.equal(['parked', 'parked']);
      expect(jobs.map((j) => j.job.parkReason)).to.deep.equal(['token-revoked', 'token-revoked']);
      const mails = h.orcid.mailer.outbox().filter((m) => m.to === 'josiah@example.org');
      expect(mails).to.have.length(1);
      expect(mails[0]!.text).to.match(/\/orcid\/invite\//);
      const revoked = (await h.orcid.store.listHistory({ orcid: author })).filter((e) => e.event === 'identity.revoked');
      expect(revoked.map((e) => [e.detail.reason, e.detail.parkedJobs])).to.deep.equal([['token-revoked', 2]]);

      const r = await h.connect(browser, `${h.url}/orcid/connect?role=author&submission=s1`, author);
      expect(r.status).to.equal(302);
      await h.orcid.worker.drain();
      expect((await items(h, author, 'work')).map((w) => w.title).sort()).to.deep.equal(['Second article', 'Synchronised results']);
      expect(h.orcid.mailer.outbox().filter((m) => m.to === 'josiah@example.org')).to.have.length(1);
    });
  });

  describe('403', () => {
    beforeEach(() => start());

    // ../shared/orcid-model/README.md "Error responses": 403 with 9038 means the token lacks the
    // scope; no refresh adds it, so the researcher must reconnect, as after a 401.
    it('9038 (scope missing): parks the job, revokes the link and re-invites the researcher once', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      // The token the plugin holds no longer carries /activities/update.
      await replaceTokens(h, author, '/read-limited');
      const mailsBefore = h.orcid.mailer.outbox().filter((m) => m.to === 'josiah@example.org').length;
      await h.orcid.worker.drain();
      const { job, deposit } = await onlyJob(h);
      expect(job.status).to.equal('parked');
      expect(job.parkReason).to.equal('scope-missing');
      expect(await items(h, author, 'work')).to.have.length(0);
      expect((await historyOf(h, deposit.key)).filter((e) => e.event === 'identity.revoked').map((e) => e.detail.reason)).to.deep.equal(['scope-missing']);
      expect(h.orcid.mailer.outbox().filter((m) => m.to === 'josiah@example.org')).to.have.length(mailsBefore + 1);
    });
  });

  describe('404 on update', () => {
    beforeEach(() => start());

    it('does not re-add an item the researcher removed; an editor can send it again', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const [first] = await items(h, author, 'work');
      await emulatorPost(h, `/_emulator/records/${author}/edit`, { action: 'delete-item', putCode: first!.putCode });
      await h.orcid.articleUpdated(article({ title: 'Synchronised results, corrected' }));
      await h.orcid.worker.drain();
      expect(await items(h, author, 'work')).to.have.length(0);
      let d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['removed-by-researcher', null]);
      expect((await historyOf(h, d.key)).map((e) => e.event)).to.deep.equal(['job.completed', 'item.removed-by-researcher']);
      // A later correction does not bring it back either.
      expect((await h.orcid.articleUpdated(article({ title: 'Corrected twice' }))).queued).to.equal(0);
      await h.orcid.worker.drain();
      expect(await items(h, author, 'work')).to.have.length(0);

      const url = `${h.url}/orcid/api/deposits/${encodeURIComponent(d.key)}/send-again`;
      const author_ = await connectAuthor(h);
      // Not an editor of the submission: the same 404 as for a key that does not exist (issue 14).
      expect((await author_.request(url, { json: {} })).status).to.equal(404);
      const r = await editor().request(url, { json: {} });
      expect([r.status, r.text]).to.deep.equal([200, '{"ok":true}']);
      await h.orcid.worker.drain();
      const again = await items(h, author, 'work');
      expect(again).to.have.length(1);
      expect(again[0]!.putCode).to.not.equal(first!.putCode);
      expect(again[0]!.xml).to.include('Corrected twice');
      d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['synced', again[0]!.putCode]);
      expect((await historyOf(h, d.key)).map((e) => e.event).slice(-2)).to.deep.equal(['item.send-again', 'job.completed']);
    });
  });

  describe('429', () => {
    beforeEach(() => start());

    it('waits as long as Retry-After says, then succeeds', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { burst429: { count: 1 } });
      await h.orcid.worker.drain();
      const { job, deposit } = await onlyJob(h);
      expect(job.status).to.equal('queued');
      expect(job.runAt.getTime() - clock.now().getTime()).to.equal(1000);
      const retry = (await historyOf(h, deposit.key)).find((e) => e.event === 'job.retry')!;
      expect(retry.detail.delayMs).to.equal(1000);
      expect(String(retry.detail.error)).to.match(/^ORCID_RATE_LIMITED 429/);
      expect(await h.orcid.worker.drain()).to.equal(0); // not due yet
      clock.advance(1000);
      // The shared limiter was told to hold every call for the Retry-After (real time).
      const started = Date.now();
      await h.orcid.worker.drain();
      expect(Date.now() - started).to.be.at.least(500);
      expect(await items(h, author, 'work')).to.have.length(1);
    });
  });

  // README "Rate limits": ORCID throttles with 503 (and gateways with 429); neither says anything about the job.
  describe('throttling and outages park on time, not on attempts', () => {
    it('keeps retrying past maxAttempts, and parks only after parkAfterHours of continuous failure', async () => {
      await start({ worker: { maxAttempts: 2, parkAfterHours: 1 } });
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { burst429: { count: 1 }, errorRate: 1 }); // a 429, then 5xx
      const firstFailure = clock.now().toISOString();
      for (let i = 0; i < 4; i++) {
        await h.orcid.worker.runOnce();
        clock.advance(15 * MINUTE);
      }
      let { job, deposit } = await onlyJob(h);
      // Four failures in 45 minutes (503s and 429s are not counted as attempts): past maxAttempts, still queued.
      expect(job.status).to.equal('queued');
      const retries = (await historyOf(h, deposit.key)).filter((e) => e.event === 'job.retry');
      expect(retries.map((e) => [e.detail.failingSince, e.detail.failures])).to.deep.equal([
        [firstFailure, 1], [firstFailure, 2], [firstFailure, 3], [firstFailure, 4],
      ]);
      await h.orcid.worker.runOnce(); // one hour after the first failure
      ({ job, deposit } = await onlyJob(h));
      expect(job.status).to.equal('parked');
      expect(job.parkReason).to.match(/^ORCID throttled or unreachable for 1 h: /);
      expect(job.parkReason).to.not.match(/</);
      expect(await items(h, author, 'work')).to.have.length(0);
    });

    it('starts a new run of failures after a success', async () => {
      await start({ worker: { parkAfterHours: 1 } });
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { errorRate: 1 });
      await h.orcid.worker.runOnce();
      clock.advance(50 * MINUTE);
      await setFaults(h, {});
      await h.orcid.worker.drain();
      await h.orcid.articleUpdated(article({ title: 'Synchronised results, corrected' }));
      await setFaults(h, { errorRate: 1 });
      clock.advance(20 * MINUTE); // 70 minutes after the first failure, but only now failing again
      await h.orcid.worker.runOnce();
      const { job } = await onlyJob(h);
      expect(job.status).to.equal('queued');
    });
  });

  describe('5xx, resets and timeouts', () => {
    it('backs off with jitter after a 5xx and succeeds on a later attempt', async () => {
      await start();
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { errorRate: 1 });
      await h.orcid.worker.runOnce();
      const { job, deposit } = await onlyJob(h);
      const wait = job.runAt.getTime() - clock.now().getTime();
      expect(job.lastError).to.match(/^(ORCID_SERVER_ERROR 50[02]|ORCID_RATE_LIMITED 503): /);
      // The emulator picks 500, 502 or 503; a 503 is throttling (README "Rate limits"): not counted,
      // and at least half the first step (equal jitter); the others: full jitter under the 1 s step.
      const throttled = job.lastError!.startsWith('ORCID_RATE_LIMITED');
      expect([job.status, job.attempts]).to.deep.equal(['queued', throttled ? 0 : 1]);
      expect(wait).to.be.within(throttled ? 500 : 0, 999);
      await setFaults(h, {});
      clock.advance(1000);
      await h.orcid.worker.drain();
      expect(await items(h, author, 'work')).to.have.length(1);
      expect((await historyOf(h, deposit.key)).map((e) => e.event)).to.deep.equal(['job.retry', 'job.completed']);
    });

    it('retries after a connection reset', async () => {
      await start();
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { resetRate: 1 });
      await h.orcid.worker.runOnce();
      const { job } = await onlyJob(h);
      expect([job.status, job.attempts]).to.deep.equal(['queued', 1]);
      expect(job.lastError).to.match(/^ORCID_NETWORK_ERROR: /);
      await setFaults(h, {});
      clock.advance(1000);
      await h.orcid.worker.drain();
      expect(await items(h, author, 'work')).to.have.length(1);
    });

    it('retries after a timeout and posts exactly one item', async () => {
      // A timeout the retry cannot meet by accident: the emulator validates every item against
      // ORCID's XSDs, which took over 2 s on a loaded machine (the same flake the lease test had).
      await start({ worker: { timeoutMs: 3000 } });
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { latencyMs: 3500 });
      await h.orcid.worker.runOnce();
      const { job, deposit } = await onlyJob(h);
      expect([job.status, job.attempts]).to.deep.equal(['queued', 1]);
      expect(job.lastError).to.match(/^ORCID_NETWORK_ERROR: .*3000 ms/);
      await setFaults(h, {});
      clock.advance(1000);
      await h.orcid.worker.drain();
      const works = await items(h, author, 'work');
      expect(works).to.have.length(1);
      const d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['synced', works[0]!.putCode]);
      expect((await historyOf(h, deposit.key)).map((e) => e.event)).to.deep.equal(['job.retry', 'job.completed']);
    });
  });
});
