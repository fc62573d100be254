/**
 * A token bucket in front of every ORCID call, so the plugin stays under ORCID's per-client limit
 * (ORCID: 24 requests/second; requests beyond are queued and slowed, and past a burst of 40 it
 * answers 503 without Retry-After: ../shared/orcid-model/README.md "Rate limits").
 * https://info.orcid.org/ufaqs/what-are-the-api-limits/
 *
 * Adaptive: when ORCID throttles (503, or 429 from a gateway) the rate is halved (never below
 * `minPerSecond`) and then climbs back linearly to `perSecond` over `recoveryMs` without
 * throttling; several throttled answers within one second count once (they are one volley of
 * requests that were in flight together).
 *
 * The bucket is per process: right for a client used on its own in one process. The plugin uses
 * `shared-rate-limiter.ts` instead, the same interface over a budget kept in the store, because
 * ORCID counts per client id and every process of a deployment must share one limit.
 */

export interface RateLimiterOptions {
  /** Sustained rate in requests per second. Default 20 (below ORCID's 24 to leave headroom). */
  perSecond?: number;
  /** Bucket size: how many requests may go at once after a quiet period. Default 40. */
  burst?: number;
  /** Clock; default `() => new Date()`. */
  now?: () => Date;
  /** How to wait `ms` milliseconds; default a timer. Tests inject one that advances a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** The lowest rate throttling may bring it down to. Default 1 request/second. */
  minPerSecond?: number;
  /** Time to climb from `minPerSecond` back to `perSecond` when ORCID stops throttling. Default 60000 (1 min). */
  recoveryMs?: number;
}

export interface RateLimiter {
  /** Resolves when the caller may send one request. Callers are served in the order they called (FIFO). */
  take(): Promise<void>;
  /** Stop all sending for `ms` (ORCID said 429 / Retry-After); the bucket then refills from empty. */
  penalize(ms: number): void;
  /**
   * ORCID throttled a request (503 / 429): halve the rate (recovering gradually) and pause for
   * `pauseMs` (its Retry-After, or the time ORCID's queue needs to drain).
   */
  throttled(pauseMs: number): void;
  /** The current sustained rate in requests per second (lower than configured after throttling). */
  readonly rate: number;
  /** How many callers are waiting. */
  readonly pending: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const limiter = createRateLimiter({ perSecond: 20, burst: 40 });
 * await limiter.take(); // then send the request
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const perSecond = options.perSecond ?? 20;
  const burst = options.burst ?? 40;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new TypeError('"perSecond" must be a positive number');
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new TypeError('"burst" must be a number >= 1');
  const minPerSecond = Math.min(perSecond, options.minPerSecond ?? 1);
  const recoveryMs = options.recoveryMs ?? 60_000; // 1 min
  if (!(minPerSecond > 0)) throw new TypeError('"minPerSecond" must be a positive number');
  if (!(recoveryMs >= 0) || !Number.isFinite(recoveryMs)) throw new TypeError('"recoveryMs" must be a number >= 0');
  // The rate after the last throttle and when it happened; the rate climbs back linearly from there.
  let slowedTo = perSecond;
  let slowedAt = -Infinity;

  /** Requests per second allowed at `t`. */
  function rateAt(t: number): number {
    if (slowedTo >= perSecond) return perSecond;
    const regained = recoveryMs === 0 ? Infinity : ((t - slowedAt) / recoveryMs) * (perSecond - minPerSecond);
    return Math.min(perSecond, slowedTo + regained);
  }

  // GCRA, the "virtual scheduling" form of a token bucket (ITU-T I.371): `tat` is the theoretical
  // arrival time of the next request. It advances by exactly one interval per grant, so timer
  // rounding never accumulates into lost rate, and `burst` requests may run ahead of it.
  let tat = now().getTime();
  let blockedUntil = -Infinity;
  const queue: Array<() => void> = [];
  let draining = false;

  /** Milliseconds until the head of the queue may go; 0 means now (and the slot is taken). */
  function tryTake(): number {
    const t = now().getTime();
    if (t < blockedUntil) return blockedUntil - t;
    const interval = 1000 / rateAt(t);
    const tolerance = (burst - 1) * interval;
    // A grant that comes less than one interval late (timer rounding, a busy event loop) keeps the
    // schedule instead of restarting it from now, so lateness is caught up rather than lost.
    // This lets at most one extra request into any window, within the headroom left under ORCID's limit.
    const next = t - tat < interval ? tat : t;
    const allowedAt = next - tolerance;
    if (t >= allowedAt) {
      tat = next + interval;
      return 0;
    }
    // The exact wait, rounded up to the timer's resolution (1 ms).
    return Math.max(1, Math.ceil(allowedAt - t));
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const wait = tryTake();
        if (wait === 0) queue.shift()!();
        else await sleep(wait);
      }
    } finally {
      draining = false;
    }
  }

  function penalize(ms: number): void {
    if (!(ms > 0)) return;
    blockedUntil = Math.max(blockedUntil, now().getTime() + ms);
    // Restart from an empty bucket after the pause (first request one interval after it): a full
    // burst into a server that just said 429 would only earn another 429.
    const interval = 1000 / rateAt(blockedUntil);
    tat = Math.max(tat, blockedUntil + interval + (burst - 1) * interval);
  }

  return {
    take(): Promise<void> {
      // Fast path keeps FIFO: nobody is waiting, so nobody is overtaken.
      if (queue.length === 0 && !draining && tryTake() === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!draining) void drain();
      });
    },
    penalize,
    throttled(pauseMs: number): void {
      const t = now().getTime();
      // A volley of requests in flight together gets throttled together: halve once per second.
      if (t - slowedAt >= 1000) {
        slowedTo = Math.max(minPerSecond, rateAt(t) / 2);
        slowedAt = t;
      }
      penalize(pauseMs);
    },
    get rate(): number {
      return rateAt(now().getTime());
    },
    get pending(): number {
      return queue.length;
    },
  };
}
