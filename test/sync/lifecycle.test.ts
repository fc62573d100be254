/**
 * The identity lifecycle (`src/sync/lifecycle.ts`) through the plugin and the emulator: a callback
 * cannot be replayed, an unlink answers at once and revokes the token through a durable job that
 * is retried until ORCID confirms, and the webhook goes when the link goes.
 */
import { expect } from 'chai';
import type { Harness } from '../flows/harness.js';
import nock from 'nock';
import { article, connectAuthor, emulatorPost, items, manualClock, pluginAccessToken, setFaults, startSyncHarness } from './helpers.js';

const SECRET = 'hook-secret-0123456789';
const webhooksOn = { env: { ORCID_PREMIUM: 'true' }, webhooks: { enabled: true, secret: SECRET } };

/** The cookies a response sets, as one Cookie header. */
const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

async function recordWebhooks(h: Harness, orcid: string): Promise<unknown[]> {
  return ((await (await fetch(`${h.emulator.url}/_emulator/records/${orcid}`)).json()) as { webhooks: unknown[] }).webhooks;
}

describe('identity lifecycle', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());

  it('refuses a callback replayed with the session cookie from before the callback (single-use state, server-side)', async () => {
    h = await startSyncHarness();
    const start = await fetch(`${h.url}/orcid/connect?role=author&submission=s1`, { headers: { 'x-user': 'u1' }, redirect: 'manual' });
    const cookie = cookiesOf(start); // the session as it was before the callback
    const authorize = new URL(start.headers.get('location')!);
    const consent = async () => {
      const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), orcid: h.researchers.author!, decision: 'authorize' });
      const r = await fetch(`${h.emulator.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
      return r.headers.get('location')!;
    };
    const first = await fetch(await consent(), { headers: { cookie, 'x-user': 'u1' }, redirect: 'manual' });
    expect(first.status).to.equal(302);
    // The same cookie and state again, with a fresh code for the same authorization request.
    const replay = await fetch(await consent(), { headers: { cookie, 'x-user': 'u1' }, redirect: 'manual' });
    expect(replay.status).to.equal(403);
    const linked = (await h.orcid.store.listHistory({ orcid: h.researchers.author! })).filter((e) => e.event === 'identity.linked');
    expect(linked).to.have.length(1);
  });

  it('unlink answers at once; a failed revocation at ORCID is retried until ORCID confirms', async () => {
    const clock = manualClock();
    h = await startSyncHarness({ now: clock.now });
    const b = await connectAuthor(h);
    const author = h.researchers.author!;
    const token = await pluginAccessToken(h, author);
    await setFaults(h, { errorRate: 1 });
    const r = await b.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(r.status).to.equal(200);
    await h.orcid.worker.drain();
    // ORCID failed: the token is kept (sealed) and the revocation waits for its next attempt.
    expect(await h.orcid.store.findIdentityByOrcid(author)).to.deep.include({ status: 'unlinking' });
    const [job] = (await h.orcid.store.listJobs({ status: 'queued' })).filter((j) => j.deposit.kind === 'revocation');
    expect(job, 'a queued revocation job').to.not.equal(undefined);
    expect(job!.job.attempts).to.equal(1);
    await setFaults(h, {});
    clock.advance(job!.job.runAt.getTime() - clock.now().getTime() + 1);
    await h.orcid.worker.drain();
    expect(await h.orcid.store.findIdentityByOrcid(author)).to.deep.include({ status: 'revoked', sealedTokens: null });
    // ORCID no longer accepts the token.
    const probe = await fetch(`${h.emulator.url}/v3.0/${author}/works`, { headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.orcid+xml' } });
    expect(probe.status).to.equal(401);
  });

  it('removes the webhook when the researcher unlinks, as a durable job (404/9028 counts as done)', async () => {
    h = await startSyncHarness(webhooksOn);
    const b = await connectAuthor(h);
    const author = h.researchers.author!;
    expect(await recordWebhooks(h, author)).to.have.length(1);
    await h.orcid.articlePublished(article());
    await h.orcid.worker.drain();
    expect((await b.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } })).status).to.equal(200);
    await h.orcid.worker.drain();
    expect(await recordWebhooks(h, author)).to.have.length(0);
    expect(await h.orcid.store.getWebhook(author)).to.equal(null);
    expect(await items(h, author, 'work')).to.have.length(0);
    expect((await h.orcid.store.findIdentityByOrcid(author))!.status).to.equal('revoked');
  });

  it('removes the webhook when ORCID refuses the token', async () => {
    h = await startSyncHarness(webhooksOn);
    await connectAuthor(h);
    const author = h.researchers.author!;
    expect(await recordWebhooks(h, author)).to.have.length(1);
    await emulatorPost(h, '/_emulator/revoke', { accessToken: await pluginAccessToken(h, author) });
    await h.orcid.articlePublished(article());
    await h.orcid.worker.drain();
    expect((await h.orcid.store.findIdentityByOrcid(author))!.status).to.equal('revoked');
    expect(await recordWebhooks(h, author)).to.have.length(0);
    expect(await h.orcid.store.getWebhook(author)).to.equal(null);
  });

  it('counts a webhook ORCID no longer has (404, error 9028) as removed', async () => {
    // ../shared/orcid-model/README.md, "Webhooks (Premium)": unregister when not registered → 404, 9028.
    h = await startSyncHarness(webhooksOn);
    const b = await connectAuthor(h);
    const author = h.researchers.author!;
    const gone = nock(h.emulator.url, { allowUnmocked: true })
      .delete(new RegExp(`^/${author}/webhook/`))
      .reply(404, { 'response-code': 404, 'developer-message': 'Webhook not found', 'error-code': 9028 });
    try {
      expect((await b.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } })).status).to.equal(200);
      await h.orcid.worker.drain();
      expect(gone.isDone(), 'ORCID was asked').to.equal(true);
    } finally {
      nock.cleanAll();
    }
    expect(await h.orcid.store.getWebhook(author)).to.equal(null);
    const [task] = (await h.orcid.store.listDeposits({ orcid: author })).filter((d) => d.kind === 'webhook');
    expect([task!.desiredState, task!.status]).to.deep.equal(['absent', 'synced']);
    expect((await h.orcid.store.listJobs({ status: 'parked' }))).to.deep.equal([]);
  });
});
