/**
 * Shared stage for the reliability suite: a real emulator on 127.0.0.1, a SQLite file shared by
 * the test process (which plays the host) and worker child processes, researchers seeded through
 * the emulator's control API and linked into the store as if they had connected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { orcidConnect, type OrcidConnect, type OrcidConnectOptions } from '../../src/plugin.js';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { processTokenResponse } from '../../src/orcid/oauth.js';
import { sealTokenSet } from '../../src/sync/tokens.js';
import { withPutCode } from '../../src/sync/put-code.js';
import type { Deposit } from '../../src/store/store.js';

export const FULL = process.env.RELIABILITY_FULL === '1';
export const ROOT = resolve(import.meta.dirname, '../..');
export const CLIENT_ID = 'APP-DEMO000000000000';
/** A test-only AES key (32 bytes, base64), shared by the host process and the workers. */
export const TOKEN_KEY = Buffer.alloc(32, 7).toString('base64');

/** The emulator's seeded generator (mulberry32), so a failing run can be replayed with the printed seed. */
export { seededRandom as rng } from '../../src/emulator/faults.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `check` until it returns true; throws after `timeoutMs` (every loop here is bounded). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface Researcher {
  orcid: string;
  identityId: string;
  accessToken: string;
  refreshToken: string;
  email: string;
}

export interface Stage {
  emulator: RunningEmulator;
  dir: string;
  dbFile: string;
  /** Environment of the worker CLI (and of the host process's plugin). */
  env: Record<string, string>;
  orcid: OrcidConnect;
  researchers: Researcher[];
  close(): Promise<void>;
}

export async function startStage(options: {
  researchers: number;
  seed: number;
  emulator?: EmulatorOptions;
  env?: Record<string, string>;
  plugin?: Partial<OrcidConnectOptions>;
}): Promise<Stage> {
  const emulator = await startEmulator({ port: 0, rateLimit: false, validateXml: false, seed: options.seed, ...options.emulator });
  const dir = mkdtempSync(join(tmpdir(), 'orcid-reliability-'));
  const dbFile = join(dir, 'orcid.db');
  // RELIABILITY_POSTGRES_URL runs the stage (host and worker processes) on PostgreSQL, in a schema
  // of its own that close() drops; otherwise on a SQLite file.
  const pgSchema = process.env.RELIABILITY_POSTGRES_URL ? `kc_rel_${process.pid}_${++stages}` : null;
  const storeUrl = pgSchema ? `${process.env.RELIABILITY_POSTGRES_URL}?schema=${pgSchema}` : `sqlite:${dbFile}`;
  const env: Record<string, string> = {
    ORCID_ENV: 'emulator',
    ORCID_BASE_URL: emulator.url,
    STORE_URL: storeUrl,
    ORCID_TOKEN_KEY: TOKEN_KEY,
    LOG_LEVEL: 'silent',
    ORCID_LEASE_MS: '2000',
    ORCID_POLL_MS: '50',
    ORCID_TIMEOUT_MS: '500', // the lease (2 s) must cover 4 calls (see src/sync/lease.ts)
    ORCID_WORKER_CONCURRENCY: '8',
    ORCID_RATE_LIMIT: '2000',
    ORCID_RATE_LIMIT_BURST: '2000',
    ORCID_RETRACTION_POLICY: 'delete',
    ...options.env,
  };
  const orcid = await orcidConnect({ env, ...options.plugin } as OrcidConnectOptions);
  const researchers = await seedResearchers(emulator, orcid, options.researchers);
  return {
    emulator, dir, dbFile, env, orcid, researchers,
    async close() {
      await orcid.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
      if (pgSchema) await dropPgSchema(process.env.RELIABILITY_POSTGRES_URL!, pgSchema);
    },
  };
}

let stages = 0;

async function dropPgSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
}

/** Researchers at the emulator with a member token each, linked into the store as connected. */
export async function seedResearchers(emulator: RunningEmulator, orcid: OrcidConnect, n: number, scope = '/activities/update /read-limited'): Promise<Researcher[]> {
  const cipher = TokenCipher.fromKeys(orcid.config.tokenKeys);
  const out: Researcher[] = [];
  for (let i = 0; i < n; i++) {
    const email = `r${i}@example.org`;
    const { orcid: id } = await control<{ orcid: string }>(emulator, 'POST', '/researchers', { givenNames: `Given${i}`, familyName: `Family${i}`, email });
    const body = await control<Record<string, unknown>>(emulator, 'POST', '/tokens', { orcid: id, clientId: CLIENT_ID, scope });
    const tokens = processTokenResponse(200, body, new Date());
    const identity = await orcid.store.linkIdentity(
      { orcid: id, name: `Given${i} Family${i}`, sealedTokens: sealTokenSet(cipher, tokens), scopes: tokens.scope, tokenExpiresAt: tokens.expiresAt, authenticated: true },
      new Date(),
    );
    out.push({ orcid: id, identityId: identity.id, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? '', email });
  }
  return out;
}

