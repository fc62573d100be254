/**
 * backlog-memory-pg: 1,000,000 work deposits queued on PostgreSQL (a schema of its own, dropped
 * after), then one worker process drains for a bounded time while its RSS is sampled every second:
 * it must stay under 256 MB and flat, since a worker holds only the jobs in flight, never the backlog.
 *
 * Queueing a million through the store would take longer than the run may, so one deposit is
 * queued through `store.desireDeposit` (real buildWorkXml payload) as a template and the rest are
 * copied from it set-based, in SQL: `INSERT … SELECT … FROM generate_series`, each copy with its own
 * key, source, DOI (in the external id and the payload) and identity (round-robin), and one queued
 * job each. The rows are what the store itself writes; only the way they got there differs.
 *
 * BENCH_BACKLOG_PG_JOBS sets the size (default 1,000,000), BENCH_BACKLOG_PG_DRAIN_SECONDS the drain.
 */
import { answered2xx, benchEmulator, queueWorks, round, seedIdentities, spawnTs, verifyExactlyOnce, watchProgress, workerEnv, type BenchResult } from './common.js';
import { postgresAdmin, postgresSite } from './store-site.js';

const JOBS = Number(process.env.BENCH_BACKLOG_PG_JOBS ?? 1_000_000);
const DRAIN_SECONDS = Number(process.env.BENCH_BACKLOG_PG_DRAIN_SECONDS ?? 90);
const IDENTITIES = 1000;
const CONCURRENCY = 16;
/** RSS samples from this many seconds into the drain on count for flatness (start-up and warm-up before). */
const WARM_SECONDS = 10;
const WORKER_NODE_OPTIONS = '--max-old-space-size=128';

/**
 * Copy the template deposit `tplKey` (whose DOI, article id and URL path are `tpl`'s) into `n` more, each with a queued
 * job, in one statement. Inserting a million rows through the tables' secondary indexes (four on
 * deposits, five on jobs) is random B-tree inserts, most of the time a million took; so those
 * indexes are dropped first and built again afterwards from their own definitions (a sort each),
 * which leaves the schema exactly as the migrations made it. Keys are zero-padded so the primary
 * key grows at its right edge. Returns the seconds each step took.
 */
async function cloneDeposits(schema: string, tplKey: string, tpl: { doi: string; articleId: string; urlPath: string }, n: number): Promise<Record<string, number>> {
  const s = `"${schema}"`;
  const took: Record<string, number> = {};
  const step = async (name: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    took[name] = round((performance.now() - t0) / 1000, 1);
  };
  const secondary = (await postgresAdmin<{ indexname: string; indexdef: string }>(`
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = $1 AND i.tablename IN ('deposits', 'jobs')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = $1::regnamespace)`, [schema])).rows;
  await step('dropIndexes', () => postgresAdmin(secondary.map((i) => `DROP INDEX ${s}."${i.indexname}"`).join('; ')));
  await step('insert', () => postgresAdmin(`
    WITH ids AS (SELECT id, orcid, (row_number() OVER (ORDER BY id)) - 1 AS rn FROM ${s}.identities),
         k AS (SELECT count(*) AS n FROM ${s}.identities),
         t AS (SELECT * FROM ${s}.deposits WHERE key = $1),
         dep AS (
           INSERT INTO ${s}.deposits (key, kind, identity_id, orcid, source_id, submission_id, external_id_type, external_id_value,
                                      desired_state, payload, payload_hash, version, put_code, posted_hash, maybe_posted, status, last_error, created_at, updated_at)
           SELECT 'work:bench-m-' || lpad(g::text, 7, '0') || ':' || ids.orcid, t.kind, ids.id, ids.orcid, 'bench-m-' || g, 'sub-m-' || g, t.external_id_type,
                  replace(t.external_id_value, $2, 'bench.m.' || g), t.desired_state, p.payload, md5(p.payload),
                  t.version, NULL, NULL, false, t.status, NULL, t.created_at, t.updated_at
           FROM generate_series(1, $3::int) AS g CROSS JOIN t CROSS JOIN k JOIN ids ON ids.rn = g % k.n
           -- Every self id of the copy its own: the DOI, and the article id in issn:<issn>:<article id>
           -- (left as the template's, every copy after the first on a record met ORCID's 409).
           CROSS JOIN LATERAL (SELECT replace(replace(replace(t.payload, $2, 'bench.m.' || g), $4, 'bench-m-' || g), $5, 'articles/m/' || g) AS payload) p
           RETURNING key)
    INSERT INTO ${s}.jobs (id, deposit_key, status, attempts, run_at, created_at, updated_at)
    SELECT gen_random_uuid()::text, dep.key, 'queued', 0, now(), now(), now() FROM dep`, [tplKey, tpl.doi, n, tpl.articleId, tpl.urlPath]));
  // One session: a larger sort memory for the index builds.
  await step('buildIndexes', () => postgresAdmin(`SET maintenance_work_mem = '256MB'; ${secondary.map((i) => i.indexdef).join('; ')}`));
  await step('analyze', () => postgresAdmin(`ANALYZE ${s}.deposits; ANALYZE ${s}.jobs`));
  return took;
}

