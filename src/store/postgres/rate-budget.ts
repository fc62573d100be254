/**
 * RateBudget on PostgreSQL: one row per ORCID client id, each take or pause one statement.
 *
 * `INSERT … ON CONFLICT (key) DO UPDATE` makes the row on first use and otherwise locks it; the
 * `SET` evaluates against the latest committed version of the row (also under READ COMMITTED), so
 * concurrent takes from any number of processes serialise on the row and none is lost. The
 * arithmetic is `rate-rules.ts`, spelled as a chain of LATERAL steps in the same order of
 * operations (double precision throughout), once over the stored row and once over a fresh one.
 * RETURNING sees only the row after the update, so the take's answer is kept in the row
 * (`last_granted`, `last_next_at_ms`, `last_per_second`).
 *
 * Standalone: the store wires `RATE_BUDGET_DDL` into its migrations and binds `postgresRateBudget`
 * to its pool. Only `query({ name, text, values })` is used, so a `pg` Pool, Client or PoolClient all fit.
 */
import type { RateBudget } from '../ports.js';
import type * as S from '../store.js';

/**
 * What this module needs of node-postgres: a query given as a config object. Each statement is
 * named (a prepared statement, parsed and planned once per connection): a take is the hot path of
 * every request to ORCID, and planning its LATERAL chain twice (insert and conflict branches) cost
 * more than running it.
 */
export interface Queryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/** The prepared statements' names (one text each, so one name each on every connection). */
export const TAKE_STATEMENT = 'kc_rate_budget_take_v1';
export const PAUSE_STATEMENT = 'kc_rate_budget_pause_v1';

export const RATE_BUDGET_TABLE = 'rate_budgets';

export const RATE_BUDGET_DDL = `
CREATE TABLE IF NOT EXISTS ${RATE_BUDGET_TABLE} (
  key text PRIMARY KEY,
  tat_ms double precision NOT NULL,
  blocked_until_ms double precision NOT NULL,
  slowed_to double precision,
  slowed_at_ms double precision,
  last_granted double precision NOT NULL,
  last_next_at_ms double precision NOT NULL,
  last_per_second double precision NOT NULL,
  updated_at timestamptz NOT NULL
)`;

/** The typed parameters of a statement; each statement numbers its own (PostgreSQL refuses an unused one). */
interface Params { want: string; t: string; perSecond: string; burst: string; min: string; recovery: string; now: string; pauseMs: string; slowDown: string }
// $1 is the key in both.
const TAKE: Params = { want: '$2::float8', t: '$3::float8', perSecond: '$4::float8', burst: '$5::float8', min: '$6::float8', recovery: '$7::float8', now: '$8::timestamptz', pauseMs: '', slowDown: '' };
const PAUSE: Params = { t: '$2::float8', perSecond: '$3::float8', burst: '$4::float8', min: '$5::float8', recovery: '$6::float8', now: '$7::timestamptz', pauseMs: '$8::float8', slowDown: '$9::boolean', want: '' };

/** `rateAt` of rate-rules.ts. */
const rateAt = (P: Params, slowedTo: string, slowedAt: string, t: string) =>
  `CASE WHEN ${slowedTo} IS NULL OR ${slowedAt} IS NULL OR ${P.recovery} <= 0 THEN ${P.perSecond}
   ELSE LEAST(${P.perSecond}, ${slowedTo} + ((${t} - ${slowedAt}) / ${P.recovery}) * (${P.perSecond} - ${P.min})) END`;

const COLUMNS = 'tat_ms, blocked_until_ms, slowed_to, slowed_at_ms, last_granted, last_next_at_ms, last_per_second, updated_at';

/** `takeRateTokens` of rate-rules.ts over the state `state`: the new values of COLUMNS. */
const takeStep = (P: Params, state: string) => `
  SELECT n.tat_ms, s.blocked_until_ms, s.slowed_to, s.slowed_at_ms, g.granted,
    GREATEST(s.blocked_until_ms, (CASE WHEN g.granted > 0 THEN n.tat_ms ELSE k.nxt END) - k.tol),
    r.rate, ${P.now}
  FROM (SELECT ${state}) AS s (tat_ms, blocked_until_ms, slowed_to, slowed_at_ms)
  CROSS JOIN LATERAL (SELECT ${rateAt(P, 's.slowed_to', 's.slowed_at_ms', P.t)} AS rate) r
  CROSS JOIN LATERAL (SELECT 1000::float8 / r.rate AS iv) i
  CROSS JOIN LATERAL (SELECT (${P.burst} - 1) * i.iv AS tol, CASE WHEN ${P.t} - s.tat_ms < i.iv THEN s.tat_ms ELSE ${P.t} END AS nxt) k
  CROSS JOIN LATERAL (SELECT CASE WHEN ${P.t} < s.blocked_until_ms THEN 0::float8
    ELSE GREATEST(0::float8, LEAST(${P.want}, floor((${P.t} - (k.nxt - k.tol)) / i.iv) + 1)) END AS granted) g
  CROSS JOIN LATERAL (SELECT CASE WHEN g.granted > 0 THEN k.nxt + g.granted * i.iv ELSE s.tat_ms END AS tat_ms) n`;

