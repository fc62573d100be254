/**
 * One token per identity and ORCID client (issue 19): a store made before the token table (SQLite
 * before migration 8, PostgreSQL before migration 6) keeps every stored token, now as the token of
 * the credentials record `default`. PostgreSQL with POSTGRES_URL, in schemas named `clients_…`.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS, migrate } from '../../src/store/sqlite/migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS as PG_MIGRATIONS, migrate as migratePg } from '../../src/store/postgres/migrations.js';
import type { Store } from '../../src/store/store.js';
import { POSTGRES_URL, dropSchema, withPostgres } from './postgres-env.js';

const ORCID_A = '0000-0002-1825-0097';
const ORCID_B = '0000-0001-5109-3700';

/** What the migrated store must show: A's token is `default`'s, B (no token) has none. */
async function expectMoved(store: Store): Promise<void> {
  const a = (await store.findIdentityByOrcid(ORCID_A))!;
  expect(a).to.deep.include({ sealedTokens: 'sealed-a', tokenClients: ['default'], status: 'linked' });
  const token = await store.getIdentityToken(a.id, 'default');
  expect(token).to.deep.include({ identityId: a.id, credentialsId: 'default', sealedTokens: 'sealed-a', scopes: ['/activities/update'] });
  expect(token!.tokenExpiresAt).to.deep.equal(new Date(5000));
  const b = (await store.findIdentityByOrcid(ORCID_B))!;
  expect(b.tokenClients).to.deep.equal([]);
  expect(await store.listIdentityTokens(b.id)).to.deep.equal([]);
  // The next connect through another client keeps the moved token.
  await store.linkIdentity({ orcid: ORCID_A, sealedTokens: 'sealed-a-c', scopes: ['/activities/update'], tokenExpiresAt: null, credentialsId: 'pub-c' }, new Date(Date.now() + 60_000));
  expect((await store.listIdentityTokens(a.id)).map((t) => [t.credentialsId, t.sealedTokens])).to.deep.equal([['default', 'sealed-a'], ['pub-c', 'sealed-a-c']]);
}

describe('SQLite migration to one token per client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clients-tokens-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('moves every stored token to the credentials record "default"', async () => {
    const path = join(dir, 'before-tokens.db');
    const old = new Database(path);
    migrate(old, () => 0, MIGRATIONS.filter((m) => m.version < 8));
    const insert = old.prepare(`INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at)
      VALUES (?, ?, NULL, NULL, ?, ?, ?, ?, 1, 0, 0)`);
    insert.run('ida', ORCID_A, 'sealed-a', '["/activities/update"]', 5000, 'linked');
    insert.run('idb', ORCID_B, null, '[]', null, 'revoked');
    old.close();
    const store = new SqliteStore({ path });
    await store.init();
    try {
      await expectMoved(store);
    } finally {
      await store.close();
    }
  });
});

withPostgres('PostgreSQL migration to one token per client', () => {
  const schema = `clients_tokens_${process.pid}_${Date.now().toString(36)}`;
  after(() => dropSchema(schema));

  it('moves every stored token to the credentials record "default"', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await migratePg(client as unknown as pg.PoolClient, schema, PG_MIGRATIONS.filter((m) => m.version < 6));
      await client.query(`INSERT INTO "${schema}".identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at)
        VALUES ('ida', $1, NULL, NULL, 'sealed-a', '{/activities/update}', to_timestamp(5), 'linked', true, now(), now()),
               ('idb', $2, NULL, NULL, NULL, '{}', NULL, 'revoked', true, now(), now())`, [ORCID_A, ORCID_B]);
    } finally {
      await client.end();
    }
    const store = new PostgresStore({ url: POSTGRES_URL!, schema });
    await store.init();
    try {
      await expectMoved(store);
    } finally {
      await store.close();
    }
  });
});
