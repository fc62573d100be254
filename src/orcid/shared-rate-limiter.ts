/**
 * The rate limiter every process shares: ORCID limits each member client (24 requests/second,
 * burst 40: ../shared/orcid-model/README.md "Rate limits"), not each process, so the bucket lives
 * in the store (the `RateBudget` port: one GCRA row per client id, taken atomically). All worker
 * and host processes on one store then stay within one limit together; when one dies the others
 * use all of it, and a third one starting takes its part of the same budget instead of adding one.
 *
 * In-process fast path. Callers queue here in order (FIFO) and one loop asks the store for tokens
 * on their behalf, up to `batch` at a time, so under load the store is asked once per `batch`
 * requests, not once per request. Tokens are asked for callers already waiting only, and handed
 * to them the moment they are granted: a process never holds tokens for later. So grants never
 * overshoot the shared GCRA (at most `rate × t + burst` in any window of `t`); what the batch
 * changes is that one process may send up to `batch` requests in the same instant, which the
 * shared bucket allowed. A lease-ahead design (keep unused tokens for the next callers) would
 * overshoot by up to N processes × `batch` after a quiet spell, past ORCID's burst of 40: ORCID
 * answers that with 503s. At the limit, when the store has no token, the loop sleeps until as many
 * tokens as its waiting callers need (up to a batch) are due, not just one, so the number of round
 * trips stays near rate ÷ batch.
 *
 * Adaptive, and shared: ORCID's throttling (503, or 429 from a gateway) seen by one process pauses
 * and slows every process, through the same row (rate halved once per one-second volley, climbing
 * back over `recoveryMs`; see `store/rate-rules.ts`). The process that saw it stops at once,
 * without waiting for the store.
 *
 * When the store cannot be reached, callers wait while it is retried with backoff (a restart of
 * the database); after `storeRetryMs` they are refused with the store's error.
 */
import { coerceError } from '../errors.js';
import type { RateBudget } from '../store/ports.js';
import type { RateLimitSpec } from '../store/store.js';
import type { RateLimiter } from './rate-limiter.js';

