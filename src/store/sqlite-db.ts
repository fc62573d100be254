/**
 * The SQLite connection the store is built on: opening (WAL, busy timeout, migrations), prepared
 * statements, IMMEDIATE transactions, and SQLite's errors turned into typed StorageErrors.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { OrcidPluginError, STORE_CONFLICT, STORE_CORRUPT, STORE_UNAVAILABLE, StorageError, coerceError } from '../errors.js';
import { migrate } from './sqlite-migrations.js';
import { ms } from './sqlite-rows.js';
import type { Row } from './sqlite-rows.js';
import type * as S from './store.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string;
  /** How long a writer waits for another process's lock (`?? 5000` ms). */
  busyTimeoutMs?: number;
  /** WAL pages between automatic checkpoints (`?? 4000`; SQLite's own default is 1000). */
  walAutocheckpointPages?: number;
}

export const DEPOSIT_COLUMNS = [
  'key', 'kind', 'identity_id', 'orcid', 'source_id', 'submission_id', 'external_id_type', 'external_id_value', 'desired_state',
  'payload', 'payload_hash', 'version', 'put_code', 'posted_hash', 'maybe_posted', 'status', 'last_error', 'created_at', 'updated_at',
];
export const JOB_COLUMNS = ['id', 'deposit_key', 'status', 'attempts', 'max_attempts', 'run_at', 'leased_by', 'lease_expires_at', 'last_error', 'park_reason', 'created_at', 'updated_at'];
export const JOINED = `SELECT j.*, ${DEPOSIT_COLUMNS.map((c) => `d.${c} AS d_${c}`).join(', ')} FROM jobs j JOIN deposits d ON d.key = j.deposit_key`;
export const OPEN = `('queued', 'leased', 'parked')`;

export abstract class SqliteDb {
  readonly path: string;
  protected readonly busyTimeoutMs: number;
  protected readonly walAutocheckpointPages: number;
  protected conn: Database.Database | null = null;
  protected readonly statements: Map<string, Database.Statement> = new Map();
  /** One transaction wrapper, reused: it runs whatever function it is given. */
  protected runInTx: Database.Transaction<(fn: () => unknown) => unknown> | null = null;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.walAutocheckpointPages = options.walAutocheckpointPages ?? 4000;
  }

  async init(): Promise<void> {
    if (this.conn) return;
    this.guard(() => {
      const db = new Database(this.path);
      try {
        db.pragma(`busy_timeout = ${Math.floor(this.busyTimeoutMs)}`);
        if (this.path !== ':memory:') db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Checkpoints are where WAL mode pays fsyncs; SQLite's default (every 1000 pages) made
        // enqueueing 2-3x slower here than every 4000 pages (~16 MB of WAL, kept at most 64 MB).
        db.pragma(`wal_autocheckpoint = ${Math.floor(this.walAutocheckpointPages)}`);
        db.pragma('journal_size_limit = 67108864');
        db.pragma('foreign_keys = ON');
        migrate(db);
      } catch (e) {
        db.close();
        throw e;
      }
      this.conn = db;
      this.runInTx = db.transaction((fn: () => unknown) => fn());
    });
  }

  async close(): Promise<void> {
    this.flushPending();
    this.statements.clear();
    this.conn?.close();
    this.conn = null;
    this.runInTx = null;
  }

  /** Flush work buffered for a later turn of the event loop (group commit) before closing. */
  protected abstract flushPending(): void;

  protected get db(): Database.Database {
    if (!this.conn) throw new StorageError(STORE_UNAVAILABLE, `The SQLite store at ${this.path} is not open: call init() first`);
    return this.conn;
  }

  protected stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  protected one(sql: string, ...params: unknown[]): Row | undefined {
    return this.guard(() => this.stmt(sql).get(...params) as Row | undefined);
  }

  protected all(sql: string, ...params: unknown[]): Row[] {
    return this.guard(() => this.stmt(sql).all(...params) as Row[]);
  }

  protected run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.guard(() => this.stmt(sql).run(...params));
  }

  protected map<R, T>(row: R | undefined | null, f: (r: R) => T): T | null {
    return row === undefined || row === null ? null : f(row);
  }

  /** Run `fn` in an IMMEDIATE transaction: the write lock is taken before the first read. */
  protected tx<T>(fn: () => T): T {
    return this.guard(() => {
      if (!this.runInTx) return this.db.transaction(fn).immediate(); // throws "not open"
      return this.runInTx.immediate(fn) as T;
    });
  }

  /** Turn SQLite's own errors into typed StorageErrors with advice, leaving ours untouched. */
  protected guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof OrcidPluginError) throw e;
      const err = coerceError(e) as Error & { code?: string };
      const code = err.code ?? '';
      if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
        throw new StorageError(STORE_CORRUPT, `The SQLite store at ${this.path} is not a database (${err.message}): restore it from a backup or point STORE_URL at a new file`, { cause: e });
      }
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
        throw new StorageError(STORE_UNAVAILABLE, `The SQLite store at ${this.path} stayed locked by another process for ${this.busyTimeoutMs} ms (${err.message})`, { cause: e });
      }
      if (/directory does not exist/.test(err.message) || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code === 'SQLITE_PERM') {
        throw new StorageError(STORE_UNAVAILABLE, `Cannot use the SQLite store at ${this.path} (${err.message}): check that the folder exists and is writable`, { cause: e });
      }
      if (code.startsWith('SQLITE_CONSTRAINT')) {
        throw new StorageError(STORE_CONFLICT, `The SQLite store at ${this.path} refused a write (${err.message})`, { cause: e });
      }
      throw e;
    }
  }

  protected insertHistory(e: S.HistoryInput): void {
    this.run(
      'INSERT INTO history (id, at, event, orcid, identity_id, submission_id, deposit_key, job_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      randomUUID(), ms(e.at), e.event, e.orcid ?? null, e.identityId ?? null, e.submissionId ?? null, e.depositKey ?? null, e.jobId ?? null, JSON.stringify(e.detail ?? {}),
    );
  }
}

/** `WHERE a = ? AND b = ?` for the filter entries that are set (always a WHERE, for appending). */
export function conditions(filter: Record<string, string | undefined>): { where: string; params: string[] } {
  const set = Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][];
  return { where: `WHERE ${['1 = 1', ...set.map(([c]) => `${c} = ?`)].join(' AND ')}`, params: set.map(([, v]) => v) };
}
