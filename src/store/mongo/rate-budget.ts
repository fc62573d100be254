/**
 * RateBudget over a MongoDB handle: each take or pause is one `findOneAndUpdate` with an update
 * pipeline on the client's document (upserted on first use). A single-document update is atomic,
 * so no transaction is needed and concurrent takes from any number of processes serialise on the
 * document. The pipeline spells `rate-rules.ts` stage by stage, in the same order of operations
 * (constants folded in JavaScript, as the rules fold them; a bare constant is wrapped in `$literal`
 * so `$set` cannot read it as a projection flag); `_`-prefixed fields are intermediates, removed by
 * the last stage. Update pipelines need MongoDB 4.2. Not run against a server here (none can be
 * installed): `test/store/mongo.test.ts` runs the RateBudget contract when MONGODB_URI is set.
 *
 * The take's answer is written into the document (`lastGranted`, `lastNextAtMs`, `lastPerSecond`)
 * because the update returns the document after it, not the values computed on the way.
 */
import type * as S from '../store.js';
import { type MongoHandle, retryDuplicate } from './handle.js';
import type { RateBudgetDoc } from './models.js';

type Expr = unknown;
type Document = Record<string, unknown>;

/** `rateAt` of rate-rules.ts as an aggregation expression. */
function rateExpr(limit: S.RateLimitSpec, slowedTo: Expr, slowedAt: Expr, t: Expr): Expr {
  if (limit.recoveryMs <= 0) return { $literal: limit.perSecond };
  return {
    $cond: [
      { $or: [{ $eq: [slowedTo, null] }, { $eq: [slowedAt, null] }] },
      limit.perSecond,
      { $min: [limit.perSecond, { $add: [slowedTo, { $multiply: [{ $divide: [{ $subtract: [t, slowedAt] }, limit.recoveryMs] }, limit.perSecond - limit.minPerSecond] }] }] },
    ],
  };
}

/** A missing document is a fresh budget (`freshRateRow`). */
const fresh = (t: number): Document => ({
  $set: {
    tatMs: { $ifNull: ['$tatMs', t] },
    blockedUntilMs: { $ifNull: ['$blockedUntilMs', 0] },
    slowedTo: { $ifNull: ['$slowedTo', null] },
    slowedAtMs: { $ifNull: ['$slowedAtMs', null] },
  },
});

/** The pipeline of `takeRateTokens` in rate-rules.ts. */
export function takePipeline(want: number, t: number, limit: S.RateLimitSpec, now: Date): Document[] {
  return [
    fresh(t),
    { $set: { _rate: rateExpr(limit, '$slowedTo', '$slowedAtMs', t) } },
    { $set: { _iv: { $divide: [1000, '$_rate'] } } },
    { $set: { _tol: { $multiply: [limit.burst - 1, '$_iv'] }, _next: { $cond: [{ $lt: [{ $subtract: [t, '$tatMs'] }, '$_iv'] }, '$tatMs', t] } } },
    {
      $set: {
        _granted: {
          $cond: [{ $lt: [t, '$blockedUntilMs'] }, 0, { $max: [0, { $min: [want, { $add: [{ $floor: { $divide: [{ $subtract: [t, { $subtract: ['$_next', '$_tol'] }] }, '$_iv'] } }, 1] }] }] }],
        },
      },
    },
    { $set: { _tat: { $cond: [{ $gt: ['$_granted', 0] }, { $add: ['$_next', { $multiply: ['$_granted', '$_iv'] }] }, '$tatMs'] } } },
    {
      $set: {
        tatMs: '$_tat',
        lastGranted: '$_granted',
        lastNextAtMs: { $max: ['$blockedUntilMs', { $subtract: [{ $cond: [{ $gt: ['$_granted', 0] }, '$_tat', '$_next'] }, '$_tol'] }] },
        lastPerSecond: '$_rate',
        updatedAt: now,
      },
    },
    { $unset: ['_rate', '_iv', '_tol', '_next', '_granted', '_tat'] },
  ];
}

/** The pipeline of `pauseRateBudget` in rate-rules.ts. */
export function pausePipeline(pause: S.RatePause, t: number, limit: S.RateLimitSpec, now: Date): Document[] {
  const stages: Document[] = [
    fresh(t),
    {
      $set: {
        _slow: pause.slowDown ? { $or: [{ $eq: ['$slowedAtMs', null] }, { $gte: [{ $subtract: [t, '$slowedAtMs'] }, 1000] }] } : { $literal: false },
        _rateNow: rateExpr(limit, '$slowedTo', '$slowedAtMs', t),
      },
    },
    {
      $set: {
        slowedTo: { $cond: ['$_slow', { $max: [limit.minPerSecond, { $divide: ['$_rateNow', 2] }] }, '$slowedTo'] },
        slowedAtMs: { $cond: ['$_slow', t, '$slowedAtMs'] },
      },
    },
  ];
  if (pause.ms > 0) {
    stages.push(
      { $set: { blockedUntilMs: { $max: ['$blockedUntilMs', t + pause.ms] } } },
      { $set: { _iv: { $divide: [1000, rateExpr(limit, '$slowedTo', '$slowedAtMs', '$blockedUntilMs')] } } },
      { $set: { tatMs: { $max: ['$tatMs', { $add: ['$blockedUntilMs', { $multiply: [limit.burst, '$_iv'] }] }] } } },
    );
  }
  stages.push(
    { $set: { lastPerSecond: rateExpr(limit, '$slowedTo', '$slowedAtMs', t), updatedAt: now } },
    { $unset: ['_slow', '_rateNow', '_iv'] },
  );
  return stages;
}

async function update(h: MongoHandle, key: string, pipeline: Document[]): Promise<RateBudgetDoc> {
  // Two processes upserting a budget that does not exist yet may collide once on _id (E11000);
  // the retry finds the document and updates it.
  const doc = await h.guard(() => retryDuplicate(() =>
    h.m.RateBudget.collection.findOneAndUpdate({ _id: key } as Document, pipeline, { upsert: true, returnDocument: 'after' })));
  return doc as unknown as RateBudgetDoc;
}

export async function takeRateTokens(h: MongoHandle, key: string, want: number, now: Date, limit: S.RateLimitSpec): Promise<S.RateGrant> {
  const doc = await update(h, key, takePipeline(want, now.getTime(), limit, now));
  return { granted: doc.lastGranted, nextAtMs: doc.lastNextAtMs, perSecond: doc.lastPerSecond };
}

export async function pauseRateBudget(h: MongoHandle, key: string, pause: S.RatePause, now: Date, limit: S.RateLimitSpec): Promise<{ perSecond: number }> {
  const doc = await update(h, key, pausePipeline(pause, now.getTime(), limit, now));
  return { perSecond: doc.lastPerSecond };
}
