/**
 * Leases (issue 16): the worker's heartbeat renews the lease of a job it still works on, a job that
 * lost its lease stops before its next ORCID call, the configuration refuses a lease shorter than a
 * job's worst chain of calls, and a lease that runs out in the middle of a call does not put a
 * second item on the record.
 */
import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { orcidConnect } from '../../src/plugin.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { keepLease, minimumLeaseMs } from '../../src/sync/lease.js';
import type { DesireDepositInput } from '../../src/store/store.js';
import type { Harness } from '../flows/harness.js';
import { article, connectAuthor, eventually, items, manualClock, onlyDeposit, setFaults, startSyncHarness } from './helpers.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const work = (i: number): DesireDepositInput => ({
  key: `work:a${i}:0000-0002-1825-0097`, kind: 'work', identityId: 'idn', orcid: '0000-0002-1825-0097', sourceId: `a${i}`,
  externalIdType: 'doi', externalIdValue: `10.5555/${i}`, desiredState: 'present', payload: `<w>${i}</w>`, payloadHash: `h${i}`,
});

describe('leases', function () {
  this.timeout(30_000);

  describe('configuration', () => {
    it('refuses a lease shorter than the worst chain of calls (4 × the call timeout)', () => {
      expect(minimumLeaseMs(15_000)).to.equal(60_000);
      expect(() => loadConfig({ worker: { leaseMs: 59_999, timeoutMs: 15_000 } }, { ORCID_ENV: 'emulator' })).to.throw(/worker\.leaseMs.*must be at least 60000 ms/);
      expect(loadConfig({ worker: { leaseMs: 2000, timeoutMs: 500 } }, { ORCID_ENV: 'emulator' }).worker.leaseMs).to.equal(2000);
    });
  });

  describe('keepLease', () => {
    let store: SqliteStore;
    beforeEach(async () => {
      store = new SqliteStore({ path: ':memory:' });
      await store.init();
      await store.desireDeposit(work(1), T0);
    });
    afterEach(() => store.close());

    it('renews the lease at a third of its length while the job runs', async () => {
      const clock = manualClock(T0.getTime());
      const [c] = await store.claimJobs('w1', clock.now(), 1, 300);
      const lease = keepLease({ ledger: store, workerId: 'w1', leaseMs: 300, now: clock.now }, c!.job);
      try {
        clock.advance(250); // still held: the heartbeat moves the expiry on from here
        const renewed = await eventually(async () => {
          const [j] = await store.listJobs({ status: 'leased' });
          return j!.job.leaseExpiresAt!.getTime() === T0.getTime() + 550 ? j : null;
        });
        expect(renewed.job.leasedBy).to.equal('w1');
        clock.advance(200); // past the first expiry, within the renewed one
        expect(() => lease.check()).to.not.throw();
      } finally {
        lease.stop();
      }
    });

    it('stops the job (LEASE_LOST) once another worker holds the lease', async () => {
      const clock = manualClock(T0.getTime());
      const [c] = await store.claimJobs('w1', clock.now(), 1, 300);
      const lease = keepLease({ ledger: store, workerId: 'w1', leaseMs: 300, now: clock.now }, c!.job);
      try {
        expect(() => lease.check()).to.not.throw();
        // w1 stalled past its lease; w2 takes the job over.
        const [taken] = await store.claimJobs('w2', new Date(T0.getTime() + 1000), 1, 300);
        expect(taken!.job.id).to.equal(c!.job.id);
        const err = await eventually(async () => {
          try {
            lease.check();
            return null;
          } catch (e) {
            return e as { code?: string };
          }
        });
        expect(err.code).to.equal('LEASE_LOST');
      } finally {
        lease.stop();
      }
    });

    it('stops the job once the lease ran out without a renewal, even before anyone else claims it', async () => {
      const clock = manualClock(T0.getTime());
      const [c] = await store.claimJobs('w1', clock.now(), 1, 60_000);
      const lease = keepLease({ ledger: store, workerId: 'w1', leaseMs: 60_000, now: clock.now }, c!.job);
      try {
        clock.advance(60_000);
        expect(() => lease.check()).to.throw(/lost the lease.*ran out/);
      } finally {
        lease.stop();
      }
    });
  });

  describe('a lease that runs out in the middle of a call', () => {
    let h: Harness;
    let other: Awaited<ReturnType<typeof orcidConnect>> | null = null;
    afterEach(async () => {
      await other?.close();
      other = null;
      await h?.close();
    });

    it('does not put a second item on the record', async () => {
      // Worker A's clock stands still, so its renewals never move the lease past B's clock.
      // The call timeout is generous: the emulator validates each item against ORCID's XSDs, and a
      // first validation on a loaded machine took over 2 s, so B's POST timed out and the job was
      // left for a retry instead of being reconciled (the flaky failure this test used to have).
      const clockA = manualClock(Date.now());
      h = await startSyncHarness({ now: clockA.now, worker: { leaseMs: 50_000, timeoutMs: 10_000, concurrency: 1 } });
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      other = await orcidConnect({
        store: h.orcid.store, env: {}, logLevel: 'silent', publicUrl: h.url, now: () => new Date(clockA.now().getTime() + 120_000),
        worker: { leaseMs: 50_000, timeoutMs: 10_000, concurrency: 1 }, orcid: { env: 'emulator', baseUrl: h.emulator.url },
      } as Parameters<typeof orcidConnect>[0]);
      await setFaults(h, { latencyMs: 300 });
      const a = h.orcid.worker.runOnce(); // A claims and starts its POST (slow)
      await eventually(async () => (await h.orcid.store.listJobs({ status: 'leased' })).length === 1);
      // B's clock is past A's lease: B takes the job over while A's call is in flight.
      expect(await other.worker.runOnce()).to.equal(1);
      await a;
      await setFaults(h, {});
      await other.worker.drain();
      const works = await items(h, h.researchers.author!, 'work');
      expect(works).to.have.length(1);
      const d = await onlyDeposit(h);
      expect([d.status, d.putCode]).to.deep.equal(['synced', works[0]!.putCode]);
    });
  });
});