export async function benchBacklogMemoryPg(): Promise<BenchResult> {
  const site = postgresSite('backlog', 6);
  const emulator = await benchEmulator({ rateLimit: false });
  try {
    const store = await site.open();
    const seeded = await seedIdentities(emulator.url, store, IDENTITIES);
    const t0 = performance.now();
    await queueWorks(store, [seeded[0]!.identity], 1, 1, 'tpl');
    await store.close();
    const tpl = (await postgresAdmin<{ key: string }>(`SELECT key FROM "${site.where}".deposits`)).rows[0]!.key;
    const queueSteps = await cloneDeposits(site.where, tpl, { doi: 'bench.tpl.0', articleId: 'bench-tpl-0', urlPath: 'articles/tpl/0' }, JOBS - 1);
    const queueSeconds = (performance.now() - t0) / 1000;
    const counted = Number((await postgresAdmin<{ n: string }>(`SELECT count(*) AS n FROM "${site.where}".jobs WHERE status = 'queued'`)).rows[0]!.n);
    const sizes = (await postgresAdmin<{ bytes: string }>(`SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, [site.where])).rows[0]!;
    const nodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS ?? WORKER_NODE_OPTIONS;
    const env = workerEnv(emulator.url, site.where, {
      STORE_URL: site.url,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ORCID_RATE_LIMIT: '1000000', ORCID_RATE_LIMIT_BURST: '1000000', ORCID_WORKER_CONCURRENCY: String(CONCURRENCY),
      BENCH_DEADLINE_MS: String(DRAIN_SECONDS * 1000), BENCH_CHECK_MS: '2000', BENCH_RSS_EVERY_MS: '1000',
    });
    const before = answered2xx(emulator);
    const stopProgress = watchProgress('jobs drained (bounded by time)', JOBS, () => answered2xx(emulator) - before);
    const r = await spawnTs('bench/worker-process.ts', env, (DRAIN_SECONDS + 120) * 1000).result.finally(stopProgress);
    const samples = (r.rssSamples as Array<{ at: number; rssMb: number; posted: number }>) ?? [];
    const t = samples[0]?.at ?? 0;
    const warm = samples.filter((x) => x.at - t >= WARM_SECONDS * 1000);
    const rss = warm.map((x) => x.rssMb);
    const spreadMb = rss.length ? Math.max(...rss) - Math.min(...rss) : NaN;
    // Drift: mean RSS of the last third against the first third of the warm samples.
    const third = Math.max(1, Math.floor(rss.length / 3));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const driftMb = rss.length ? mean(rss.slice(-third)) - mean(rss.slice(0, third)) : NaN;
    const drained = r.settled; // works the worker saw answered 201
    const expected = new Map<string, number>(seeded.map((s) => [s.identity.orcid, 0]));
    const v = await verifyExactlyOnce(emulator, expected);
    const drainSeconds = (r.lastSettleAt - r.firstClaimAt) / 1000;
    return {
      name: 'backlog-memory-pg',
      jobs: JOBS,
      queuedJobsCounted: counted,
      queueSeconds: round(queueSeconds, 1),
      queueStepsSeconds: queueSteps,
      tableBytesQueued: Number(sizes.bytes),
      drained,
      drainSeconds: round(drainSeconds, 1),
      drainPerSecond: round(drained / drainSeconds, 1),
      peakRssMb: r.peakRssMb,
      rssMbEvery10s: samples.filter((_, i) => i % 10 === 0).map((x) => ({ s: round((x.at - t) / 1000, 0), rssMb: x.rssMb, posted: x.posted })),
      rssSpreadAfterWarmUpMb: round(spreadMb, 1),
      rssDriftLastThirdMinusFirstThirdMb: round(driftMb, 1),
      worksOnRecords: v.total,
      duplicates: v.duplicates,
      nodeOptions: nodeOptions || '(V8 defaults)',
      notes: [
        'one template deposit queued through store.desireDeposit, the rest copied from it in SQL (INSERT … SELECT … generate_series, one queued job each): the store\'s own rows, written set-based',
        `one worker process (bench/worker-process.ts, worker.start(), concurrency ${CONCURRENCY}, pool 6) drains for ${DRAIN_SECONDS} s; RSS sampled each second, flatness over the samples after the first ${WARM_SECONDS} s`,
        'emulator in the benchmark process, no rate limit',
      ],
      checks: [
        { what: 'queued jobs on PostgreSQL', value: counted, op: '>=', target: JOBS },
        { what: 'peak RSS MB', value: r.peakRssMb, op: '<', target: 256 },
        { what: 'RSS spread after warm-up, MB', value: round(spreadMb, 1), op: '<=', target: 32 },
        { what: '|works on records - works posted| (exactly once)', value: Math.abs(v.total - drained), op: '<=', target: 0 },
        { what: 'duplicate works', value: v.duplicates, op: '<=', target: 0 },
        // Each copy is a work of its own: a 409 would mean copies share a self id (a broken backlog).
        { what: 'conflicts (409) in the drain', value: Number((r.statuses as Record<string, number>)['409'] ?? 0), op: '<=', target: 0 },
      ],
    };
  } finally {
    await emulator.close();
    await site.remove();
  }
}
