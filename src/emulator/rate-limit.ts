/**
 * Token bucket per API client, as ORCID documents its limit: a sustained rate of 24 requests
 * a second with bursts up to 40. Pure apart from the clock passed in.
 * https://info.orcid.org/ufaqs/what-are-the-api-limits/
 */

export interface RateLimitSettings {
  perSecond: number;
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: 24, burst: 40 };

interface Bucket {
  tokens: number;
  at: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  constructor(
    public settings: RateLimitSettings | null,
    private readonly nowMs: () => number,
  ) {}

  set(settings: RateLimitSettings | null): void {
    this.settings = settings;
    this.buckets.clear();
  }

  /** Take one token for `key`; when empty, say how many whole seconds until one is back. */
  take(key: string): TakeResult {
    const s = this.settings;
    if (!s) return { ok: true };
    const now = this.nowMs();
    const b = this.buckets.get(key) ?? { tokens: s.burst, at: now };
    b.tokens = Math.min(s.burst, b.tokens + ((now - b.at) / 1000) * s.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / s.perSecond)) };
  }
}
