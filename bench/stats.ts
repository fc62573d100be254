/**
 * Statistics for benchmarks that run on a shared, noisy machine: a ratio is measured over several
 * alternating rounds, reported as its median with a spread, and a target holds only when the
 * whole interval is on the right side of it. Pure; the bootstrap uses a seeded generator so that
 * the same rounds always give the same interval.
 */
import { seededRandom } from '../src/emulator/faults.js';

/** A figure measured over rounds: the median, the min–max of the rounds, and a 90 % bootstrap interval of the median. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** 90 % bootstrap interval of the median (2,000 resamples, seeded). */
  interval: [number, number];
  rounds: number;
}

/** A benchmark's target. With `interval`, it holds when the interval does; else when `value` does. */
export interface Check {
  what: string;
  value: number;
  op: '>=' | '<=' | '<';
  target: number;
  interval?: [number, number];
  rounds?: number;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(values: number[], digits = 3, resamples = 2000): Spread {
  if (values.length === 0) throw new RangeError('spread() needs at least one round');
  const random = seededRandom(0x5eed);
  const medians: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sample = Array.from({ length: values.length }, () => values[Math.floor(random() * values.length)]);
    medians.push(median(sample));
  }
  medians.sort((a, b) => a - b);
  const at = (q: number) => medians[Math.min(medians.length - 1, Math.floor(q * medians.length))];
  const r = (n: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  return { median: r(median(values)), min: r(Math.min(...values)), max: r(Math.max(...values)), interval: [r(at(0.05)), r(at(0.95))], rounds: values.length };
}

/** Per-round ratios a[i] / b[i] of two series measured alternately. */
export function pairedRatios(a: number[], b: number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`pairedRatios: ${a.length} rounds against ${b.length}`);
  return a.map((x, i) => x / b[i]);
}

/** A check from a spread: its value is the median, and it holds only when the interval holds. */
export function checkOf(what: string, s: Spread, op: Check['op'], target: number): Check {
  return { what, value: s.median, op, target, interval: s.interval, rounds: s.rounds };
}

function satisfies(value: number, op: Check['op'], target: number): boolean {
  if (op === '>=') return value >= target;
  if (op === '<=') return value <= target;
  return value < target;
}

/** Whether a check holds: every point of its interval (when it has one) satisfies the target. */
export function holds(c: Check): boolean {
  if (!c.interval) return satisfies(c.value, c.op, c.target);
  return satisfies(c.interval[0], c.op, c.target) && satisfies(c.interval[1], c.op, c.target);
}

/**
 * Whether the interval straddles the target: the rounds cannot tell held from missed, so the
 * output says "undecided" rather than a verdict the noise could flip.
 */
export function undecided(c: Check): boolean {
  if (!c.interval) return false;
  return satisfies(c.interval[0], c.op, c.target) !== satisfies(c.interval[1], c.op, c.target);
}
