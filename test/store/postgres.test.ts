import { expect } from 'chai';
import { PostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { splitSchema } from '../../src/store/postgres/handle.js';
import { StorageError } from '../../src/errors.js';
import { storeContract } from './contract.js';
import { workInput } from './contract-ledger.js';
import { POSTGRES_URL, adminQuery, dropSchema, freshSchema, openPostgres, withPostgres } from './postgres-env.js';

/** Wait for a condition the store reaches on its own (a connection, a notification); the test's timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

const TABLES = ['history', 'jobs', 'deposits', 'identity_tokens', 'identities', 'contributors', 'invitations', 'webhooks', 'settings', 'submissions', 'articles', 'reviews', 'appointments', 'prefills', 'oauth_states'];

withPostgres('Ledger, Directory and Sources contracts', () => {
  // One schema for the run, emptied before each test (the contract expects an empty store).
  const schema = freshSchema('clients_contract');
  after(() => dropSchema(schema));
  storeContract('PostgreSQL', async () => {
    const store = openPostgres(schema);
    await store.init();
    await adminQuery(`TRUNCATE ${TABLES.map((t) => `"${schema}".${t}`).join(', ')}`);
    return store;
  });
});

withPostgres('PostgresStore', () => {
  describe('PostgresStore', () => {
    const schemas: string[] = [];
    const fresh = (label: string) => {
      const s = freshSchema(label);
      schemas.push(s);
      return s;
    };
    after(async () => {
      for (const s of schemas) await dropSchema(s);
    });

    it('creates its schema and runs each migration once, also when two instances start at once', async () => {
      const schema = fresh('migrate');
      const a = openPostgres(schema);
      const b = openPostgres(schema);
      await Promise.all([a.init(), b.init()]);
      const c = openPostgres(schema);
      await c.init();
      const rows = (await adminQuery(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`)).rows;
      expect(rows).to.deep.equal(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      expect(a.schema).to.equal(schema);
      await Promise.all([a.close(), b.close(), c.close()]);
    });

    it('takes its schema from ?schema= in the URL', async () => {
      const schema = fresh('url');
      const store = new PostgresStore({ url: `${POSTGRES_URL}${POSTGRES_URL!.includes('?') ? '&' : '?'}schema=${schema}` });
      await store.init();
      await store.setSetting('k', 'v');
      expect((await adminQuery(`SELECT value FROM "${schema}".settings`)).rows).to.deep.equal([{ value: 'v' }]);
      await store.close();
    });

    it('tells listeners of work desired through another pool (NOTIFY), and of a parked job queued again', async () => {
      const schema = fresh('notify');
      const a = openPostgres(schema);
      const b = openPostgres(schema);
      await Promise.all([a.init(), b.init()]);
      const heard: string[] = [];
      const off = a.onWork(() => heard.push('work'));
      await until(() => a.listening);
      await b.desireDeposit(workInput({ key: 'work:n1:x' }), new Date());
      await until(() => heard.length === 1);
      // A job parked and un-parked by hand is runnable again: that is news too.
      const [{ job }] = await b.listJobs({});
      await b.parkJob(job.id, null, 'test', new Date());
      await b.unparkJobs({ jobId: job.id }, new Date());
      await until(() => heard.length === 2);
      off();
      await until(() => !a.listening);
      await Promise.all([a.close(), b.close()]);
    });

    it('the LISTEN connection comes back after the server drops it, and says so once', async () => {
      const schema = fresh('relisten');
      const a = openPostgres(schema);
      const b = openPostgres(schema);
      await Promise.all([a.init(), b.init()]);
      let heard = 0;
      a.onWork(() => heard++);
      await until(() => a.listening);
      const killed = await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN "koa_orcid_work_${schema}"`]);
      expect(killed.rowCount).to.equal(1);
      await until(() => !a.listening);
      await until(() => a.listening);
      // A NOTIFY sent while it was away is lost: reconnecting counts as one.
      await until(() => heard === 1);
      await b.desireDeposit(workInput({ key: 'work:n2:x' }), new Date());
      await until(() => heard === 2);
      await Promise.all([a.close(), b.close()]);
    });

    it('refuses a schema that is not a plain identifier', () => {
      expect(() => new PostgresStore({ url: POSTGRES_URL!, schema: 'x"; DROP TABLE y; --' })).to.throw(StorageError, 'is not a plain identifier');
    });
  });
});

describe('splitSchema', () => {
  it('takes our schema and pool parameters out of the URL and leaves the others to pg', () => {
    expect(splitSchema('postgres://u:p@db/journal?schema=orcid&pool=20&sslmode=require')).to.deep.equal({ url: 'postgres://u:p@db/journal?sslmode=require', schema: 'orcid', poolSize: 20 });
    expect(splitSchema('postgres://db/journal')).to.deep.equal({ url: 'postgres://db/journal', schema: undefined, poolSize: undefined });
    expect(splitSchema('postgres://db/journal?pool=0')).to.deep.equal({ url: 'postgres://db/journal', schema: undefined, poolSize: undefined });
  });
});

describe('PostgresStore without a server', () => {
  it('fails with STORE_UNAVAILABLE, retryable (503), and hides the password', async () => {
    const store = new PostgresStore({ url: 'postgres://journal:s3cret@127.0.0.1:1/x', connectTimeoutMs: 1000 });
    const err = await store.init().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(StorageError);
    expect(err).to.include({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect((err as Error).message).to.equal(
      'Cannot use the PostgreSQL store at postgres://journal:****@127.0.0.1:1/x (connect ECONNREFUSED 127.0.0.1:1): the server is unreachable or restarting; try again',
    );
  });

  it('refuses calls before init with a clear error', async () => {
    const err = await new PostgresStore({ url: 'postgres://127.0.0.1:1/x' }).getSetting('k').then(() => null, (e: unknown) => e);
    expect(err).to.have.property('code', 'STORE_UNAVAILABLE');
    expect((err as Error).message).to.equal('The PostgreSQL store at postgres://127.0.0.1:1/x is not open: call init() first');
  });
});
