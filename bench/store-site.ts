/**
 * Where a benchmark's store lives, so one benchmark runs on SQLite or PostgreSQL alike: the
 * STORE_URL its worker processes get, a way to open it in the benchmark process, and cleanup.
 *
 * PostgreSQL: BENCH_POSTGRES_URL (default the local server's `test` database) names the server;
 * each run gets a schema of its own (`kc_bench_<label>_<pid>_<time>`), dropped by `remove()`.
 */
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { tmpDir } from './common.js';

export interface StoreSite {
  kind: 'sqlite' | 'postgres';
  /** STORE_URL for worker processes (PostgreSQL: with `schema` and, when given, `pool`). */
  url: string;
  /** SQLite: the database file (for size figures); PostgreSQL: the schema. */
  where: string;
  open(): Promise<Store>;
  remove(): Promise<void>;
}

export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function sqliteSite(label: string): StoreSite {
  const tmp = tmpDir(label);
  const file = `${tmp.dir}/orcid.db`;
  return { kind: 'sqlite', url: `sqlite:${file}`, where: file, open: () => openStore(`sqlite:${file}`), remove: async () => tmp.remove() };
}

/** One statement on a connection of its own (not a store's pool). */
export async function postgresAdmin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end();
  }
}

export function postgresSite(label: string, pool?: number): StoreSite {
  const schema = `kc_bench_${label.replace(/\W/g, '_')}_${process.pid}_${Date.now().toString(36)}`;
  const sep = BENCH_POSTGRES_URL.includes('?') ? '&' : '?';
  const url = `${BENCH_POSTGRES_URL}${sep}schema=${schema}${pool ? `&pool=${pool}` : ''}`;
  return {
    kind: 'postgres', url, where: schema,
    open: () => openStore(url),
    remove: async () => void (await postgresAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
  };
}
