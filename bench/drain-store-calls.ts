/**
 * drain-store-calls: the store work a drained job costs, counted rather than timed, so contention
 * on the machine does not change the figures. The plugin's worker drains a backlog of work deposits
 * against the emulator over a SQLite store whose ports and SQL handle are wrapped to count: port
 * calls (each one round trip) and SQL statements (each one `one`/`all`/`run` on the handle) per
 * settled job, at two backlog sizes. A heartbeat that renews every lease, a history read per job,
 * a task or a setting read on the hot path each shows here as a figure that grew.
 */
import { orcidConnect } from '../src/plugin.js';
import { SqliteConnection, type SqliteHandle } from '../src/store/sqlite/handle.js';
import { completionBatcher } from '../src/store/sqlite/ledger-claim.js';
import { sqliteDirectory, sqliteLedger, sqliteRateBudget, sqliteSources } from '../src/store/sqlite.js';
import type { Store } from '../src/store/ports.js';
import { benchEmulator, queueWorks, round, seedIdentities, tmpDir, type BenchResult, type Check } from './common.js';

/** Backlog sizes: the per-job figures must not depend on how many jobs wait. */
const SIZES = [32, 320];
/** Settling a work deposit: the identity read and the completion (the claim is shared by a batch). */
const PORT_CALLS_TARGET = 2.1;
/** Claim 3 (lease, maybe-posted mark, joined read), identity 1, completion 4 (joined read, two updates, history). */
const STATEMENTS_TARGET = 8.5;

export interface DrainStoreWork {
  jobs: number;
  settled: number;
  /** Port calls by method over the drain. */
  calls: Record<string, number>;
  /** SQL statements by kind of statement (its first words) over the drain. */
  statements: Record<string, number>;
  /** Every SQL statement of the drain. */
  statementTotal: number;
  /** Outermost transactions over the drain (completions share one per turn of the event loop). */
  transactions: number;
  portCallsPerJob: number;
  statementsPerJob: number;
}

/** A handle that counts what runs through it. */
function countingHandle(h: SqliteHandle, statements: Record<string, number>, tx: { depth: number; count: number }): SqliteHandle {
  const count = (sql: string) => {
    const k = sql.replace(/\s+/g, ' ').trim().split(' ').slice(0, 4).join(' ');
    statements[k] = (statements[k] ?? 0) + 1;
  };
  return {
    path: h.path,
    one: (sql, ...p) => (count(sql), h.one(sql, ...p)),
    all: (sql, ...p) => (count(sql), h.all(sql, ...p)),
    run: (sql, ...p) => (count(sql), h.run(sql, ...p)),
    tx(fn) {
      if (tx.depth === 0) tx.count++;
      tx.depth++;
      try {
        return h.tx(fn);
      } finally {
        tx.depth--;
      }
    },
  };
}

/**
 * The three SQLite ports over `h`, every port call counted in `calls`. The shared ORCID rate budget
 * (one small transaction per batch of requests, not per job) runs on the uncounted connection: it
 * is the limiter's cost, which depends on the rate limit and the batch, not on the job.
 */
function countingStore(connection: SqliteConnection, h: SqliteHandle, calls: Record<string, number>): Store {
  const completions = completionBatcher(h);
  const ports = { ...sqliteLedger(h, completions), ...sqliteDirectory(h), ...sqliteSources(h) } as Record<string, unknown>;
  const counted: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(ports)) {
    counted[name] = (...args: unknown[]) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return (fn as (...a: unknown[]) => unknown)(...args);
    };
  }
  return {
    ...counted,
    ...sqliteRateBudget(connection),
    init: async () => connection.open(),
    close: async () => {
      completions.flush();
      connection.close();
    },
  } as unknown as Store;
}

/** Queue `jobs` work deposits, drain them with the plugin's worker, and count the store work of the drain. */
export async function measureDrainStoreWork(jobs: number, options: { concurrency?: number } = {}): Promise<DrainStoreWork> {
  const tmp = tmpDir('drain-calls');
  const emulator = await benchEmulator({ rateLimit: false });
  const connection = new SqliteConnection({ path: `${tmp.dir}/orcid.db` });
  const calls: Record<string, number> = {};
  const statements: Record<string, number> = {};
  const tx = { depth: 0, count: 0 };
  const store = countingStore(connection, countingHandle(connection, statements, tx), calls);
  await store.init();
  try {
    const seeded = await seedIdentities(emulator.url, store, Math.min(jobs, 20));
    await queueWorks(store, seeded.map((s) => s.identity), jobs, 10, `calls${jobs}`);
    const orcid = await orcidConnect({
      store,
      env: { ORCID_ENV: 'emulator', ORCID_BASE_URL: emulator.url, LOG_LEVEL: 'silent', ORCID_WORKER_CONCURRENCY: String(options.concurrency ?? 16), ORCID_RATE_LIMIT: '1000000', ORCID_RATE_LIMIT_BURST: '1000000' },
    });
    for (const k of Object.keys(calls)) delete calls[k];
    for (const k of Object.keys(statements)) delete statements[k];
    tx.count = 0;
    const settled = await orcid.worker.drain();
    const portCalls = Object.values(calls).reduce((a, b) => a + b, 0);
    const statementCount = Object.values(statements).reduce((a, b) => a + b, 0);
    const result: DrainStoreWork = {
      jobs, settled, calls: { ...calls }, statements: { ...statements }, statementTotal: statementCount, transactions: tx.count,
      portCallsPerJob: round(portCalls / Math.max(1, settled), 3), statementsPerJob: round(statementCount / Math.max(1, settled), 3),
    };
    await orcid.close();
    return result;
  } finally {
    await store.close();
    await emulator.close();
    tmp.remove();
  }
}

export async function benchDrainStoreCalls(): Promise<BenchResult> {
  const rows: Record<string, DrainStoreWork> = {};
  const checks: Check[] = [];
  for (const n of SIZES) {
    const w = await measureDrainStoreWork(n);
    rows[String(n)] = w;
    checks.push(
      { what: `store round trips per drained job, backlog ${n}`, value: w.portCallsPerJob, op: '<=', target: PORT_CALLS_TARGET },
      { what: `SQL statements per drained job, backlog ${n}`, value: w.statementsPerJob, op: '<=', target: STATEMENTS_TARGET },
      { what: `jobs settled, backlog ${n}`, value: w.settled, op: '>=', target: n },
    );
  }
  return {
    name: 'drain-store-calls',
    perBacklog: Object.fromEntries(Object.entries(rows).map(([n, w]) => [n, {
      portCallsPerJob: w.portCallsPerJob, statementsPerJob: w.statementsPerJob, transactionsPerJob: round(w.transactions / Math.max(1, w.settled), 3), calls: w.calls,
    }])),
    notes: [
      'counted through a wrapper over the ports and the SQL handle of a SQLite store; worker.drain() with concurrency 16 against the emulator (no rate limit)',
      'transactionsPerJob is shown, not checked: completions that finish in the same turn of the event loop share a commit, which depends on timing',
    ],
    checks,
  };
}
