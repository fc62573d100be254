import type { RateLimitSettings } from './rate-limit.js';

/**
 * Fault injection for the ORCID-facing routes (never the control API): random 5xx answers,
 * connection resets, added latency and latency spikes, forced runs of 503s (ORCID's throttling
 * answer) or 429s. Randomness comes
 * from a seedable generator so a failing test can be replayed.
 */

export interface FaultSettings {
  /** Share of requests answered with a 5xx (500, 502 or 503); default 0. */
  errorRate: number;
  /** Share of requests whose socket is destroyed without an answer; default 0. */
  resetRate: number;
  /** Latency added to every request, ms; default 0. */
  latencyMs: number;
  /** Share of requests that get `latencySpikeMs` more; default 0. */
  latencySpikeRate: number;
  latencySpikeMs: number;
  /** Replace the rate limit (null switches it off); absent = leave as configured. */
  rateLimit?: RateLimitSettings | null;
  /** Answer the next `count` API requests with 429 + Retry-After (not ORCID's answer; for clients' 429 handling). */
  burst429?: { count: number };
  /** Answer the next `count` API requests with 503 and no Retry-After, as ORCID does past its burst. */
  burst503?: { count: number };
}

export const NO_FAULTS: FaultSettings = { errorRate: 0, resetRate: 0, latencyMs: 0, latencySpikeRate: 0, latencySpikeMs: 0 };

/** mulberry32: tiny, fast, good enough for test randomness, and replayable from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision = { kind: 'none' | 'reset' | '429' | '503' } | { kind: 'error'; status: number };

/** What to do with the next request; pure apart from the generator and the burst counter. */
export function decideFault(f: FaultSettings, random: () => number): FaultDecision {
  if (f.burst429 && f.burst429.count > 0) {
    f.burst429.count -= 1;
    return { kind: '429' };
  }
  if (f.burst503 && f.burst503.count > 0) {
    f.burst503.count -= 1;
    return { kind: '503' };
  }
  if (f.resetRate > 0 && random() < f.resetRate) return { kind: 'reset' };
  if (f.errorRate > 0 && random() < f.errorRate) return { kind: 'error', status: [500, 502, 503][Math.floor(random() * 3)] };
  return { kind: 'none' };
}

export function latencyFor(f: FaultSettings, random: () => number): number {
  return f.latencyMs + (f.latencySpikeRate > 0 && random() < f.latencySpikeRate ? f.latencySpikeMs : 0);
}

/** Validate a faults body from the control API; returns a message per bad field. */
export function checkFaults(body: Record<string, unknown>): { faults: FaultSettings; problems: string[] } {
  const problems: string[] = [];
  const faults: FaultSettings = { ...NO_FAULTS };
  for (const k of ['errorRate', 'resetRate', 'latencySpikeRate'] as const) {
    const v = body[k] ?? 0;
    if (typeof v !== 'number' || v < 0 || v > 1) problems.push(`${k} must be a number between 0 and 1`);
    else faults[k] = v;
  }
  for (const k of ['latencyMs', 'latencySpikeMs'] as const) {
    const v = body[k] ?? 0;
    if (typeof v !== 'number' || v < 0) problems.push(`${k} must be a non-negative number`);
    else faults[k] = v;
  }
  if ('rateLimit' in body) {
    const r = body.rateLimit as RateLimitSettings | null;
    if (r !== null && (typeof r !== 'object' || !(r.perSecond > 0) || !(r.burst >= 0) || (r.exceeded !== undefined && r.exceeded !== 503 && r.exceeded !== 429))) {
      problems.push('rateLimit must be null or {perSecond > 0, burst >= 0, exceeded?: 503 | 429}');
    }
    else faults.rateLimit = r;
  }
  for (const k of ['burst429', 'burst503'] as const) {
    if (body[k] === undefined) continue;
    const b = body[k] as { count?: unknown };
    if (typeof b?.count !== 'number' || b.count < 0) problems.push(`${k}.count must be a non-negative number`);
    else faults[k] = { count: b.count };
  }
  return { faults, problems };
}
