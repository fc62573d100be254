/**
 * drain-at-limit: how close two worker processes sharing one SQLite outbox get to ORCID's
 * per-client limit without a single 429. The emulator's limit is raised (so the run is quick);
 * both processes are given just under all of it, which they share through the store's rate
 * budget (see drain-at-limit-shared.ts for four processes, and one killed halfway).
 */
import { answered2xx, benchEmulator, fileSizeBytes, openBenchStore, queueWorks, round, seedIdentities, spawnTs, tmpDir, verifyExactlyOnce, watchProgress, workerEnv, type BenchResult } from './common.js';

const JOBS = Number(process.env.BENCH_DRAIN_JOBS ?? 20_000);
const IDENTITIES = 1000;
const LIMIT = { perSecond: 400, burst: 80 };
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
/** The limiter's setting, every process together: 2.5% under the emulator's limit. */
const SHARED = { perSecond: LIMIT.perSecond * 0.975, burst: LIMIT.burst };
const CONCURRENCY = 16;

export async function benchDrainAtLimit(): Promise<BenchResult> {
  const tmp = tmpDir('limit');
  const db = `${tmp.dir}/orcid.db`;
  const emulator = await benchEmulator({ rateLimit: LIMIT });
  try {
    const store = await openBenchStore(db);
    const seeded = await seedIdentities(emulator.url, store, IDENTITIES);
    const t0 = performance.now();
    const { expected } = await queueWorks(store, seeded.map((s) => s.identity), JOBS, 10);
    const enqueueMs = performance.now() - t0;
    await store.close();
    const env = workerEnv(emulator.url, db, {
      ORCID_RATE_LIMIT: String(SHARED.perSecond),
      ORCID_RATE_LIMIT_BURST: String(SHARED.burst),
      ORCID_WORKER_CONCURRENCY: String(CONCURRENCY),
    });
    const before = answered2xx(emulator);
    const stopProgress = watchProgress('works posted', JOBS, () => answered2xx(emulator) - before);
    const workers = Array.from({ length: PROCESSES }, () => spawnTs('bench/worker-process.ts', env, 300_000));
    const reports = await Promise.all(workers.map((w) => w.result)).finally(stopProgress);
    const start = Math.min(...reports.map((r) => r.firstClaimAt));
    const end = Math.max(...reports.map((r) => r.lastSettleAt));
    const requests = reports.reduce((n, r) => n + Object.values(r.statuses as Record<string, number>).reduce((a, b) => a + b, 0), 0);
    const seconds = (end - start) / 1000;
    const achieved = requests / seconds;
    const verified = await verifyExactlyOnce(emulator, expected);
    const rateLimited = emulator.core.stats.rateLimited;
    return {
      name: 'drain-at-limit',
      jobs: JOBS,
      identities: IDENTITIES,
      processes: PROCESSES,
      concurrencyPerProcess: CONCURRENCY,
      emulatorLimit: LIMIT,
      limiterShared: SHARED,
      enqueuePerSecond: round(JOBS / (enqueueMs / 1000), 0),
      seconds: round(seconds, 2),
      requests,
      achievedPerSecond: round(achieved, 1),
      ratioToLimit: round(achieved / LIMIT.perSecond),
      throttled: rateLimited,
      perProcess: reports.map((r) => ({ settled: r.settled, statuses: r.statuses, peakRssMb: r.peakRssMb })),
      worksOnRecords: verified.total,
      duplicates: verified.duplicates,
      missing: verified.missing,
      storeBytes: fileSizeBytes(db),
      notes: [
        'emulator in the benchmark process (validateXml: false), each worker its own process (bench/worker-process.ts compiled to plain JS: the plugin from the environment, worker.start())',
        `deposits queued with store.desireDeposit (real buildWorkXml payloads, ${JOBS / 10} articles x 10 authors over ${IDENTITIES} identities)`,
        'rate = every request the workers sent / time from the first request to the last answer',
      ],
      checks: [
        { what: 'achieved rate / emulator limit', value: round(achieved / LIMIT.perSecond), op: '>=', target: 0.95 },
        { what: 'throttled answers (503 past the burst, or 429)', value: rateLimited, op: '<=', target: 0 },
        { what: 'works on records (one per queued deposit)', value: verified.total, op: '>=', target: JOBS },
        { what: 'duplicate works', value: verified.duplicates, op: '<=', target: 0 },
      ],
    };
  } finally {
    await emulator.close();
    tmp.remove();
  }
}
