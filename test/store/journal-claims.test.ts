/**
 * Journals on the ledger beyond the contract: the migration that gives every existing job the
 * default journal (SQLite and PostgreSQL), the `fifo` claim order the `fairness` benchmark measures
 * against, and the fair claim over a backlog of the size the benchmark uses.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite.js';
import { MIGRATIONS as SQLITE_MIGRATIONS, migrate as migrateSqlite } from '../../src/store/sqlite/migrations.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS as PG_MIGRATIONS, migrate as migratePg } from '../../src/store/postgres/migrations.js';
import { DEFAULT_JOURNAL_ID, type ClaimOrder, type Store } from '../../src/store/store.js';
import { workInput } from './contract-ledger.js';
import { T0, at } from './contract.js';
import { POSTGRES_URL, adminQuery, dropSchema, withPostgres } from './postgres-env.js';

const LEASE = 30_000;
const T = Date.parse('2026-03-01T10:00:00Z');

/** A's `n` jobs queued long ago (in batches, all at one instant), then B's ten. */
async function twoJournals(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    await store.desireDeposits(Array.from({ length: Math.min(1000, n - i) }, (_, k) => workInput({ key: `work:a${i + k}:x`, sourceId: `a${i + k}`, journalId: 'A' })), T0);
  }
  await store.desireDeposits(Array.from({ length: 10 }, (_, k) => workInput({ key: `work:b${k}:x`, sourceId: `b${k}`, journalId: 'B' })), at(60));
}

/** The journals of the first `claims` claims of `size`. */
async function claimJournals(store: Store, claims: number, size: number): Promise<string[][]> {
  const out: string[][] = [];
  for (let i = 0; i < claims; i++) out.push((await store.claimJobs('w1', at(120), size, LEASE)).map((c) => c.journalId).sort());
  return out;
}

describe('journals on the SQLite ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fair-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const open = async (name: string, claimOrder?: ClaimOrder) => {
    const store = new SqliteStore({ path: join(dir, name), claimOrder });
    await store.init();
    return store;
  };

  it('gives every job of a store made before journals the default journal (migration 5)', async () => {
    const path = join(dir, 'before-journals.db');
    const old = new Database(path);
    migrateSqlite(old, () => 0, SQLITE_MIGRATIONS.filter((m) => m.version <= 4));
    old.prepare(`INSERT INTO deposits (key, kind, identity_id, orcid, source_id, submission_id, external_id_type, external_id_value, desired_state, payload, payload_hash, version, put_code, posted_hash, status, last_error, created_at, updated_at)
      VALUES ('work:a1:x', 'work', 'idn-a', 'x', 'a1', 's1', 'doi', '10.5555/1', 'present', '<w/>', 'h', 1, NULL, NULL, 'pending', NULL, ?, ?)`).run(T, T);
    old.prepare(`INSERT INTO jobs (id, deposit_key, status, attempts, run_at, leased_by, lease_expires_at, last_error, park_reason, created_at, updated_at)
      VALUES ('j1', 'work:a1:x', 'queued', 0, ?, NULL, NULL, NULL, NULL, ?, ?)`).run(T, T, T);
    old.close();
    const store = new SqliteStore({ path });
    await store.init();
    expect((await store.listJobs({ journalId: DEFAULT_JOURNAL_ID })).map((c) => c.job.id)).to.deep.equal(['j1']);
    const [claimed] = await store.claimJobs('w1', at(1), 5, LEASE);
    expect(claimed).to.deep.include({ journalId: DEFAULT_JOURNAL_ID });
    expect(claimed!.job.id).to.equal('j1');
    await store.close();
  });

  it('claims oldest runAt first over every journal with claimOrder fifo (the baseline)', async () => {
    const store = await open('fifo.db', 'fifo');
    await twoJournals(store, 30);
    const claims = await claimJournals(store, 16, 2);
    expect(claims.slice(0, 15)).to.deep.equal(Array.from({ length: 15 }, () => ['A', 'A']));
    expect(claims[15]).to.deep.equal(['B', 'B']);
    await store.close();
  });

  it('gives a journal\'s new jobs a place in the very next claims behind a 20,000-job backlog of another', async function () {
    this.timeout(60_000);
    const store = await open('backlog.db');
    await twoJournals(store, 20_000);
    expect(await claimJournals(store, 6, 4)).to.deep.equal([
      ['A', 'A', 'B', 'B'], ['A', 'A', 'B', 'B'], ['A', 'A', 'B', 'B'], ['A', 'A', 'B', 'B'], ['A', 'A', 'B', 'B'], ['A', 'A', 'A', 'A'],
    ]);
    await store.close();
  });
});

withPostgres('journals on the PostgreSQL ledger', () => {
  describe('journals on the PostgreSQL ledger', () => {
    const schemas: string[] = [];
    let n = 0;
    const fresh = (label: string) => {
      const s = `fair_${label}_${process.pid}_${Date.now().toString(36)}_${++n}`;
      schemas.push(s);
      return s;
    };
    after(async () => {
      for (const s of schemas) await dropSchema(s);
    });

    it('gives every job of a store made before journals the default journal (migration 3)', async () => {
      const schema = fresh('migrate');
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await migratePg(client as unknown as pg.PoolClient, schema, PG_MIGRATIONS.filter((m) => m.version <= 2));
      } finally {
        await client.end();
      }
      const t = new Date(T);
      await adminQuery(`INSERT INTO "${schema}".deposits (key, kind, identity_id, orcid, source_id, submission_id, external_id_type, external_id_value, desired_state, payload, payload_hash, version, status, created_at, updated_at)
        VALUES ('work:a1:x', 'work', 'idn-a', 'x', 'a1', 's1', 'doi', '10.5555/1', 'present', '<w/>', 'h', 1, 'pending', $1, $1)`, [t]);
      await adminQuery(`INSERT INTO "${schema}".jobs (id, deposit_key, status, attempts, run_at, created_at, updated_at) VALUES ('j1', 'work:a1:x', 'queued', 0, $1, $1, $1)`, [t]);
      const store = new PostgresStore({ url: POSTGRES_URL!, schema });
      await store.init();
      try {
        expect((await store.listJobs({ journalId: DEFAULT_JOURNAL_ID })).map((c) => c.job.id)).to.deep.equal(['j1']);
        const [claimed] = await store.claimJobs('w1', at(1), 5, LEASE);
        expect(claimed).to.deep.include({ journalId: DEFAULT_JOURNAL_ID });
        expect((await adminQuery(`SELECT column_default, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'jobs' AND column_name = 'journal_id'`, [schema])).rows)
          .to.deep.equal([{ column_default: `'default'::text`, is_nullable: 'NO' }]);
      } finally {
        await store.close();
      }
    });

    it('claims oldest runAt first over every journal with claimOrder fifo (the baseline)', async () => {
      const store = new PostgresStore({ url: POSTGRES_URL!, schema: fresh('fifo'), claimOrder: 'fifo' });
      await store.init();
      try {
        await twoJournals(store, 30);
        const claims = await claimJournals(store, 16, 2);
        expect(claims.slice(0, 15)).to.deep.equal(Array.from({ length: 15 }, () => ['A', 'A']));
        expect(claims[15]).to.deep.equal(['B', 'B']);
      } finally {
        await store.close();
      }
    });
  });
});
