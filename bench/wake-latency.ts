/**
 * wake-latency: from `articlePublished` returning to the emulator receiving the first ORCID request
 * for that work, p50 and p99, for:
 * - SQLite, host and worker in one process (the store's in-process `onWork` wakes the worker);
 * - PostgreSQL across processes (this process publishes; a worker process LISTENs);
 * - the baseline, polling only (`onWork` hidden, ORCID_POLL_MS at its default 1000 ms), on SQLite
 *   in one process and on PostgreSQL across processes.
 *
 * Each publish is a one-author article for a researcher of its own, so the first POST to
 * /v3.0/<orcid>/work names it. Requests are timed as they reach a small forwarding proxy in front
 * of the emulator, in this process, on the same clock as the publish. Publishes go one at a time,
 * each after the previous one's request arrived, with a seeded 10–60 ms pause between them so they
 * do not fall in step with the poll.
 */
import { appendFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchArticle, benchEmulator, percentile, round, seedIdentities, spawnTs, workerEnv, type BenchResult, type SeededIdentity } from './common.js';
import { postgresSite, sqliteSite, type StoreSite } from './store-site.js';
import { orcidConnect, type OrcidConnect } from '../src/plugin.js';
import { seededRandom } from '../src/emulator/faults.js';
import type { Store } from '../src/store/store.js';

const WAKE_SAMPLES = Number(process.env.BENCH_WAKE_SAMPLES ?? 200);
const POLL_SAMPLES = Number(process.env.BENCH_WAKE_POLL_SAMPLES ?? 40);
const GOAL_P99_MS = 50;
const WORK_POST = /^\/v3\.0\/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])\/work$/;

/** A proxy to `target` that notes when the first POST of a work for each ORCID iD arrives. */
async function timingProxy(target: string): Promise<{ url: string; firstPost: Map<string, number>; close(): Promise<void> }> {
  const firstPost = new Map<string, number>();
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const m = req.method === 'POST' ? WORK_POST.exec(req.url ?? '') : null;
    if (m && !firstPost.has(m[1]!)) firstPost.set(m[1]!, performance.now());
    const up = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, firstPost,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

interface Case {
  name: string;
  site: StoreSite;
  /** Whether the worker runs in a process of its own (else in this one, beside the host). */
  separateWorker: boolean;
  wake: boolean;
  samples: number;
}

const debug = (m: string) => process.env.BENCH_DEBUG && process.stderr.write(`${new Date().toISOString()} ${m}\n`);
async function measure(c: Case): Promise<{ p50: number; p99: number; max: number; samples: number; timeouts: number }> {
  const emulator = await benchEmulator({ rateLimit: false });
  const proxy = await timingProxy(emulator.url);
  let host: OrcidConnect | null = null;
  let store: Store | null = null;
  let worker: ReturnType<typeof spawnTs> | null = null;
  try {
    store = await c.site.open();
    if (!c.wake) Object.assign(store, { onWork: undefined });
    debug(`seed ${c.name}`);
    const people = await seedIdentities(emulator.url, store, c.samples);
    const env = { ...workerEnv(proxy.url, c.site.where, { STORE_URL: c.site.url, ...(process.env.BENCH_DEBUG_FILE ? { BENCH_DEBUG_FILE: process.env.BENCH_DEBUG_FILE } : {}) }) };
    // The host: this process's plugin on the store (its worker started only when it is the worker too).
    debug(`host ${c.name}`);
    host = await orcidConnect({ store, env: { ...env } as NodeJS.ProcessEnv });
    if (c.separateWorker) {
      worker = spawnTs('bench/worker-process.ts', { ...env, BENCH_MODE: 'serve', ...(c.wake ? {} : { BENCH_NO_WAKE: '1' }) }, 300_000);
      const w = worker;
      await new Promise<void>((resolve, reject) => {
        w.child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        w.result.catch(reject);
      });
    } else {
      host.worker.start();
    }
    debug(`loop ${c.name}`);
    const random = seededRandom(17);
    const latencies: number[] = [];
    let timeouts = 0;
    for (let i = 0; i < c.samples; i++) {
      const person: SeededIdentity = people[i]!;
      const article = benchArticle(i, 1, `wake-${c.name}`);
      const a = article.authors[0]!;
      await store.upsertContributor({ id: a.contributorId, submissionId: article.submissionId, role: 'author', givenNames: a.givenNames, familyName: a.familyName }, new Date());
      await store.linkContributor(a.contributorId, person.identity.id, new Date());
      await new Promise((r) => setTimeout(r, 10 + Math.floor(random() * 50)));
      await host.articlePublished(article);
      const returned = performance.now();
      if (process.env.BENCH_DEBUG_FILE) appendFileSync(process.env.BENCH_DEBUG_FILE, `host returned ${(performance.timeOrigin + returned).toFixed(1)}\n`);
      const until = returned + 5_000;
      while (!proxy.firstPost.has(person.identity.orcid) && performance.now() < until) await new Promise((r) => setImmediate(r));
      const at = proxy.firstPost.get(person.identity.orcid);
      if (at === undefined) timeouts++;
      // A request that reached the proxy before articlePublished returned counts as 0.
      else latencies.push(Math.max(0, at - returned));
    }
    debug(`done ${c.name}`);
    latencies.sort((x, y) => x - y);
    return { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1), max: round(latencies.at(-1) ?? NaN, 1), samples: latencies.length, timeouts };
  } finally {
    if (worker) {
      worker.child.kill('SIGTERM');
      const w = worker;
      const hard = setTimeout(() => w.child.kill('SIGKILL'), 10_000);
      await worker.result.catch(() => undefined);
      clearTimeout(hard);
    }
    debug('worker gone');
    await host?.close();
    debug('host closed');
    await store?.close();
    debug('store closed');
    await proxy.close();
    await emulator.close();
    await c.site.remove();
  }
}

