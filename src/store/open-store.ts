/**
 * Open a Store from a URL (the `STORE_URL` setting). Each adapter, and the database driver it needs,
 * is loaded only when its scheme is used, so a host on SQLite never loads mongoose and a host on
 * MongoDB needs no native SQLite build. A driver that is not installed gives a
 * {@link MissingDependencyError} naming the package.
 * - `sqlite:<path>` — a file (created if missing, with its folder), e.g. `sqlite:./data/orcid.db` (needs `better-sqlite3`)
 * - `sqlite::memory:` — in memory (tests, demos; lost on exit)
 * - `mongodb://…` / `mongodb+srv://…` — MongoDB, a replica set (needs `mongoose`)
 * - `postgres://…` / `postgresql://…` — PostgreSQL (`?schema=name` for a schema of its own,
 *   `?pool=N` for the pool size; needs `pg`)
 */
import { STORE_URL_UNSUPPORTED, StorageError } from '../errors.js';
import { importOptional } from '../optional-import.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** MongoDB: how long to look for a server before failing (`?? 5000` ms). */
  serverSelectionTimeoutMs?: number;
  /** SQLite: how long a writer waits for another process's lock (`?? 5000` ms). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (`?? 10`). */
  poolSize?: number;
}

export const SUPPORTED_STORE_SCHEMES = ['sqlite:<path>', 'sqlite::memory:', 'mongodb://…', 'mongodb+srv://…', 'postgres://…', 'postgresql://…'] as const;

/**
 * Build the store for `url` and initialise it (tables, indexes, migrations).
 * @throws {StorageError} `STORE_URL_UNSUPPORTED` for an unknown scheme; {@link MissingDependencyError} when its driver is not installed.
 * @example
 * const store = await openStore(process.env.STORE_URL ?? 'sqlite:./data/orcid.db');
 * const orcid = await orcidConnect({ store });
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = await createStore(url, options);
  await store.init();
  return store;
}

/**
 * The store for `url`, not yet initialised (no connection, no file written).
 * @example
 * const store = await createStore('mongodb://db1,db2,db3/journal?replicaSet=rs0');
 * await store.init();
 */
export async function createStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const text = typeof url === 'string' ? url.trim() : '';
  if (text.startsWith('sqlite:')) {
    // `sqlite:///abs/path` and `sqlite://rel` are accepted too, as people write them.
    const path = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '').replace(/^\/\//, '');
    if (path === '') throw unsupported(text, 'it names no file');
    const { SqliteStore } = await importOptional(() => import('./sqlite.js'), 'better-sqlite3', `STORE_URL ${text}`);
    return new SqliteStore({ path, busyTimeoutMs: options.busyTimeoutMs });
  }
  if (text.startsWith('mongodb://') || text.startsWith('mongodb+srv://')) {
    const { MongoStore } = await importOptional(() => import('./mongo.js'), 'mongoose', 'A mongodb:// STORE_URL');
    return new MongoStore({ uri: text, serverSelectionTimeoutMs: options.serverSelectionTimeoutMs });
  }
  if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    // The adapter loads here; `pg` itself is imported by init() (a MissingDependencyError when absent).
    const { PostgresStore } = await import('./postgres.js');
    return new PostgresStore({ url: text, poolSize: options.poolSize });
  }
  throw unsupported(text, 'its scheme is not one of them');
}

function unsupported(url: string, why: string): StorageError {
  const shown = url === '' ? '(empty)' : JSON.stringify(url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:****@'));
  return new StorageError(
    STORE_URL_UNSUPPORTED,
    `Unsupported STORE_URL ${shown} (${why}): use ${SUPPORTED_STORE_SCHEMES.join(', ')}`,
    { status: 500 },
  );
}
