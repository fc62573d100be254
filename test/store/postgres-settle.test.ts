/**
 * completeJob on PostgreSQL: one statement in the common case (lease held, no newer version), the
 * full transaction otherwise, and a completion racing a desire of the same deposit never loses the
 * newer version, whichever of the two takes the row first.
 */
import { expect } from 'chai';
import { PgConnection, type PgHandle, type PgQuery } from '../../src/store/postgres/handle.js';
import { claimJobs, completeJob } from '../../src/store/postgres/ledger-claim.js';
import { settleAtOnce } from '../../src/store/postgres/ledger-settle.js';
import { desireDeposits } from '../../src/store/postgres/ledger-write.js';
import { getDeposit } from '../../src/store/postgres/ledger-read.js';
import { T0, at } from './contract.js';
import { workInput } from './contract-ledger.js';
import { POSTGRES_URL, dropSchema, withPostgres } from './postgres-env.js';

const LEASE = 30_000;

/** The handle, counting statements on the pool and transactions. */
function counting(h: PgHandle): { handle: PgHandle; statements: string[]; transactions: number } {
  const seen = { statements: [] as string[], transactions: 0 };
  const handle: PgHandle = {
    get schema() { return h.schema; },
    get channel() { return h.channel; },
    rows: (sql, params, name) => {
      seen.statements.push(sql);
      return h.rows(sql, params, name);
    },
    tx: <T>(fn: (q: PgQuery) => Promise<T>) => {
      seen.transactions++;
      return h.tx(fn);
    },
    clientConfig: () => h.clientConfig(),
  };
  return Object.assign(seen, { handle });
}

withPostgres('PostgreSQL completion', () => {
  describe('completeJob on PostgreSQL', function () {
    this.timeout(60_000);
    const schema = `pgperf_settle_${process.pid}_${Date.now().toString(36)}`;
    let h: PgConnection;
    before(async () => {
      h = new PgConnection({ url: POSTGRES_URL!, schema, poolSize: 6 });
      await h.open();
    });
    beforeEach(() => h.rows('TRUNCATE history, jobs, deposits'));
    after(async () => {
      await h.close();
      await dropSchema(schema);
    });

    const history = (jobId: string) => ({ at: at(2), event: 'job.completed', orcid: workInput().orcid, depositKey: workInput().key, jobId, detail: { kind: 'work' } });

    it('takes one statement and no transaction when the lease is held and no newer version was desired', async () => {
      await desireDeposits(h, [workInput()], T0);
      const [c] = await claimJobs(h, 'w1', at(1), 1, LEASE);
      const spy = counting(h);
      const done = await completeJob(spy.handle, { jobId: c!.job.id, workerId: 'w1', version: 1, putCode: '1001', postedHash: 'hash-v1', outcome: 'synced', history: history(c!.job.id) }, at(2));
      expect(done).to.deep.equal({ requeued: false });
      expect({ statements: spy.statements.length, transactions: spy.transactions }).to.deep.equal({ statements: 1, transactions: 0 });
      expect(await getDeposit(h, workInput().key)).to.deep.include({ putCode: '1001', postedHash: 'hash-v1', maybePosted: false, status: 'synced', lastError: null });
      const jobs = await h.rows('SELECT status, leased_by, lease_expires_at FROM jobs');
      expect(jobs).to.deep.equal([{ status: 'done', leased_by: null, lease_expires_at: null }]);
      const hist = await h.rows('SELECT event, job_id, detail FROM history');
      expect(hist).to.deep.equal([{ event: 'job.completed', job_id: c!.job.id, detail: { kind: 'work', requeued: false } }]);
    });

    it('writes nothing in one statement when a newer version was desired, and the transaction re-queues', async () => {
      await desireDeposits(h, [workInput()], T0);
      const [c] = await claimJobs(h, 'w1', at(1), 1, LEASE);
      await desireDeposits(h, [workInput({ payload: '<w>v2</w>', payloadHash: 'hash-v2' })], at(1));
      const input = { jobId: c!.job.id, workerId: 'w1', version: 1, putCode: '1001', postedHash: 'hash-v1', outcome: 'synced' as const, history: history(c!.job.id) };
      expect(await settleAtOnce(h, input, at(2))).to.equal(false);
      expect(await getDeposit(h, workInput().key)).to.deep.include({ putCode: null, status: 'pending', version: 2 });
      expect(await h.rows('SELECT count(*)::int AS n FROM history')).to.deep.equal([{ n: 0 }]);
      expect(await completeJob(h, input, at(2))).to.deep.equal({ requeued: true });
      expect(await h.rows('SELECT detail FROM history')).to.deep.equal([{ detail: { kind: 'work', requeued: true } }]);
    });

    it('writes nothing in one statement when another worker holds the lease, and the transaction says LEASE_LOST', async () => {
      await desireDeposits(h, [workInput()], T0);
      const [c] = await claimJobs(h, 'w1', at(1), 1, LEASE);
      const input = { jobId: c!.job.id, workerId: 'w2', version: 1, putCode: '9', postedHash: 'hash-v1', outcome: 'synced' as const, history: history(c!.job.id) };
      expect(await settleAtOnce(h, input, at(2))).to.equal(false);
      const err = await completeJob(h, input, at(2)).then(() => null, (e: { code?: string }) => e);
      expect(err?.code).to.equal('LEASE_LOST');
      expect(await getDeposit(h, workInput().key)).to.deep.include({ putCode: null, status: 'pending' });
      expect(await h.rows('SELECT count(*)::int AS n FROM history')).to.deep.equal([{ n: 0 }]);
    });

    it('a completion racing a desire of the same deposit never loses the newer version', async () => {
      // Whichever takes the rows first, the newest payload ends either posted or with an open job.
      for (let round = 0; round < 15; round++) {
        await h.rows('TRUNCATE history, jobs, deposits');
        await desireDeposits(h, [workInput()], T0);
        const [c] = await claimJobs(h, 'w1', at(1), 1, LEASE);
        const [done] = await Promise.all([
          completeJob(h, { jobId: c!.job.id, workerId: 'w1', version: 1, putCode: '1001', postedHash: 'hash-v1', outcome: 'synced', history: history(c!.job.id) }, at(2)),
          desireDeposits(h, [workInput({ payload: `<w>v2-${round}</w>`, payloadHash: 'hash-v2' })], at(2)),
        ]);
        const d = await getDeposit(h, workInput().key);
        const open = await h.rows(`SELECT status FROM jobs WHERE status IN ('queued', 'leased')`);
        expect(d).to.deep.include({ version: 2, putCode: '1001' });
        // The newer version is not on the record: a job must be open for it.
        expect(d!.postedHash).to.equal('hash-v1');
        expect(open, `round ${round}, requeued ${String(done.requeued)}`).to.have.length(1);
        expect(open[0]!.status).to.equal('queued');
      }
    });
  });
});
