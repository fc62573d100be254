/**
 * The RateBudget contract: one ORCID rate limit shared by several processes. Every adapter runs
 * it with two budgets over one database, as two processes would have them (two SQLite connections
 * on one file, two MongoDB connections, two PostgreSQL pools). Grants are counted against a
 * virtual clock (virtual-time.ts), never wall time.
 */
import { expect } from 'chai';
import { createSharedRateLimiter } from '../../src/orcid/shared-rate-limiter.js';
import type { RateLimiter } from '../../src/orcid/rate-limiter.js';
import type { RateBudget } from '../../src/store/ports.js';
import type { RateLimitSpec } from '../../src/store/store.js';
import { VirtualTime } from './virtual-time.js';

export interface RateBudgetPair {
  /** Two handles on one database, as two processes have them. */
  a: RateBudget;
  b: RateBudget;
  close(): Promise<void>;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);
const LIMIT: RateLimitSpec = { perSecond: 10, burst: 5, minPerSecond: 1, recoveryMs: 10_000 };
let keys = 0;
/** A client id of its own for each test, so tests never share a budget. */
const newKey = (): string => `APP-CONTRACT${String(++keys).padStart(4, '0')}-${process.pid}`;

/** Every window [i, j] of grants: at most `rate × (tj - ti) + burst + extra` in it. */
function worstWindowExcess(grants: Array<{ t: number; n: number }>, perSecond: number, burst: number): number {
  const sorted = [...grants].sort((x, y) => x.t - y.t);
  let worst = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    let sum = 0;
    for (let j = i; j < sorted.length; j++) {
      sum += sorted[j]!.n;
      worst = Math.max(worst, sum - (perSecond * (sorted[j]!.t - sorted[i]!.t)) / 1000 - burst);
    }
  }
  return worst;
}

