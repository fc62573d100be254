/**
 * `npm run bench:compare [A B] [--all]`: each figure of two recorded runs side by side with its
 * ratio B/A, marking those that moved by more than the run-to-run noise. A and B are record files
 * under bench/results (a path, a file name, or any unique part of one, such as a commit); without
 * them, the two newest records. The newest run of each file is compared; the noise comes from the
 * figures' own intervals and from repeated runs of the same commit (see figures.ts). `--all` also
 * lists the figures that did not change.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { compareFigures, figuresOf, type Row } from './figures.js';
import { readRecord, recordFiles, type RecordedRun } from './record.js';

function resolveRecord(spec: string, files: string[]): string {
  if (existsSync(spec)) return spec;
  const hits = files.filter((f) => basename(f).includes(spec));
  if (hits.length !== 1) throw new Error(`${JSON.stringify(spec)} names ${hits.length} records in bench/results (${files.map((f) => basename(f)).join(', ') || 'none'})`);
  return hits[0];
}

const commitOf = (run: RecordedRun) => run.machine.commit.replace(/-dirty$/, '');

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 1000) / 1000);
}

export function compareTable(rows: Row[], all: boolean): string {
  const shown = all ? rows : rows.filter((r) => r.verdict !== 'same');
  const mark = { moved: 'MOVED', noise: 'within noise', unknown: 'noise unknown', same: '' } as const;
  const lines = ['| figure | A | B | B/A | noise | |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of shown) {
    const noise = r.noise === null ? '—' : `±${(r.noise * 100).toFixed(1)}%`;
    lines.push(`| ${r.figure} | ${format(r.a)} | ${format(r.b)} | ${r.ratio.toFixed(3)} | ${noise} | ${mark[r.verdict]} |`);
  }
  return lines.join('\n');
}

/** The benchmarks only one of two runs holds: their figures have nothing to be compared with. */
export function unmatchedBenchmarks(a: RecordedRun, b: RecordedRun): { onlyA: string[]; onlyB: string[] } {
  const names = (r: RecordedRun) => new Set(r.results.map((x) => x.name));
  const [na, nb] = [names(a), names(b)];
  return { onlyA: [...na].filter((n) => !nb.has(n)), onlyB: [...nb].filter((n) => !na.has(n)) };
}

function main(argv: string[]): number {
  const all = argv.includes('--all');
  const specs = argv.filter((a) => !a.startsWith('--'));
  const files = recordFiles();
  if (specs.length !== 0 && specs.length !== 2) {
    process.stderr.write('usage: npm run bench:compare [-- A B] [--all]   (A, B: record files in bench/results, or a unique part of their names)\n');
    return 2;
  }
  if (specs.length === 0 && files.length < 2) {
    process.stderr.write(`bench:compare needs two records in bench/results; found ${files.length}. Record one with: npm run bench -- --record\n`);
    return 2;
  }
  const [fa, fb] = specs.length ? specs.map((s) => resolveRecord(s, files)) : files.slice(-2);
  const a = readRecord(fa).at(-1);
  const b = readRecord(fb).at(-1);
  if (!a || !b) throw new Error(`no run in ${!a ? fa : fb}`);
  const sameCommit = files.flatMap(readRecord).filter((r) => commitOf(r) === commitOf(a) || commitOf(r) === commitOf(b));
  // Noise per commit: only runs of one commit say how much a figure moves by itself.
  const groups = [commitOf(a), commitOf(b)].map((c) => sameCommit.filter((r) => commitOf(r) === c).map((r) => figuresOf(r.results)));
  const repeated = groups.reduce((best, g) => (g.length > best.length ? g : best), [] as ReturnType<typeof figuresOf>[]);
  const rows = compareFigures(figuresOf(a.results), figuresOf(b.results), repeated);
  process.stdout.write(`A: ${basename(fa)} (${a.machine.date}, ${a.machine.commit}, load ${a.machine.loadAverage.join(' ')})\n`);
  process.stdout.write(`B: ${basename(fb)} (${b.machine.date}, ${b.machine.commit}, load ${b.machine.loadAverage.join(' ')})\n\n`);
  process.stdout.write(`${compareTable(rows, all)}\n\n`);
  const { onlyA, onlyB } = unmatchedBenchmarks(a, b);
  if (onlyA.length) process.stdout.write(`only in A (not compared): ${onlyA.join(', ')}\n`);
  if (onlyB.length) process.stdout.write(`only in B (not compared): ${onlyB.join(', ')}\n`);
  const moved = rows.filter((r) => r.verdict === 'moved').length;
  process.stdout.write(`${rows.length} figures compared; ${moved} moved beyond the noise\n`);
  return 0;
}

if (process.argv[1] && /compare\.(ts|js)$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));
