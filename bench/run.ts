/**
 * `npm run bench [-- <name>…] [--json]`: runs every benchmark (or the named ones), each in its own
 * child process so that RSS figures are its own, and prints them readably or, with `--json`, one
 * JSON line per benchmark: `{ name, …figures, checks: [{ what, value, op, target }] }`.
 *
 * Exit code 0 when every check held, 1 otherwise (2 when a benchmark crashed).
 */
import { spawn } from 'node:child_process';
import { freemem, totalmem, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, compileForNode, type BenchResult, type Check } from './common.js';

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  'drain-at-limit': async () => (await import('./drain-at-limit.js')).benchDrainAtLimit(),
  'drain-unlimited': async () => (await import('./drain-unlimited.js')).benchDrainUnlimited(),
  'publish-latency': async () => (await import('./publish-latency.js')).benchPublishLatency(),
  'publish-store-calls': async () => (await import('./publish-store-calls.js')).benchPublishStoreCalls(),
  'route-overhead': async () => (await import('./route-overhead.js')).benchRouteOverhead(),
  'backlog-memory': async () => (await import('./backlog-memory.js')).benchBacklogMemory(),
  embed: async () => (await import('./embed.js')).benchEmbed() as unknown as Promise<BenchResult>,
};
/** A single benchmark may not take longer than this (the whole run must stay under 10 minutes). */
const PER_BENCH_TIMEOUT_MS = 360_000;

function holds(c: Check): boolean {
  if (c.op === '>=') return c.value >= c.target;
  if (c.op === '<=') return c.value <= c.target;
  return c.value < c.target;
}

/** In the child: run one benchmark, print its result as the last line. */
async function child(name: string): Promise<void> {
  const result = await BENCHES[name]();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

function runChild(name: string): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/run.ts'), '--child', name], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), PER_BENCH_TIMEOUT_MS);
    p.on('exit', (code) => {
      clearTimeout(timer);
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
  for (const c of r.checks) lines.push(`  [${holds(c) ? 'ok ' : 'MISS'}] ${c.what}: ${c.value} (target ${c.op} ${c.target})`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--child');
  if (at >= 0) {
    await child(argv[at + 1]);
    return 0;
  }
  const json = argv.includes('--json');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    return 2;
  }
  const selected = names.length ? names : Object.keys(BENCHES);
  if (!json) {
    process.stdout.write(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  }
  const started = Date.now();
  await compileForNode();
  let missed = 0;
  let crashed = 0;
  for (const name of selected) {
    try {
      const r = await runChild(name);
      missed += r.checks.filter((c) => !holds(c)).length;
      process.stdout.write(json ? `${JSON.stringify(r)}\n` : `${readable(r)}\n`);
    } catch (e) {
      crashed++;
      process.stdout.write(json ? `${JSON.stringify({ name, error: String(e), checks: [] })}\n` : `\n== ${name}: FAILED ${String(e)}\n`);
    }
  }
  if (!json) process.stdout.write(`\n${selected.length} benchmarks in ${((Date.now() - started) / 1000).toFixed(1)} s; ${missed} checks missed, ${crashed} crashed\n`);
  return crashed ? 2 : missed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
