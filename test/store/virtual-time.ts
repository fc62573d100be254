/**
 * A clock for limiters that moves only when every busy limiter is asleep: grants are counted
 * against it, not against wall time, so the tests assert on rates without timing anything. Works
 * with stores that do real I/O (PostgreSQL, MongoDB): time waits while a store call is in flight.
 */
import type { RateLimiter } from '../../src/orcid/rate-limiter.js';

interface Timer {
  at: number;
  owner: number;
  resolve: () => void;
}

export class VirtualTime {
  t: number;
  private timers: Timer[] = [];
  private readonly owners: Array<{ limiter: () => RateLimiter | undefined }> = [];

  constructor(start: number) {
    this.t = start;
  }

  now = (): Date => new Date(this.t);

  /** A sleep for one limiter; `limiter` is read lazily (the limiter is made with this sleep). */
  sleeper(limiter: () => RateLimiter | undefined): (ms: number) => Promise<void> {
    const owner = this.owners.push({ limiter }) - 1;
    return (ms) => new Promise<void>((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), owner, resolve }));
  }

  /** Run until `end`: settle, then jump to the earliest timer, over and over. */
  async runUntil(end: number): Promise<void> {
    const wallStart = Date.now();
    while (this.t < end) {
      if (Date.now() - wallStart > 50_000) throw new Error('virtual time made no progress for 50 s of wall time');
      await settle();
      const sleeping = new Set(this.timers.map((x) => x.owner));
      const busyAwake = this.owners.some((o, i) => (o.limiter()?.pending ?? 0) > 0 && !sleeping.has(i));
      // A busy limiter not asleep is waiting for its store: let the I/O finish before time moves.
      if (busyAwake) {
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
