import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, openStore } from '../../src/store/open-store.js';
import { MongoStore } from '../../src/store/mongo.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';

describe('openStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orcid-open-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens an initialised SQLite file store from sqlite:<path>', async () => {
    const path = join(dir, 'a.db');
    const store = await openStore(`sqlite:${path}`);
    expect(store.constructor.name, 'adapters load lazily, so a CommonJS test run may hold a second copy of the class').to.equal(SqliteStore.name);
    expect((store as unknown as SqliteStore).path).to.equal(path);
    await store.setSetting('k', 'v');
    expect(await store.getSetting('k')).to.equal('v');
    await store.close();
  });

  it('accepts sqlite::memory: and the sqlite:// spellings', async () => {
    const mem = await openStore('sqlite::memory:');
    expect((mem as unknown as SqliteStore).path).to.equal(':memory:');
    await mem.close();
    expect(((await createStore('sqlite:///var/lib/orcid.db')) as unknown as SqliteStore).path).to.equal('/var/lib/orcid.db');
    expect(((await createStore('sqlite://data/orcid.db')) as unknown as SqliteStore).path).to.equal('data/orcid.db');
  });

  it('builds a MongoStore for mongodb:// and mongodb+srv:// without connecting', async () => {
    expect((await createStore('mongodb://a,b,c/journal?replicaSet=rs0')).constructor.name).to.equal(MongoStore.name);
    expect((await createStore('mongodb+srv://cluster.example/journal')).constructor.name).to.equal(MongoStore.name);
  });

  it('creates the folder of a sqlite: path that does not exist yet', async () => {
    const path = join(dir, 'not', 'yet', 'orcid.db');
    const store = await openStore(`sqlite:${path}`);
    await store.setSetting('k', 'v');
    await store.close();
    expect(existsSync(path)).to.equal(true);
  });

  it('builds a PostgresStore for postgres:// and postgresql:// without connecting', async () => {
    expect(await createStore('postgres://journal@db.example/journal?schema=orcid')).to.be.instanceOf(PostgresStore);
    expect(await createStore('postgresql://journal@db.example:5433/journal')).to.be.instanceOf(PostgresStore);
  });

  it('reports an unreachable PostgreSQL as STORE_UNAVAILABLE', async () => {
    const err = await openStore('postgres://127.0.0.1:1/x').then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
  });

  it('reports an unreachable MongoDB as STORE_UNAVAILABLE', async () => {
    const err = await openStore('mongodb://127.0.0.1:1/x', { serverSelectionTimeoutMs: 500 }).then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
  });

  for (const [url, shown] of [
    ['mysql://u:pw@db/journal', '"mysql://u:****@db/journal" (its scheme is not one of them)'],
    ['./orcid.db', '"./orcid.db" (its scheme is not one of them)'],
    ['sqlite:', '"sqlite:" (it names no file)'],
    ['', '(empty) (its scheme is not one of them)'],
  ]) {
    it(`refuses ${JSON.stringify(url)} and says which schemes work`, async () => {
      const err = await openStore(url).then(() => null, (e: unknown) => e);
      expect(err).to.have.property('code', 'STORE_URL_UNSUPPORTED');
      expect((err as Error).message).to.equal(`Unsupported STORE_URL ${shown}: use sqlite:<path>, sqlite::memory:, mongodb://…, mongodb+srv://…, postgres://…, postgresql://…`);
    });
  }
});
