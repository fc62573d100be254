/**
 * fairness: one ORCID client's rate limit shared by two journals. Journal A keeps a backlog of
 * 20,000 work deposits (topped up as it drains, so it stays that long) and the plugin's worker
 * drains it at the emulator's limit; meanwhile journal B publishes one article of ten authors,
 * twenty times, one second apart. Measured: B's time from the publish (its `desireDeposits`) to its
 * last ORCID request (the tenth work on a record), p50 and p99 over the 20 runs, with the fair
 * claim order and with global FIFO (the order before journals, `claimOrder: 'fifo'`), each on a
 * fresh store; and the rate achieved meanwhile ÷ the emulator's limit.
 *
 * The emulator, A's top-up and B's publishes run in this process; two worker processes
 * (bench/worker-process.ts, BENCH_MODE=serve, BENCH_CLAIM_ORDER) drain the SQLite file, 16 jobs in
 * flight each, sharing a limiter set 2.5 % under the emulator's limit, as in drain-at-limit. The limit is raised from ORCID's
 * 24/s (BENCH_FAIRNESS_LIMIT, default 400/s) so that the FIFO baseline, where B waits for A's
 * whole backlog, takes under a minute; the fair figures do not depend on it but through the
 * claims in flight.
 */
import { SqliteStore } from '../src/store/sqlite.js';
import type { ClaimOrder, DesireDepositInput, Identity, Store } from '../src/store/store.js';
import { buildWorkXml, workSelfExternalId } from '../src/orcid/work.js';
import { payloadHash } from '../src/orcid/payload-common.js';
import type { RunningEmulator } from '../src/emulator/index.js';
import { answered2xx, benchArticle, benchEmulator, percentile, progress, round, seedIdentities, spawnTs, tmpDir, workerEnv, type BenchResult } from './common.js';

const BACKLOG = Number(process.env.BENCH_FAIRNESS_BACKLOG ?? 20_000);
const RUNS = Number(process.env.BENCH_FAIRNESS_RUNS ?? 20);
/** The claim orders measured, in this order (the first also warms the emulator's process up). */
const ORDERS = (process.env.BENCH_FAIRNESS_ORDERS ?? 'fair,fifo').split(',') as ClaimOrder[];
const PER_SECOND = Number(process.env.BENCH_FAIRNESS_LIMIT ?? 400);
const LIMIT = { perSecond: PER_SECOND, burst: Math.max(40, Math.round(PER_SECOND / 5)) };
const SHARED = { perSecond: LIMIT.perSecond * 0.975, burst: LIMIT.burst };
const CONCURRENCY = 16;
const PROCESSES = 2;
const AUTHORS = 10;
/** Between two publishes of journal B. */
const EVERY_MS = 1000;
/** A's queue is topped up to BACKLOG this often. */
const TOP_UP_MS = 1000;
const P99_TARGET_MS = 2000;

