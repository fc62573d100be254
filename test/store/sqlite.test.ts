import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS } from '../../src/store/sqlite-migrations.js';
import { StorageError } from '../../src/errors.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'orcid-sqlite-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SQLite (file)', async () => {
  const store = new SqliteStore({ path: join(dir, `contract-${++n}.db`) });
  await store.init();
  return store;
});

describe('SqliteStore', () => {
  it('runs each migration once and records it, also when opened again', async () => {
    const path = join(dir, 'migrations.db');
    for (let i = 0; i < 2; i++) {
      const store = new SqliteStore({ path });
      await store.init();
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    const mode = db.pragma('journal_mode', { simple: true });
    db.close();
    expect(rows).to.deep.equal(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(mode).to.equal('wal');
  });

  it('reports a file that is not a database as STORE_CORRUPT with advice, not a stack', async () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256)));
    const err = await new SqliteStore({ path }).init().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(StorageError);
    expect(err).to.have.property('code', 'STORE_CORRUPT');
    expect((err as Error).message).to.equal(
      `The SQLite store at ${path} is not a database (file is not a database): restore it from a backup or point STORE_URL at a new file`,
    );
  });

  it('reports a folder that does not exist as STORE_UNAVAILABLE', async () => {
    const path = join(dir, 'no', 'such', 'folder', 'x.db');
    const err = await new SqliteStore({ path }).init().then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.match(/^Cannot use the SQLite store at .*x\.db \(.*\): check that the folder exists and is writable$/);
  });

  it('refuses calls before init with a clear error', async () => {
    const err = await new SqliteStore({ path: ':memory:' }).getSetting('x').then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.equal('The SQLite store at :memory: is not open: call init() first');
  });

  it('works in memory', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    await store.setSetting('a', 'b');
    expect(await store.getSetting('a')).to.equal('b');
    await store.close();
  });
});
