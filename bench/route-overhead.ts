/**
 * route-overhead: what mounting the plugin costs a host's other routes (autocannon against the
 * same route of a Koa app with and without the plugin), and what the plugin's JSON contributors
 * API costs against a plain Koa handler reading the same rows. Server in its own process;
 * runs alternate (with, without, with, without) and the medians are compared.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';
import { COMPILED, ROOT, benchEmulator, openBenchStore, round, seedIdentities, tmpDir, workerEnv, type BenchResult } from './common.js';

const DURATION_S = 3;
const ROUNDS = 3;
const CONNECTIONS = 10;
const CONTRIBUTORS = 10;

async function rps(url: string, duration: number): Promise<number> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r.requests.average;
}

async function compare(a: string, b: string): Promise<{ with: number[]; without: number[]; ratio: number }> {
  await rps(a, 1);
  await rps(b, 1);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    x.push(await rps(a, DURATION_S));
    y.push(await rps(b, DURATION_S));
  }
  const median = (v: number[]) => [...v].sort((m, n) => m - n)[Math.floor(v.length / 2)];
  return { with: x.map((n) => round(n, 0)), without: y.map((n) => round(n, 0)), ratio: round(median(x) / median(y)) };
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
    const host = await compare(at(ports.with, '/articles/17'), at(ports.without, '/articles/17'));
    const api = await compare(at(ports.with, `/orcid/api/submissions/${submissionId}/contributors`), at(ports.without, `/plain/submissions/${submissionId}/contributors`));
    return {
      name: 'route-overhead',
      connections: CONNECTIONS,
      secondsPerRun: DURATION_S,
      hostRouteRps: host,
      contributorsApiRps: { plugin: api.with, plain: api.without, ratio: api.ratio },
      notes: [
        'server (compiled JS) in its own process, both apps in it on two ports; autocannon in the benchmark process; runs alternate, ratio of the medians',
        `contributors API: ${CONTRIBUTORS} linked contributors; the plugin's route runs its session, body parser, error middleware and editor check, the plain handler none of them`,
      ],
      checks: [
        { what: 'host route rps with plugin / without', value: host.ratio, op: '>=', target: 0.95 },
        { what: 'contributors API rps / plain handler', value: api.ratio, op: '>=', target: 0.95 },
      ],
    };
  } finally {
    server.kill('SIGTERM');
    await emulator.close();
    tmp.remove();
  }
}
