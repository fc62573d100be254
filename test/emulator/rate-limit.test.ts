import { expect } from 'chai';
import { RateLimiter } from '../../src/emulator/rate-limit.js';

/** orcid-model README, "Rate limits": 24 requests/second, burst 40; queued requests are slowed to the rate, past the burst 503. */
describe('RateLimiter (emulator)', () => {
  let now = 0;
  const limiter = () => new RateLimiter({ perSecond: 24, burst: 40 }, () => now);
  beforeEach(() => {
    now = 1_000_000;
  });

  it('serves the first request at once and queues the next ones at 1/24 s each', () => {
    const l = limiter();
    const delays = [0, 1, 2, 3].map(() => l.take('APP-A'));
    expect(delays.map((d) => (d.ok ? Math.round(d.delayMs * 24) : -1))).to.deep.equal([0, 1000, 2000, 3000]);
  });

  it('queues up to 40 requests behind the one being served, then refuses with 503', () => {
    const l = limiter();
    const results = Array.from({ length: 45 }, () => l.take('APP-A'));
    expect(results.filter((r) => r.ok)).to.have.length(41);
    expect(results.slice(41)).to.deep.equal(Array(4).fill({ ok: false, status: 503 }));
  });

  it('drains the queue at the rate: a second later 24 more fit', () => {
    const l = limiter();
    for (let i = 0; i < 41; i++) l.take('APP-A');
    expect(l.take('APP-A').ok).to.equal(false);
    now += 1000;
    const next = Array.from({ length: 25 }, () => l.take('APP-A'));
    expect(next.filter((r) => r.ok)).to.have.length(24);
  });

  it('keeps one queue per client', () => {
    const l = limiter();
    for (let i = 0; i < 41; i++) l.take('APP-A');
    expect(l.take('APP-B')).to.deep.equal({ ok: true, delayMs: 0 });
  });

  it('lets nothing through unlimited when off, and answers 429 with Retry-After in the 429 mode', () => {
    expect(new RateLimiter(null, () => now).take('x')).to.deep.equal({ ok: true, delayMs: 0 });
    const l = new RateLimiter({ perSecond: 2, burst: 1, exceeded: 429 }, () => now);
    expect(l.take('x')).to.deep.equal({ ok: true, delayMs: 0 });
    expect(l.take('x')).to.deep.equal({ ok: false, status: 429, retryAfterSeconds: 1 });
  });
});
