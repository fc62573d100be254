import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS, migrate } from '../../src/store/sqlite/migrations.js';
import { StorageError } from '../../src/errors.js';
import { storeContract } from './contract.js';
import { rateBudgetContract } from './contract-rate-budget.js';

const dir = mkdtempSync(join(tmpdir(), 'orcid-sqlite-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SQLite (file)', async () => {
  const store = new SqliteStore({ path: join(dir, `contract-${++n}.db`) });
  await store.init();
  return store;
});

// Two connections on one file, as two processes have them.
rateBudgetContract('SQLite (two connections on one file)', async () => {
  const path = join(dir, `rate-${++n}.db`);
  const [a, b] = [new SqliteStore({ path }), new SqliteStore({ path })];
  await a.init();
  await b.init();
  return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
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

  it('moves the first release\'s domain data out of settings into records (migration 3)', async () => {
    // A database as the first release (schema versions 1 and 2) left it, written the way its code wrote it.
    const path = join(dir, 'release-0.1.db');
    const old = new Database(path);
    migrate(old, () => 0, MIGRATIONS.filter((m) => m.version <= 2));
    const t = Date.parse('2026-03-01T10:00:00Z');
    const identity = old.prepare(`INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at)
      VALUES (?, ?, NULL, NULL, 'sealed', '["/activities/update"]', NULL, 'linked', 1, ?, ?)`);
    identity.run('idn-unlinking', '0000-0002-1825-0097', t, t);
    identity.run('idn-kept', '0000-0001-5109-3700', t, t);
    old.prepare(`INSERT INTO deposits (key, kind, identity_id, orcid, source_id, submission_id, external_id_type, external_id_value, desired_state, payload, payload_hash, version, put_code, posted_hash, status, last_error, created_at, updated_at)
      VALUES ('work:a1:x', 'work', 'idn-kept', 'x', 'a1', 's1', 'doi', '10.5555/1', 'present', '<w/>', 'h', 1, NULL, NULL, 'pending', NULL, ?, ?)`).run(t, t);
    old.prepare(`INSERT INTO jobs (id, deposit_key, status, attempts, max_attempts, run_at, leased_by, lease_expires_at, last_error, park_reason, created_at, updated_at)
      VALUES ('j1', 'work:a1:x', 'queued', 0, 10, ?, NULL, NULL, NULL, NULL, ?, ?)`).run(t, t, t);
    const article = { id: 'a1', submissionId: 's1', doi: '10.5555/1', title: 'Results', authors: [{ contributorId: 'c1', givenNames: 'J', familyName: 'C' }] };
    const review = { id: 'rv1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20' };
    const settings: Array<[string, string]> = [
      ['submission-title:s1', 'Emulated results'],
      [`article:a1`, JSON.stringify({ ...article, retraction: { notice: 'Duplicated image.' } })],
      ['submission-article:s1', 'a1'],
      ['review:rv1', JSON.stringify(review)],
      ['contributor-reviews:r1', JSON.stringify(['rv1'])],
      ['editor:e1', JSON.stringify({ contributorId: 'e1', role: 'Editor', startDate: '2025-01-01' })],
      ['prefill:idn-kept', JSON.stringify({ emails: ['j@example.org'], affiliations: [] })],
      ['pending-revoke:idn-unlinking', '1'],
      ['pending-revoke:idn-kept', ''],
      ['open-submissions', JSON.stringify(['s1'])],
      ['group-id-ready:issn:0000-0000', '1'],
    ];
    for (const [k, v] of settings) old.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(k, v);
    old.close();

    const store = new SqliteStore({ path });
    await store.init();
    expect(await store.getSubmissionTitle('s1')).to.equal('Emulated results');
    const found = await store.sourcesOfContributors([{ id: 'r1', submissionId: 's1' }, { id: 'e1', submissionId: 's9' }]);
    expect(found).to.deep.equal({ articles: [{ ...article, retraction: { notice: 'Duplicated image.' } }], reviews: [review], appointments: [{ contributorId: 'e1', role: 'Editor', startDate: '2025-01-01' }] });
    expect(await store.getPrefill('idn-kept')).to.deep.equal({ emails: ['j@example.org'], affiliations: [] });
    expect((await store.getIdentity('idn-unlinking'))!.status).to.equal('unlinking');
    expect((await store.getIdentity('idn-kept'))!.status).to.equal('linked');
    expect((await store.listJobs({}))[0]!.job).to.deep.include({ id: 'j1', status: 'queued', attempts: 0 });
    await store.close();
    const db = new Database(path, { readonly: true });
    const left = db.prepare('SELECT key FROM settings ORDER BY key').all();
    const jobColumns = db.prepare('SELECT name FROM pragma_table_info(\'jobs\')').all().map((r) => (r as { name: string }).name);
    db.close();
    expect(left).to.deep.equal([{ key: 'group-id-ready:issn:0000-0000' }]); // only settings stay settings
    expect(jobColumns).to.not.include('max_attempts');
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

  it('creates a folder that does not exist yet', async () => {
    const path = join(dir, 'not', 'yet', 'a', 'folder', 'x.db');
    const store = new SqliteStore({ path });
    await store.init();
    await store.setSetting('k', 'v');
    expect(await store.getSetting('k')).to.equal('v');
    await store.close();
  });

  it('reports a folder that cannot be created as STORE_UNAVAILABLE', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const path = join(dir, 'a-file', 'folder', 'x.db');
    const err = await new SqliteStore({ path }).init().then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.match(/^Cannot use the SQLite store at .*x\.db \(.*\): check that the folder exists and is writable$/);
  });

  it('refuses calls before init with a clear error', async () => {
    const err = await new SqliteStore({ path: ':memory:' }).getSetting('x').then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.equal('The SQLite store at :memory: is not open: call init() first');
  });

  it('tells this process\'s listeners when a desire leaves a job to do, and stops when unsubscribed', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    let heard = 0;
    const off = store.onWork(() => heard++);
    const input = { key: 'work:a1:x', kind: 'work' as const, identityId: 'i', orcid: 'x', sourceId: 'a1', externalIdType: 'doi', externalIdValue: '10.5555/1', desiredState: 'absent' as const, payload: null, payloadHash: null };
    await store.desireDeposit(input, new Date()); // nothing to remove: no job, no signal
    expect(heard).to.equal(0);
    await store.desireDeposits([{ ...input, desiredState: 'present', payload: '<w/>', payloadHash: 'h' }], new Date());
    expect(heard).to.equal(1);
    off();
    await store.desireDeposit({ ...input, key: 'work:a2:x', desiredState: 'present', payload: '<w/>', payloadHash: 'h' }, new Date());
    expect(heard).to.equal(1);
    await store.close();
  });

  it('works in memory', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    await store.setSetting('a', 'b');
    expect(await store.getSetting('a')).to.equal('b');
    await store.close();
  });
});