export function rateBudgetContract(name: string, open: () => Promise<RateBudgetPair>): void {
  describe(`RateBudget contract: ${name}`, function () {
    let pair: RateBudgetPair;
    beforeEach(async () => {
      pair = await open();
    });
    afterEach(async () => {
      await pair?.close();
    });

    describe('the budget in the store', () => {
      it('grants a new client its full burst, then one token per interval, to whichever process asks', async () => {
        const key = newKey();
        const { a, b } = pair;
        expect(await a.takeRateTokens(key, 5, at(0), LIMIT)).to.deep.equal({ granted: 5, nextAtMs: T0 + 100, perSecond: 10 });
        expect(await b.takeRateTokens(key, 1, at(0), LIMIT)).to.deep.equal({ granted: 0, nextAtMs: T0 + 100, perSecond: 10 });
        expect(await b.takeRateTokens(key, 2, at(100), LIMIT)).to.deep.equal({ granted: 1, nextAtMs: T0 + 200, perSecond: 10 });
        expect(await a.takeRateTokens(key, 4, at(450), LIMIT)).to.deep.equal({ granted: 3, nextAtMs: T0 + 500, perSecond: 10 });
      });

      it('keeps one budget per client id', async () => {
        const [k1, k2] = [newKey(), newKey()];
        expect((await pair.a.takeRateTokens(k1, 9, at(0), LIMIT)).granted).to.equal(5);
        expect((await pair.b.takeRateTokens(k2, 2, at(0), LIMIT))).to.deep.equal({ granted: 2, nextAtMs: T0 - 200, perSecond: 10 }); // 3 left: the next is due already
      });

      it('grants exactly the burst to takes made at the same instant by both processes', async () => {
        const key = newKey();
        const takes = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? pair.a : pair.b).takeRateTokens(key, 1, at(0), LIMIT));
        const grants = await Promise.all(takes);
        expect(grants.reduce((n, g) => n + g.granted, 0)).to.equal(LIMIT.burst);
      });

      it('stops both processes while one reports a pause, then restarts from an empty bucket', async () => {
        const key = newKey();
        await pair.a.takeRateTokens(key, 1, at(0), LIMIT);
        expect(await pair.a.pauseRateBudget(key, { ms: 2000, slowDown: false }, at(0), LIMIT)).to.deep.equal({ perSecond: 10 });
        expect(await pair.b.takeRateTokens(key, 1, at(1000), LIMIT)).to.deep.include({ granted: 0, nextAtMs: T0 + 2100 });
        expect(await pair.b.takeRateTokens(key, 1, at(2000), LIMIT)).to.deep.include({ granted: 0, nextAtMs: T0 + 2100 });
        expect(await pair.b.takeRateTokens(key, 3, at(2100), LIMIT)).to.deep.equal({ granted: 1, nextAtMs: T0 + 2200, perSecond: 10 });
      });

      it('halves the rate for every process once per one-second volley, and recovers it over recoveryMs', async () => {
        const key = newKey();
        expect((await pair.a.pauseRateBudget(key, { ms: 0, slowDown: true }, at(0), LIMIT)).perSecond).to.equal(5);
        // The same volley seen by the other process half a second later: not halved again.
        expect((await pair.b.pauseRateBudget(key, { ms: 0, slowDown: true }, at(500), LIMIT)).perSecond).to.be.closeTo(5.45, 1e-9);
        expect((await pair.b.takeRateTokens(key, 1, at(600), LIMIT)).perSecond).to.be.closeTo(5.54, 1e-9);
        // A second later it is a new volley.
        expect((await pair.b.pauseRateBudget(key, { ms: 0, slowDown: true }, at(1000), LIMIT)).perSecond).to.be.closeTo(2.95, 1e-9);
        expect((await pair.a.takeRateTokens(key, 1, at(1000 + 10_000), LIMIT)).perSecond).to.equal(10);
      });

      it('never grants more than rate × time + burst in any window, whoever takes and however much', async () => {
        const key = newKey();
        let seed = 7;
        const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
        const grants: Array<{ t: number; n: number }> = [];
        let t = 0;
        for (let i = 0; i < 400; i++) {
          t += Math.floor(random() * 60);
          const g = await (random() < 0.5 ? pair.a : pair.b).takeRateTokens(key, 1 + Math.floor(random() * 4), at(t), LIMIT);
          if (g.granted > 0) grants.push({ t, n: g.granted });
        }
        // One extra request may slip into a window: a late take keeps the schedule (rate-rules.ts).
        expect(worstWindowExcess(grants, LIMIT.perSecond, LIMIT.burst)).to.be.at.most(1);
        // And it is not stingy: asking about every 30 ms for up to 4, nearly all of the rate is granted.
        expect(grants.reduce((n, g) => n + g.n, 0)).to.be.at.least((LIMIT.perSecond * t) / 1000 * 0.95);
      });
    });

    describe('limiters on two processes sharing it', () => {
      const spec = { perSecond: 20, burst: 10, batch: 4 };
      /** A limiter per process, each with `callers` callers taking in a loop while `busy()`. */
      function processes(clock: VirtualTime, key: string, n: number) {
        return Array.from({ length: n }, (_, i) => {
          const budget = clock.track(i % 2 === 0 ? pair.a : pair.b);
          let limiter: RateLimiter | undefined;
          limiter = createSharedRateLimiter({ budget, key, ...spec, now: clock.now, sleep: clock.sleeper(() => limiter) });
          const grants: number[] = [];
          let until = -Infinity;
          const callers: Promise<void>[] = [];
          return {
            limiter: limiter!,
            grants,
            /** Keep `callers` callers busy until `end` (virtual ms). */
            busyUntil(end: number, count = 6) {
              until = end;
              for (let c = 0; c < count; c++) {
                callers.push((async () => {
                  while (clock.t < until) {
                    await limiter!.take();
                    grants.push(clock.t - T0);
                  }
                })());
              }
            },
            done: () => Promise.all(callers),
          };
        });
      }

      it('two processes together never exceed rate × time + burst, and get nearly all of it', async function () {
        const clock = new VirtualTime(T0);
        const ps = processes(clock, newKey(), 2);
        for (const p of ps) p.busyUntil(T0 + 10_000);
        await clock.runUntil(T0 + 10_000);
        await clock.runUntil(T0 + 12_000);
        await Promise.all(ps.map((p) => p.done()));
        const all = ps.flatMap((p) => p.grants.filter((t) => t <= 10_000).map((t) => ({ t, n: 1 })));
        // The bound the issue asks for (the batch adds nothing: tokens are taken only for callers already waiting).
        expect(all.length).to.be.at.most((spec.perSecond * 10_000) / 1000 + spec.burst + ps.length * spec.batch);
        expect(worstWindowExcess(all, spec.perSecond, spec.burst)).to.be.at.most(1);
        expect(all.length).to.be.at.least((spec.perSecond * 10_000) / 1000 * 0.95);
        for (const p of ps) expect(p.grants.length, 'each process gets a fair part').to.be.at.least(all.length * 0.3);
      });

      it('when one process stops, the other gets the whole rate', async function () {
        const clock = new VirtualTime(T0);
        const [first, second] = processes(clock, newKey(), 2);
        first!.busyUntil(T0 + 5_000);
        second!.busyUntil(T0 + 15_000);
        await clock.runUntil(T0 + 15_000);
        await clock.runUntil(T0 + 17_000);
        await Promise.all([first!.done(), second!.done()]);
        const secondAlone = second!.grants.filter((t) => t > 6_000 && t <= 15_000).length;
        expect(secondAlone).to.be.at.least((spec.perSecond * 9_000) / 1000 * 0.95);
        expect(secondAlone).to.be.at.most((spec.perSecond * 9_000) / 1000 + spec.burst);
      });

      it('throttling seen by one process pauses and slows the other', async function () {
        const clock = new VirtualTime(T0);
        const [seer, other] = processes(clock, newKey(), 2);
        seer!.busyUntil(T0 + 12_000);
        other!.busyUntil(T0 + 12_000);
        await clock.runUntil(T0 + 5_000);
        seer!.limiter.throttled(2000);
        await clock.runUntil(T0 + 12_000);
        await clock.runUntil(T0 + 14_000);
        await Promise.all([seer!.done(), other!.done()]);
        const between = (p: typeof other, from: number, to: number) => p!.grants.filter((t) => t > from && t <= to).length;
        expect(between(other, 5_000, 7_000), 'nothing during the pause').to.equal(0);
        expect(between(seer, 5_000, 7_000)).to.equal(0);
        expect(other!.limiter.rate).to.be.below(spec.perSecond * 0.7);
        // Halved (10/s, recovering by 19/60 per second): well under the 20/s before.
        const after = between(other, 7_000, 12_000) + between(seer, 7_000, 12_000);
        expect(after).to.be.at.most(5 * 12 + 1);
        expect(after).to.be.at.least(5 * 10 * 0.9);
      });
    });
  });
}
