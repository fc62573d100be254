import { expect } from 'chai';
import Koa from 'koa';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orcidConnect, type OrcidConnect } from '../../src/plugin.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { Browser } from '../flows/harness.js';

/**
 * Issue 20: the plugin must not depend on where the host puts its own middleware. A host that
 * reads a cookie before the plugin runs creates `ctx.cookies` first, with the keys the app had then.
 */
describe('mounting the plugin behind host middleware that reads cookies', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let orcid: OrcidConnect;
  let server: Server;
  before(async () => {
    emulator = await startEmulator({ port: 0, rateLimit: false });
  });
  after(() => emulator.close());
  afterEach(async () => {
    await orcid?.close();
    if (server) await new Promise((r) => server.close(r));
  });

  async function host(hostKeys?: string[]) {
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    orcid = await orcidConnect({ publicUrl: url, storeUrl: 'sqlite::memory:', logLevel: 'silent', env: {}, orcid: { env: 'emulator', baseUrl: emulator.url }, currentUser: () => ({ id: 'u1' }) });
    const app = new Koa();
    if (hostKeys) app.keys = hostKeys;
    // The host's own middleware, first: it touches ctx.cookies before the plugin sees the request.
    app.use(async (ctx, next) => {
      ctx.state.theme = ctx.cookies.get('theme') ?? 'light';
      await next();
    });
    app.use(orcid.routes());
    server.on('request', app.callback());
    return { app, url };
  }

  it('starts a connect on the very first request after start (no 500)', async () => {
    const { url } = await host();
    const r = await new Browser().request(`${url}/orcid/connect?role=author`);
    expect(r.status, r.text.slice(0, 300)).to.equal(302);
    expect(r.location).to.match(new RegExp(`^${emulator.url}/oauth/authorize`));
  });

  it('keeps its session across requests and leaves the host\'s own app.keys alone', async () => {
    const { app, url } = await host(['the-host-own-key-000']);
    const b = new Browser();
    const first = await b.request(`${url}/orcid/connect?role=author`);
    expect(first.status).to.equal(302);
    const state = new URL(first.location!).searchParams.get('state')!;
    const consent = await b.request(`${emulator.url}/oauth/authorize`, { form: { ...Object.fromEntries(new URL(first.location!).searchParams), orcid: (await (await fetch(`${emulator.url}/_emulator/researchers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ givenNames: 'Josiah', familyName: 'Carberry' }) })).json() as { orcid: string }).orcid, decision: 'authorize' } });
    expect(new URL(consent.location!).searchParams.get('state')).to.equal(state);
    // The callback finds the state in the session set by the first request.
    const back = await b.request(consent.location!);
    expect(back.status, back.text.slice(0, 300)).to.equal(302);
    expect(app.keys).to.deep.equal(['the-host-own-key-000']);
  });
});