export interface SharedRateLimiterOptions {
  /** Where the budget lives: the plugin's store. */
  budget: RateBudget;
  /** Whose budget: the ORCID client id (ORCID's limit is per client). */
  key: string;
  /** Sustained rate of the whole client, every process together. Default 20 (ORCID allows 24). */
  perSecond?: number;
  /** Requests that may go at once after a quiet period, every process together. Default 40. */
  burst?: number;
  /** The most tokens one round trip to the store asks for. Default 4. */
  batch?: number;
  /** The lowest rate throttling may bring it down to. Default 1 request/second. */
  minPerSecond?: number;
  /** Time to climb from `minPerSecond` back to `perSecond` without throttling. Default 60000 (1 min). */
  recoveryMs?: number;
  /** How long callers wait for an unreachable store before `take()` rejects with its error. Default 30000. */
  storeRetryMs?: number;
  /** Told about each failed store call (for the log); must not throw. */
  onStoreError?: (error: Error) => void;
  /** Clock; default `() => new Date()`. */
  now?: () => Date;
  /** How to wait `ms` milliseconds; default a timer. Tests inject one that advances a fake clock. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * @example
 * const limiter = createSharedRateLimiter({ budget: store, key: clientId, perSecond: 20, burst: 40 });
 * await limiter.take(); // then send the request
 */
export function createSharedRateLimiter(options: SharedRateLimiterOptions): RateLimiter {
  const { budget, key } = options;
  const perSecond = options.perSecond ?? 20;
  const burst = options.burst ?? 40;
  const batch = options.batch ?? 4;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const storeRetryMs = options.storeRetryMs ?? 30_000;
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new TypeError('"perSecond" must be a positive number');
  if (!Number.isInteger(burst) || burst < 1) throw new TypeError('"burst" must be a whole number >= 1');
  if (!Number.isInteger(batch) || batch < 1) throw new TypeError('"batch" must be a whole number >= 1');
  const minPerSecond = Math.min(perSecond, options.minPerSecond ?? 1);
  const recoveryMs = options.recoveryMs ?? 60_000;
  if (!(minPerSecond > 0)) throw new TypeError('"minPerSecond" must be a positive number');
  if (!(recoveryMs >= 0) || !Number.isFinite(recoveryMs)) throw new TypeError('"recoveryMs" must be a number >= 0');
  const limit: RateLimitSpec = { perSecond, burst, minPerSecond, recoveryMs };

  const queue: Waiter[] = [];
  let draining = false;
  /** Set by a throttle seen here, so this process stops before the store has heard of it. */
  let blockedUntil = -Infinity;
  /** The budget's rate as the store last said. */
  let rate = perSecond;
  /** Pauses reported here, in order: the next take waits for them, so it sees them. */
  let pauses: Promise<void> = Promise.resolve();
  let failingSince: number | null = null;
  let failures = 0;

  async function askStore(want: number): Promise<void> {
    const t = now().getTime();
    let grant;
    try {
      grant = await budget.takeRateTokens(key, want, new Date(t), limit);
    } catch (e) {
      const err = coerceError(e);
      options.onStoreError?.(err);
      failingSince ??= t;
      failures += 1;
      if (t - failingSince >= storeRetryMs) {
        failingSince = null;
        failures = 0;
        for (const w of queue.splice(0)) w.reject(err);
        return;
      }
      await sleep(Math.min(2000, 50 * 2 ** Math.min(6, failures - 1)));
      return;
    }
    failingSince = null;
    failures = 0;
    rate = grant.perSecond;
    for (let i = 0; i < grant.granted; i++) queue.shift()?.resolve();
    if (queue.length === 0) return;
    // Sleep until the tokens the waiting callers need (up to a batch) are due, not just the next
    // one; when some are left already, ask again at once.
    const need = Math.min(batch, queue.length);
    const wait = grant.nextAtMs + (need - 1) * (1000 / grant.perSecond) - now().getTime();
    if (wait > 0) await sleep(Math.max(1, Math.ceil(wait)));
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const t = now().getTime();
        if (t < blockedUntil) {
          await sleep(Math.max(1, Math.ceil(blockedUntil - t)));
          continue;
        }
        await pauses;
        await askStore(Math.min(batch, queue.length));
      }
    } finally {
      draining = false;
    }
  }

  function pause(ms: number, slowDown: boolean): void {
    const t = now().getTime();
    if (ms > 0) blockedUntil = Math.max(blockedUntil, t + ms);
    pauses = pauses
      .then(() => budget.pauseRateBudget(key, { ms: Math.max(0, ms), slowDown }, new Date(t), limit))
      .then((r) => void (rate = r.perSecond), (e: unknown) => options.onStoreError?.(coerceError(e)));
  }

  return {
    take(): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ resolve, reject });
        if (!draining) void drain();
      });
    },
    penalize(ms: number): void {
      if (ms > 0) pause(ms, false);
    },
    throttled(pauseMs: number): void {
      pause(pauseMs, true);
    },
    get rate(): number {
      return rate;
    },
    get pending(): number {
      return queue.length;
    },
  };
}

/**
 * One shared limiter per budget key (an ORCID client id), created on first use: ORCID counts each
 * member client on its own, so the journals of two clients draw from two budgets (issue 19).
 *
 * @example
 * const limiterOf = createRateLimiters({ budget: store, perSecond: 20, burst: 40 });
 * await limiterOf('APP-1A2B3C4D5E6F7G8H').take();
 */
export function createRateLimiters(options: Omit<SharedRateLimiterOptions, 'key'>): (key: string) => RateLimiter {
  const limiters = new Map<string, RateLimiter>();
  return (key) => {
    let limiter = limiters.get(key);
    if (!limiter) limiters.set(key, (limiter = createSharedRateLimiter({ ...options, key })));
    return limiter;
  };
}