interface ModeResult {
  order: ClaimOrder;
  /** B's time from publish to its last ORCID request, each run, ms. */
  latenciesMs: number[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Every 2xx answer from the first publish to the last of B's requests, ÷ that time. */
  achievedPerSecond: number;
  ratioToLimit: number;
  /** The same over the publish window only (first to last publish of B): the same span in both orders. */
  publishWindowRatioToLimit: number;
  throttled: number;
  /** A's queued + leased jobs when each run published (the backlog B met). */
  backlogAtPublish: { min: number; max: number };
}

/** The work deposits of one article of `journalId` by `authors`. */
function articleDeposits(i: number, tag: string, authors: Identity[], journalId: string): DesireDepositInput[] {
  const article = benchArticle(i, authors.length, tag);
  const xml = buildWorkXml(article);
  const hash = payloadHash(xml);
  const ext = workSelfExternalId(article);
  return authors.map((identity) => ({
    key: `work:${article.id}:${identity.orcid}`, kind: 'work', identityId: identity.id, orcid: identity.orcid, sourceId: article.id,
    submissionId: article.submissionId, externalIdType: ext.type, externalIdValue: ext.value, desiredState: 'present', payload: xml, payloadHash: hash, journalId,
  }));
}

/** Keeps A's open jobs at BACKLOG: articles of ten of A's authors, round-robin. */
function backlogOfA(store: Store, authors: Identity[], tag: string) {
  let next = 0;
  const articles = async (n: number) => {
    const inputs: DesireDepositInput[] = [];
    for (let made = 0; made < n; made += AUTHORS, next++) {
      const start = (next * AUTHORS) % authors.length;
      inputs.push(...articleDeposits(next, tag, Array.from({ length: AUTHORS }, (_, k) => authors[(start + k) % authors.length]!), 'A'));
    }
    for (let i = 0; i < inputs.length; i += 1000) await store.desireDeposits(inputs.slice(i, i + 1000), new Date());
  };
  const open = async () => {
    const c = await store.countJobs({ journalId: 'A' });
    return c.queued + c.leased;
  };
  return { articles, open, topUp: async () => articles(Math.max(0, BACKLOG - (await open()))) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether every author of B's run `i` has its work on the record. */
function onRecords(emulator: RunningEmulator, authors: Identity[], doi: string): boolean {
  return authors.every((a) => emulator.state.items(a.orcid, 'work').some((w) => w.externalIds.some((e) => e.type === 'doi' && e.value === doi)));
}

async function runMode(order: ClaimOrder, label: string, emulator: RunningEmulator, authorsA: Identity[], authorsB: Identity[], dir: string): Promise<ModeResult> {
  const store = new SqliteStore({ path: `${dir}/${label}.db`, claimOrder: order });
  await store.init();
  // The identities live in the emulator; each mode's store links them again.
  const link = async (ids: Identity[]) => {
    const out: Identity[] = [];
    for (const i of ids) out.push(await store.linkIdentity({ orcid: i.orcid, sealedTokens: i.sealedTokens, scopes: i.scopes, tokenExpiresAt: i.tokenExpiresAt, name: i.name }, new Date()));
    return out;
  };
  const a = await link(authorsA);
  const b = await link(authorsB);
  const backlog = backlogOfA(store, a, `${label}-a`);
  await backlog.articles(BACKLOG);
  const env = workerEnv(emulator.url, `${dir}/${label}.db`, {
    ORCID_RATE_LIMIT: String(SHARED.perSecond), ORCID_RATE_LIMIT_BURST: String(SHARED.burst), ORCID_WORKER_CONCURRENCY: String(CONCURRENCY),
    BENCH_MODE: 'serve', BENCH_CLAIM_ORDER: order, BENCH_DEADLINE_MS: '240000',
  });
  const workers = Array.from({ length: PROCESSES }, () => spawnTs('bench/worker-process.ts', env, 250_000));
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    w.result.catch(reject);
  })));
  let topping = true;
  const topUp = (async () => {
    while (topping) {
      await backlog.topUp();
      await sleep(TOP_UP_MS);
    }
  })();
  try {
    // Let the drain reach its steady rate before B publishes.
    await sleep(3000);
    const throttledBefore = emulator.core.stats.rateLimited;
    const answeredBefore = answered2xx(emulator);
    const started = performance.now();
    const latencies: number[] = [];
    const backlogs: number[] = [];
    const runs: Promise<void>[] = [];
    for (let i = 0; i < RUNS; i++) {
      const deposits = articleDeposits(i, `${label}-b`, b, 'B');
      backlogs.push(await backlog.open());
      const published = performance.now();
      await store.desireDeposits(deposits, new Date());
      runs.push((async () => {
        // The tenth work on a record is B's last ORCID request answered; checked every 5 ms.
        while (!onRecords(emulator, b, `10.5555/bench.${label}-b.${i}`)) await sleep(5);
        latencies.push(performance.now() - published);
        progress(`runs of journal B (${order})`, latencies.length, RUNS);
      })());
      if (i < RUNS - 1) await sleep(EVERY_MS);
    }
    const publishWindow = { seconds: (performance.now() - started) / 1000, answered: answered2xx(emulator) - answeredBefore };
    await Promise.all(runs);
    const seconds = (performance.now() - started) / 1000;
    const achieved = (answered2xx(emulator) - answeredBefore) / seconds;
    const sorted = [...latencies].sort((x, y) => x - y);
    return {
      order,
      latenciesMs: latencies.map((l) => round(l, 0)),
      p50Ms: round(percentile(sorted, 50), 0),
      p99Ms: round(percentile(sorted, 99), 0),
      maxMs: round(sorted[sorted.length - 1]!, 0),
      achievedPerSecond: round(achieved, 1),
      ratioToLimit: round(achieved / LIMIT.perSecond),
      publishWindowRatioToLimit: round(publishWindow.answered / publishWindow.seconds / LIMIT.perSecond),
      throttled: emulator.core.stats.rateLimited - throttledBefore,
      backlogAtPublish: { min: Math.min(...backlogs), max: Math.max(...backlogs) },
    };
  } finally {
    topping = false;
    await topUp;
    // Their reports are not needed: the emulator saw every request. SIGKILL if SIGTERM is not enough within 5 s.
    for (const w of workers) w.child.kill('SIGTERM');
    const hard = setTimeout(() => workers.forEach((w) => w.child.kill('SIGKILL')), 5000);
    await Promise.allSettled(workers.map((w) => w.result));
    clearTimeout(hard);
    await store.close();
  }
}

