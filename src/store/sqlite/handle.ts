/**
 * The SQLite handle every operation in this folder takes as its first argument (graphile-worker's
 * `WithPgClient` shape): opening (WAL, busy timeout, migrations), prepared statements, IMMEDIATE
 * transactions, and SQLite's errors turned into typed StorageErrors. No operation lives here.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { OrcidPluginError, STORE_CONFLICT, STORE_CORRUPT, STORE_UNAVAILABLE, StorageError, coerceError } from '../../errors.js';
import { migrate } from './migrations.js';
import type { Row } from './rows.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string;
  /** How long a writer waits for another process's lock (`?? 5000` ms). */
  busyTimeoutMs?: number;
  /** WAL pages between automatic checkpoints (`?? 4000`; SQLite's own default is 1000). */
  walAutocheckpointPages?: number;
}

export interface SqliteHandle {
  readonly path: string;
  one(sql: string, ...params: unknown[]): Row | undefined;
  all(sql: string, ...params: unknown[]): Row[];
  run(sql: string, ...params: unknown[]): Database.RunResult;
  /** Run `fn` in an IMMEDIATE transaction (the write lock is taken before the first read); nested, a savepoint. */
  tx<T>(fn: () => T): T;
}

export class SqliteConnection implements SqliteHandle {
  readonly path: string;
  private readonly busyTimeoutMs: number;
  private readonly walAutocheckpointPages: number;
  private conn: Database.Database | null = null;
  private readonly statements = new Map<string, Database.Statement>();
  /** One transaction wrapper, reused: it runs whatever function it is given. */
  private runInTx: Database.Transaction<(fn: () => unknown) => unknown> | null = null;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.walAutocheckpointPages = options.walAutocheckpointPages ?? 4000;
  }

  open(): void {
    if (this.conn) return;
    this.guard(() => {
      // `sqlite:./data/orcid.db` on a fresh machine: the folder is part of what we create.
      if (this.path !== ':memory:' && !this.path.startsWith('file:')) {
        try {
          mkdirSync(dirname(this.path), { recursive: true });
        } catch (e) {
          throw new StorageError(STORE_UNAVAILABLE, `Cannot use the SQLite store at ${this.path} (${(e as Error).message}): check that the folder exists and is writable`, { cause: e });
        }
      }
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

  close(): void {
    this.statements.clear();
    this.conn?.close();
    this.conn = null;
    this.runInTx = null;
  }

  private get db(): Database.Database {
    if (!this.conn) throw new StorageError(STORE_UNAVAILABLE, `The SQLite store at ${this.path} is not open: call init() first`);
    return this.conn;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  one(sql: string, ...params: unknown[]): Row | undefined {
    return this.guard(() => this.stmt(sql).get(...params) as Row | undefined);
  }

  all(sql: string, ...params: unknown[]): Row[] {
    return this.guard(() => this.stmt(sql).all(...params) as Row[]);
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.guard(() => this.stmt(sql).run(...params));
  }

  tx<T>(fn: () => T): T {
    return this.guard(() => {
      const db = this.db; // throws "not open"
      if (db.inTransaction) return this.runInTx!(fn) as T; // a SAVEPOINT inside the open transaction
      return this.runInTx!.immediate(fn) as T;
    });
  }

  /** Turn SQLite's own errors into typed StorageErrors with advice, leaving ours untouched. */
  private guard<T>(fn: () => T): T {
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
}

/** `WHERE a = ? AND b = ?` for the filter entries that are set (always a WHERE, for appending). */
export function conditions(filter: Record<string, string | undefined>): { where: string; params: string[] } {
  const set = Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][];
  return { where: `WHERE ${['1 = 1', ...set.map(([c]) => `${c} = ?`)].join(' AND ')}`, params: set.map(([, v]) => v) };
}

/** `?, ?, ?` for an IN list. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
