import { expect } from 'chai';
import { Browser, type Harness } from '../flows/harness.js';
import { connectAuthor, manualClock, onlyJob, parkedByOutage, startSyncHarness } from '../sync/helpers.js';

/**
 * Issue 13, finding 2, from outside: a page on another site posts a form to the plugin while the
 * victim's browser holds the host's login. The host here authenticates with a header the browser
 * always sends (like a `SameSite=None` cookie: the worst case for the plugin); the Browser applies
 * the SameSite rules to the plugin's own cookies and sends Origin and Sec-Fetch-Site as browsers do.
 */
describe('CSRF: state-changing routes refuse cross-site requests', function () {
  this.timeout(30_000);
  let h: Harness;
  const EVIL = 'https://evil.example';
  afterEach(() => h?.close());

  let clock: ReturnType<typeof manualClock>;
  async function parkedJob() {
    const { job, deposit } = await parkedByOutage(h, clock);
    return { ...job, depositKey: deposit.key };
  }
  const linked = async () => (await h.orcid.store.findIdentityByOrcid(h.researchers.author!))?.status;

  beforeEach(async () => {
    clock = manualClock();
    h = await startSyncHarness({ now: clock.now });
  });

  it('a cross-site form cannot unlink the signed-in author', async () => {
    const victim = await connectAuthor(h);
    const r = await victim.request(`${h.url}/orcid/unlink`, { form: { return: '/' }, from: EVIL });
    expect([r.status, await linked()]).to.deep.equal([403, 'linked']);
    expect(r.text).to.contain('Cross-site request refused');
    // The same form from the journal's own page, with its token, works.
    const own = await victim.request(`${h.url}/orcid/unlink`, { form: { return: '/account' } });
    // Unlinking answers at once; the revocation at ORCID is a durable job (issue 13, finding 10).
    expect([own.status, own.location, await linked()]).to.deep.equal([302, '/account', 'unlinking']);
    await h.orcid.worker.drain();
    expect(await linked()).to.equal('revoked');
  });

  it('a cross-site request cannot resend invitations, retry or un-park jobs, or send items again', async () => {
    const job = await parkedJob();
    const editor = new Browser({ 'x-user': 'editor-1' });
    const mails = h.orcid.mailer.outbox().length;
    for (const path of [`/orcid/api/submissions/s1/contributors/e1/resend-invitation`, `/orcid/api/jobs/${job.id}/retry`, `/orcid/api/jobs/${job.id}/unpark`,
      `/orcid/status/jobs/${job.id}/unpark`, `/orcid/api/deposits/${encodeURIComponent(job.depositKey)}/send-again`]) {
      for (const attempt of [{ form: { _csrf: 'guess' } }, { json: {} }, { method: 'POST' }]) {
        const r = await editor.request(`${h.url}${path}`, { ...attempt, from: EVIL });
        expect(r.status, `${path} ${JSON.stringify(attempt)}`).to.equal(403);
      }
    }
    expect(h.orcid.mailer.outbox().length).to.equal(mails);
    expect((await onlyJob(h)).job.status).to.equal('parked');
  });

  it('needs both a same-origin signal and a token', async () => {
    const job = await parkedJob();
    const editor = new Browser({ 'x-user': 'editor-1' });
    const url = `${h.url}/orcid/api/jobs/${job.id}/unpark`;
    const token = await editor.csrfToken(h.url);
    // Same origin, no token (a same-site page that was not given one).
    expect((await editor.request(url, { json: {}, csrf: false })).status).to.equal(403);
    // A token, but from another origin, or with neither Origin nor Sec-Fetch-Site.
    expect((await editor.request(url, { json: {}, csrf: token, headers: { origin: EVIL } })).status).to.equal(403);
    expect((await editor.request(url, { json: {}, csrf: token, headers: { origin: 'null' } })).status).to.equal(403);
    expect((await editor.request(url, { json: {}, csrf: token, headers: { origin: '', 'sec-fetch-site': '' } })).status).to.equal(403);
    expect((await editor.request(url, { json: {}, csrf: token, headers: { origin: '', 'sec-fetch-site': 'same-site' } })).status).to.equal(403);
    // Another browser's token does not fit this browser's cookie.
    const other = await new Browser({ 'x-user': 'editor-1' }).csrfToken(h.url);
    expect((await editor.request(url, { json: {}, csrf: other })).status).to.equal(403);
    expect((await onlyJob(h)).job.status).to.equal('parked');
    // Without Origin, Sec-Fetch-Site: same-origin and the token are enough (older same-origin fetches).
    const ok = await editor.request(url, { json: {}, csrf: token, headers: { origin: '', 'sec-fetch-site': 'same-origin', accept: 'application/json' } });
    expect([ok.status, ok.text]).to.deep.equal([200, '{"ok":true}']);
  });

  it('keeps the CSRF nonce in an httpOnly, SameSite=Lax cookie, and the token out of caches', async () => {
    const r = await new Browser().request(`${h.url}/orcid/api/csrf-token`);
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith('koa-orcid.csrf='))!;
    expect(cookie).to.match(/httponly/i);
    expect(cookie).to.match(/samesite=lax/i);
    expect(r.headers.get('cache-control')).to.equal('no-store');
    expect(cookie.split(';')[0]!.split('=')[1]).to.not.equal(JSON.parse(r.text).token); // the page gets an HMAC, never the nonce
  });

  it('JSON routes accept only application/json (415), so no cross-site form can reach them', async () => {
    const job = await parkedJob();
    const editor = new Browser({ 'x-user': 'editor-1' });
    const url = `${h.url}/orcid/api/jobs/${job.id}/unpark`;
    expect((await editor.request(url, { form: { a: '1' } })).status).to.equal(415);
    expect((await editor.request(url, { method: 'POST', headers: { 'content-type': 'text/plain' } })).status).to.equal(415);
    expect((await editor.request(url, { method: 'POST' })).status).to.equal(415);
    expect((await onlyJob(h)).job.status).to.equal('parked');
  });

  it('the status page\'s forms carry the token and go back to the page', async () => {
    const job = await parkedJob();
    const editor = new Browser({ 'x-user': 'editor-1' });
    const page = await editor.request(`${h.url}/orcid/status?submission=s1`);
    const form = /<form method="post" action="([^"]+)"><input type="hidden" name="_csrf" value="([^"]+)"><input type="hidden" name="return" value="([^"]+)">/.exec(page.text);
    expect(form, 'a retry/un-park form with a token').to.not.equal(null);
    const [, action, token, back] = form!;
    expect(action).to.equal(`/orcid/status/jobs/${encodeURIComponent(job.id)}/unpark`);
    const r = await editor.request(`${h.url}${action}`, { form: { _csrf: token!, return: back!.replace(/&amp;/g, '&') }, csrf: false, headers: { accept: 'text/html' } });
    expect([r.status, r.location]).to.deep.equal([302, '/orcid/status?submission=s1']);
    expect((await onlyJob(h)).job.status).to.equal('queued');
  });
});

describe('CSRF: a host with its own tokens', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());

  it('uses the host\'s token and verifier instead of the plugin\'s', async () => {
    h = await startSyncHarness({ csrf: { token: () => 'host-token-0123456789', verify: (_ctx, token) => token === 'host-token-0123456789' } });
    const victim = await connectAuthor(h);
    expect(await victim.csrfToken(h.url)).to.equal('host-token-0123456789');
    expect((await victim.request(`${h.url}/orcid/unlink`, { form: {}, csrf: 'other-token' })).status).to.equal(403);
    const r = await victim.request(`${h.url}/orcid/unlink`, { json: {}, csrf: 'host-token-0123456789', headers: { accept: 'application/json' } });
    expect(r.status).to.equal(200);
  });
});
