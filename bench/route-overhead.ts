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
  // A server that has gone fails the benchmark instead of leaving it waiting for an answer.
  let gone: Error | null = null;
  const failures: ((e: Error) => void)[] = [];
  server.on('exit', (code, signal) => {
    gone = new Error(`the route server exited (${signal ?? code}) during the benchmark`);
    for (const fail of failures.splice(0)) fail(gone);
  });
  return () => new Promise<number>((resolve, reject) => {
    if (gone) return reject(gone);
    waiting.push((n) => {
      failures.splice(failures.indexOf(reject), 1);
      resolve(n);
    });
    failures.push(reject);
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

/** Progress of the whole benchmark: rounds done of the rounds of every comparison. */
const TOTAL_RUNS = ROUNDS * (2 + 4);

/**
 * `ROUNDS` rounds of one run of each URL, the order rotating from round to round (no URL always
 * follows the same one); after a 1 s warm-up of each. The runs of each URL, in round order.
 */
async function alternate(urls: string[], cpu: () => Promise<number>, label: string, done: number): Promise<Run[][]> {
  for (const u of urls) await run(u, 1, cpu);
  const runs: Run[][] = urls.map(() => []);
  for (let i = 0; i < ROUNDS; i++) {
    progress(`${label}: alternating rounds`, done + i * urls.length, TOTAL_RUNS);
    for (let k = 0; k < urls.length; k++) {
      const j = (i + k) % urls.length;
      runs[j].push(await run(urls[j], DURATION_S, cpu));
    }
  }
  return runs;
}

const rpsOf = (v: Run[]) => v.map((r) => r.rps);
const cpuOf = (v: Run[]) => v.map((r) => r.cpuMicrosPerRequest);

/** `x` against `y`, round by round: rps x / y, and CPU per request y / x (so that 1 means no cost either way). */
function versus(x: Run[], y: Run[]): Comparison {
  return {
    rps: { with: rpsOf(x).map((n) => round(n, 0)), without: rpsOf(y).map((n) => round(n, 0)), ratio: spread(pairedRatios(rpsOf(x), rpsOf(y))) },
    cpuMicrosPerRequest: { with: cpuOf(x).map((n) => round(n, 1)), without: cpuOf(y).map((n) => round(n, 1)), ratio: spread(pairedRatios(cpuOf(y), cpuOf(x))) },
  };
}

/** One step of the contributors API's layer breakdown: its rps ratio and CPU ratio (1 = free). */
function step(x: Run[], y: Run[]): { rps: Spread; cpu: Spread } {
  const c = versus(x, y);
  return { rps: c.rps.ratio, cpu: c.cpuMicrosPerRequest.ratio };
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
    const [hostWith, hostWithout] = await alternate([at(ports.with, '/articles/17'), at(ports.without, '/articles/17')], cpu, 'host route', 0);
    const host = versus(hostWith, hostWithout);
    // The contributors API, and the plain handler with the plugin's layers added one at a time (route-server.ts).
    const apiUrls = {
      plain: at(ports.without, `/plain/submissions/${submissionId}/contributors`),
      json: at(ports.without, `/layers/json/submissions/${submissionId}/contributors`),
      scoped: at(ports.without, `/layers/scoped/submissions/${submissionId}/contributors`),
      plugin: at(ports.with, `/orcid/api/submissions/${submissionId}/contributors`),
    };
    const pluginBody = await (await fetch(apiUrls.plugin)).text();
    for (const layer of ['json', 'scoped'] as const) {
      const body = await (await fetch(apiUrls[layer])).text();
      if (body !== pluginBody) throw new Error(`the ${layer} layer's answer is not the plugin's, byte for byte:\n${body.slice(0, 400)}\n${pluginBody.slice(0, 400)}`);
    }
    const [plain, json, scoped, plugin] = await alternate(Object.values(apiUrls), cpu, 'contributors API and its layers', 2 * ROUNDS);
    const api = versus(plugin, plain);
    const layers = {
      payload: step(json, plain),
      roleScoping: step(scoped, json),
      routingAndMiddleware: step(plugin, scoped),
      total: { rps: api.rps.ratio, cpu: api.cpuMicrosPerRequest.ratio },
    };
    const sameJson = versus(plugin, json);
    return {
      name: 'route-overhead',
      connections: CONNECTIONS,
      secondsPerRun: DURATION_S,
      rounds: ROUNDS,
      hostRoute: host,
      contributorsApi: api,
      contributorsApiVsSameJson: sameJson,
      contributorsApiLayers: layers,
      notes: [
        'server (compiled JS) in its own process, both apps in it on two ports; autocannon in the benchmark process; runs alternate (with, without), each ratio is the median of the per-round ratios with its 90% bootstrap interval',
        'cpuMicrosPerRequest: the server process CPU time (user + system) over a run / requests answered; its ratio is without / with, so that, like rps, 1 means no cost',
        `contributors API: ${CONTRIBUTORS} linked contributors; the plugin's route runs its mount dispatch, error middleware, CSRF and body layers (a GET passes them), router and role scoping, the plain handler none of them (the JSON API keeps no session)`,
        'contributorsApiLayers: the plain handler with the plugin\'s layers added one at a time, each step\'s rps ratio and CPU ratio (1 = free) over the same rounds: payload (the plugin\'s JSON, with uri, status and invitedAt, byte for byte, against the plain handler\'s), roleScoping (viewerOf + visibleContributors), routingAndMiddleware (the plugin\'s route against the scoped handler); contributorsApiVsSameJson: the plugin\'s route against a plain handler writing the same bytes',
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
