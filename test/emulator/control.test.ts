import { expect } from 'chai';
import nock from 'nock';
import { harness, type Harness } from './helpers.js';

/** The control API is for scripts: a web page the developer visits must not reset or drive the emulator. */
describe('emulator: control API guard', () => {
  let h: Harness;
  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    h = await harness();
  });
  after(async () => {
    await h.emu.close();
    nock.enableNetConnect();
  });
  const call = (method: string, path: string, headers: Record<string, string>, body?: string) => fetch(`${h.url}/_emulator${path}`, { method, headers, body });

  it('refuses a write that is not application/json (a cross-site form or no-cors fetch)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await call('POST', '/reset', { 'content-type': type }, '{}');
      expect(res.status, type).to.equal(415);
    }
    expect((await call('POST', '/reset', {})).status).to.equal(415);
  });

  it('refuses requests from another origin, reads included', async () => {
    expect((await call('POST', '/reset', { 'content-type': 'application/json', origin: 'https://evil.example' }, '{}')).status).to.equal(403);
    expect((await call('GET', '/researchers', { origin: 'http://localhost:3000' })).status).to.equal(403);
    expect((await call('GET', '/researchers', { 'sec-fetch-site': 'cross-site' })).status).to.equal(403);
  });

  it('serves scripts and same-origin pages', async () => {
    expect((await call('POST', '/reset', { 'content-type': 'application/json' })).status).to.equal(200);
    expect((await call('GET', '/researchers', { origin: new URL(h.url).origin })).status).to.equal(200);
  });
});
