import { expect } from 'chai';
import type { Harness } from '../flows/harness.js';
import { article, connectAuthor, emulatorPost, eventually, historyOf, items, onlyDeposit, startSyncHarness } from './helpers.js';

const SECRET = 'hook-secret-0123456789';
// `orcid` is the harness's own option (emulator URL); premium comes from the environment instead.
const webhooksOn = { env: { ORCID_PREMIUM: 'true' }, webhooks: { enabled: true, secret: SECRET } };

type Stats = { requests: Record<string, Record<string, number>>; webhookDeliveries: Array<{ orcid: string; status?: number }> };

async function stats(h: Harness): Promise<Stats> {
  return (await (await fetch(`${h.emulator.url}/_emulator/stats`)).json()) as Stats;
}

/** Reads of record sections (person, employments, summaries) — what a reconciliation costs. */
async function recordReads(h: Harness): Promise<number> {
  const byStatus = (await stats(h)).requests['GET /v3.0/:orcid/:view'] ?? {};
  return Object.values(byStatus).reduce((a, b) => a + b, 0);
}

describe('ORCID webhooks (Premium) against the emulator', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());

  it('registers a webhook for each linked iD', async () => {
    h = await startSyncHarness(webhooksOn);
    await connectAuthor(h);
    const author = h.researchers.author!;
    const hooks = await eventually(async () => {
      const r = (await (await fetch(`${h.emulator.url}/_emulator/records/${author}`)).json()) as { webhooks: Array<{ url?: string; callbackUrl?: string }> };
      return r.webhooks.length ? r.webhooks : null;
    });
    expect(hooks.map((w) => w.url ?? w.callbackUrl)).to.deep.equal([`${h.url}/orcid/webhook/${SECRET}/${author}`]);
    expect((await h.orcid.store.getWebhook(author))!.callbackUrl).to.equal(`${h.url}/orcid/webhook/${SECRET}/${author}`);
  });

  it('marks an item the researcher deleted as removed, without re-adding it', async () => {
    h = await startSyncHarness(webhooksOn);
    const author = h.researchers.author!;
    await connectAuthor(h);
    await eventually(() => h.orcid.store.getWebhook(author));
    await h.orcid.articlePublished(article());
    await h.orcid.worker.drain();
    const [work] = await items(h, author, 'work');
    // The reconciliation is a durable task: the running worker picks it up after the debounce.
    h.orcid.worker.start();
    await emulatorPost(h, `/_emulator/records/${author}/edit`, { action: 'delete-item', putCode: work!.putCode });
    const d = await eventually(async () => {
      const x = await onlyDeposit(h);
      return x.status === 'removed-by-researcher' ? x : null;
    });
    await h.orcid.worker.stop();
    expect(d.putCode).to.equal(null);
    const [removed] = (await historyOf(h, d.key)).filter((e) => e.event === 'item.removed-by-researcher');
    expect(removed!.detail).to.deep.equal({ putCode: work!.putCode, via: 'webhook' });
    expect(await h.orcid.worker.drain()).to.equal(0);
    expect(await items(h, author, 'work')).to.have.length(0);
  });

  it('picks up a new name once for a burst of notifications', async () => {
    h = await startSyncHarness(webhooksOn);
    const author = h.researchers.author!;
    await connectAuthor(h);
    await eventually(() => h.orcid.store.getWebhook(author));
    await eventually(async () => (await recordReads(h)) === 2); // person + employments, the prefill after connecting
    h.orcid.worker.start();
    for (const givenNames of ['Jo', 'Joe', 'Joseph']) {
      await emulatorPost(h, `/_emulator/records/${author}/edit`, { action: 'rename', givenNames, familyName: 'Carberry' });
    }
    const identity = await eventually(async () => {
      const i = await h.orcid.store.findIdentityByOrcid(author);
      return i?.name === 'Joseph Carberry' ? i : null;
    });
    expect(identity.name).to.equal('Joseph Carberry');
    const delivered = (await stats(h)).webhookDeliveries.filter((w) => w.orcid === author && w.status === 204);
    expect(delivered).to.have.length(3);
    expect(await recordReads(h)).to.equal(3); // one reconciliation: the person section
  });

  it('answers 403 to a wrong secret and 404 when webhooks are off', async () => {
    h = await startSyncHarness(webhooksOn);
    const author = h.researchers.author!;
    expect((await fetch(`${h.url}/orcid/webhook/wrong-secret-0123456789/${author}`, { method: 'POST' })).status).to.equal(403);
    await h.close();
    h = await startSyncHarness();
    expect((await fetch(`${h.url}/orcid/webhook/${SECRET}/${author}`, { method: 'POST' })).status).to.equal(404);
  });
});
