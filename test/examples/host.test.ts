import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHost, onPublication, onSubmission } from '../../examples/host.js';
import { addResearcher, connectResearcher, CookieJar, invitationLink, recordItems, startEmulator, type RunningEmulator } from 'koa-orcid-connect/testing';
import type { OrcidConnect } from 'koa-orcid-connect';

/**
 * The README's host walkthrough is examples/host.ts, run here as a host would: mounted behind the
 * host's own login, against the emulator. (`npm run typecheck` type-checks it: tsconfig includes examples/.)
 */
describe('the example host (examples/host.ts, the README walkthrough)', function () {
  this.timeout(120_000);
  let emulator: RunningEmulator;
  let orcid: OrcidConnect;
  let server: Server;
  let url: string;
  before(async () => {
    emulator = await startEmulator({ port: 0, rateLimit: false });
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const host = await createHost({ publicUrl: url, storeUrl: 'sqlite::memory:', logLevel: 'silent', env: {}, orcid: { env: 'emulator', baseUrl: emulator.url } });
    orcid = host.orcid;
    server.on('request', host.app.callback());
  });
  after(async () => {
    await orcid?.close();
    await new Promise((r) => server.close(r));
    await emulator?.close();
  });

  it('connects the signed-in author and the invited co-author, publishes, and their works reach ORCID', async () => {
    const josiah = await addResearcher(emulator.url, { givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org' });
    const sofia = await addResearcher(emulator.url, { givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' });
    await onSubmission(orcid);

    const browser = new CookieJar();
    await browser.fetch(`${url}/login?user=u1`);
    const author = await connectResearcher({ startUrl: `${url}/orcid/connect?role=author&submission=s1&return=/submissions/s1`, orcid: josiah }, browser);
    expect(author).to.deep.equal({ status: 302, location: '/submissions/s1' });

    const link = invitationLink(orcid, 'sofia@example.org');
    expect(link).to.be.a('string');
    expect((await connectResearcher({ startUrl: link!, orcid: sofia })).status).to.equal(302);

    const { jats, queued } = await onPublication(orcid);
    expect(queued).to.equal(2);
    expect(jats).to.include(`<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/${josiah}</contrib-id>`);
    await orcid.worker.drain();

    for (const researcher of [josiah, sofia]) {
      const works = (await recordItems(emulator.url, researcher)).filter((i) => i.type === 'work');
      expect(works.map((w) => w.title), researcher).to.deep.equal(['On emulated results']);
      expect(works[0]!.externalIds.map((e) => [e.type, e.value, e.relationship])).to.deep.include(['doi', '10.5555/example.1', 'self']);
    }
  });

  it('is the snippet under "Mounting it in a host" in the README, verbatim', () => {
    const readme = readFileSync('README.md', 'utf8');
    const file = readFileSync('examples/host.ts', 'utf8');
    expect(readme).to.include('```ts\n' + file + '```');
  });
});
