/**
 * Faults of the database itself. The shared PostgreSQL cluster is never restarted: a connection
 * is killed with pg_terminate_backend, and an outage is a TCP proxy (tcp-proxy.ts) that resets
 * this test's connections and refuses new ones until restored.
 */
import { expect } from 'chai';
import { StorageError } from '../../src/errors.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { PgConnection } from '../../src/store/postgres/handle.js';
import { article, connectAuthor, items, startSyncHarness } from '../sync/helpers.js';
import { ORCID_A } from './contract.js';
import { workInput } from './contract-ledger.js';
import { POSTGRES_URL, adminQuery, dropSchema, freshSchema, withPostgres } from './postgres-env.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import pg from 'pg';

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 10));
}

async function rejection(p: Promise<unknown>): Promise<StorageError> {
  return p.then(() => expect.fail('expected a rejection'), (e: StorageError) => e);
}

withPostgres('PostgreSQL faults', () => {
  describe('PostgresStore when the database fails', function () {
    this.timeout(60_000);
    const schema = freshSchema('faults');
    const app = `kc-faults-${process.pid}`;
    let proxy: TcpProxy;
    before(async () => {
      proxy = await startTcpProxy(POSTGRES_URL!);
    });
    after(async () => {
      await proxy.close();
      await dropSchema(schema);
    });

    it('a connection killed inside a transaction is rolled back, the error is retryable, and the pool goes on', async () => {
      const conn = new PgConnection({ url: POSTGRES_URL!, schema, applicationName: app });
      await conn.open();
      try {
        const err = await rejection(conn.tx(async (q) => {
          await q.rows(`INSERT INTO settings (key, value) VALUES ('first-half', 'written')`);
          const [{ pid }] = await q.rows('SELECT pg_backend_pid() AS pid');
          await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
          await q.rows(`INSERT INTO settings (key, value) VALUES ('second-half', 'written')`);
        }));
        expect(err).to.be.instanceOf(StorageError);
        expect(err).to.include({ code: 'STORE_UNAVAILABLE', status: 503 });
        expect((await adminQuery(`SELECT key FROM "${schema}".settings`)).rows).to.deep.equal([]);
        expect(await conn.rows('SELECT 1 AS one')).to.deep.equal([{ one: 1 }]);
      } finally {
        await conn.close();
      }
    });

    it('a completion whose connection is killed while it waits writes nothing and keeps the lease; done again, it completes', async () => {
      const store = new PostgresStore({ url: POSTGRES_URL!, schema, applicationName: app });
      await store.init();
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        const now = new Date();
        await store.desireDeposit(workInput({ key: `work:k1:${ORCID_A}` }), now);
        const [c] = await store.claimJobs('w1', now, 1, 60_000);
        // Another session holds the job's row: the completion waits inside its transaction.
        await admin.query('BEGIN');
        await admin.query(`SELECT 1 FROM "${schema}".jobs WHERE id = $1 FOR UPDATE`, [c.job.id]);
        const done = { jobId: c.job.id, workerId: 'w1', version: c.deposit.version, putCode: '77', postedHash: c.deposit.payloadHash, outcome: 'synced' as const };
        const completing = rejection(store.completeJob(done, now));
        const waiting = async () => (await adminQuery(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [app])).rows as Array<{ pid: number }>;
        await until(async () => (await waiting()).length === 1);
        const [{ pid }] = await waiting();
        await adminQuery('SELECT pg_terminate_backend($1)', [pid]);
        expect(await completing).to.include({ code: 'STORE_UNAVAILABLE', status: 503 });
        await admin.query('ROLLBACK');
        expect((await store.getDeposit(c.deposit.key))!).to.include({ putCode: null, status: 'pending' });
        expect((await store.listJobs({}))[0]!.job).to.include({ status: 'leased', leasedBy: 'w1' });
        expect(await store.completeJob(done, now)).to.deep.equal({ requeued: false });
        expect((await store.getDeposit(c.deposit.key))!).to.include({ putCode: '77', status: 'synced' });
      } finally {
        await admin.end();
        await store.close();
      }
    });

    it('with the server unreachable an event fails with STORE_UNAVAILABLE and writes nothing; once back, the same store goes on', async () => {
      const store = new PostgresStore({ url: proxy.url, schema, applicationName: app, connectTimeoutMs: 1000 });
      await store.init();
      try {
        const before = await store.countJobs();
        proxy.cut();
        const event = [1, 2, 3].map((i) => workInput({ key: `work:out${i}:${ORCID_A}`, sourceId: `out${i}` }));
        const err = await rejection(store.desireDeposits(event, new Date()));
        expect(err).to.be.instanceOf(StorageError);
        expect(err).to.include({ code: 'STORE_UNAVAILABLE', status: 503 });
        expect(err.message).to.match(/^Cannot use the PostgreSQL store at postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+ \(schema kc_faults_\w+\) \(.+\): the server is unreachable or restarting; try again$/);
        proxy.restore();
        expect(await store.countJobs()).to.deep.equal(before);
        expect(await store.listDeposits({ sourceId: 'out1' })).to.deep.equal([]);
        await store.desireDeposits(event, new Date());
        expect((await store.countJobs()).queued).to.equal(before.queued + 3);
      } finally {
        proxy.restore();
        await store.close();
      }
    });

    it('a host event during an outage fails typed and retryable; the running worker pauses, reconnects and posts the retried event once', async () => {
      const h = await startSyncHarness({ worker: { pollMs: 50, concurrency: 2 }, storeUrl: `${proxy.url.replace(/\?.*$/, '')}?schema=${schema}_host` } as Parameters<typeof startSyncHarness>[0]);
      try {
        await connectAuthor(h);
        h.orcid.worker.start();
        await until(() => (h.orcid.store as PostgresStore).listening);
        proxy.cut();
        const err = await rejection(h.orcid.articlePublished(article()));
        expect(err).to.be.instanceOf(StorageError);
        expect(err).to.include({ code: 'STORE_UNAVAILABLE', status: 503 });
        await until(() => !(h.orcid.store as PostgresStore).listening);
        await new Promise((r) => setTimeout(r, 300)); // the worker meets the outage a few times
        proxy.restore();
        await until(() => (h.orcid.store as PostgresStore).listening);
        await h.orcid.articlePublished(article());
        const orcid = h.researchers.author!;
        await until(async () => (await h.orcid.store.listDeposits({ orcid })).some((d) => d.kind === 'work' && d.putCode !== null));
        expect(await items(h, orcid, 'work')).to.have.length(1);
      } finally {
        proxy.restore();
        await h.orcid.worker.stop();
        await h.close();
        await dropSchema(`${schema}_host`);
      }
    });
  });
});
