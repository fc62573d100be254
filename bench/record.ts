/**
 * A record of benchmark runs: `npm run bench -- --record` appends a run to
 * `bench/results/<date>-<commit>.jsonl` — a header line `{ type: 'run', …machine facts }`, then a
 * line `{ type: 'bench', …result }` per benchmark — and the file is committed. Several runs of one
 * commit on one day land in one file, which is what `bench:compare` measures run-to-run noise on.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, type BenchResult } from './common.js';

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export interface MachineFacts {
  date: string;
  commit: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages at the start of the run. */
  loadAverage: number[];
}

export interface RecordedRun {
  machine: MachineFacts;
  results: BenchResult[];
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The machine and the commit, read at the start of a run; `-dirty` marks uncommitted changes. */
export function machineFacts(now = new Date()): MachineFacts {
  const commit = git(['rev-parse', '--short=10', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'src', 'bench', 'package.json']) !== '';
  const gib = (n: number) => Math.round((n / 2 ** 30) * 10) / 10;
  return {
    date: now.toISOString(),
    commit: dirty ? `${commit}-dirty` : commit,
    cpuModel: cpus()[0]?.model.trim() ?? '?',
    cores: cpus().length,
    memoryGiB: gib(totalmem()),
    freeGiB: gib(freemem()),
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Append one run; returns the file's path relative to the repository. */
export function appendRecord(machine: MachineFacts, results: BenchResult[], dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${machine.date.slice(0, 10)}-${machine.commit}.jsonl`);
  const lines = [{ type: 'run', ...machine }, ...results.map((r) => ({ type: 'bench', ...r }))];
  appendFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return relative(ROOT, file);
}

/** Every run in a record file, in the order they were appended. */
export function readRecord(file: string): RecordedRun[] {
  const runs: RecordedRun[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    const { type, ...rest } = JSON.parse(text) as { type: string } & Record<string, unknown>;
    if (type === 'run') runs.push({ machine: rest as unknown as MachineFacts, results: [] });
    else if (type === 'bench' && runs.length) runs[runs.length - 1].results.push(rest as unknown as BenchResult);
  }
  return runs;
}

/** Record files, oldest first by the date of their last run. */
export function recordFiles(dir = RESULTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  const lastDate = (file: string) => readRecord(file).at(-1)?.machine.date ?? '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ file: join(dir, f), date: lastDate(join(dir, f)) }))
    .sort((a, b) => a.date.localeCompare(b.date) || a.file.localeCompare(b.file))
    .map((x) => x.file);
}

/** The newest run of the newest record, or null when nothing was recorded yet. */
export function latestRun(dir = RESULTS_DIR): RecordedRun | null {
  const files = recordFiles(dir);
  if (!files.length) return null;
  const runs = readRecord(files[files.length - 1]);
  return runs[runs.length - 1] ?? null;
}

/** Wall seconds per benchmark in the newest run, for the progress line's ETA. */
export function previousWallSeconds(dir = RESULTS_DIR): Record<string, number> {
  const run = latestRun(dir);
  const out: Record<string, number> = {};
  for (const r of run?.results ?? []) if (typeof r.wallSeconds === 'number') out[r.name] = r.wallSeconds;
  return out;
}
