import { expect } from 'chai';
import { createSharedRateLimiter, type SharedRateLimiterOptions } from '../../src/orcid/shared-rate-limiter.js';
import type { RateLimiter } from '../../src/orcid/rate-limiter.js';
import type { RateBudget } from '../../src/store/ports.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { STORE_UNAVAILABLE, StorageError } from '../../src/errors.js';
import { VirtualTime } from '../store/virtual-time.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');

describe('createSharedRateLimiter', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
  });
  afterEach(() => store.close());

  /** The store's budget, with its calls counted and, while `down`, failing as an unreachable store does. */
  function budgetOf(s: RateBudget) {
    const state = { takes: 0, down: false, pauseDown: false };
    const fail = () => Promise.reject(new StorageError(STORE_UNAVAILABLE, 'the store is down'));
    const budget: RateBudget = {
      takeRateTokens: (...a) => (state.takes++, state.down ? fail() : s.takeRateTokens(...a)),
      pauseRateBudget: (...a) => (state.down || state.pauseDown ? fail() : s.pauseRateBudget(...a)),
    };
    return { budget, state };
  }

  function limiterOn(clock: VirtualTime, budget: RateBudget, options: Partial<SharedRateLimiterOptions> = {}): RateLimiter {
    let limiter: RateLimiter | undefined;
    limiter = createSharedRateLimiter({ budget: clock.track(budget), key: 'APP-UNITTEST000001', now: clock.now, sleep: clock.sleeper(() => limiter), ...options });
    return limiter;
  }

  it('serves callers in the order they called, across batches and waits', async () => {
    const clock = new VirtualTime(T0);
    const limiter = limiterOn(clock, store, { perSecond: 10, burst: 3, batch: 2 });
    const order: number[] = [];
    const all = Array.from({ length: 12 }, (_, i) => limiter.take().then(() => order.push(i)));
    await clock.runUntil(T0 + 2_000);
    await Promise.all(all);
    expect(order).to.deep.equal([...Array(12).keys()]);
  });

  it('asks the store once per batch of waiting callers, not once per request', async () => {
    const clock = new VirtualTime(T0);
    const { budget, state } = budgetOf(store);
    const limiter = limiterOn(clock, budget, { perSecond: 20, burst: 40, batch: 4 });
    const granted: number[] = [];
    const all = Array.from({ length: 40 }, () => limiter.take().then(() => granted.push(clock.t - T0)));
    await clock.runUntil(T0 + 100);
    await Promise.all(all);
    expect(granted).to.deep.equal(new Array(40).fill(0));
    expect(state.takes).to.equal(10);
  });

  it('at the limit, waits until a batch is due instead of asking for every token', async () => {
    const clock = new VirtualTime(T0);
    const { budget, state } = budgetOf(store);
    const limiter = limiterOn(clock, budget, { perSecond: 20, burst: 4, batch: 4 });
    const granted: number[] = [];
    const all = Array.from({ length: 60 }, () => limiter.take().then(() => granted.push(clock.t - T0)));
    await clock.runUntil(T0 + 5_000);
    await Promise.all(all);
    // 4 at once, then 56 more at 20/s: the last at 2.8 s.
    expect(granted.at(-1)).to.equal(2_800);
    expect(state.takes).to.be.at.most(60 / 4 + 1);
  });

  it('pauses every process after a throttle, and this one even when the store cannot record it', async () => {
    const clock = new VirtualTime(T0);
    const { budget, state } = budgetOf(store);
    const errors: string[] = [];
    const limiter = limiterOn(clock, budget, { perSecond: 20, burst: 40, onStoreError: (e) => errors.push(e.message) });
    const other = limiterOn(clock, store, { perSecond: 20, burst: 40 });
    await Promise.all([limiter.take(), other.take()]);
    limiter.throttled(1_000);
    const granted: Record<string, number> = {};
    const next = [limiter.take().then(() => (granted.self = clock.t - T0)), other.take().then(() => (granted.other = clock.t - T0))];
    await clock.runUntil(T0 + 3_000);
    await Promise.all(next);
    expect(granted.self).to.be.at.least(1_000);
    expect(granted.other).to.be.at.least(1_000);
    expect(other.rate).to.be.within(10, 11); // halved, and recovering

    state.pauseDown = true;
    const throttledAt = clock.t - T0;
    limiter.throttled(1_000);
    const again = limiter.take().then(() => clock.t - T0);
    await clock.runUntil(T0 + 6_000);
    expect(await again).to.be.at.least(throttledAt + 1_000);
    expect(errors).to.deep.equal(['the store is down']);
  });

  it('keeps callers waiting while the store is unreachable and goes on when it is back', async () => {
    const clock = new VirtualTime(T0);
    const { budget, state } = budgetOf(store);
    const errors: string[] = [];
    const limiter = limiterOn(clock, budget, { perSecond: 20, burst: 40, onStoreError: (e) => errors.push(e.message) });
    state.down = true;
    let done = false;
    const waiting = limiter.take().then(() => (done = true));
    await clock.runUntil(T0 + 5_000);
    expect(done).to.equal(false);
    expect(errors.length).to.be.at.least(3);
    state.down = false;
    await clock.runUntil(T0 + 10_000);
    await waiting;
    expect(done).to.equal(true);
  });

  it('refuses the waiting callers with the store\'s error once it has been unreachable for storeRetryMs', async () => {
    const clock = new VirtualTime(T0);
    const { budget, state } = budgetOf(store);
    const limiter = limiterOn(clock, budget, { storeRetryMs: 10_000 });
    state.down = true;
    const outcomes = Array.from({ length: 3 }, () => limiter.take().then(() => 'granted', (e: unknown) => (e as StorageError).code));
    await clock.runUntil(T0 + 20_000);
    expect(await Promise.all(outcomes)).to.deep.equal([STORE_UNAVAILABLE, STORE_UNAVAILABLE, STORE_UNAVAILABLE]);
    expect(limiter.pending).to.equal(0);
  });

  it('refuses settings it cannot work with', () => {
    expect(() => createSharedRateLimiter({ budget: store, key: 'k', batch: 0 })).to.throw(TypeError, '"batch" must be a whole number >= 1');
    expect(() => createSharedRateLimiter({ budget: store, key: 'k', burst: 2.5 })).to.throw(TypeError, '"burst" must be a whole number >= 1');
    expect(() => createSharedRateLimiter({ budget: store, key: 'k', perSecond: 0 })).to.throw(TypeError, '"perSecond" must be a positive number');
  });
});
