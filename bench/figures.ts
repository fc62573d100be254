/**
 * Figures of a benchmark run, flattened for comparison: every numeric leaf of every result,
 * named by its path (`route-overhead.contributorsApi.rps.ratio`). A spread (`{ median, interval }`)
 * is one figure, its median, carrying its interval. Arrays of numbers are the raw rounds behind a
 * spread and are left out; arrays of rows are keyed by their `input` or `name`. Pure.
 */
import type { BenchResult } from './common.js';

export interface Figure {
  value: number;
  interval?: [number, number];
}

function isSpread(v: unknown): v is { median: number; interval: [number, number] } {
  return typeof v === 'object' && v !== null && typeof (v as { median?: unknown }).median === 'number' && Array.isArray((v as { interval?: unknown }).interval);
}

const SKIPPED = new Set(['name', 'notes', 'checks', 'error']);

function walk(v: unknown, path: string, out: Map<string, Figure>): void {
  if (typeof v === 'number' && Number.isFinite(v)) out.set(path, { value: v });
  else if (isSpread(v)) out.set(path, { value: v.median, interval: v.interval });
  else if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (typeof item !== 'object' || item === null) return;
      const key = (item as { input?: unknown; name?: unknown }).input ?? (item as { name?: unknown }).name ?? String(i);
      walk(item, `${path}[${String(key)}]`, out);
    });
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) if (!SKIPPED.has(k)) walk(x, path ? `${path}.${k}` : k, out);
  }
}

export function figuresOf(results: BenchResult[]): Map<string, Figure> {
  const out = new Map<string, Figure>();
  for (const r of results) walk(r, r.name, out);
  return out;
}

export interface Row {
  figure: string;
  a: number;
  b: number;
  /** b / a */
  ratio: number;
  /** Relative run-to-run noise of this figure, when it could be measured. */
  noise: number | null;
  /** 'same' for an equal value; 'moved' when the change is larger than the noise; 'noise' when within it; 'unknown' when there was nothing to measure noise on. */
  verdict: 'same' | 'moved' | 'noise' | 'unknown';
}

/**
 * Relative noise of one figure: the widest of (a) half its interval relative to its value, in
 * either run, and (b) the spread of its values over repeated runs of the same commit.
 */
export function noiseOf(figure: string, a: Figure, b: Figure, sameCommitRuns: Map<string, Figure>[]): number | null {
  const widths: number[] = [];
  for (const f of [a, b]) if (f.interval && f.value !== 0) widths.push((f.interval[1] - f.interval[0]) / 2 / Math.abs(f.value));
  const repeated = sameCommitRuns.map((m) => m.get(figure)?.value).filter((x): x is number => x !== undefined);
  if (repeated.length >= 2) {
    const mid = repeated.reduce((s, x) => s + x, 0) / repeated.length;
    if (mid !== 0) widths.push((Math.max(...repeated) - Math.min(...repeated)) / 2 / Math.abs(mid));
  }
  return widths.length ? Math.max(...widths) : null;
}

/** Each figure present in both runs, side by side, with its ratio and whether it moved beyond the noise. */
export function compareFigures(a: Map<string, Figure>, b: Map<string, Figure>, sameCommitRuns: Map<string, Figure>[] = []): Row[] {
  const rows: Row[] = [];
  for (const [figure, fa] of a) {
    const fb = b.get(figure);
    if (!fb) continue;
    const ratio = fa.value === 0 ? (fb.value === 0 ? 1 : Infinity) : fb.value / fa.value;
    const noise = noiseOf(figure, fa, fb, sameCommitRuns);
    const verdict = fa.value === fb.value ? 'same' : noise === null ? 'unknown' : Math.abs(ratio - 1) > noise ? 'moved' : 'noise';
    rows.push({ figure, a: fa.value, b: fb.value, ratio, noise, verdict });
  }
  return rows;
}
