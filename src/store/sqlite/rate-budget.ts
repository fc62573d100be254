/**
 * RateBudget over a SQLite handle: one row per ORCID client id, read and written back inside one
 * IMMEDIATE transaction, so several processes sharing the file take from one budget (the write lock
 * is held from the read to the write). The arithmetic is `rate-rules.ts`.
 */
import type * as S from '../store.js';
import * as rules from '../rate-rules.js';
import type { SqliteHandle } from './handle.js';
import type { Row } from './rows.js';

const toRow = (r: Row | undefined): rules.RateBudgetRow | null => r === undefined ? null : {
  tatMs: Number(r.tat_ms),
  blockedUntilMs: Number(r.blocked_until_ms),
  slowedTo: r.slowed_to === null ? null : Number(r.slowed_to),
  slowedAtMs: r.slowed_at_ms === null ? null : Number(r.slowed_at_ms),
};

function write(h: SqliteHandle, key: string, row: rules.RateBudgetRow, now: Date): void {
  h.run(
    `INSERT INTO rate_budgets (key, tat_ms, blocked_until_ms, slowed_to, slowed_at_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET tat_ms = excluded.tat_ms, blocked_until_ms = excluded.blocked_until_ms,
       slowed_to = excluded.slowed_to, slowed_at_ms = excluded.slowed_at_ms, updated_at = excluded.updated_at`,
    key, row.tatMs, row.blockedUntilMs, row.slowedTo, row.slowedAtMs, now.getTime(),
  );
}

export function takeRateTokens(h: SqliteHandle, key: string, want: number, now: Date, limit: S.RateLimitSpec): S.RateGrant {
  return h.tx(() => {
    const { row, grant } = rules.takeRateTokens(toRow(h.one('SELECT * FROM rate_budgets WHERE key = ?', key)), want, now.getTime(), limit);
    write(h, key, row, now);
    return grant;
  });
}

export function pauseRateBudget(h: SqliteHandle, key: string, pause: S.RatePause, now: Date, limit: S.RateLimitSpec): { perSecond: number } {
  return h.tx(() => {
    const { row, perSecond } = rules.pauseRateBudget(toRow(h.one('SELECT * FROM rate_budgets WHERE key = ?', key)), pause, now.getTime(), limit);
    write(h, key, row, now);
    return { perSecond };
  });
}
