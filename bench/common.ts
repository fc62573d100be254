/**
 * What the benchmarks share: the emulator, seeding identities and deposits into a SQLite store,
 * spawning worker processes, RSS and percentile helpers, and the exactly-once check.
 *
 * Everything talks to 127.0.0.1 only. Every loop here is bounded in count or time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/emulator/index.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/open-store.js';
import type { Identity, Store } from '../src/store/store.js';
import { TokenCipher } from '../src/store/token-cipher.js';
import { sealTokenSet } from '../src/sync/tokens.js';
import { buildWorkXml, workSelfExternalId } from '../src/orcid/work.js';
import { payloadHash } from '../src/orcid/payload-common.js';
import type { Article } from '../src/types.js';
import type { Check } from './stats.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLIENT_ID = 'APP-DEMO000000000000';
export const SCOPE = '/activities/update /read-limited';

export type { Check } from './stats.js';

/** What every benchmark returns: its name, raw figures, notes, and the checks against targets. */
export interface BenchResult {
  name: string;
  notes?: string[];
  checks: Check[];
  [figure: string]: unknown;
}

export function tmpDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `koc-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The emulator as the benchmarks run it: no XSD validation (throughput), in this process. */
export function benchEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, validateXml: false, seed: 42, ...options });
}

async function json<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Run `fn` over `items` with at most `limit` at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

export interface SeededIdentity {
  identity: Identity;
  accessToken: string;
}

/**
 * `n` researchers in the emulator, each with a token minted through the control API
 * (`POST /_emulator/tokens`), linked in the store with the token set sealed the way the plugin
 * seals it (AES-256-GCM with the configured token key).
 */
export async function seedIdentities(emulatorUrl: string, store: Store, n: number): Promise<SeededIdentity[]> {
  const config = loadConfig({}, { ORCID_ENV: 'emulator' });
  const cipher = TokenCipher.fromKeys(config.tokenKeys);
  const minted = await pool(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    const { orcid } = await json<{ orcid: string }>(`${emulatorUrl}/_emulator/researchers`, { givenNames: `Given${i}`, familyName: `Family${i}` });
    const t = await json<{ access_token: string; refresh_token: string; expires_in: number; scope: string; name: string | null }>(
      `${emulatorUrl}/_emulator/tokens`,
      { orcid, clientId: CLIENT_ID, scope: SCOPE },
    );
    return { orcid, t };
  });
  const now = new Date();
  const out: SeededIdentity[] = [];
  for (const { orcid, t } of minted) {
    const expiresAt = new Date(now.getTime() + t.expires_in * 1000);
    const sealed = sealTokenSet(cipher, {
      accessToken: t.access_token, refreshToken: t.refresh_token, tokenType: 'bearer', scope: t.scope.split(' '), expiresAt, orcid, name: t.name,
    });
    const identity = await store.linkIdentity({ orcid, sealedTokens: sealed, scopes: t.scope.split(' '), tokenExpiresAt: expiresAt, name: t.name }, now);
    out.push({ identity, accessToken: t.access_token });
  }
  return out;
}

/** A realistic article: DOI, abstract, journal with ISSN, `authors` authors. */
export function benchArticle(i: number, authors: number, tag = 'a'): Article {
  return {
    id: `bench-${tag}-${i}`,
    submissionId: `sub-${tag}-${i}`,
    doi: `10.5555/bench.${tag}.${i}`,
    title: `Measured side by side: article ${i} on the throughput of outbox workers`,
    abstract: 'We measure how fast a journal can bring works to researchers\u2019 ORCID records. '.repeat(4),
    language: 'en',
    url: `https://journal.example/articles/${tag}/${i}`,
    publishedAt: '2024-05-01',
    journal: { title: 'Journal of Emulated Research', issn: '0317-8471' },
    volume: '12',
    issue: '3',
    pages: `${i}-${i + 10}`,
    authors: Array.from({ length: authors }, (_, k) => ({
      contributorId: `c-${tag}-${i}-${k}`, givenNames: `Given${k}`, familyName: `Author${k}`, sequence: k + 1,
    })),
  };
}

/**
 * Queue `total` work deposits straight through `store.desireDeposit` (the call `articlePublished`
 * ends in, without the contributor bookkeeping): articles of `perArticle` authors, each author a
 * different identity, round-robin. Payloads are real work XML from `buildWorkXml`. With `batch` > 1,
 * through `store.desireDeposits` in groups of that many.
 */
export async function queueWorks(store: Store, identities: Identity[], total: number, perArticle: number, tag = 'a', batch = 1): Promise<{ expected: Map<string, number> }> {
  const expected = new Map<string, number>();
  const now = new Date();
  let queued = 0;
  // batch > 1: through store.desireDeposits, `batch` at a time (a network store's round trips).
  let pending: Parameters<Store['desireDeposits']>[0] = [];
  const desire = async (input: (typeof pending)[number]) => {
    if (batch <= 1) return void (await store.desireDeposit(input, now));
    pending.push(input);
    if (pending.length >= batch) await flush();
  };
  const flush = async () => {
    if (pending.length) await store.desireDeposits(pending, now);
    pending = [];
  };
  for (let a = 0; queued < total; a++) {
    const article = benchArticle(a, perArticle, tag);
    const xml = buildWorkXml(article);
    const hash = payloadHash(xml);
    const ext = workSelfExternalId(article);
    for (let k = 0; k < perArticle && queued < total; k++) {
      const identity = identities[(a * perArticle + k) % identities.length];
      await desire({
        key: `work:${article.id}:${identity.orcid}`, kind: 'work', identityId: identity.id, orcid: identity.orcid, sourceId: article.id,
        submissionId: article.submissionId, externalIdType: ext.type, externalIdValue: ext.value, desiredState: 'present', payload: xml, payloadHash: hash,
      });
      expected.set(identity.orcid, (expected.get(identity.orcid) ?? 0) + 1);
      queued++;
    }
  }
  await flush();
  return { expected };
}

