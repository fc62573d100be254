import { expect } from 'chai';
import { Browser, type Harness } from '../flows/harness.js';
import { article, connectAuthor, onlyJob, replaceTokens, startSyncHarness } from '../sync/helpers.js';

/** Issue 13, findings 6, 8, 9, 11 and 12, each reproduced over HTTP as the probe did. */
describe('security findings on the routes', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());
  const editor = () => new Browser({ 'x-user': 'editor-1' });

  async function parkedJob() {
    await connectAuthor(h);
    await h.orcid.articlePublished(article());
    await replaceTokens(h, h.researchers.author!, '/read-limited');
    await h.orcid.worker.drain();
    return (await onlyJob(h)).job;
  }

  it('finding 8: an editor action never redirects to a Referer that merely starts with the public URL', async () => {
    h = await startSyncHarness();
    const job = await parkedJob();
    await replaceTokens(h, h.researchers.author!, '/activities/update /read-limited');
    const forged = `${h.url}@evil.example/phish`; // userinfo "127.0.0.1:port", host evil.example
    const r = await editor().request(`${h.url}/orcid/api/jobs/${job.id}/unpark`, { json: {}, headers: { accept: 'text/html', referer: forged } });
    expect(r.location === null || new URL(r.location, h.url).origin === h.url, `Location: ${r.location}`).to.equal(true);
    // A same-origin Referer is still where the editor goes back to.
    await h.orcid.worker.drain();
  });

  it('finding 8: a same-origin Referer is honoured, as a path', async () => {
    h = await startSyncHarness();
    const job = await parkedJob();
    const r = await editor().request(`${h.url}/orcid/api/jobs/${job.id}/unpark`, { json: {}, headers: { accept: 'text/html', referer: `${h.url}/orcid/status?submission=s1` } });
    expect([r.status, r.location]).to.deep.equal([302, '/orcid/status?submission=s1']);
  });

  it('finding 9: resend-invitation on a linked contributor answers 409 and mails nothing; after a revoked link it sends', async () => {
    h = await startSyncHarness();
    const author = await connectAuthor(h);
    const url = `${h.url}/orcid/api/submissions/s1/contributors/c1/resend-invitation`;
    const mails = h.orcid.mailer.outbox().length;
    const r = await editor().request(url, { json: {}, headers: { accept: 'application/json' } });
    expect([r.status, JSON.parse(r.text).error]).to.deep.equal([409, 'CONTRIBUTOR_LINKED']);
    expect(h.orcid.mailer.outbox().length).to.equal(mails);
    expect((await author.request(`${h.url}/orcid/unlink`, { json: {}, headers: { accept: 'application/json' } })).status).to.equal(200);
    expect((await editor().request(url, { json: {} })).status).to.equal(202);
    expect(h.orcid.mailer.outbox().length).to.equal(mails + 1);
  });

  it('finding 11: job action names are not looked up on an object prototype', async () => {
    h = await startSyncHarness();
    const job = await parkedJob();
    for (const action of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      const r = await editor().request(`${h.url}/orcid/api/jobs/${job.id}/${action}`, { json: {} });
      expect(r.status, action).to.equal(404);
    }
    expect((await onlyJob(h)).job.status).to.equal('parked');
    expect((await h.orcid.store.listHistory({ limit: 100 })).filter((e) => e.detail.by === 'editor')).to.deep.equal([]);
  });

  it('finding 12: metrics need the bearer token when one is configured', async () => {
    h = await startSyncHarness({ metrics: { enabled: true, token: 'metrics-token-0123456789' } });
    const url = `${h.url}/orcid/metrics`;
    const none = await fetch(url);
    expect([none.status, none.headers.get('www-authenticate')]).to.deep.equal([401, 'Bearer realm="metrics"']);
    expect((await fetch(url, { headers: { authorization: 'Bearer metrics-token-012345678X' } })).status).to.equal(401);
    const ok = await fetch(url, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect([ok.status, (await ok.text()).includes('orcid_outbox_jobs')]).to.deep.equal([200, true]);
  });

  it('finding 12: metrics honour an address allow-list', async () => {
    h = await startSyncHarness({ metrics: { enabled: true, allowFrom: ['10.0.0.0/8'] } });
    expect((await fetch(`${h.url}/orcid/metrics`)).status).to.equal(403);
    await h.close();
    h = await startSyncHarness({ metrics: { enabled: true, allowFrom: ['127.0.0.0/8', '::1'] } });
    expect((await fetch(`${h.url}/orcid/metrics`)).status).to.equal(200);
  });

  it('finding 6: forged webhook calls do not use up the rate limit of the real ones', async () => {
    const secret = 'Webhook-S3cret-9f8e7d6c';
    // A clock that stands still: the bucket does not refill while the forged calls arrive.
    const frozen = new Date('2026-11-01T10:00:00Z');
    h = await startSyncHarness({ orcid: { premium: true }, webhooks: { enabled: true, secret }, now: () => frozen });
    const orcid = h.researchers.author!;
    const forged = await Promise.all(Array.from({ length: 150 }, () => fetch(`${h.url}/orcid/webhook/wrong-secret-0123456789/${orcid}`, { method: 'POST' }).then((r) => r.status)));
    expect(new Set(forged)).to.deep.equal(new Set([403]));
    expect((await fetch(`${h.url}/orcid/webhook/${secret}/${orcid}`, { method: 'POST' })).status).to.equal(204);
  });
});
