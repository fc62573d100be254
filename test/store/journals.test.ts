/**
 * The Journals port: its contract on every adapter (SQLite here; PostgreSQL with POSTGRES_URL, in
 * schemas named `journals_…`; MongoDB with MONGODB_URI), and the migration of a single-journal
 * store, made at the schema version before journals, to the multi-journal schema.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mongoose from 'mongoose';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS, migrate } from '../../src/store/sqlite/migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS as PG_MIGRATIONS, migrate as migratePg } from '../../src/store/postgres/migrations.js';
import { MongoStore } from '../../src/store/mongo.js';
import type { Store } from '../../src/store/store.js';
import { journalsContract } from './contract-journals.js';
import { mongoTestDatabase } from './mongo-test-database.js';
import type { StoreRef } from './contract.js';
import { POSTGRES_URL, adminQuery, dropSchema, withPostgres } from './postgres-env.js';

const dir = mkdtempSync(join(tmpdir(), 'orcid-journals-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

function runContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Journals contract: ${name}`, () => {
    const ref = {} as StoreRef;
    beforeEach(async () => {
      ref.store = await makeStore();
    });
    afterEach(async () => {
      await ref.store?.close();
    });
    journalsContract(ref);
  });
}

/** The schema version each adapter had before journals: a store made then is a single-journal store. */
const SQLITE_BEFORE = MIGRATIONS.filter((m) => m.version <= 4);
const PG_BEFORE = PG_MIGRATIONS.filter((m) => m.version <= 2);

runContract('SQLite (file)', async () => {
  const store = new SqliteStore({ path: join(dir, `contract-${++n}.db`) });
  await store.init();
  return store;
});

describe('SQLite migration to many journals', () => {
  it('keeps a single-journal store\'s data and puts every submission in the journal "default"', async () => {
    const path = join(dir, 'single-journal.db');
    const old = new Database(path);
    migrate(old, () => 0, SQLITE_BEFORE);
    old.prepare('INSERT INTO submissions (id, title, created_at, updated_at) VALUES (?, ?, 0, 0)').run('s1', 'Emulated results');
    old.prepare(`INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at)
      VALUES ('idn', '0000-0002-1825-0097', 'u1', NULL, 'sealed', '[]', NULL, 'linked', 1, 0, 0)`).run();
    old.close();

    const store = new SqliteStore({ path });
    await store.init();
    expect(await store.getSubmissionTitle('s1')).to.equal('Emulated results');
    expect((await store.findIdentityByHostUser('u1'))?.orcid).to.equal('0000-0002-1825-0097');
    expect(await store.listJournals()).to.deep.equal([]);
    await store.upsertJournal({ id: 'default', credentialsId: 'default', issn: null, eissn: null, settings: { title: 'J' } }, new Date(0));
    expect((await store.listJournals()).map((j) => j.id)).to.deep.equal(['default']);
    await store.close();

    const db = new Database(path, { readonly: true });
    const submissions = db.prepare('SELECT id, journal_id FROM submissions').all();
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as { version: number }).version);
    db.close();
    expect(submissions).to.deep.equal([{ id: 's1', journal_id: 'default' }]);
    expect(versions).to.deep.equal(MIGRATIONS.map((m) => m.version));
  });
});

withPostgres('Journals contract and migration', () => {
  const schemas: string[] = [];
  const fresh = (label: string) => {
    const s = `journals_${label}_${process.pid}_${Date.now().toString(36)}_${++n}`;
    schemas.push(s);
    return s;
  };
  after(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  runContract('PostgreSQL', async () => {
    const store = new PostgresStore({ url: POSTGRES_URL!, schema: fresh('contract') });
    await store.init();
    return store;
  });

  describe('PostgreSQL migration to many journals', () => {
    it('keeps a single-journal store\'s data and puts every submission in the journal "default"', async () => {
      const schema = fresh('migrate');
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await migratePg(client as unknown as pg.PoolClient, schema, PG_BEFORE);
        await client.query(`INSERT INTO "${schema}".submissions (id, title, created_at, updated_at) VALUES ('s1', 'Emulated results', now(), now())`);
      } finally {
        await client.end();
      }
      const store = new PostgresStore({ url: POSTGRES_URL!, schema });
      await store.init();
      try {
        expect(await store.getSubmissionTitle('s1')).to.equal('Emulated results');
        expect(await store.listJournals()).to.deep.equal([]);
      } finally {
        await store.close();
      }
      expect((await adminQuery(`SELECT id, journal_id FROM "${schema}".submissions`)).rows).to.deep.equal([{ id: 's1', journal_id: 'default' }]);
      expect((await adminQuery(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows.map((r) => r.version)).to.deep.equal(PG_MIGRATIONS.map((m) => m.version));
    });
  });
});

// MongoDB: a real replica set when MONGODB_URI names one; pending otherwise.
const mongoUri = process.env.MONGODB_URI;
if (mongoUri) {
  const { testUri, dropDatabase } = mongoTestDatabase(mongoUri, `journals_${process.pid}`);
  after(dropDatabase);
  runContract('MongoDB', async () => {
    await dropDatabase();
    const store = new MongoStore({ uri: testUri, serverSelectionTimeoutMs: 5000 });
    await store.init();
    return store;
  });

  describe('MongoDB migration to many journals', () => {
    it('puts every submission made before journals in the journal "default"', async () => {
      await dropDatabase();
      const admin = mongoose.createConnection(testUri, { serverSelectionTimeoutMS: 5000 });
      await admin.asPromise();
      await admin.collection('orcid_submissions').insertOne({ _id: 's1' as never, title: 'Emulated results', createdAt: new Date(0), updatedAt: new Date(0) });
      const store = new MongoStore({ uri: testUri, serverSelectionTimeoutMs: 5000 });
      await store.init();
      await store.close();
      const doc = await admin.collection('orcid_submissions').findOne({ _id: 's1' as never });
      await admin.close();
      expect(doc?.journalId).to.equal('default');
    });
  });
} else {
  describe.skip('Journals contract: MongoDB (set MONGODB_URI to run it)', () => {
    it('runs', () => undefined);
  });
}
