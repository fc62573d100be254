/**
 * ORCID's member API limit, per API client: "24 requests/second, burst 40. Burst – Number of
 * request we will allow to be queued before rejecting. Requests in the queue are slowed down to
 * the rate of requests a second. If you exceed the burst, you'll get a 503 response."
 * (../shared/orcid-model/README.md, "Rate limits"). So a request beyond the rate is *delayed*
 * until its turn, and one that would find more than `burst` requests queued ahead is refused
 * with 503 and no Retry-After. `exceeded: 429` keeps the emulator's older answer (a token bucket
 * answering 429 + Retry-After at once) for tests of a client's 429 handling.
 *
 * Pure apart from the clock passed in: `take` says how long to hold the request, the server sleeps.
 */

export interface RateLimitSettings {
  perSecond: number;
  burst: number;
  /** 503 (default, as ORCID): queue and delay, refuse past the burst; 429: refuse at once with Retry-After */
  exceeded?: 503 | 429;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: 24, burst: 40 };

export type TakeResult = { ok: true; delayMs: number } | { ok: false; status: 503 } | { ok: false; status: 429; retryAfterSeconds: number };

interface Slot {
  /** 503 mode: when the next request may be served (ms); 429 mode: time of the last refill */
  at: number;
  /** 429 mode only: tokens left */
  tokens: number;
}

export class RateLimiter {
  private slots = new Map<string, Slot>();
  constructor(
    public settings: RateLimitSettings | null,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  set(settings: RateLimitSettings | null): void {
    this.settings = settings;
    this.slots.clear();
  }

  /** Admit one request of `key`: serve it after `delayMs`, or refuse it. */
  take(key: string): TakeResult {
    const s = this.settings;
    if (!s) return { ok: true, delayMs: 0 };
    return s.exceeded === 429 ? this.bucket(key, s) : this.queue(key, s);
  }

  /** Leaky bucket with a queue (nginx `limit_req` with `burst`, no `nodelay`). */
  private queue(key: string, s: RateLimitSettings): TakeResult {
    const now = this.nowMs();
    const interval = 1000 / s.perSecond;
    const start = Math.max(now, this.slots.get(key)?.at ?? now);
    // Requests already waiting ahead of this one; the first of a quiet period waits for none.
    const ahead = Math.round((start - now) / interval);
    if (ahead > s.burst) return { ok: false, status: 503 };
    this.slots.set(key, { at: start + interval, tokens: 0 });
    return { ok: true, delayMs: start - now };
  }

  private bucket(key: string, s: RateLimitSettings): TakeResult {
    const now = this.nowMs();
    const b = this.slots.get(key) ?? { tokens: s.burst, at: now };
    b.tokens = Math.min(s.burst, b.tokens + ((now - b.at) / 1000) * s.perSecond);
    b.at = now;
    this.slots.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, delayMs: 0 };
    }
    return { ok: false, status: 429, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / s.perSecond)) };
  }
}
