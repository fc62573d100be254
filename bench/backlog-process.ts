/**
 * The process of backlog-memory: queues BENCH_JOBS work deposits (store.desireDeposit, real
 * payloads) for the identities in the JSON file BENCH_IDENTITIES, then drains them with the
 * plugin's worker (built from the environment, like `koa-orcid-connect worker`), sampling its own
 * RSS at 10k, 50k and 100k jobs queued and settled. Draining stops at BENCH_DRAIN_SECONDS.
 * Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { orcidConnect } from '../src/plugin.js';
import type { Identity } from '../src/store/store.js';
import { fileSizeBytes, queueWorks, round, rssMb } from './common.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 150);
const MARKS = [10_000, 50_000, 100_000].filter((m) => m <= JOBS);
const identities = JSON.parse(readFileSync(process.env.BENCH_IDENTITIES!, 'utf8')) as Identity[];
const dbFile = process.env.STORE_URL!.slice('sqlite:'.length);

let posted = 0;
let firstAt = 0;
const counting: typeof fetch = async (input, init) => {
  if (!firstAt) firstAt = Date.now();
  const res = await fetch(input, init);
  if (res.status === 201) posted++;
  return res;
};
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb().rss)), 100);
const orcid = await orcidConnect({ fetch: counting });
const idle = rssMb().rss;

// Queue in steps so RSS can be read at each mark (the enqueue itself is timed without the reads).
const queuedAt: { jobs: number; rssMb: number; storeBytes: number }[] = [];
let enqueueMs = 0;
let done = 0;
for (const mark of MARKS) {
  const t = performance.now();
  await queueWorks(orcid.store, identities, mark - done, 10, `m${mark}`);
  enqueueMs += performance.now() - t;
  done = mark;
  queuedAt.push({ jobs: mark, rssMb: rssMb().rss, storeBytes: fileSizeBytes(dbFile) });
}
const bytesQueued = fileSizeBytes(dbFile);

// Drain with one worker; read RSS and the claim rate as the marks pass.
const drainedAt: { jobs: number; rssMb: number; heapUsedMb: number; externalMb: number; heapTotalMb: number; secondsSinceStart: number; perSecondSinceLastMark: number }[] = [];
const started = Date.now();
orcid.worker.start();
let lastMark = { at: started, n: 0 };
const deadline = started + DRAIN_SECONDS * 1000;
for (let m = 0; Date.now() < deadline; ) {
  await new Promise((r) => setTimeout(r, 50));
  while (m < MARKS.length && posted >= MARKS[m]) {
    const now = Date.now();
    (globalThis as { gc?: () => void }).gc?.();
    drainedAt.push({ jobs: MARKS[m], rssMb: rssMb().rss, heapUsedMb: round(process.memoryUsage().heapUsed / 2 ** 20, 1), externalMb: round(process.memoryUsage().external / 2 ** 20, 1), heapTotalMb: round(process.memoryUsage().heapTotal / 2 ** 20, 1), secondsSinceStart: round((now - started) / 1000, 1), perSecondSinceLastMark: round((MARKS[m] - lastMark.n) / ((now - lastMark.at) / 1000), 0) });
    lastMark = { at: now, n: MARKS[m] };
    m++;
  }
  if (posted >= JOBS) break;
}
const drainSeconds = (Date.now() - started) / 1000;
await orcid.close();
clearInterval(sampler);
process.stdout.write(`${JSON.stringify({
  jobs: JOBS,
  idleRssMb: idle,
  enqueuePerSecond: round(JOBS / (enqueueMs / 1000), 0),
  queuedAt,
  storeBytesPerDepositQueued: round(bytesQueued / JOBS, 0),
  drained: posted,
  drainSeconds: round(drainSeconds, 1),
  drainPerSecond: round(posted / drainSeconds, 1),
  drainedAt,
  storeBytesPerDepositDrained: round(fileSizeBytes(dbFile) / JOBS, 0),
  peakRssMb: Math.max(peak, rssMb().peak),
  settled: posted, firstClaimAt: firstAt, lastSettleAt: Date.now(),
})}\n`);
