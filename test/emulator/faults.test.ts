import { expect } from 'chai';
import nock from 'nock';
import { harness, type Harness } from './helpers.js';

describe('emulator: rate limit and faults', () => {
  let h: Harness;
  let orcid: string;
  let token: string;
  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterEach(async () => h?.emu.close());
  after(() => nock.enableNetConnect());
  const setup = async (opts = {}) => {
    h = await harness(opts);
    orcid = await h.researcher();
    token = (await h.token(orcid, '/read-limited')).access_token;
  };
  const get = () => h.api('GET', `/v3.0/${orcid}/works`, token);

  it('answers 429 with Retry-After once the burst is spent (fixed clock: no refill)', async () => {
    const at = new Date('2025-01-01T00:00:00Z');
    await setup({ rateLimit: { perSecond: 24, burst: 40 }, now: () => at });
    const statuses = [];
    for (let i = 0; i < 41; i++) statuses.push((await get()).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).to.equal(true);
    expect(statuses[40]).to.equal(429);
    const res = await get();
    expect(res.headers.get('retry-after')).to.equal('1');
    expect(await res.text()).to.contain('<error:response-code>429</error:response-code>');
    expect((await h.control('GET', '/stats')).body.rateLimited).to.equal(2);
  });

  it('injects 5xx answers at errorRate 1', async () => {
    await setup();
    expect((await h.control('PUT', '/faults', { errorRate: 1 })).status).to.equal(200);
    const res = await get();
    expect([500, 502, 503]).to.include(res.status);
    expect((await h.control('GET', '/stats')).body.faults.errors).to.equal(1);
  });

  it('resets the connection at resetRate 1', async () => {
    await setup();
    await h.control('PUT', '/faults', { resetRate: 1 });
    let error: unknown = null;
    await get().catch((e) => (error = e));
    expect(error).to.be.instanceOf(TypeError);
    expect((await h.control('GET', '/stats')).body.faults.resets).to.equal(1);
  });

  it('adds latency, and spikes', async () => {
    await setup();
    await h.control('PUT', '/faults', { latencyMs: 60, latencySpikeRate: 1, latencySpikeMs: 60 });
    const t0 = Date.now();
    expect((await get()).status).to.equal(200);
    expect(Date.now() - t0).to.be.at.least(115);
  });

  it('forces a run of 429s with burst429, then recovers', async () => {
    await setup();
    await h.control('PUT', '/faults', { burst429: { count: 2 } });
    expect([(await get()).status, (await get()).status, (await get()).status]).to.deep.equal([429, 429, 200]);
  });

  it('rejects a bad faults body and leaves the control API unaffected by faults', async () => {
    await setup();
    expect((await h.control('PUT', '/faults', { errorRate: 2 })).body).to.deep.equal({ error: 'errorRate must be a number between 0 and 1' });
    await h.control('PUT', '/faults', { errorRate: 1, resetRate: 0 });
    expect((await h.control('GET', '/researchers')).status).to.equal(200);
  });

  it('replays the same fault sequence from the same seed', async () => {
    const run = async () => {
      await setup({ seed: 7 });
      await h.control('PUT', '/faults', { errorRate: 0.5 });
      const s = [];
      for (let i = 0; i < 12; i++) s.push((await get()).status);
      await h.emu.close();
      return s;
    };
    const a = await run();
    expect(await run()).to.deep.equal(a);
    expect(a.some((s) => s === 200) && a.some((s) => s >= 500)).to.equal(true);
  });
});