export async function benchFairness(): Promise<BenchResult> {
  const tmp = tmpDir('fairness');
  const emulator = await benchEmulator({ rateLimit: LIMIT });
  try {
    // Researchers exist once, in the emulator; the seeding store is only their source.
    const seeding = new SqliteStore({ path: `${tmp.dir}/seed.db` });
    await seeding.init();
    const seeded = (await seedIdentities(emulator.url, seeding, 200 + AUTHORS)).map((s) => s.identity);
    await seeding.close();
    const authorsA = seeded.slice(0, 200);
    const authorsB = seeded.slice(200);
    const results: Partial<Record<ClaimOrder, ModeResult>> = {};
    // Each run its own store and articles (a repeated order measures again; the last one is reported).
    for (const [i, order] of ORDERS.entries()) results[order] = await runMode(order, `${order}${i}`, emulator, authorsA, authorsB, tmp.dir);
    const fair = results.fair ?? null;
    const fifo = results.fifo ?? null;
    return {
      name: 'fairness',
      backlogOfA: BACKLOG,
      runsOfB: RUNS,
      authorsPerArticle: AUTHORS,
      emulatorLimit: LIMIT,
      limiterShared: SHARED,
      concurrency: CONCURRENCY,
      fair,
      fifo,
      ordersInRunOrder: ORDERS,
      p99FairOverFifo: fair && fifo ? round(fair.p99Ms / fifo.p99Ms, 4) : null,
      notes: [
        `emulator (validateXml: false), A\'s top-up (to its size, every second) and B\'s publishes in the benchmark process; ${PROCESSES} worker processes (bench/worker-process.ts, serve mode) on one SQLite file`,
        `B publishes one ${AUTHORS}-author article every ${EVERY_MS} ms, ${RUNS} times, after a 3 s warm-up; time = from its desireDeposits to the last of its works on a record (checked every 5 ms)`,
        'rate = every 2xx answer from the first publish of B to the last of its works on a record, / that time, / the emulator\'s limit (publishWindow: from the first to the last publish, the same span in both orders)',
        'fifo = claimOrder \'fifo\' (global runAt order, the order before journals): B waits for A\'s backlog',
      ],
      checks: fair ? [
        { what: 'journal B p99 publish → last ORCID request, fair claims (ms)', value: fair.p99Ms, op: '<=', target: P99_TARGET_MS },
        { what: 'achieved rate / emulator limit, fair claims', value: fair.ratioToLimit, op: '>=', target: 0.95 },
        { what: 'throttled answers, fair claims', value: fair.throttled, op: '<=', target: 0 },
      ] : [],
    };
  } finally {
    await emulator.close();
    tmp.remove();
  }
}
