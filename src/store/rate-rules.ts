/**
 * The rules of a shared rate budget (the `RateBudget` port), as pure functions over one row, like
 * `deposit-rules.ts` for the ledger. SQLite runs them inside an IMMEDIATE transaction; PostgreSQL
 * (`postgres/rate-budget.ts`) and MongoDB (`mongo/rate-budget.ts`) spell the same arithmetic in one
 * statement, in the same order of operations, so all three give the same answers to the bit
 * (the PostgreSQL test compares its answers with these).
 *
 * The budget is GCRA, the "virtual scheduling" form of a token bucket (ITU-T I.371), as the
 * in-process limiter (`orcid/rate-limiter.ts`) uses: `tatMs` is the theoretical arrival time of
 * the next request, advanced by one interval per token; `burst` tokens may run ahead of it.
 * Adaptive: a throttle halves the rate (never below `minPerSecond`, once per one-second volley)
 * and it climbs back linearly over `recoveryMs`. All times are epoch milliseconds (floating point:
 * intervals such as 1000/24 ms are not whole).
 */
import type { RateGrant, RateLimitSpec, RatePause } from './store.js';

export interface RateBudgetRow {
  /** Theoretical arrival time of the next request. */
  tatMs: number;
  /** Nobody takes a token before this (0: never paused). */
  blockedUntilMs: number;
  /** The rate the last throttle brought it down to, and when; null when never throttled. */
  slowedTo: number | null;
  slowedAtMs: number | null;
}

/** A budget seen for the first time: a full bucket. */
export const freshRateRow = (t: number): RateBudgetRow => ({ tatMs: t, blockedUntilMs: 0, slowedTo: null, slowedAtMs: null });

/** Requests per second the budget allows at `t`. */
export function rateAt(row: Pick<RateBudgetRow, 'slowedTo' | 'slowedAtMs'>, limit: RateLimitSpec, t: number): number {
  if (row.slowedTo === null || row.slowedAtMs === null || limit.recoveryMs <= 0) return limit.perSecond;
  return Math.min(limit.perSecond, row.slowedTo + ((t - row.slowedAtMs) / limit.recoveryMs) * (limit.perSecond - limit.minPerSecond));
}

/** Take up to `want` tokens at `t`: the row to write back and the answer. */
export function takeRateTokens(row: RateBudgetRow | null, want: number, t: number, limit: RateLimitSpec): { row: RateBudgetRow; grant: RateGrant } {
  const cur = row ?? freshRateRow(t);
  const rate = rateAt(cur, limit, t);
  const interval = 1000 / rate;
  const tolerance = (limit.burst - 1) * interval;
  // A take less than one interval late keeps the schedule instead of restarting it from now, so
  // timer lateness is caught up rather than lost (at most one extra request in any window).
  const next = t - cur.tatMs < interval ? cur.tatMs : t;
  // Token k (0-based) may go at next + k*interval - tolerance: how many of them may go at t.
  const granted = t < cur.blockedUntilMs ? 0 : Math.max(0, Math.min(want, Math.floor((t - (next - tolerance)) / interval) + 1));
  const tatMs = granted > 0 ? next + granted * interval : cur.tatMs;
  const nextAtMs = Math.max(cur.blockedUntilMs, (granted > 0 ? tatMs : next) - tolerance);
  return { row: { ...cur, tatMs }, grant: { granted, nextAtMs, perSecond: rate } };
}

/** Pause the budget at `t` (and with `slowDown` halve its rate): the row to write back and the rate after. */
export function pauseRateBudget(row: RateBudgetRow | null, pause: RatePause, t: number, limit: RateLimitSpec): { row: RateBudgetRow; perSecond: number } {
  const cur = row ?? freshRateRow(t);
  let { slowedTo, slowedAtMs, tatMs, blockedUntilMs } = cur;
  // A volley of requests in flight together is throttled together, in every process: halve once per second.
  if (pause.slowDown && (slowedAtMs === null || t - slowedAtMs >= 1000)) {
    slowedTo = Math.max(limit.minPerSecond, rateAt(cur, limit, t) / 2);
    slowedAtMs = t;
  }
  if (pause.ms > 0) {
    blockedUntilMs = Math.max(blockedUntilMs, t + pause.ms);
    // The bucket restarts empty after the pause: a full burst into a server that just throttled
    // would only be throttled again.
    const interval = 1000 / rateAt({ slowedTo, slowedAtMs }, limit, blockedUntilMs);
    tatMs = Math.max(tatMs, blockedUntilMs + limit.burst * interval);
  }
  const next = { tatMs, blockedUntilMs, slowedTo, slowedAtMs };
  return { row: next, perSecond: rateAt(next, limit, t) };
}
