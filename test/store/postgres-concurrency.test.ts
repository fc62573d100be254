import { expect } from 'chai';
import type { PostgresStore } from '../../src/store/postgres.js';
import { ORCID_A } from './contract.js';
import { dropSchema, freshSchema, openPostgres, withPostgres } from './postgres-env.js';

const LEASE = 60_000;

/** Claim and complete until nothing is due; the ids completed and any LEASE_LOST ids. */
async function drain(store: PostgresStore, workerId: string, batch: number): Promise<{ completed: string[]; lost: string[] }> {
  const completed: string[] = [];
  const lost: string[] = [];
  for (;;) {
    const claimed = await store.claimJobs(workerId, new Date(), batch, LEASE);
    if (claimed.length === 0) return { completed, lost };
    for (const { job, deposit } of claimed) {
      try {
        await store.completeJob({ jobId: job.id, workerId, version: deposit.version, putCode: `pc-${deposit.key}`, postedHash: deposit.payloadHash, outcome: 'synced' }, new Date());
        completed.push(job.id);
      } catch (e) {
        if ((e as { code?: string }).code !== 'LEASE_LOST') throw e;
        lost.push(job.id);
      }
    }
  }
}

withPostgres('PostgresStore concurrency', () => {
  describe('PostgresStore across pools', function () {
    this.timeout(120_000);
    const schema = freshSchema('conc');
    let a: PostgresStore;
    let b: PostgresStore;
    beforeEach(async () => {
      await dropSchema(schema);
      // Two stores, two pools: as two processes, every claim on its own connection.
      a = openPostgres(schema, { poolSize: 4 });
      b = openPostgres(schema, { poolSize: 4 });
      await Promise.all([a.init(), b.init()]);
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
    });
    after(() => dropSchema(schema));

    it('eight workers on two pools complete 2,000 jobs, each exactly once, none lost', async () => {
      const now = new Date(Date.now() - 1000);
      const inputs = Array.from({ length: 2000 }, (_, i) => ({
        key: `work:a${i}:${ORCID_A}`, kind: 'work' as const, identityId: 'idn', orcid: ORCID_A, sourceId: `a${i}`,
        externalIdType: 'doi', externalIdValue: `10.5555/${i}`, desiredState: 'present' as const, payload: `<w>${i}</w>`, payloadHash: `h${i}`,
      }));
      for (let i = 0; i < inputs.length; i += 200) await a.desireDeposits(inputs.slice(i, i + 200), now);

      const runs = await Promise.all([0, 1, 2, 3].flatMap((n) => [drain(a, `a${n}`, 7), drain(b, `b${n}`, 5)]));

      const all = runs.flatMap((r) => r.completed);
      expect({ lost: runs.flatMap((r) => r.lost).length, total: all.length, distinct: new Set(all).size }).to.deep.equal({ lost: 0, total: 2000, distinct: 2000 });
      expect(runs.filter((r) => r.completed.length > 0).length).to.be.above(1);
      expect(await b.countJobs()).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 2000 });
      const jobs = await b.listJobs({ status: 'done', limit: 10_000 });
      expect(jobs.filter((c) => c.job.attempts !== 1)).to.deep.equal([]);
      expect(jobs.filter((c) => c.deposit.putCode !== `pc-${c.deposit.key}` || c.deposit.status !== 'synced' || c.deposit.maybePosted)).to.deep.equal([]);
    });

    it('claims racing on two pools never lease the same job', async () => {
      const now = new Date(Date.now() - 1000);
      await a.desireDeposits(Array.from({ length: 300 }, (_, i) => ({
        key: `work:r${i}:${ORCID_A}`, kind: 'work' as const, identityId: 'idn', orcid: ORCID_A, sourceId: `r${i}`,
        externalIdType: 'doi', externalIdValue: `10.5555/r${i}`, desiredState: 'present' as const, payload: '<w/>', payloadHash: 'h',
      })), now);
      const claims = await Promise.all(Array.from({ length: 12 }, (_, n) => (n % 2 ? a : b).claimJobs(`w${n}`, new Date(), 40, LEASE)));
      const ids = claims.flat().map((c) => c.job.id);
      expect(ids.length).to.equal(300);
      expect(new Set(ids).size).to.equal(300);
    });

    it('an invitation and an OAuth state consumed on two pools at once have exactly one winner', async () => {
      const t = new Date();
      const later = new Date(t.getTime() + 600_000);
      await a.createInvitation({ tokenHash: 'inv-1', contributorId: 'c1', createdAt: t, expiresAt: later });
      await a.createOAuthState({ stateHash: 'state-1', createdAt: t, expiresAt: later });
      const invitations = await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? a : b).consumeInvitation('inv-1', t)));
      const states = await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? a : b).consumeOAuthState('state-1', t)));
      expect(invitations.filter((r) => r.ok)).to.have.length(1);
      expect(invitations.filter((r) => !r.ok).map((r) => (r.ok ? null : r.reason))).to.deep.equal(Array(9).fill('used'));
      expect(states.filter((r) => r.ok)).to.have.length(1);
      expect(states.filter((r) => !r.ok).map((r) => (r.ok ? null : r.reason))).to.deep.equal(Array(9).fill('used'));
    });

    it('desires of the same deposits racing on two pools keep one open job each and count every version', async () => {
      const key = (i: number) => `work:s${i}:${ORCID_A}`;
      const event = (n: number) => [0, 1, 2, 3].map((i) => ({
        key: key(n % 2 ? 3 - i : i), kind: 'work' as const, identityId: 'idn', orcid: ORCID_A, sourceId: `s${i}`,
        externalIdType: 'doi', externalIdValue: `10.5555/s${i}`, desiredState: 'present' as const, payload: `<w>${n}</w>`, payloadHash: `h${n}`,
      }));
      // Opposite key orders on the two pools: a store that locked in input order would deadlock here.
      await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? a : b).desireDeposits(event(n), new Date())));
      expect(await a.countJobs()).to.deep.equal({ queued: 4, leased: 0, parked: 0, done: 0 });
      for (let i = 0; i < 4; i++) expect((await b.getDeposit(key(i)))!.version).to.equal(10);
    });
  });
});
