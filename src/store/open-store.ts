/**
 * Open a Store from a URL (the `STORE_URL` setting):
 * - `sqlite:<path>` — a file (created if missing), e.g. `sqlite:./data/orcid.db`
 * - `sqlite::memory:` — in memory (tests, demos; lost on exit)
 * - `mongodb://…` / `mongodb+srv://…` — MongoDB (a replica set)
 * - `postgres://…` / `postgresql://…` — PostgreSQL (`?schema=name` for a schema of its own); needs
 *   the `pg` package, loaded only then
 *
 * @example
 * const store = await openStore(process.env.STORE_URL ?? 'sqlite:./orcid.db');
 */
import { STORE_URL_UNSUPPORTED, StorageError } from '../errors.js';
import { MongoStore } from './mongo.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
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

/** Build the store for `url` and initialise it (tables, indexes, migrations). */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = createStore(url, options);
  await store.init();
  return store;
}

/** The store for `url`, not yet initialised. */
export function createStore(url: string, options: OpenStoreOptions = {}): Store {
  const text = typeof url === 'string' ? url.trim() : '';
  if (text.startsWith('sqlite:')) {
    // `sqlite:///abs/path` and `sqlite://rel` are accepted too, as people write them.
    const path = text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '').replace(/^\/\//, '');
    if (path === '') throw unsupported(text, 'it names no file');
    return new SqliteStore({ path, busyTimeoutMs: options.busyTimeoutMs });
  }
  if (text.startsWith('mongodb://') || text.startsWith('mongodb+srv://')) {
    return new MongoStore({ uri: text, serverSelectionTimeoutMs: options.serverSelectionTimeoutMs });
  }
  if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    // The adapter is small; `pg` itself is imported by init(), so only PostgreSQL hosts need it.
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
