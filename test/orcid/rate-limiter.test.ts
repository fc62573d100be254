import { expect } from 'chai';
import { createRateLimiter } from '../../src/orcid/rate-limiter.js';

/** A clock that only moves when the limiter sleeps; every sleep is recorded. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      // Let callers already granted run first (as with a real timer), then move time.
      await new Promise((resolve) => setImmediate(resolve));
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    elapsed: () => t - start,
    sleeps,
  };
}

describe('createRateLimiter', () => {
  it('lets a full burst through at once, then one request per 1/perSecond', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, burst: 40, now: clock.now, sleep: clock.sleep });
    const at: number[] = [];
    await Promise.all(Array.from({ length: 45 }, () => limiter.take().then(() => at.push(clock.elapsed()))));
    expect(at.slice(0, 40)).to.deep.equal(new Array(40).fill(0));
    expect(at.slice(40)).to.deep.equal([50, 100, 150, 200, 250]);
    expect(clock.sleeps).to.deep.equal([50, 50, 50, 50, 50]);
  });

  it('serves concurrent callers in the order they called', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 10, burst: 1, now: clock.now, sleep: clock.sleep });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => limiter.take().then(() => order.push(i))));
    expect(order).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(clock.elapsed()).to.equal(500);
  });

  it('refills while idle, but never above the burst', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 10, burst: 3, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3; i++) await limiter.take();
    clock.advance(10_000);
    for (let i = 0; i < 4; i++) await limiter.take();
    expect(clock.sleeps).to.deep.equal([100]);
  });

  it('waits the exact fraction of a token, so a non-integer interval loses no rate', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 24, burst: 1, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 241; i++) await limiter.take();
    // 240 tokens after the first at 24/s take 10 s; ceil to whole ms must not add up to more.
    expect(clock.elapsed()).to.be.within(10_000, 10_001);
  });

  it('stops everyone for the penalty, then restarts from an empty bucket', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perSecond: 20, burst: 40, now: clock.now, sleep: clock.sleep });
    await limiter.take();
    limiter.penalize(2000);
    const at: number[] = [];
    await Promise.all([0, 1, 2].map(() => limiter.take().then(() => at.push(clock.elapsed()))));
    expect(at).to.deep.equal([2050, 2100, 2150]);
  });

  it('paces real time at >= 95% of the configured rate', async function () {
    // Real clock and timers. With a burst above 1 a late timer is caught up within the tolerance,
    // so only the very last wake-up's lateness counts; retried because other work may load the machine.
    this.timeout(5000);
    this.retries(2);
    const limiter = createRateLimiter({ perSecond: 50, burst: 5 });
    for (let i = 0; i < 5; i++) await limiter.take();
    const started = performance.now();
    const n = 50;
    await Promise.all(Array.from({ length: n }, () => limiter.take()));
    const rate = n / ((performance.now() - started) / 1000);
    expect(rate).to.be.within(47.5, 51);
  });

  // README "Rate limits": ORCID queues past 24/s and answers 503 past a burst of 40; each 503 slows the shared rate.
  describe('throttled (adaptive rate)', () => {
    it('halves the rate on a throttled answer, down to minPerSecond, counting a volley within one second once', () => {
      const clock = fakeClock();
      const limiter = createRateLimiter({ perSecond: 20, minPerSecond: 3, recoveryMs: 60_000, now: clock.now, sleep: clock.sleep });
      limiter.throttled(0);
      limiter.throttled(0); // same volley
      expect(limiter.rate).to.equal(10);
      clock.advance(1000);
      limiter.throttled(0);
      // 10 regained 1 s / 60 s of the 17 between min and max before halving.
      expect(limiter.rate).to.be.closeTo((10 + 17 / 60) / 2, 1e-9);
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        limiter.throttled(0);
      }
      expect(limiter.rate).to.be.closeTo(3, 0.2);
    });

    it('recovers linearly to the configured rate when ORCID stops throttling', () => {
      const clock = fakeClock();
      const limiter = createRateLimiter({ perSecond: 21, minPerSecond: 1, recoveryMs: 40_000, now: clock.now, sleep: clock.sleep });
      limiter.throttled(0);
      expect(limiter.rate).to.equal(10.5);
      clock.advance(10_000);
      expect(limiter.rate).to.equal(15.5);
      clock.advance(10_000);
      expect(limiter.rate).to.equal(20.5);
      clock.advance(10_000);
      expect(limiter.rate).to.equal(21);
    });

    it('paces requests at the slowed rate and pauses for the given time', async () => {
      const clock = fakeClock();
      const limiter = createRateLimiter({ perSecond: 20, burst: 1, recoveryMs: 1e12, now: clock.now, sleep: clock.sleep });
      await limiter.take();
      limiter.throttled(2000);
      const at: number[] = [];
      await Promise.all([0, 1, 2].map(() => limiter.take().then(() => at.push(clock.elapsed()))));
      expect(at).to.deep.equal([2100, 2200, 2300]);
    });
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createRateLimiter({ perSecond: 0 })).to.throw(TypeError, '"perSecond" must be a positive number');
  });
});
