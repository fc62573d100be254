/**
 * backlog-memory: one process queues 100,000 deposits and drains them with one worker. Its RSS
 * is read at 10k, 50k and 100k jobs queued and drained (it must stay flat: the worker holds only
 * the jobs in flight, never the backlog), with the store's size per deposit and enqueue throughput.
 */
import { writeFileSync } from 'node:fs';
import { answered2xx, benchEmulator, openBenchStore, round, seedIdentities, spawnTs, tmpDir, verifyExactlyOnce, watchProgress, workerEnv, type BenchResult } from './common.js';

const JOBS = Number(process.env.BENCH_BACKLOG_JOBS ?? 100_000);
const DRAIN_SECONDS = Number(process.env.BENCH_BACKLOG_DRAIN_SECONDS ?? 150);
const IDENTITIES = 1000;
const CONCURRENCY = 16;

interface BacklogReport {
  drained: number;
  peakRssMb: number;
  queuedAt: { rssMb: number }[];
  drainedAt: { rssMb: number }[];
  [k: string]: unknown;
}

/** The heap cap the README recommends for worker processes; BENCH_WORKER_NODE_OPTIONS='' measures V8's defaults. */
const WORKER_NODE_OPTIONS = '--max-old-space-size=128';

export async function benchBacklogMemory(): Promise<BenchResult> {
  const tmp = tmpDir('backlog');
  const db = `${tmp.dir}/orcid.db`;
  const emulator = await benchEmulator({ rateLimit: false });
  try {
    const store = await openBenchStore(db);
    const seeded = await seedIdentities(emulator.url, store, IDENTITIES);
    await store.close();
    const file = `${tmp.dir}/identities.json`;
    writeFileSync(file, JSON.stringify(seeded.map((s) => s.identity)));
    // Worker processes run with the README's recommended heap cap (V8's default lets the old space
    // grow to ~200 MB under a 1,500 jobs/s allocation rate; the cap costs no throughput).
    const nodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS ?? WORKER_NODE_OPTIONS;
    const env = workerEnv(emulator.url, db, {
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ORCID_RATE_LIMIT: '1000000', ORCID_RATE_LIMIT_BURST: '1000000', ORCID_WORKER_CONCURRENCY: String(CONCURRENCY),
      BENCH_JOBS: String(JOBS), BENCH_DRAIN_SECONDS: String(DRAIN_SECONDS), BENCH_IDENTITIES: file,
    });
    const before = answered2xx(emulator);
    const stopProgress = watchProgress('jobs drained', JOBS, () => answered2xx(emulator) - before);
    const r = (await spawnTs('bench/backlog-process.ts', env, (DRAIN_SECONDS + 200) * 1000).result.finally(stopProgress)) as unknown as BacklogReport;
    // Exactly once over what was drained: works on records == jobs settled, no duplicates.
    const expected = new Map<string, number>();
    for (const s of seeded) expected.set(s.identity.orcid, 0);
    const v = await verifyExactlyOnce(emulator, expected);
    const samples = [...r.queuedAt, ...r.drainedAt].map((x) => x.rssMb);
    const spread = samples.length ? Math.max(...samples) - Math.min(...samples) : 0;
    const { settled: _s, firstClaimAt: _f, lastSettleAt: _l, ...figures } = r;
    return {
      name: 'backlog-memory',
      ...figures,
      worksOnRecords: v.total,
      duplicates: v.duplicates,
      rssSpreadMb: round(spread, 1),
      nodeOptions: nodeOptions || '(V8 defaults)',
      notes: [
        'one process (compiled JS, no tsx) queues with store.desireDeposit (real buildWorkXml payloads) and drains with worker.start(), concurrency 16; emulator in the benchmark process, no rate limit',
        `draining stops after ${DRAIN_SECONDS} s; "drained" says how far it got`,
      ],
      checks: [
        { what: 'peak RSS MB', value: r.peakRssMb, op: '<', target: 256 },
        { what: 'RSS spread over the 10k/50k/100k marks, MB', value: round(spread, 1), op: '<=', target: 32 },
        { what: 'jobs drained', value: r.drained, op: '>=', target: JOBS },
        { what: 'works on records - jobs drained (exactly once)', value: v.total - r.drained, op: '<=', target: 0 },
        { what: 'duplicate works', value: v.duplicates, op: '<=', target: 0 },
      ],
    };
  } finally {
    await emulator.close();
    tmp.remove();
  }
}