/** `pauseRateBudget` of rate-rules.ts over the state `state`: the new values of COLUMNS (no take: last_granted 0). */
const pauseStep = (P: Params, state: string) => `
  SELECT CASE WHEN ${P.pauseMs} > 0 THEN GREATEST(s.tat_ms, b2.blocked_until_ms + ${P.burst} * (1000::float8 / (${rateAt(P, 'w.slowed_to', 'w.slowed_at_ms', 'b2.blocked_until_ms')}))) ELSE s.tat_ms END,
    b2.blocked_until_ms, w.slowed_to, w.slowed_at_ms, 0::float8, 0::float8,
    ${rateAt(P, 'w.slowed_to', 'w.slowed_at_ms', P.t)}, ${P.now}
  FROM (SELECT ${state}) AS s (tat_ms, blocked_until_ms, slowed_to, slowed_at_ms)
  CROSS JOIN LATERAL (SELECT ${P.slowDown} AND (s.slowed_at_ms IS NULL OR ${P.t} - s.slowed_at_ms >= 1000) AS slow) v
  CROSS JOIN LATERAL (SELECT
    CASE WHEN v.slow THEN GREATEST(${P.min}, (${rateAt(P, 's.slowed_to', 's.slowed_at_ms', P.t)}) / 2) ELSE s.slowed_to END AS slowed_to,
    CASE WHEN v.slow THEN ${P.t} ELSE s.slowed_at_ms END AS slowed_at_ms) w
  CROSS JOIN LATERAL (SELECT CASE WHEN ${P.pauseMs} > 0 THEN GREATEST(s.blocked_until_ms, ${P.t} + ${P.pauseMs}) ELSE s.blocked_until_ms END AS blocked_until_ms) b2`;

/** The state columns of a row as it stands (`b`), or freshly made (`freshRateRow`). */
const upsert = (P: Params, step: (P: Params, state: string) => string) => `
  INSERT INTO ${RATE_BUDGET_TABLE} AS b (key, ${COLUMNS})
  SELECT $1, x.* FROM (${step(P, `${P.t}, 0::float8, NULL::float8, NULL::float8`)}) x
  ON CONFLICT (key) DO UPDATE SET (${COLUMNS}) = (${step(P, 'b.tat_ms, b.blocked_until_ms, b.slowed_to, b.slowed_at_ms')})
  RETURNING last_granted, last_next_at_ms, last_per_second`;

export const TAKE_SQL = upsert(TAKE, takeStep);
export const PAUSE_SQL = upsert(PAUSE, pauseStep);

const limitParams = (now: Date, limit: S.RateLimitSpec) => [now.getTime(), limit.perSecond, limit.burst, limit.minPerSecond, limit.recoveryMs, now];

/** Take up to `want` tokens from the budget `key`, in one statement (see `RateBudget.takeRateTokens`). */
export async function takeRateTokensPg(db: Queryable, key: string, want: number, now: Date, limit: S.RateLimitSpec): Promise<S.RateGrant> {
  const { rows } = await db.query({ name: TAKE_STATEMENT, text: TAKE_SQL, values: [key, want, ...limitParams(now, limit)] });
  const r = rows[0]!;
  return { granted: Number(r.last_granted), nextAtMs: Number(r.last_next_at_ms), perSecond: Number(r.last_per_second) };
}

/** Pause (and with `slowDown` slow) the budget `key`, in one statement (see `RateBudget.pauseRateBudget`). */
export async function pauseRateBudgetPg(db: Queryable, key: string, pause: S.RatePause, now: Date, limit: S.RateLimitSpec): Promise<{ perSecond: number }> {
  const { rows } = await db.query({ name: PAUSE_STATEMENT, text: PAUSE_SQL, values: [key, ...limitParams(now, limit), pause.ms, pause.slowDown] });
  return { perSecond: Number(rows[0]!.last_per_second) };
}

/** The RateBudget port over a pool. */
export function postgresRateBudget(db: Queryable): RateBudget {
  return {
    takeRateTokens: (key, want, now, limit) => takeRateTokensPg(db, key, want, now, limit),
    pauseRateBudget: (key, pause, now, limit) => pauseRateBudgetPg(db, key, pause, now, limit),
  };
}
