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

  // orcid-model README, "Rate limits": requests beyond the rate are queued, and past the burst answered 503 without Retry-After.
  it('delays requests beyond the rate and answers 503 without Retry-After past the burst', async () => {
    // A slow rate (one slot a second) so that the six requests, however they are spread over the
    // first few hundred milliseconds, find 0, 1, 2, 3, 4 and 5 slots ahead of them.
    await setup({ rateLimit: { perSecond: 1, burst: 2 } });
    const answers = await Promise.all(Array.from({ length: 6 }, () => get()));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([200, 200, 200, 503, 503, 503]);
    const refused = answers.find((r) => r.status === 503)!;
    expect(refused.headers.get('retry-after')).to.equal(null);
    expect((await h.control('GET', '/stats')).body.rateLimited).to.equal(3);
  });

  it('answers 429 with Retry-After at once when the limit is set to exceeded: 429 (a test option, not ORCID)', async () => {
    await setup({ rateLimit: { perSecond: 0.5, burst: 2, exceeded: 429 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get()).status);
    expect(statuses).to.deep.equal([200, 200, 429]);
    const res = await get();
    expect(res.headers.get('retry-after')).to.equal('2');
    expect(await res.text()).to.contain('<error:response-code>429</error:response-code>');
  });

  it('scales the limit through the control API, and forces 503s with burst503', async () => {
    await setup({ rateLimit: { perSecond: 10, burst: 0 } });
    expect((await h.control('PUT', '/faults', { rateLimit: { perSecond: 100000, burst: 1000 }, burst503: { count: 1 } })).status).to.equal(200);
    expect((await get()).status).to.equal(503);
    const many = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(many.every((r) => r.status === 200)).to.equal(true);
    expect((await h.control('GET', '/stats')).body.faults.forced503).to.equal(1);
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