/**
 * Exactly once: every record holds exactly the expected number of works, and no two works of
 * a record share a `self` external id.
 */
export async function verifyExactlyOnce(emulator: RunningEmulator, expected: Map<string, number>): Promise<{ total: number; duplicates: number; missing: number; ok: boolean }> {
  let total = 0;
  let duplicates = 0;
  let missing = 0;
  for (const [orcid, want] of expected) {
    const items = emulator.state.items(orcid, 'work');
    total += items.length;
    const keys = new Set<string>();
    for (const i of items) {
      const self = i.externalIds.filter((e) => (e.relationship ?? 'self') === 'self').map((e) => `${e.type}:${e.value}`.toLowerCase()).join('|');
      if (keys.has(self)) duplicates++;
      keys.add(self);
    }
    if (items.length < want) missing += want - items.length;
  }
  const want = [...expected.values()].reduce((a, b) => a + b, 0);
  return { total, duplicates, missing, ok: total === want && duplicates === 0 && missing === 0 };
}

/** Environment for a worker process against `emulatorUrl` and the SQLite file `dbFile`. */
export function workerEnv(emulatorUrl: string, dbFile: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ORCID_ENV: 'emulator',
    ORCID_BASE_URL: emulatorUrl,
    STORE_URL: `sqlite:${dbFile}`,
    LOG_LEVEL: 'silent',
    ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
    ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
    ...extra,
  };
}

export interface WorkerReport {
  settled: number;
  firstClaimAt: number;
  lastSettleAt: number;
  peakRssMb: number;
  samples?: unknown[];
  [k: string]: unknown;
}

/** Where `compileForNode` puts plain JavaScript (bench/out/ is git-ignored). */
export const COMPILED = join(ROOT, 'bench', 'out', 'js');

/**
 * Transpile src/ and bench/ to plain ESM JavaScript with esbuild (what tsx uses; no bundling, no
 * type check, under a second), so spawned processes run as a deployed plugin runs: without the
 * tsx loader, whose hooks thread and caches add ~80 MB of RSS to every process. The files that
 * src/ reads next to itself (package.json, plugin-manifest.json, templates/, vendor/) are linked.
 */
export async function compileForNode(): Promise<void> {
  const { build } = await import('esbuild');
  const entries = ['src', 'bench'].flatMap((d) =>
    (readdirSync(join(ROOT, d), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('out/') && !f.startsWith('.scratch/'))
      .map((f) => join(ROOT, d, f)),
  );
  rmSync(COMPILED, { recursive: true, force: true });
  await build({ entryPoints: entries, outdir: COMPILED, outbase: ROOT, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'error' });
  mkdirSync(COMPILED, { recursive: true });
  for (const f of ['package.json', 'plugin-manifest.json', 'templates', 'vendor', 'node_modules']) symlinkSync(join(ROOT, f), join(COMPILED, f));
}

/**
 * Spawn `<script>` (a .ts path under ROOT) with `env`: its compiled JavaScript with plain `node`
 * when `compileForNode` ran, else `node --import tsx`; resolves with the last JSON line it printed on
 * stdout. Killed after `timeoutMs` (every run is bounded).
 */
export function spawnTs(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): { child: ChildProcess; result: Promise<WorkerReport> } {
  // BENCH_PROFILE=<dir>: CPU profiles of the spawned processes, for finding where time goes.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const js = join(COMPILED, script.replace(/\.ts$/, '.js'));
  const args = existsSync(js) ? [...profile, js] : [...profile, '--import', 'tsx', join(ROOT, script)];
  const child = spawn(process.execPath, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<WorkerReport>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(last) as WorkerReport);
    });
  });
  return { child, result };
}

/** Resident set size of this process, and its peak so far (VmHWM), in MB. */
export function rssMb(): { rss: number; peak: number } {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  const rss = process.memoryUsage().rss / 2 ** 20;
  return { rss: round(rss, 1), peak: round(hwm ? Number(hwm[1]) / 1024 : rss, 1) };
}

export function fileSizeBytes(path: string): number {
  let n = 0;
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) n += statSync(p).size;
  return n;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export async function openBenchStore(dbFile: string): Promise<Store> {
  return openStore(`sqlite:${dbFile}`);
}

/** The line prefix by which a benchmark child tells `bench/run.ts` how far it is (stdout, one line each). */
export const PROGRESS_PREFIX = '@@progress ';

/** Tell the runner how far this benchmark is: `done` of `total` units of `what`. */
export function progress(what: string, done: number, total: number): void {
  process.stdout.write(`${PROGRESS_PREFIX}${JSON.stringify({ what, done, total })}\n`);
}

/** Every 2 s, report `count()` of `total` until the returned stop function is called. */
export function watchProgress(what: string, total: number, count: () => number): () => void {
  const timer = setInterval(() => progress(what, Math.min(count(), total), total), 2000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Answers the emulator gave with a 2xx status, over every route: how far a drain has got. */
export function answered2xx(emulator: RunningEmulator): number {
  let n = 0;
  for (const byStatus of Object.values(emulator.core.stats.requests)) for (const [status, k] of Object.entries(byStatus)) if (status.startsWith('2')) n += k;
  return n;
}