export async function control<T>(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emulator.url}/_emulator${path}`, {
    // The control API takes JSON only (a web page cannot send that cross-site), bodyless POSTs included.
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export interface RecordItem {
  putCode: string;
  type: string;
  title: string | null;
  sourceClientId: string;
  externalIds: Array<{ type: string; value: string; relationship?: string }>;
  xml?: string;
}

export async function recordItems(emulator: RunningEmulator, orcid: string): Promise<RecordItem[]> {
  return (await control<{ items: RecordItem[] }>(emulator, 'GET', `/records/${orcid}`)).items;
}

/** A worker CLI child process (`src/cli.ts worker`), with its stderr kept for failure reports. */
export interface WorkerProcess {
  child: ChildProcess;
  started: Promise<void>;
  exited: Promise<number | null>;
  stderr(): string;
}

export function spawnCli(args: string[], env: Record<string, string>, readyLine = /started/): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watch(child, readyLine);
}

export function spawnScript(script: string, args: string[], env: Record<string, string>, readyLine: RegExp): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(child, readyLine);
}

function watch(child: ChildProcess, readyLine: RegExp): WorkerProcess {
  let err = '';
  let out = '';
  const started = new Promise<void>((resolveStarted, reject) => {
    const onData = () => {
      if (readyLine.test(err) || readyLine.test(out)) resolveStarted();
    };
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); onData(); });
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); onData(); });
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready: ${err.slice(-2000)}`)));
  });
  started.catch(() => undefined);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, started, exited, stderr: () => err + out };
}

export async function kill(p: WorkerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await Promise.race([p.exited, sleep(15_000)]);
}

/** Every table of the SQLite file as JSON (a read-only connection; sees committed WAL contents). */
export function dumpDb(file: string, except: string[] = []): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>;
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables) if (!except.includes(name)) out[name] = db.prepare(`SELECT * FROM "${name}"`).all();
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

/**
 * The central check of "nothing lost, nothing twice": every deposit the host asked for is in the
 * ledger, synced; a present one is exactly one item of ours on the record, with the latest payload
 * and the ledger's put-code; an absent one is no item; there are no items we did not ask for.
 */
export async function checkRecords(stage: Stage, expected: Map<string, { present: boolean; marker: string }>): Promise<{ problems: string[]; items: number }> {
  const problems: string[] = [];
  const deposits = new Map<string, Deposit>();
  for (const r of stage.researchers) for (const d of await stage.orcid.store.listDeposits({ identityId: r.identityId })) deposits.set(d.key, d);
  let items = 0;
  for (const r of stage.researchers) {
    const ours = (await recordItems(stage.emulator, r.orcid)).filter((i) => i.sourceClientId === CLIENT_ID);
    items += ours.length;
    const matched = new Set<RecordItem>();
    for (const d of deposits.values()) {
      if (d.orcid !== r.orcid) continue;
      const found = ours.filter((i) => i.type === d.kind && i.externalIds.some((x) => x.type.toLowerCase() === d.externalIdType.toLowerCase() && x.value.toLowerCase() === d.externalIdValue.toLowerCase()));
      for (const i of found) matched.add(i);
      const want = expected.get(d.key);
      if (!want) problems.push(`${d.key}: in the ledger but never asked for`);
      if (d.status !== 'synced') problems.push(`${d.key}: ledger status ${d.status}`);
      if (d.desiredState === 'absent') {
        if (found.length) problems.push(`${d.key}: deleted, but ${found.length} item(s) remain`);
        if (d.putCode) problems.push(`${d.key}: deleted, but the ledger keeps put-code ${d.putCode}`);
        if (want?.present) problems.push(`${d.key}: absent in the ledger, present in the host's view`);
        continue;
      }
      if (found.length !== 1) problems.push(`${d.key}: ${found.length} items on the record`);
      const item = found[0];
      if (!item) continue;
      if (d.putCode !== item.putCode) problems.push(`${d.key}: ledger put-code ${d.putCode}, record ${item.putCode}`);
      if (item.xml !== d.payload && item.xml !== withPutCode(d.payload!, item.putCode)) problems.push(`${d.key}: the record does not hold the latest payload`);
      if (want && !want.present) problems.push(`${d.key}: present in the ledger, deleted in the host's view`);
      if (want && !d.payload!.includes(want.marker)) problems.push(`${d.key}: payload lacks the latest change ${want.marker}`);
    }
    for (const i of ours) if (!matched.has(i)) problems.push(`${r.orcid}: ${i.type} ${i.putCode} that no deposit accounts for`);
  }
  for (const key of expected.keys()) if (!deposits.has(key)) problems.push(`${key}: asked for, missing from the ledger`);
  return { problems, items };
}

/** The history of the first deposits named in `problems`, to explain a failure. */
export async function explain(stage: Stage, problems: string[], max = 2): Promise<string> {
  const out: string[] = [];
  for (const p of problems.slice(0, max)) {
    const key = p.split(': ')[0]!;
    const h = await stage.orcid.store.listHistory({ depositKey: key, limit: 50 });
    out.push(`${key}:\n${h.map((e) => `  ${e.at.toISOString()} ${e.event} ${JSON.stringify(e.detail)}`).join('\n')}`);
  }
  return out.join('\n');
}

/** Figures are printed as one compact JSON line per test, prefixed so they can be grepped. */
export function printFigures(name: string, figures: Record<string, unknown>): void {
  console.log(`      [reliability] ${name}: ${JSON.stringify(figures)}`);
}

export function distribution(values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}
