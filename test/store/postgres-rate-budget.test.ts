import { expect } from 'chai';
import fc from 'fast-check';
import pg from 'pg';
import { RATE_BUDGET_DDL, pauseRateBudgetPg, postgresRateBudget, takeRateTokensPg } from '../../src/store/postgres/rate-budget.js';
import * as rules from '../../src/store/rate-rules.js';
import type { RateLimitSpec } from '../../src/store/store.js';
import { rateBudgetContract } from './contract-rate-budget.js';

// Runs against the PostgreSQL server POSTGRES_URL names, in a schema of its own dropped afterwards.
const url = process.env.POSTGRES_URL;

if (url) {
  const schema = `kc_rate_budget_${process.pid}`;
  const pool = (max = 4) => new pg.Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
  let admin: pg.Pool;
  before(async () => {
    admin = new pg.Pool({ connectionString: url, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    const db = pool(1);
    await db.query(RATE_BUDGET_DDL);
    await db.query(RATE_BUDGET_DDL); // IF NOT EXISTS: a second start is harmless
    await db.end();
  });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  // Two pools, as two processes have them.
  rateBudgetContract('PostgreSQL (two pools)', async () => {
    const [a, b] = [pool(), pool()];
    return { a: postgresRateBudget(a), b: postgresRateBudget(b), close: async () => void (await Promise.all([a.end(), b.end()])) };
  });

  describe('PostgreSQL rate budget statements', () => {
    it('answer exactly as rate-rules.ts does, for any sequence of takes and pauses', async function () {
      this.timeout(120_000);
      const db = pool(1);
      let run = 0;
      const op = fc.oneof(
        fc.record({ kind: fc.constant('take' as const), dt: fc.integer({ min: 0, max: 700 }), want: fc.integer({ min: 1, max: 12 }) }),
        fc.record({ kind: fc.constant('pause' as const), dt: fc.integer({ min: 0, max: 1500 }), ms: fc.integer({ min: 0, max: 3000 }), slowDown: fc.boolean() }),
      );
      const limitArb = fc.record({
        perSecond: fc.double({ min: 0.5, max: 500, noNaN: true }), burst: fc.integer({ min: 1, max: 60 }),
        minFraction: fc.double({ min: 0.01, max: 1, noNaN: true }), recoveryMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120_000 })),
      });
      try {
        await fc.assert(fc.asyncProperty(limitArb, fc.array(op, { minLength: 1, maxLength: 25 }), async (l, ops) => {
          const limit: RateLimitSpec = { perSecond: l.perSecond, burst: l.burst, minPerSecond: Math.min(l.perSecond, l.perSecond * l.minFraction), recoveryMs: l.recoveryMs };
          const key = `APP-PROPERTY-${++run}`;
          let row: rules.RateBudgetRow | null = null;
          let t = Date.parse('2026-03-01T10:00:00Z'); // a Date is whole milliseconds; intervals in the row are not
          for (const o of ops) {
            t += o.dt;
            if (o.kind === 'take') {
              const expected = rules.takeRateTokens(row, o.want, t, limit);
              row = expected.row;
              expect(await takeRateTokensPg(db, key, o.want, new Date(t), limit)).to.deep.equal(expected.grant);
            } else {
              const expected = rules.pauseRateBudget(row, { ms: o.ms, slowDown: o.slowDown }, t, limit);
              row = expected.row;
              expect(await pauseRateBudgetPg(db, key, { ms: o.ms, slowDown: o.slowDown }, new Date(t), limit)).to.deep.equal({ perSecond: expected.perSecond });
            }
          }
        }), { numRuns: 60, seed: 17 });
      } finally {
        await db.end();
      }
    });
  });
} else if (process.env.REQUIRE_POSTGRES === '1') {
  describe('RateBudget contract: PostgreSQL', () => {
    it('runs (REQUIRE_POSTGRES=1 turns the skip into a failure)', () => {
      throw new Error('POSTGRES_URL is not set, and REQUIRE_POSTGRES=1 requires the PostgreSQL suites');
    });
  });
} else {
  process.stdout.write('PostgreSQL rate-budget suites SKIPPED: set POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them\n');
  describe.skip('RateBudget contract: PostgreSQL (set POSTGRES_URL to run it)', () => {
    it('passes the RateBudget contract', () => undefined);
  });
}

// Without a server: what the statements send to the driver.
describe('PostgreSQL rate budget statements, as sent', () => {
  const limit: RateLimitSpec = { perSecond: 20, burst: 40, minPerSecond: 1, recoveryMs: 60_000 };
  /** A driver that records each query and answers with one row of the take's columns. */
  function recording() {
    const sent: Array<{ name: string; text: string; values: unknown[] }> = [];
    const db = { query: async (config: { name: string; text: string; values: unknown[] }) => {
      sent.push(config);
      return { rows: [{ last_granted: 3, last_next_at_ms: 1000, last_per_second: 20 }] };
    } };
    return { sent, budget: postgresRateBudget(db) };
  }

  it('sends takes and pauses as prepared statements, one name per statement text', async () => {
    const { sent, budget } = recording();
    const now = new Date(5000);
    expect(await budget.takeRateTokens('APP-1', 4, now, limit)).to.deep.equal({ granted: 3, nextAtMs: 1000, perSecond: 20 });
    await budget.takeRateTokens('APP-2', 1, now, limit);
    expect(await budget.pauseRateBudget('APP-1', { ms: 100, slowDown: true }, now, limit)).to.deep.equal({ perSecond: 20 });
    const [take1, take2, pause] = sent;
    expect(take1!.name).to.be.a('string').and.not.equal('');
    expect(take2!.name).to.equal(take1!.name);
    expect(take2!.text).to.equal(take1!.text);
    expect(pause!.name).to.be.a('string').and.not.equal(take1!.name);
    expect(take1!.values).to.deep.equal(['APP-1', 4, 5000, 20, 40, 1, 60_000, now]);
    expect(pause!.values).to.deep.equal(['APP-1', 5000, 20, 40, 1, 60_000, now, 100, true]);
  });
});
