/**
 * drain-at-limit-shared and drain-at-limit-kill (SQLite), drain-at-limit-pg and
 * drain-at-limit-pg-kill (PostgreSQL, a schema of its own; see store-site.ts): several worker
 * processes on one store, each
 * configured with the whole of ORCID's per-client limit, sharing it through the store's rate
 * budget (src/orcid/shared-rate-limiter.ts). How close they get to the emulator's limit without a
 * 503 or 429, and exactly once; in the second, one worker is SIGKILLed halfway, and the survivors
 * should take up its share within a second (the budget is one row, not N static shares).
 *
 * The emulator's limit is raised (so the run is quick), with ORCID's burst-to-rate proportion kept
 * small. The rate is read from the emulator's own count of answers, sampled every 100 ms.
 */
import { answered2xx, benchEmulator, queueWorks, round, seedIdentities, spawnTs, verifyExactlyOnce, watchProgress, workerEnv, type BenchResult, type WorkerReport } from './common.js';
import { postgresSite, sqliteSite, type StoreSite } from './store-site.js';
import type { RunningEmulator } from '../src/emulator/server.js';

/** BENCH_DRAIN_JOBS sets both sizes (a quick run); the PostgreSQL runs drain issue 17's 20,000. */
const JOBS_BY_KIND = { sqlite: Number(process.env.BENCH_DRAIN_JOBS ?? 12_000), postgres: Number(process.env.BENCH_DRAIN_JOBS ?? 20_000) };
/** Connections per worker process on PostgreSQL: a claim, a few settles and the budget in flight. */
const PG_POOL = Number(process.env.BENCH_PG_POOL ?? 6);
const IDENTITIES = 1000;
const LIMIT = { perSecond: Number(process.env.BENCH_LIMIT ?? 300), burst: 60 };
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 4);
/** The limiter's setting: the whole limit, 2.5% under it, for every process together. */
const SHARED = { perSecond: LIMIT.perSecond * 0.975, burst: LIMIT.burst };
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const BATCH = 4;
/** Short enough that the killed worker's leased jobs come back within the run (the minimum for a 2 s timeout). */
const LEASE_MS = 8_000;

/** Every status the emulator answered, over every route. */
function answered(emulator: RunningEmulator): { total: number; s503: number; s429: number } {
  let total = 0;
  let s503 = 0;
  let s429 = 0;
  for (const byStatus of Object.values(emulator.core.stats.requests)) {
    for (const [status, k] of Object.entries(byStatus)) {
      total += k;
      if (status === '503') s503 += k;
      if (status === '429') s429 += k;
    }
  }
  return { total, s503, s429 };
}

