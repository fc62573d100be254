/**
 * `npm run bench [-- <name>…] [--json] [--record]`: runs every benchmark (or the named ones), each in
 * its own child process so that RSS figures are its own, and prints them readably or, with `--json`,
 * one JSON line per benchmark: `{ name, …figures, checks: [{ what, value, op, target, interval?, rounds? }] }`.
 * While a benchmark runs, a progress line on stderr says which one, how far, and the ETA.
 * `--record` appends the run (a header line with the machine and the commit, then one line per
 * benchmark) to `bench/results/<date>-<commit>.jsonl`; see bench/record.ts.
 *
 * Exit code 0 when every check held, 1 otherwise (2 when a benchmark crashed).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROGRESS_PREFIX, ROOT, compileForNode, type BenchResult } from './common.js';
import { holds, undecided, type Check } from './stats.js';
import { appendRecord, machineFacts, previousWallSeconds } from './record.js';
import { ProgressLine } from './progress-line.js';

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  'drain-at-limit': async () => (await import('./drain-at-limit.js')).benchDrainAtLimit(),
  'drain-at-limit-shared': async () => (await import('./drain-at-limit-shared.js')).benchDrainAtLimitShared(),
  'drain-at-limit-kill': async () => (await import('./drain-at-limit-shared.js')).benchDrainAtLimitKill(),
  'drain-at-limit-pg': async () => (await import('./drain-at-limit-shared.js')).benchDrainAtLimitPg(),
  'drain-at-limit-pg-kill': async () => (await import('./drain-at-limit-shared.js')).benchDrainAtLimitPgKill(),
  fairness: async () => (await import('./fairness.js')).benchFairness(),
  'drain-unlimited': async () => (await import('./drain-unlimited.js')).benchDrainUnlimited(),
  'wake-latency': async () => (await import('./wake-latency.js')).benchWakeLatency(),
  'publish-latency': async () => (await import('./publish-latency.js')).benchPublishLatency(),
  'publish-store-calls': async () => (await import('./publish-store-calls.js')).benchPublishStoreCalls(),
  'drain-store-calls': async () => (await import('./drain-store-calls.js')).benchDrainStoreCalls(),
  'route-overhead': async () => (await import('./route-overhead.js')).benchRouteOverhead(),
  'backlog-memory': async () => (await import('./backlog-memory.js')).benchBacklogMemory(),
  'backlog-memory-pg': async () => (await import('./backlog-memory-pg.js')).benchBacklogMemoryPg(),
  embed: async () => (await import('./embed.js')).benchEmbed() as unknown as Promise<BenchResult>,
  'root-import': async () => (await import('./root-import.js')).benchRootImport(),
  'install-footprint': async () => (await import('./install-footprint.js')).benchInstallFootprint(),
};
/** A single benchmark may not take longer than this (the whole run must stay under 10 minutes). */
const PER_BENCH_TIMEOUT_MS = 360_000;

function verdict(c: Check): string {
  if (holds(c)) return 'ok ';
  return undecided(c) ? 'UNDECIDED' : 'MISS';
}

/** In the child: run one benchmark, print its result as the last line. */
async function child(name: string): Promise<void> {
  const result = await BENCHES[name]();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

function runChild(name: string, line: ProgressLine): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/run.ts'), '--child', name], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let partial = '';
    p.stdout.on('data', (d: Buffer) => {
      partial += d.toString();
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const text = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (text.startsWith(PROGRESS_PREFIX)) line.update(JSON.parse(text.slice(PROGRESS_PREFIX.length)) as { what: string; done: number; total: number });
        else out += `${text}\n`;
      }
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), PER_BENCH_TIMEOUT_MS);
    p.on('exit', (code) => {
      clearTimeout(timer);
      out += partial;
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`benchmark ${name} exited ${code}${out ? `: ${out.slice(-1000)}` : ''}`));
      const r = JSON.parse(last) as BenchResult;
      resolve({ ...r, wallSeconds: Math.round((Date.now() - started) / 100) / 10 });
    });
  });
}

function readable(r: BenchResult): string {
  const lines = [`\n== ${r.name} (${String(r.wallSeconds)} s)`];
  for (const [k, v] of Object.entries(r)) {
    if (['name', 'checks', 'notes', 'wallSeconds'].includes(k)) continue;
    lines.push(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  }
  for (const n of r.notes ?? []) lines.push(`  note: ${n}`);
  for (const c of r.checks) {
    const interval = c.interval ? ` [${c.interval.join('–')}] over ${c.rounds} rounds` : '';
    lines.push(`  [${verdict(c)}] ${c.what}: ${c.value}${interval} (target ${c.op} ${c.target})`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--child');
  if (at >= 0) {
    await child(argv[at + 1]);
    return 0;
  }
  const json = argv.includes('--json');
  const record = argv.includes('--record');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  const selected = names.length ? names : Object.keys(BENCHES);
  const machine = machineFacts();
  if (!json) {
    process.stdout.write(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB (${machine.freeGiB} free), node ${machine.node}, load average ${machine.loadAverage.join(' ')}, commit ${machine.commit}\n`);
  }
  const results: BenchResult[] = [];
  const line = new ProgressLine(selected, previousWallSeconds(), process.stderr);
  const started = Date.now();
  await compileForNode();
  let missed = 0;
  let crashed = 0;
  for (const name of selected) {
    line.start(name);
    try {
      const r = await runChild(name, line);
      line.finish();
      results.push(r);
      missed += r.checks.filter((c) => !holds(c)).length;
      process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${readable(r)}\n`);
    } catch (e) {
      crashed++;
      line.finish();
      results.push({ name, error: String(e), checks: [] });
      process.stdout.write(json ? `${JSON.stringify({ name, error: String(e), checks: [] })}\n` : `\n== ${name}: FAILED ${String(e)}\n`);
    }
  }
  line.clear();
  if (record) process.stdout.write(`${json ? '' : '\n'}recorded in ${appendRecord(machine, results)}\n`);
  if (!json) process.stdout.write(`\n${selected.length} benchmarks in ${((Date.now() - started) / 1000).toFixed(1)} s; ${missed} checks missed, ${crashed} crashed\n`);
  return crashed ? 2 : missed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
