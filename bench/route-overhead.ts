/**
 * route-overhead: what mounting the plugin costs a host's other routes (autocannon against the
 * same route of a Koa app with and without the plugin), and what the plugin's JSON contributors
 * API costs against a plain Koa handler reading the same rows. Server in its own process;
 * runs alternate (with, without, …) and the per-round ratios are reported with their spread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';
import { COMPILED, ROOT, benchEmulator, openBenchStore, round, progress, seedIdentities, tmpDir, workerEnv, type BenchResult } from './common.js';
import { checkOf, pairedRatios, spread, type Spread } from './stats.js';

const DURATION_S = 2;
/** Alternating rounds (with, without): enough for a spread of the per-round ratio. */
const ROUNDS = Number(process.env.BENCH_ROUTE_ROUNDS ?? 7);
const CONNECTIONS = 10;
const CONTRIBUTORS = 10;

interface Run {
  rps: number;
  /** server CPU time per request, µs (both apps share the server process; runs never overlap). */
  cpuMicrosPerRequest: number;
}

/** Reads the route server's CPU time: it prints it on SIGUSR2 (see route-server.ts). */
function cpuReader(server: ChildProcess): () => Promise<number> {
  const waiting: ((n: number) => void)[] = [];
  let buffered = '';
  server.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const m = /"cpuMicros":(\d+)/.exec(line);
      if (m) waiting.shift()?.(Number(m[1]));
    }
  });
  return () => new Promise<number>((resolve) => {
    waiting.push(resolve);
    server.kill('SIGUSR2');
  });
}

async function run(url: string, duration: number, cpu: () => Promise<number>): Promise<Run> {
  const before = await cpu();
  const r = await autocannon({ url, connections: CONNECTIONS, duration });
  const after = await cpu();
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, cpuMicrosPerRequest: (after - before) / Math.max(1, r.requests.total) };
}

interface Comparison {
  rps: { with: number[]; without: number[]; ratio: Spread };
  cpuMicrosPerRequest: { with: number[]; without: number[]; ratio: Spread };
}

async function compare(a: string, b: string, cpu: () => Promise<number>, label: string, step: number): Promise<Comparison> {
  await run(a, 1, cpu);
  await run(b, 1, cpu);
  const x: Run[] = [];
  const y: Run[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    progress(`${label}: alternating rounds`, step * ROUNDS + i, 2 * ROUNDS);
    x.push(await run(a, DURATION_S, cpu));
    y.push(await run(b, DURATION_S, cpu));
  }
  const rps = (v: Run[]) => v.map((r) => r.rps);
  const cpuOf = (v: Run[]) => v.map((r) => r.cpuMicrosPerRequest);
  return {
    rps: { with: rps(x).map((n) => round(n, 0)), without: rps(y).map((n) => round(n, 0)), ratio: spread(pairedRatios(rps(x), rps(y))) },
    cpuMicrosPerRequest: { with: cpuOf(x).map((n) => round(n, 1)), without: cpuOf(y).map((n) => round(n, 1)), ratio: spread(pairedRatios(cpuOf(y), cpuOf(x))) },
  };
}

export async function benchRouteOverhead(): Promise<BenchResult> {
  const tmp = tmpDir('routes');
  const db = `${tmp.dir}/orcid.db`;
  const emulator = await benchEmulator({ rateLimit: false });
  const store = await openBenchStore(db);
  const people = await seedIdentities(emulator.url, store, CONTRIBUTORS);
  const submissionId = 'sub-routes-1';
  for (const [k, p] of people.entries()) {
    await store.upsertContributor({ id: `c-routes-${k}`, submissionId, role: k === 0 ? 'author' : 'coauthor', givenNames: `Given${k}`, familyName: `Family${k}` }, new Date());
    await store.linkContributor(`c-routes-${k}`, p.identity.id, new Date());
  }
  await store.close();
  const js = join(COMPILED, 'bench/route-server.js');
  const args = existsSync(js) ? [js] : ['--import', 'tsx', join(ROOT, 'bench/route-server.ts')];
  const server = spawn(process.execPath, args, { cwd: ROOT, env: workerEnv(emulator.url, db, { BENCH_SUBMISSION: submissionId }), stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const ports = await new Promise<{ with: number; without: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('route server did not start in 30 s')), 30_000);
      server.stdout.once('data', (d: Buffer) => {
        clearTimeout(timer);
        resolve(JSON.parse(d.toString()));
      });
    });
    const at = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
    const cpu = cpuReader(server);
    const host = await compare(at(ports.with, '/articles/17'), at(ports.without, '/articles/17'), cpu, 'host route', 0);
    const api = await compare(at(ports.with, `/orcid/api/submissions/${submissionId}/contributors`), at(ports.without, `/plain/submissions/${submissionId}/contributors`), cpu, 'contributors API', 1);
    return {
      name: 'route-overhead',
      connections: CONNECTIONS,
      secondsPerRun: DURATION_S,
      rounds: ROUNDS,
      hostRoute: host,
      contributorsApi: api,
      notes: [
        'server (compiled JS) in its own process, both apps in it on two ports; autocannon in the benchmark process; runs alternate (with, without), each ratio is the median of the per-round ratios with its 90% bootstrap interval',
        'cpuMicrosPerRequest: the server process CPU time (user + system) over a run / requests answered; its ratio is without / with, so that, like rps, 1 means no cost',
        `contributors API: ${CONTRIBUTORS} linked contributors; the plugin's route runs its session, body parser, error middleware and editor check, the plain handler none of them`,
      ],
      checks: [
        checkOf('host route rps with plugin / without', host.rps.ratio, '>=', 0.95),
        checkOf('contributors API rps / plain handler', api.rps.ratio, '>=', 0.95),
      ],
    };
  } finally {
    server.kill('SIGTERM');
    await emulator.close();
    tmp.remove();
  }
}
