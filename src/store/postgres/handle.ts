/**
 * The PostgreSQL handle every operation in this folder takes as its first argument (the
 * counterpart of `sqlite/handle.ts`): a `pg` Pool whose connections use the store's schema,
 * migrations under an advisory lock, transactions that are rolled back (or their connection
 * dropped) on any error and retried on deadlocks, and the driver's errors turned into typed
 * StorageErrors with the password masked. No operation lives here.
 *
 * `pg` is imported when the store opens, not when this module loads: hosts on SQLite or MongoDB
 * need not install it.
 */
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { importOptional } from '../../optional-import.js';
import { OrcidPluginError, STORE_CONFLICT, STORE_UNAVAILABLE, STORE_URL_UNSUPPORTED, StorageError, coerceError } from '../../errors.js';
import { migrate } from './migrations.js';
import type { Row } from './rows.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database`; `?schema=name` sets the schema, `?pool=N` the pool size. */
  url: string;
  /** Schema holding the store's tables, created if missing (`??` the URL's `schema`, else the server's search_path). */
  schema?: string;
  /** Connections in the pool (`??` the URL's `pool`, else `10`). A worker needs about one per claim in flight, a host one per concurrent event. */
  poolSize?: number;
  /** How long to wait for a connection before failing with STORE_UNAVAILABLE (`?? 5000` ms). */
  connectTimeoutMs?: number;
  /** How the connections name themselves in `pg_stat_activity` (`?? 'koa-orcid-connect'`). */
  applicationName?: string;
}

/** One statement, on the pool or inside a transaction. */
export interface PgQuery {
  /**
   * `name`: run it as a named prepared statement, parsed and planned once per connection instead
   * of on every call. Only for hot statements of fixed text whose result columns are spelled out
   * (a `SELECT *` prepared before a migration adds a column fails with "cached plan must not change
   * result type").
   */
  rows(sql: string, params?: unknown[], name?: string): Promise<Row[]>;
}

export interface PgHandle extends PgQuery {
  /** The schema the tables live in (resolved at open). */
  readonly schema: string;
  /** The NOTIFY channel for new work in this schema. */
  readonly channel: string;
  /** Run `fn` in one transaction (READ COMMITTED); deadlocks and serialization failures are retried. */
  tx<T>(fn: (q: PgQuery) => Promise<T>): Promise<T>;
  /** The `pg` module and the connection settings, for the LISTEN client. */
  clientConfig(): Promise<{ pg: typeof import('pg').default; config: PoolConfig }>;
}

/** The URL with its password masked, for messages and logs. */
export function redactPostgresUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/)([^:@/]*):([^@/]*)@/, '$1$2:****@');
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** SQLSTATEs after which the same transaction, run again, may well succeed. */
const RETRY_STATES = new Set(['40001', '40P01']);
const TX_ATTEMPTS = 5;

/** `url` without our own parameters `schema` and `pool` (pg itself does not know them), and their values. */
export function splitSchema(url: string): { url: string; schema: string | undefined; poolSize: number | undefined } {
  const q = url.indexOf('?');
  if (q < 0) return { url, schema: undefined, poolSize: undefined };
  const params = new URLSearchParams(url.slice(q + 1));
  const schema = params.get('schema') ?? undefined;
  const pool = params.get('pool');
  params.delete('schema');
  params.delete('pool');
  const rest = params.toString();
  const poolSize = pool !== null && /^[1-9]\d{0,3}$/.test(pool) ? Number(pool) : undefined;
  return { url: url.slice(0, q) + (rest ? `?${rest}` : ''), schema, poolSize };
}

export class PgConnection implements PgHandle {
  private readonly url: string;
  private readonly wantedSchema: string | undefined;
  private readonly poolSize: number;
  private readonly connectTimeoutMs: number;
  private readonly applicationName: string;
  private pool: Pool | null = null;
  private pgModule: typeof import('pg').default | null = null;
  private resolvedSchema = '';

  constructor(options: PostgresStoreOptions) {
    const split = splitSchema(options.url);
    this.url = split.url;
    this.wantedSchema = options.schema ?? split.schema;
    if (this.wantedSchema !== undefined && !IDENTIFIER.test(this.wantedSchema)) {
      throw new StorageError(STORE_URL_UNSUPPORTED, `The PostgreSQL schema ${JSON.stringify(this.wantedSchema)} is not a plain identifier (letters, digits, _)`, { status: 500 });
    }
    this.poolSize = options.poolSize ?? split.poolSize ?? 10;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.applicationName = options.applicationName ?? 'koa-orcid-connect';
  }

