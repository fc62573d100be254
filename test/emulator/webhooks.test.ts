import { expect } from 'chai';
import Koa from 'koa';
import nock from 'nock';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { harness, workXml, type Harness } from './helpers.js';

describe('emulator: webhooks', () => {
  let h: Harness;
  let receiver: Server;
  let calls: { path: string; body: string }[];
  let failFirst: number;
  let callback: string;
  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const app = new Koa();
    app.use(async (ctx) => {
      let body = '';
      for await (const c of ctx.req) body += c;
      calls.push({ path: ctx.path, body });
      ctx.status = failFirst-- > 0 ? 503 : 204;
    });
    receiver = app.listen(0, '127.0.0.1');
    await new Promise((r) => receiver.once('listening', r));
    callback = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/orcid/hook`;
  });
  beforeEach(async () => {
    calls = [];
    failFirst = 0;
    h = await harness({ webhooks: { baseDelayMs: 10, attempts: 4 } });
  });
  afterEach(async () => h.emu.close());
  after(() => {
    receiver.close();
    nock.enableNetConnect();
  });

  async function register(orcid: string): Promise<string> {
    const t = (await h.token(null, '/webhook')).access_token;
    const res = await h.api('PUT', `/${orcid}/webhook/${encodeURIComponent(callback)}`, t);
    expect(res.status).to.equal(201);
    expect((await h.api('PUT', `/${orcid}/webhook/${encodeURIComponent(callback)}`, t)).status).to.equal(204);
    return t;
  }

  it('POSTs an empty body to the callback when a work is added, retrying on failure', async () => {
    const orcid = await h.researcher();
    await register(orcid);
    failFirst = 2;
    const t = (await h.token(orcid, '/activities/update')).access_token;
    expect((await h.api('POST', `/v3.0/${orcid}/work`, t, workXml('10.1/hook'))).status).to.equal(201);
    await h.emu.core.notifier.settle();
    expect(calls).to.deep.equal([{ path: '/orcid/hook', body: '' }, { path: '/orcid/hook', body: '' }, { path: '/orcid/hook', body: '' }]);
    expect(h.emu.core.notifier.deliveries.map((d) => d.status)).to.deep.equal([503, 503, 204]);
  });

  it('notifies on a rename through the control API, and stops after DELETE', async () => {
    const orcid = await h.researcher();
    const t = await register(orcid);
    await h.control('POST', `/records/${orcid}/edit`, { action: 'rename', givenNames: 'A', familyName: 'B' });
    await h.emu.core.notifier.settle();
    expect(calls).to.have.length(1);
    expect((await h.api('DELETE', `/${orcid}/webhook/${encodeURIComponent(callback)}`, t)).status).to.equal(204);
    await h.control('POST', `/records/${orcid}/edit`, { action: 'rename', givenNames: 'C', familyName: 'D' });
    await h.emu.core.notifier.settle();
    expect(calls).to.have.length(1);
  });

  it('refuses registration without a /webhook client-credentials token or for a non-premium client', async () => {
    const orcid = await h.researcher();
    const user = (await h.token(orcid, '/activities/update')).access_token;
    expect((await h.api('PUT', `/${orcid}/webhook/${encodeURIComponent(callback)}`, user)).status).to.equal(403);
    const basic = (await h.control('POST', '/clients', { name: 'Basic', redirectUris: ['https://b.example'] })).body;
    const t = (await h.token(null, '/webhook', basic.clientId)).access_token;
    expect((await h.api('PUT', `/${orcid}/webhook/${encodeURIComponent(callback)}`, t)).status).to.equal(403);
  });
});