async function run(kill: boolean, site: StoreSite): Promise<BenchResult> {
  const JOBS = site.kind === 'postgres' ? JOBS_BY_KIND.postgres : JOBS_BY_KIND.sqlite;
  const emulator = await benchEmulator({ rateLimit: LIMIT });
  try {
    const store = await site.open();
    const seeded = await seedIdentities(emulator.url, store, IDENTITIES);
    const t0 = performance.now();
    const { expected } = await queueWorks(store, seeded.map((s) => s.identity), JOBS, 10, 'a', site.kind === 'postgres' ? 500 : 1);
    const enqueueSeconds = (performance.now() - t0) / 1000;
    await store.close();
    const env = workerEnv(emulator.url, site.where, {
      STORE_URL: site.url,
      ORCID_RATE_LIMIT: String(SHARED.perSecond),
      ORCID_RATE_LIMIT_BURST: String(SHARED.burst),
      ORCID_RATE_LIMIT_BATCH: String(BATCH),
      ORCID_WORKER_CONCURRENCY: String(CONCURRENCY),
      ORCID_TIMEOUT_MS: '2000',
      ORCID_LEASE_MS: String(LEASE_MS),
      // Whether jobs remain is a count over the jobs table: once a second is enough (the rate is
      // measured up to the last answer, not to the check), ten times as often took PostgreSQL's CPU.
      BENCH_CHECK_MS: '1000',
    });
    const base = answered(emulator);
    const before2xx = answered2xx(emulator);
    const stopProgress = watchProgress('works posted', JOBS, () => answered2xx(emulator) - before2xx);
    const cpuBefore = process.cpuUsage();
    const samples: Array<{ at: number; n: number }> = [];
    const sampler = setInterval(() => samples.push({ at: Date.now(), n: answered(emulator).total - base.total }), 100);
    const workers = Array.from({ length: PROCESSES }, () => spawnTs('bench/worker-process.ts', env, 300_000));
    let killedAt: number | null = null;
    if (kill) {
      // Halfway through the works, one worker dies without a word.
      const half = setInterval(() => {
        if (answered2xx(emulator) - before2xx < JOBS / 2) return;
        clearInterval(half);
        killedAt = Date.now();
        workers[0]!.child.kill('SIGKILL');
      }, 50);
    }
    const settled = await Promise.allSettled(workers.map((w) => w.result));
    clearInterval(sampler);
    stopProgress();
    const cpu = process.cpuUsage(cpuBefore);
    samples.push({ at: Date.now(), n: answered(emulator).total - base.total });
    const reports = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value as WorkerReport] : []));
    if (reports.length !== (kill ? PROCESSES - 1 : PROCESSES)) throw new Error(`workers failed: ${settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)).join('; ')}`);
    const totals = answered(emulator);
    const requests = totals.total - base.total;
    const start = Math.min(...reports.map((r) => r.firstClaimAt));
    const end = Math.max(...reports.map((r) => r.lastSettleAt));
    const achieved = requests / ((end - start) / 1000);
    /** Answers per second between two moments, from the samples. */
    const rateBetween = (from: number, to: number): number => {
      const at = (t: number) => samples.reduce((best, s) => (s.at <= t ? s : best), samples[0]!).n;
      return (at(to) - at(from)) / ((to - from) / 1000);
    };
    const verified = await verifyExactlyOnce(emulator, expected);
    const throttled = { '503': totals.s503 - base.s503, '429': totals.s429 - base.s429 };
    const result: BenchResult = {
      name: site.kind === 'postgres' ? (kill ? 'drain-at-limit-pg-kill' : 'drain-at-limit-pg') : kill ? 'drain-at-limit-kill' : 'drain-at-limit-shared',
      store: site.kind,
      jobs: JOBS,
      enqueueSeconds: round(enqueueSeconds, 1),
      processes: PROCESSES,
      concurrencyPerProcess: CONCURRENCY,
      emulatorLimit: LIMIT,
      limiterShared: { ...SHARED, batch: BATCH },
      seconds: round((end - start) / 1000, 2),
      requests,
      achievedPerSecond: round(achieved, 1),
      ratioToLimit: round(achieved / LIMIT.perSecond),
      throttled,
      perProcess: reports.map((r) => ({ settled: r.settled, statuses: r.statuses, peakRssMb: r.peakRssMb, cpuMs: r.cpuMs, storeCalls: r.storeCalls, tokenGrants: r.tokenGrants })),
      // CPU each posted work cost (ms), whatever the load: the worker processes together, and this
      // process (the emulator answering). Two cores give 2000 ms of CPU a second to share with PostgreSQL.
      cpuMsPerWork: {
        workers: round(reports.reduce((n, r) => n + Number(r.cpuMs ?? 0), 0) / JOBS, 2),
        emulator: round((cpu.user + cpu.system) / 1000 / JOBS, 2),
      },
      worksOnRecords: verified.total,
      duplicates: verified.duplicates,
      missing: verified.missing,
      notes: [
        `${PROCESSES} worker processes (bench/worker-process.ts) on one ${site.kind === 'postgres' ? `PostgreSQL schema (pool ${PG_POOL} each; deposits queued with store.desireDeposits, 500 a call)` : 'SQLite file'}, each with ORCID_RATE_LIMIT=${SHARED.perSecond} (the whole limit): they share one budget row`,
        'rate = answers the emulator gave / time from the first request to the last answer of the workers that finished',
      ],
      checks: [
        { what: 'achieved rate / emulator limit', value: round(achieved / LIMIT.perSecond), op: '>=', target: kill ? 0.9 : 0.95 },
        { what: 'throttled answers (503 past the burst, or 429)', value: throttled['503'] + throttled['429'], op: '<=', target: 0 },
        { what: 'works on records (one per queued deposit)', value: verified.total, op: '>=', target: JOBS },
        { what: 'duplicate works', value: verified.duplicates, op: '<=', target: 0 },
        { what: 'missing works', value: verified.missing, op: '<=', target: 0 },
      ],
    };
    if (kill && killedAt !== null) {
      const k: number = killedAt;
      const before = rateBetween(Math.max(start + 1000, k - 3000), k);
      const survivors = rateBetween(k + 1000, Math.min(end, k + 4000));
      Object.assign(result, {
        killedAfterSeconds: round((k - start) / 1000, 2),
        leaseMs: LEASE_MS,
        ratioBeforeKill: round(before / LIMIT.perSecond),
        ratioSurvivorsFromOneSecondAfterKill: round(survivors / LIMIT.perSecond),
        // Second by second from the kill: how soon the survivors take up the dead worker's share.
        ratioPerSecondAfterKill: Array.from({ length: 5 }, (_, i) => k + (i + 1) * 1000 <= end ? round(rateBetween(k + i * 1000, k + (i + 1) * 1000) / LIMIT.perSecond, 2) : null),
      });
      result.checks.push({ what: 'survivors\' rate from 1 s to 4 s after the kill / emulator limit', value: round(survivors / LIMIT.perSecond), op: '>=', target: 0.9 });
      result.notes!.push(`the killed worker's leased jobs return after its lease (ORCID_LEASE_MS=${LEASE_MS}); the whole-run rate includes that wait`);
    }
    return result;
  } finally {
    await emulator.close();
    await site.remove();
  }
}

export const benchDrainAtLimitShared = (): Promise<BenchResult> => run(false, sqliteSite('limit-shared'));
export const benchDrainAtLimitKill = (): Promise<BenchResult> => run(true, sqliteSite('limit-kill'));
export const benchDrainAtLimitPg = (): Promise<BenchResult> => run(false, postgresSite('limit', PG_POOL));
export const benchDrainAtLimitPgKill = (): Promise<BenchResult> => run(true, postgresSite('limit_kill', PG_POOL));
