import { expect } from 'chai';
import fc from 'fast-check';
import { aggregate } from 'mingo';
import { pausePipeline, takePipeline } from '../../src/store/mongo/rate-budget.js';
import * as rules from '../../src/store/rate-rules.js';
import type { RateLimitSpec } from '../../src/store/store.js';

// No MongoDB server can run here, so the update pipelines are evaluated by mingo, an in-memory
// implementation of MongoDB's aggregation expressions (an update pipeline is an aggregation
// pipeline of $set and $unset stages). The server's own run is the RateBudget contract in
// mongo.test.ts, when MONGODB_URI is set.
describe('MongoDB rate budget pipelines (evaluated in memory)', () => {
  type Doc = Record<string, unknown>;
  const apply = (doc: Doc, pipeline: unknown[]): Doc => (aggregate([doc], pipeline as never) as Doc[])[0]!;

  it('answer exactly as rate-rules.ts does, for any sequence of takes and pauses, leaving no intermediate fields', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('take' as const), dt: fc.integer({ min: 0, max: 700 }), want: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('pause' as const), dt: fc.integer({ min: 0, max: 1500 }), ms: fc.integer({ min: 0, max: 3000 }), slowDown: fc.boolean() }),
    );
    const limitArb = fc.record({
      perSecond: fc.double({ min: 0.5, max: 500, noNaN: true }), burst: fc.integer({ min: 1, max: 60 }),
      minFraction: fc.double({ min: 0.01, max: 1, noNaN: true }), recoveryMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 120_000 })),
    });
    fc.assert(fc.property(limitArb, fc.array(op, { minLength: 1, maxLength: 25 }), (l, ops) => {
      const limit: RateLimitSpec = { perSecond: l.perSecond, burst: l.burst, minPerSecond: Math.min(l.perSecond, l.perSecond * l.minFraction), recoveryMs: l.recoveryMs };
      let doc: Doc = { _id: 'APP-PIPELINE' };
      let row: rules.RateBudgetRow | null = null;
      let t = Date.parse('2026-03-01T10:00:00Z');
      for (const o of ops) {
        t += o.dt;
        const now = new Date(t);
        if (o.kind === 'take') {
          const expected = rules.takeRateTokens(row, o.want, t, limit);
          row = expected.row;
          doc = apply(doc, takePipeline(o.want, t, limit, now));
          expect({ granted: doc.lastGranted, nextAtMs: doc.lastNextAtMs, perSecond: doc.lastPerSecond }).to.deep.equal(expected.grant);
        } else {
          const expected = rules.pauseRateBudget(row, { ms: o.ms, slowDown: o.slowDown }, t, limit);
          row = expected.row;
          doc = apply(doc, pausePipeline({ ms: o.ms, slowDown: o.slowDown }, t, limit, now));
          expect(doc.lastPerSecond).to.equal(expected.perSecond);
        }
        expect({ tatMs: doc.tatMs, blockedUntilMs: doc.blockedUntilMs, slowedTo: doc.slowedTo, slowedAtMs: doc.slowedAtMs }).to.deep.equal(row);
        expect(Object.keys(doc).filter((k) => k.startsWith('_') && k !== '_id')).to.deep.equal([]);
      }
    }), { numRuns: 200, seed: 17 });
  });
});
