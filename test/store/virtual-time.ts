/**
 * A clock for limiters that moves only when every busy limiter is asleep: grants are counted
 * against it, not against wall time, so the tests assert on rates without timing anything. Works
 * with stores that do real I/O (PostgreSQL, MongoDB): time waits while a store call is in flight.
 */
import type { RateLimiter } from '../../src/orcid/rate-limiter.js';
import type { RateBudget } from '../../src/store/ports.js';

interface Timer {
  at: number;
  owner: number;
  resolve: () => void;
}

export class VirtualTime {
  t: number;
  private timers: Timer[] = [];
  private readonly owners: Array<{ limiter: () => RateLimiter | undefined }> = [];
  private inFlight = 0;

  constructor(start: number) {
    this.t = start;
  }

  now = (): Date => new Date(this.t);

  /** A sleep for one limiter; `limiter` is read lazily (the limiter is made with this sleep). */
  sleeper(limiter: () => RateLimiter | undefined): (ms: number) => Promise<void> {
    const owner = this.owners.push({ limiter }) - 1;
    return (ms) => new Promise<void>((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), owner, resolve }));
  }

  /** The same budget, with its calls counted: time does not move while one is in flight. */
  track(budget: RateBudget): RateBudget {
    const counted = <T>(p: Promise<T>): Promise<T> => {
      this.inFlight += 1;
      return p.finally(() => void (this.inFlight -= 1));
    };
    return {
      takeRateTokens: (...a) => counted(budget.takeRateTokens(...a)),
      pauseRateBudget: (...a) => counted(budget.pauseRateBudget(...a)),
    };
  }

  /** Run until `end`: settle, then jump to the earliest timer, over and over. */
  async runUntil(end: number): Promise<void> {
    const wallStart = Date.now();
    while (this.t < end) {
      if (Date.now() - wallStart > 50_000) throw new Error('virtual time made no progress for 50 s of wall time');
      await settle();
      const sleeping = new Set(this.timers.map((x) => x.owner));
      const busyAwake = this.owners.some((o, i) => (o.limiter()?.pending ?? 0) > 0 && !sleeping.has(i));
      // A busy limiter not asleep, or a call to the store in flight (a pause being reported): let
      // the I/O finish before time moves, as it would long before a real millisecond passes.
      if (busyAwake || this.inFlight > 0) {
        await new Promise((r) => setTimeout(r, 0));
        continue;
      }
      const next = this.timers.reduce((m, x) => Math.min(m, x.at), Infinity);
      this.t = Math.min(end, next === Infinity ? end : next);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const x of due) x.resolve();
    }
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
