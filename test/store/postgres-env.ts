/**
 * Where the PostgreSQL suites run: `POSTGRES_URL` names a server (CI: the local PostgreSQL 15),
 * and each run works in schemas of its own, dropped at the end, so runs never meet. Without
 * `POSTGRES_URL` the suites are skipped with one visible line, unless `REQUIRE_POSTGRES=1`, when
 * the skip is a failure.
 */
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres.js';

export const POSTGRES_URL = process.env.POSTGRES_URL;
export const REQUIRE_POSTGRES = process.env.REQUIRE_POSTGRES === '1';

let n = 0;
/** A schema name no other run uses. */
export function freshSchema(label: string): string {
  return `kc_${label}_${process.pid}_${Date.now().toString(36)}_${++n}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** One statement as an outside admin connection (not the store's pool). */
export async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export function openPostgres(schema: string, options: { poolSize?: number } = {}): PostgresStore {
  return new PostgresStore({ url: POSTGRES_URL!, schema, ...options });
}

/**
 * Call `suites` when a server is configured; otherwise say so in one line (and fail under
 * REQUIRE_POSTGRES=1).
 */
export function withPostgres(what: string, suites: () => void): void {
  if (POSTGRES_URL) {
    suites();
    return;
  }
  if (REQUIRE_POSTGRES) {
    describe(`${what}: PostgreSQL`, () => {
      it('runs (REQUIRE_POSTGRES=1)', () => {
        throw new Error('REQUIRE_POSTGRES=1 but POSTGRES_URL is not set: point it at a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/test)');
      });
    });
    return;
  }
  process.stdout.write(`${what} on PostgreSQL SKIPPED: set POSTGRES_URL to run them\n`);
  describe.skip(`${what}: PostgreSQL (set POSTGRES_URL to run them)`, () => {
    it('runs', () => undefined);
  });
}
