import { expect } from 'chai';
import { measureDrainStoreWork } from '../../bench/drain-store-calls.js';

/**
 * What a drained job costs the store, counted (never timed): a lease heartbeat, a history read, a
 * setting or identity read added to the hot path shows here as a count that grew, on any machine.
 */
describe('draining a backlog: store work per settled job', function () {
  this.timeout(120_000);

  it('settles each work deposit with one identity read and one completion, the claim shared by a batch, whatever the backlog', async () => {
    for (const jobs of [20, 120]) {
      const w = await measureDrainStoreWork(jobs, { concurrency: 8 });
      expect(w.settled).to.equal(jobs);
      const { claimJobs, ...perJob } = w.calls;
      expect(perJob, `backlog ${jobs}`).to.deep.equal({ getIdentity: jobs, completeJob: jobs });
      // Batches of 8, and the last claim that finds nothing.
      expect(claimJobs).to.equal(Math.ceil(jobs / 8) + 1);
    }
  });

  it('runs the same eight SQL statements per job at 20 and at 120 queued jobs', async () => {
    const small = await measureDrainStoreWork(20, { concurrency: 8 });
    const large = await measureDrainStoreWork(120, { concurrency: 8 });
    // Per job: the claim's lease, maybe-posted mark and joined read; the identity; the completion's
    // joined job and deposit read, two updates and its history entry. Plus one id query per claim.
    const perJob = (w: typeof small) => (w.statementTotal - (w.calls.claimJobs ?? 0)) / w.settled;
    expect(perJob(small)).to.equal(8);
    expect(perJob(large)).to.equal(8);
  });
});
