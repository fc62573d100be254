/**
 * A worker process for the drain benchmarks: the plugin built from the environment exactly as
 * `koa-orcid-connect worker` builds it (ORCID_ENV, ORCID_BASE_URL, STORE_URL, ORCID_RATE_LIMIT,
 * ORCID_WORKER_CONCURRENCY, …), its outbox worker started, and stopped once no job is queued or
 * leased. It counts every ORCID answer by status through the `fetch` it hands the plugin, and
 * prints one JSON line: settled, the first request's start and last answer's end (ms since the
 * epoch, comparable across processes), statuses, and peak RSS.
 *
 * BENCH_MODE=drain uses `worker.drain()` (claim a batch, finish it, claim the next) instead.
 * BENCH_MODE=serve runs the worker until SIGTERM (or the deadline), however idle, and prints
 * `ready` on stdout once started (wake-latency). BENCH_NO_WAKE=1 hides the store's `onWork`, so
 * the worker finds new jobs by polling only (the baseline).
 * BENCH_CLAIM_ORDER=fair|fifo opens the SQLite store of STORE_URL with that claim order (fairness).
 * BENCH_DEADLINE_MS bounds the run (default 8 minutes).
 */
import { orcidConnect } from '../src/plugin.js';
import { rssMb } from './common.js';

const deadline = Date.now() + Number(process.env.BENCH_DEADLINE_MS ?? 480_000);
const statuses: Record<string, number> = {};
let firstAt = 0;
let lastAt = 0;

const counting: typeof fetch = async (input, init) => {
  const started = Date.now();
  if (process.env.BENCH_DEBUG_FILE) (await import('node:fs')).appendFileSync(process.env.BENCH_DEBUG_FILE, `${process.pid} fetch ${(performance.timeOrigin + performance.now()).toFixed(1)}\n`);
  if (!firstAt) firstAt = started;
  try {
    const res = await fetch(input, init);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    return res;
  } catch (e) {
    statuses.error = (statuses.error ?? 0) + 1;
    throw e;
  } finally {
    lastAt = Date.now();
  }
};

/** CPU time this process used (user + system), in ms: what a job costs, whatever the machine's load. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
};
// Peak RSS is the kernel's high-water mark (VmHWM), read at the end: sampling it here every 100 ms
// cost ~5% of a busy worker's CPU (a /proc read and a heap walk each time).
// BENCH_RSS_EVERY_MS: RSS (and works answered 201 so far) sampled at that interval, for flatness.
const rssSamples: Array<{ at: number; rssMb: number; posted: number }> = [];
const rssEvery = Number(process.env.BENCH_RSS_EVERY_MS ?? 0);
const rssSampler = rssEvery > 0 ? setInterval(() => rssSamples.push({ at: Date.now(), rssMb: rssMb().rss, posted: statuses['201'] ?? 0 }), rssEvery) : null;
/** How often the default mode asks the store whether jobs remain (a count over a big backlog is not free). */
const checkMs = Number(process.env.BENCH_CHECK_MS ?? 100);
// Without onWork the worker polls (ORCID_POLL_MS); the store is then ours to close.
const { openStore } = await import('../src/store/open-store.js');
const quiet = process.env.BENCH_NO_WAKE === '1' ? Object.assign(await openStore(process.env.STORE_URL!), { onWork: undefined }) : undefined;
const claimOrder = process.env.BENCH_CLAIM_ORDER as import('../src/store/store.js').ClaimOrder | undefined;
const ordered = claimOrder ? new (await import('../src/store/sqlite.js')).SqliteStore({ path: process.env.STORE_URL!.slice('sqlite:'.length), claimOrder }) : undefined;
await ordered?.init();
const orcid = await orcidConnect({ fetch: counting, ...(quiet ? { store: quiet } : ordered ? { store: ordered } : {}) });
const { appendFileSync } = await import('node:fs');
const dbg = process.env.BENCH_DEBUG_FILE ? (m: string) => appendFileSync(process.env.BENCH_DEBUG_FILE!, `${process.pid} ${m}\n`) : null;
if (dbg) orcid.store.onWork?.(() => dbg(`onWork ${(performance.timeOrigin + performance.now()).toFixed(1)}`));
// Store calls by method (each one round trip or more), counted on the plugin's own store object.
const storeCalls: Record<string, number> = {};
const tokenGrants = { asked: 0, granted: 0 };
for (const name of ['claimJobs', 'completeJob', 'renewLease', 'getIdentity', 'takeRateTokens', 'pauseRateBudget', 'retryJob', 'nextRunAt', 'appendHistory'] as const) {
  const s = orcid.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const real = s[name];
  if (typeof real !== 'function') continue;
  s[name] = async (...a: unknown[]) => {
    storeCalls[name] = (storeCalls[name] ?? 0) + 1;
    const t0 = performance.timeOrigin + performance.now();
    const r = await real.apply(orcid.store, a);
    if (dbg) dbg(`${name} ${t0.toFixed(1)} +${(performance.timeOrigin + performance.now() - t0).toFixed(1)}`);
    if (name === 'takeRateTokens') {
      tokenGrants.asked += Number(a[1]);
      tokenGrants.granted += (r as { granted: number }).granted;
    }
    return r;
  };
}
const before = await orcid.store.countJobs();
let settled = 0;
if (process.env.BENCH_MODE === 'serve') {
  orcid.worker.start();
  const stop = new Promise<void>((r) => process.once('SIGTERM', () => r()));
  process.stdout.write('ready\n');
  await Promise.race([stop, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
} else if (process.env.BENCH_MODE === 'drain') {
  settled = await orcid.worker.drain();
} else {
  orcid.worker.start();
  for (;;) {
    await new Promise((r) => setTimeout(r, checkMs));
    if (Date.now() > deadline) break;
    const c = await orcid.store.countJobs();
    if (c.queued + c.leased === 0 || Date.now() > deadline) break;
  }
}
await orcid.close();
await quiet?.close();
await ordered?.close();
const after = await (async () => {
  const s = await openStore(orcid.config.storeUrl);
  const c = await s.countJobs();
  await s.close();
  return c;
})();
if (rssSampler) clearInterval(rssSampler);
if (!settled) settled = statuses['201'] ?? 0;
process.stdout.write(
  `${JSON.stringify({ settled, before, after, statuses, firstClaimAt: firstAt, lastSettleAt: lastAt, peakRssMb: rssMb().peak, cpuMs: cpuMs(), storeCalls, tokenGrants, timedOut: Date.now() > deadline, ...(rssSampler ? { rssSamples } : {}) })}\n`,
);