  get schema(): string {
    return this.resolvedSchema;
  }

  get channel(): string {
    return `koa_orcid_work_${this.resolvedSchema}`;
  }

  get where(): string {
    return redactPostgresUrl(this.url) + (this.wantedSchema ? ` (schema ${this.wantedSchema})` : '');
  }

  private config(): PoolConfig {
    return {
      connectionString: this.url,
      max: this.poolSize,
      connectionTimeoutMillis: this.connectTimeoutMs,
      keepAlive: true,
      application_name: this.applicationName,
      // Every connection starts in the store's schema: unqualified names in the SQL find its tables.
      ...(this.wantedSchema ? { options: `-c search_path=${this.wantedSchema}` } : {}),
    };
  }

  async clientConfig(): Promise<{ pg: typeof import('pg').default; config: PoolConfig }> {
    return { pg: await this.loadPg(), config: { ...this.config(), max: undefined } };
  }

  private async loadPg(): Promise<typeof import('pg').default> {
    if (this.pgModule) return this.pgModule;
    this.pgModule = (await importOptional(() => import('pg'), 'pg', 'A postgres:// STORE_URL')).default;
    return this.pgModule;
  }

  async open(): Promise<void> {
    if (this.pool) return;
    const pg = await this.loadPg();
    const pool = new pg.Pool(this.config());
    // An idle connection the server closed emits 'error' on the pool; unheard, it would crash the
    // process. The next query on a fresh connection reports the outage to its caller.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect().catch((e: unknown) => {
        throw this.translate(e);
      });
      try {
        this.resolvedSchema = await this.guard(() => migrate(client, this.wantedSchema));
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    this.pool = pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  private get db(): Pool {
    if (!this.pool) throw new StorageError(STORE_UNAVAILABLE, `The PostgreSQL store at ${this.where} is not open: call init() first`);
    return this.pool;
  }

  async rows(sql: string, params: unknown[] = [], name?: string): Promise<Row[]> {
    const pool = this.db;
    return this.guard(async () => (await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params })).rows as Row[]);
  }

  async tx<T>(fn: (q: PgQuery) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.txOnce(fn);
      } catch (e) {
        const state = (e as { code?: string }).code ?? '';
        if (!RETRY_STATES.has(state) || attempt >= TX_ATTEMPTS) throw this.translate(e);
      }
    }
  }

  private async txOnce<T>(fn: (q: PgQuery) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.db.connect().catch((e: unknown) => {
      throw this.translate(e);
    });
    const q: PgQuery = { rows: async (sql, params = [], name) => (await client.query(name ? { name, text: sql, values: params } : { text: sql, values: params })).rows as Row[] };
    // A checked-out client whose connection dies also emits 'error'; unheard, it would crash the
    // process. The failing query reports it to the caller.
    const ignore = () => undefined;
    client.on('error', ignore);
    const release = (broken?: boolean) => {
      client.off('error', ignore);
      client.release(broken);
    };
    try {
      await client.query('BEGIN');
      const result = await fn(q);
      await client.query('COMMIT');
      release();
      return result;
    } catch (e) {
      // A broken connection is dropped, not returned to the pool; the server rolls back on its own.
      try {
        await client.query('ROLLBACK');
        release();
      } catch {
        release(true);
      }
      throw e;
    }
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.translate(e);
    }
  }

  /** Turn the driver's errors into typed StorageErrors with advice, leaving ours untouched. */
  translate(e: unknown): unknown {
    if (e instanceof OrcidPluginError) return e;
    const err = coerceError(e) as Error & { code?: string };
    if (isUnavailable(err)) {
      return new StorageError(STORE_UNAVAILABLE, `Cannot use the PostgreSQL store at ${this.where} (${err.message}): the server is unreachable or restarting; try again`, { cause: e });
    }
    if (err.code === '23505') return new StorageError(STORE_CONFLICT, `The PostgreSQL store at ${this.where} refused a write (${err.message})`, { cause: e });
    if (err.code && RETRY_STATES.has(err.code)) {
      return new StorageError(STORE_UNAVAILABLE, `The PostgreSQL store at ${this.where} kept meeting concurrent writers (${err.message}); try again`, { cause: e });
    }
    return e;
  }
}

/**
 * Errors that say the server is gone, restarting or out of connections, not that the request is
 * wrong: class 08 (connection exception), 57P01-57P03 (admin shutdown, crash, cannot connect now),
 * 53300 (too many connections), and the socket errors node-postgres passes through.
 */
export function isUnavailable(err: Error & { code?: string }): boolean {
  const code = err.code ?? '';
  if (code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i.test(err.message);
}
