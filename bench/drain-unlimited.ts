/**
 * drain-unlimited: with no rate limit, how many deposits a second one worker process gets
 * through, against a bare keep-alive HTTP loop posting payloads of the same shape to the same
 * emulator at the same concurrency. The ratio is what our per-job work (store claim, token
 * decryption, ledger write, history) leaves of the HTTP call's throughput.
 */
import { writeFileSync } from 'node:fs';
import { buildWorkXml } from '../src/orcid/work.js';
import { benchArticle, progress, benchEmulator, openBenchStore, queueWorks, round, seedIdentities, spawnTs, tmpDir, verifyExactlyOnce, workerEnv, type BenchResult, type WorkerReport } from './common.js';
import { checkOf, pairedRatios, spread } from './stats.js';

const JOBS = Number(process.env.BENCH_UNLIMITED_JOBS ?? 3000);
/** Alternating rounds (bare loop, worker): enough for a spread of the per-round ratio. */
const ROUNDS = Number(process.env.BENCH_UNLIMITED_ROUNDS ?? 5);
const IDENTITIES = 300;
const CONCURRENCY = 16;
const PER_ARTICLE = 10;

const rate = (r: WorkerReport, n: number) => n / ((r.lastSettleAt - r.firstClaimAt) / 1000);

export async function benchDrainUnlimited(): Promise<BenchResult> {
  const tmp = tmpDir('unlimited');
  const db = `${tmp.dir}/orcid.db`;
  const emulator = await benchEmulator({ rateLimit: false });
  try {
    const store = await openBenchStore(db);
    const seeded = await seedIdentities(emulator.url, store, IDENTITIES);
    await store.close();
    const env = workerEnv(emulator.url, db, { ORCID_RATE_LIMIT: '1000000', ORCID_RATE_LIMIT_BURST: '1000000', ORCID_WORKER_CONCURRENCY: String(CONCURRENCY) });
    const bare: number[] = [];
    const worker: number[] = [];
    const expected = new Map<string, number>();
    let workerRss = 0;
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      progress('alternating rounds', round_, ROUNDS);
      // The baseline posts works of other articles (so neither side meets the other's 409), same shape.
      const posts: { orcid: string; token: string; xml: string }[] = [];
      for (let a = 0; posts.length < JOBS; a++) {
        const xml = buildWorkXml(benchArticle(a, PER_ARTICLE, `bare${round_}`));
        for (let k = 0; k < PER_ARTICLE && posts.length < JOBS; k++) {
          const s = seeded[(a * PER_ARTICLE + k) % seeded.length];
          posts.push({ orcid: s.identity.orcid, token: s.accessToken, xml });
          expected.set(s.identity.orcid, (expected.get(s.identity.orcid) ?? 0) + 1);
        }
      }
      const file = `${tmp.dir}/payloads-${round_}.json`;
      writeFileSync(file, JSON.stringify(posts));
      const b = await spawnTs('bench/bare-loop.ts', { ...env, BENCH_PAYLOADS: file, BENCH_CONCURRENCY: String(CONCURRENCY) }, 120_000).result;
      if (b.settled !== JOBS) throw new Error(`bare loop: ${JSON.stringify(b.statuses)}`);
      bare.push(rate(b, JOBS));

      const s = await openBenchStore(db);
      const queued = await queueWorks(s, seeded.map((x) => x.identity), JOBS, PER_ARTICLE, `worker${round_}`);
      await s.close();
      for (const [o, n] of queued.expected) expected.set(o, (expected.get(o) ?? 0) + n);
      const w = await spawnTs('bench/worker-process.ts', env, 180_000).result;
      if (w.settled !== JOBS) throw new Error(`worker: ${JSON.stringify(w.statuses)}`);
      worker.push(rate(w, JOBS));
      workerRss = Math.max(workerRss, w.peakRssMb);
    }
    const verified = await verifyExactlyOnce(emulator, expected);
    const ratio = spread(pairedRatios(worker, bare));
    return {
      name: 'drain-unlimited',
      jobsPerRound: JOBS,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      bareLoopPerSecond: bare.map((r) => round(r, 1)),
      workerPerSecond: worker.map((r) => round(r, 1)),
      ratio,
      workerPeakRssMb: workerRss,
      worksOnRecords: verified.total,
      duplicates: verified.duplicates,
      notes: [
        'emulator in the benchmark process (validateXml: false, no rate limit); bare loop and worker each in their own process, one after the other, alternating',
        'bare loop: fetch (undici keep-alive) posting prepared XML; worker: bench/worker-process.ts (the plugin from the environment, worker.start())',
      ],
      checks: [
        checkOf('worker deposits/s / bare loop posts/s (median of per-round ratios, 90% interval)', ratio, '>=', 0.9),
        { what: 'duplicate works', value: verified.duplicates, op: '<=', target: 0 },
      ],
    };
  } finally {
    await emulator.close();
    tmp.remove();
  }
}