export async function benchWakeLatency(): Promise<BenchResult> {
  const cases: Case[] = [
    { name: 'sqlite-one-process', site: sqliteSite('wake'), separateWorker: false, wake: true, samples: WAKE_SAMPLES },
    { name: 'postgres-across-processes', site: postgresSite('wake', 4), separateWorker: true, wake: true, samples: WAKE_SAMPLES },
    { name: 'sqlite-polling', site: sqliteSite('wake_poll'), separateWorker: false, wake: false, samples: POLL_SAMPLES },
    { name: 'postgres-polling', site: postgresSite('wake_poll', 4), separateWorker: true, wake: false, samples: POLL_SAMPLES },
  ];
  const ms: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const c of cases) ms[c.name] = await measure(c);
  // Again at the end: runs left the PostgreSQL schemas of the LISTEN cases behind once (cause not
  // found yet; something re-created them after the first drop), and DROP … IF EXISTS is idempotent.
  for (const c of cases) await c.site.remove();
  const sq = ms['sqlite-one-process']!;
  const pgx = ms['postgres-across-processes']!;
  return {
    name: 'wake-latency',
    ms,
    pollingP50OverWakeP50: { sqlite: round(ms['sqlite-polling']!.p50 / sq.p50, 1), postgres: round(ms['postgres-polling']!.p50 / pgx.p50, 1) },
    notes: [
      'latency = first POST /v3.0/<orcid>/work reaching a proxy in front of the emulator - articlePublished returning, same process and clock; one-author articles, one at a time, 10–60 ms apart',
      'sqlite-one-process: host and worker.start() in the benchmark process; postgres-across-processes: the benchmark process publishes, bench/worker-process.ts (BENCH_MODE=serve) LISTENs',
      'polling: onWork hidden from the worker, ORCID_POLL_MS default (1000 ms)',
    ],
    checks: [
      { what: 'SQLite one process, p99 ms', value: sq.p99, op: '<=', target: GOAL_P99_MS },
      { what: 'PostgreSQL across processes, p99 ms', value: pgx.p99, op: '<=', target: GOAL_P99_MS },
      { what: 'publishes whose request never came (5 s)', value: Object.values(ms).reduce((n, m) => n + m.timeouts, 0), op: '<=', target: 0 },
    ],
  };
}
