/** The Ledger contract: desire, claim, renew, complete, retry, park, history (see contract.ts). */
import { expect } from 'chai';
import { DEFAULT_JOURNAL_ID, type ClaimedJob, type DesireDepositInput, type Store } from '../../src/store/store.js';
import { ORCID_A, ORCID_B, T0, at, jobById, openJobOf } from './contract.js';
import type { StoreRef } from './contract.js';

const LEASE = 30_000;

export function workInput(over: Partial<DesireDepositInput> = {}): DesireDepositInput {
  return {
    key: `work:article-17:${ORCID_A}`,
    kind: 'work',
    identityId: 'idn-a',
    orcid: ORCID_A,
    sourceId: 'article-17',
    submissionId: 's17',
    externalIdType: 'doi',
    externalIdValue: '10.5555/j.17',
    desiredState: 'present',
    payload: '<work:work>v1</work:work>',
    payloadHash: 'hash-v1',
    ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  return p.then(
    () => expect.fail('expected a rejection'),
    (e: { code?: string; message?: string }) => e,
  );
}

/** Desire, claim and complete one deposit so the record holds its payload. */
async function posted(store: Store, over: Partial<DesireDepositInput> = {}, putCode = '1001') {
  const d = await store.desireDeposit(workInput(over), T0);
  const [claimed] = await store.claimJobs('w1', T0, 1, LEASE);
  await store.completeJob({ jobId: claimed.job.id, workerId: 'w1', version: claimed.deposit.version, putCode, postedHash: claimed.deposit.payloadHash, outcome: 'synced' }, at(1));
  return d;
}

export function ledgerContract(ref: StoreRef): void {
  historyContract(ref);
  batchAndConcurrencyContract(ref);
  journalsContract(ref);
  describe('deposits and outbox', () => {
    it('desiring a new deposit creates it with exactly one queued job', async () => {
      const r = await ref.store.desireDeposit(workInput(), T0);
      expect(r.changed).to.equal(true);
      expect(r.deposit).to.deep.include({ version: 1, status: 'pending', putCode: null, postedHash: null, desiredState: 'present', payloadHash: 'hash-v1', submissionId: 's17' });
      const job = await openJobOf(ref.store, workInput().key);
      expect(job).to.deep.include({ id: r.jobId, status: 'queued', attempts: 0, leasedBy: null, leaseExpiresAt: null });
      expect(job!.runAt).to.deep.equal(T0);
      expect(await ref.store.getDeposit(workInput().key)).to.deep.equal(r.deposit);
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 1, leased: 0, parked: 0, done: 0 });
    });

    it('desiring the same payload again adds no job and no version', async () => {
      const first = await ref.store.desireDeposit(workInput(), T0);
      const again = await ref.store.desireDeposit(workInput(), at(5));
      expect(again).to.deep.include({ jobId: first.jobId, changed: false });
      expect(again.deposit.version).to.equal(1);
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 1, leased: 0, parked: 0, done: 0 });
    });

    it('keeps one open job however many desires race for the same deposit', async () => {
      await Promise.all([1, 2, 3, 4, 5].map((n) => ref.store.desireDeposit(workInput({ payload: `<w>${n}</w>`, payloadHash: `h${n}` }), T0)));
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 1, leased: 0, parked: 0, done: 0 });
      expect((await ref.store.getDeposit(workInput().key))!.version).to.equal(5);
    });

    it('a claim leases the job to the worker, counts the attempt and returns the deposit', async () => {
      const r = await ref.store.desireDeposit(workInput(), T0);
      const claimed = await ref.store.claimJobs('w1', at(1), 10, LEASE);
      expect(claimed).to.have.length(1);
      expect(claimed[0].job).to.deep.include({ id: r.jobId, status: 'leased', leasedBy: 'w1', attempts: 1 });
      expect(claimed[0].job.leaseExpiresAt).to.deep.equal(new Date(at(1).getTime() + LEASE));
      // About to be POSTed: until a put-code comes back, the item may be on the record.
      expect(claimed[0].deposit).to.deep.equal({ ...r.deposit, maybePosted: true });
      expect(await ref.store.claimJobs('w2', at(2), 10, LEASE)).to.deep.equal([]);
    });

    it('a deposit whose POST answer was lost still gets a job when it is to be removed', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', at(1), 1, LEASE);
      await ref.store.retryJob(c.job.id, 'w1', 'ORCID_NETWORK_ERROR: timeout', at(30), at(2));
      const r = await ref.store.desireDeposit(workInput({ desiredState: 'absent', payload: null, payloadHash: null }), at(3));
      expect(r.jobId).to.equal(c.job.id);
      expect(r.deposit).to.deep.include({ putCode: null, maybePosted: true, status: 'pending' });
      const [again] = await ref.store.claimJobs('w1', at(30), 1, LEASE);
      await ref.store.completeJob({ jobId: again.job.id, workerId: 'w1', version: again.deposit.version, putCode: null, postedHash: null, outcome: 'synced' }, at(31));
      expect(await ref.store.getDeposit(r.deposit.key)).to.deep.include({ maybePosted: false, status: 'synced' });
      expect(await openJobOf(ref.store, r.deposit.key)).to.equal(null);
    });

    it('completing writes the put-code and posted hash and finishes the job', async () => {
      const r = await posted(ref.store);
      expect(await ref.store.getDeposit(r.deposit.key)).to.deep.include({ putCode: '1001', postedHash: 'hash-v1', status: 'synced', lastError: null });
      expect(await jobById(ref.store, r.jobId!)).to.deep.include({ status: 'done', leasedBy: null });
      expect(await openJobOf(ref.store, r.deposit.key)).to.equal(null);
      const same = await ref.store.desireDeposit(workInput(), at(2));
      expect(same).to.deep.include({ jobId: null, changed: false });
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 1 });
    });

    it('a change desired while the job is leased re-queues it when the old version completes', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      const v2 = await ref.store.desireDeposit(workInput({ payload: '<w>v2</w>', payloadHash: 'hash-v2' }), at(1));
      expect(v2).to.deep.include({ changed: true, jobId: c.job.id });
      expect(v2.deposit.version).to.equal(2);
      const done = await ref.store.completeJob({ jobId: c.job.id, workerId: 'w1', version: 1, putCode: '1001', postedHash: 'hash-v1', outcome: 'synced' }, at(2));
      expect(done).to.deep.equal({ requeued: true });
      expect(await jobById(ref.store, c.job.id)).to.deep.include({ status: 'queued', leasedBy: null, attempts: 0 });
      expect(await ref.store.getDeposit(v2.deposit.key)).to.deep.include({ putCode: '1001', postedHash: 'hash-v1', status: 'pending', version: 2 });
      const [again] = await ref.store.claimJobs('w1', at(2), 1, LEASE);
      expect(again.deposit).to.deep.include({ payloadHash: 'hash-v2', putCode: '1001', version: 2 });
      expect(await ref.store.completeJob({ jobId: again.job.id, workerId: 'w1', version: 2, putCode: '1001', postedHash: 'hash-v2', outcome: 'synced' }, at(3))).to.deep.equal({ requeued: false });
    });

    it('a change reverted while leased finishes the job when the record already matches', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      await ref.store.desireDeposit(workInput({ payload: '<w>v2</w>', payloadHash: 'hash-v2' }), at(1));
      await ref.store.desireDeposit(workInput(), at(1));
      const done = await ref.store.completeJob({ jobId: c.job.id, workerId: 'w1', version: 1, putCode: '1001', postedHash: 'hash-v1', outcome: 'synced' }, at(2));
      expect(done).to.deep.equal({ requeued: false });
      expect(await ref.store.getDeposit(c.deposit.key)).to.deep.include({ status: 'synced', version: 3 });
    });

    it('throws LEASE_LOST and writes nothing when another worker holds the lease', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      const err = await rejection(ref.store.completeJob({ jobId: c.job.id, workerId: 'w2', version: 1, putCode: '9', postedHash: 'hash-v1', outcome: 'synced' }, at(1)));
      expect(err.code).to.equal('LEASE_LOST');
      expect(err.message).to.equal(`Worker w2 no longer holds the lease on job ${c.job.id}: it is leased by w1`);
      expect(await ref.store.getDeposit(c.deposit.key)).to.deep.include({ putCode: null, status: 'pending' });
      expect(await jobById(ref.store, c.job.id)).to.deep.include({ status: 'leased', leasedBy: 'w1' });
    });

    it('completions made together succeed or fail each on their own', async () => {
      await ref.store.desireDeposit(workInput({ key: 'k-a' }), T0);
      await ref.store.desireDeposit(workInput({ key: 'k-b' }), T0);
      const [a, b] = await ref.store.claimJobs('w1', T0, 2, LEASE);
      const done = (c: typeof a, worker: string) => ref.store.completeJob({ jobId: c.job.id, workerId: worker, version: c.deposit.version, putCode: '7', postedHash: c.deposit.payloadHash, outcome: 'synced' }, at(1));
      const [okA, lostB] = await Promise.allSettled([done(a, 'w1'), done(b, 'w-other')]);
      expect(okA.status).to.equal('fulfilled');
      expect(lostB.status === 'rejected' && (lostB.reason as { code: string }).code).to.equal('LEASE_LOST');
      expect(await ref.store.getDeposit(a.deposit.key)).to.deep.include({ putCode: '7', status: 'synced' });
      expect(await ref.store.getDeposit(b.deposit.key)).to.deep.include({ putCode: null });
      expect((await jobById(ref.store, b.job.id))!.status).to.equal('leased');
    });

    it('an expired lease is re-claimable, and its first holder then gets LEASE_LOST', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, 1000);
      expect(await ref.store.claimJobs('w2', new Date(T0.getTime() + 999), 1, 1000)).to.deep.equal([]);
      const [stolen] = await ref.store.claimJobs('w2', at(1), 1, 1000);
      expect(stolen.job).to.deep.include({ id: c.job.id, leasedBy: 'w2', attempts: 2 });
      expect(await ref.store.renewLease(c.job.id, 'w1', at(1), LEASE)).to.equal(false);
      const err = await rejection(ref.store.completeJob({ jobId: c.job.id, workerId: 'w1', version: 1, putCode: '9', postedHash: 'hash-v1', outcome: 'synced' }, at(2)));
      expect(err.code).to.equal('LEASE_LOST');
      expect((await ref.store.getDeposit(c.deposit.key))!.putCode).to.equal(null);
    });

    it('renewing a held lease pushes its expiry', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, 1000);
      expect(await ref.store.renewLease(c.job.id, 'w1', at(0.5), 5000)).to.equal(true);
      expect((await jobById(ref.store, c.job.id))!.leaseExpiresAt).to.deep.equal(at(5.5));
      expect(await ref.store.claimJobs('w2', at(2), 1, 1000)).to.deep.equal([]);
    });

    it('a retry releases the lease with the error and the next run time', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      await ref.store.retryJob(c.job.id, 'w1', 'ORCID answered 503', at(60), at(1));
      expect(await jobById(ref.store, c.job.id)).to.deep.include({ status: 'queued', leasedBy: null, leaseExpiresAt: null, lastError: 'ORCID answered 503', attempts: 1 });
      expect((await jobById(ref.store, c.job.id))!.runAt).to.deep.equal(at(60));
      expect((await ref.store.getDeposit(c.deposit.key))!.lastError).to.equal('ORCID answered 503');
      expect(await ref.store.nextRunAt()).to.deep.equal(at(60));
      expect(await ref.store.claimJobs('w1', at(59), 1, LEASE)).to.deep.equal([]);
      const [again] = await ref.store.claimJobs('w1', at(60), 1, LEASE);
      expect(again.job.attempts).to.equal(2);
      expect((await rejection(ref.store.retryJob(c.job.id, 'w9', 'x', at(90), at(61)))).code).to.equal('LEASE_LOST');
    });

    it('a retry that does not count (a 429) gives the claimed attempt back', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      expect(c.job.attempts).to.equal(1);
      await ref.store.retryJob(c.job.id, 'w1', 'ORCID rate limit reached', at(2), at(1), { countAttempt: false });
      expect((await jobById(ref.store, c.job.id))!.attempts).to.equal(0);
      const [again] = await ref.store.claimJobs('w1', at(2), 1, LEASE);
      expect(again.job.attempts).to.equal(1);
    });

    it('claims skip jobs that are not due and take the earliest first, up to the limit', async () => {
      await ref.store.desireDeposit(workInput({ key: 'k-late', runAt: at(100) }), T0);
      await ref.store.desireDeposit(workInput({ key: 'k-2', runAt: at(2) }), T0);
      await ref.store.desireDeposit(workInput({ key: 'k-1', runAt: at(1) }), T0);
      await ref.store.desireDeposit(workInput({ key: 'k-3', runAt: at(3) }), T0);
      expect(await ref.store.nextRunAt()).to.deep.equal(at(1));
      const first = await ref.store.claimJobs('w1', at(50), 2, LEASE);
      expect(first.map((c) => c.deposit.key)).to.deep.equal(['k-1', 'k-2']);
      expect((await ref.store.claimJobs('w1', at(50), 5, LEASE)).map((c) => c.deposit.key)).to.deep.equal(['k-3']);
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 1, leased: 3, parked: 0, done: 0 });
      expect(await ref.store.nextRunAt()).to.deep.equal(at(100));
    });

    it('parks and unparks a job by id', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      await ref.store.parkJob(c.job.id, 'w1', 'ORCID answered 403', at(1));
      expect(await jobById(ref.store, c.job.id)).to.deep.include({ status: 'parked', parkReason: 'ORCID answered 403', leasedBy: null });
      expect((await ref.store.getDeposit(c.deposit.key))!.status).to.equal('parked');
      expect(await ref.store.claimJobs('w1', at(100), 5, LEASE)).to.deep.equal([]);
      expect(await ref.store.nextRunAt()).to.equal(null);
      expect(await ref.store.unparkJobs({ jobId: c.job.id }, at(200))).to.equal(1);
      expect(await jobById(ref.store, c.job.id)).to.deep.include({ status: 'queued', attempts: 0, parkReason: null });
      expect((await ref.store.getDeposit(c.deposit.key))!.status).to.equal('pending');
      expect(await ref.store.unparkJobs({ jobId: c.job.id }, at(200))).to.equal(0);
    });

    it('runs a job waiting after a failure now on an editor\'s retry, and nothing else', async () => {
      await ref.store.desireDeposit(workInput(), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      expect(await ref.store.retryJobNow(c!.job.id, at(1)), 'a leased job').to.equal(false);
      await ref.store.retryJob(c!.job.id, 'w1', 'ORCID answered 500', at(60), at(1));
      expect(await ref.store.retryJobNow(c!.job.id, at(2))).to.equal(true);
      expect(await jobById(ref.store, c!.job.id)).to.deep.include({ status: 'queued', runAt: at(2) });
      expect((await ref.store.claimJobs('w1', at(2), 1, LEASE)).map((x) => x.job.id)).to.deep.equal([c!.job.id]);
      expect(await ref.store.retryJobNow('no-such-job', at(3))).to.equal(false);
    });

    it('lists deposits of one kind', async () => {
      await ref.store.desireDeposit(workInput({ key: 'w-1' }), T0);
      await ref.store.desireDeposit(workInput({ key: 's-1', kind: 'service', submissionId: null }), T0);
      expect((await ref.store.listDeposits({ kind: 'service' })).map((d) => d.key)).to.deep.equal(['s-1']);
    });

    it('parks every open job of an identity (revoked token) and unparks them when it is linked again', async () => {
      await ref.store.desireDeposit(workInput({ key: 'a1' }), T0);
      await ref.store.desireDeposit(workInput({ key: 'a2' }), T0);
      // b1 is not due yet, so the claim takes one of idn-a's jobs (equal runAts have no set order).
      await ref.store.desireDeposit(workInput({ key: 'b1', identityId: 'idn-b', orcid: ORCID_B, runAt: at(5) }), T0);
      expect((await ref.store.claimJobs('w1', T0, 1, LEASE)).map((c) => c.deposit.identityId)).to.deep.equal(['idn-a']);
      expect(await ref.store.parkJobsOfIdentity('idn-a', 'token revoked', at(1))).to.equal(2);
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 1, leased: 0, parked: 2, done: 0 });
      expect((await ref.store.listJobs({ status: 'parked' })).map((c) => [c.deposit.key, c.job.parkReason]).sort()).to.deep.equal([['a1', 'token revoked'], ['a2', 'token revoked']]);
      expect(await ref.store.unparkJobs({ identityId: 'idn-a' }, at(2))).to.equal(2);
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 3, leased: 0, parked: 0, done: 0 });
    });

    it('a parked job is re-queued by a changed desire, not by the same one', async () => {
      const r = await ref.store.desireDeposit(workInput(), T0);
      await ref.store.parkJob(r.jobId!, null, 'too many attempts', at(1));
      expect((await ref.store.desireDeposit(workInput(), at(2))).jobId).to.equal(r.jobId);
      expect((await jobById(ref.store, r.jobId!))!.status).to.equal('parked');
      const changed = await ref.store.desireDeposit(workInput({ payloadHash: 'hash-v2', payload: '<w>2</w>' }), at(3));
      expect(changed.jobId).to.equal(r.jobId);
      expect(changed.deposit.status).to.equal('pending');
      expect(await jobById(ref.store, r.jobId!)).to.deep.include({ status: 'queued', attempts: 0, parkReason: null });
    });

    it('desiring absent queues a delete only when something was posted', async () => {
      const never = await ref.store.desireDeposit(workInput({ key: 'never', desiredState: 'absent', payload: null, payloadHash: null }), T0);
      expect(never).to.deep.include({ jobId: null });
      expect(never.deposit.status).to.equal('synced');

      await posted(ref.store);
      const del = await ref.store.desireDeposit(workInput({ desiredState: 'absent', payload: 'ignored', payloadHash: 'ignored' }), at(2));
      expect(del.changed).to.equal(true);
      expect(del.deposit).to.deep.include({ desiredState: 'absent', payload: null, payloadHash: null, putCode: '1001', status: 'pending', version: 2 });
      const [c] = await ref.store.claimJobs('w1', at(2), 1, LEASE);
      await ref.store.completeJob({ jobId: c.job.id, workerId: 'w1', version: 2, putCode: null, postedHash: null, outcome: 'synced' }, at(3));
      expect(await ref.store.getDeposit(c.deposit.key)).to.deep.include({ putCode: null, status: 'synced' });
      expect(await openJobOf(ref.store, c.deposit.key)).to.equal(null);
    });

    it('withdrawing a deposit that was never posted closes its queued job', async () => {
      const r = await ref.store.desireDeposit(workInput(), T0);
      const gone = await ref.store.desireDeposit(workInput({ desiredState: 'absent', payload: null, payloadHash: null }), at(1));
      expect(gone.jobId).to.equal(null);
      expect((await jobById(ref.store, r.jobId!))!.status).to.equal('done');
    });

    it('an item the researcher removed is not re-added, except by force', async () => {
      await posted(ref.store);
      const v2 = await ref.store.desireDeposit(workInput({ payload: '<w>2</w>', payloadHash: 'hash-v2' }), at(2));
      const [c] = await ref.store.claimJobs('w1', at(2), 1, LEASE);
      expect(c.job.id).to.equal(v2.jobId);
      await ref.store.completeJob({ jobId: c.job.id, workerId: 'w1', version: 2, putCode: null, postedHash: null, outcome: 'removed-by-researcher' }, at(3));
      expect((await ref.store.getDeposit(c.deposit.key))!.status).to.equal('removed-by-researcher');
      expect((await ref.store.desireDeposit(workInput({ payload: '<w>3</w>', payloadHash: 'hash-v3' }), at(4))).jobId).to.equal(null);

      const forced = await ref.store.desireDeposit(workInput({ payload: '<w>3</w>', payloadHash: 'hash-v3', force: true }), at(5));
      expect(forced.jobId).to.be.a('string');
      expect(forced.deposit).to.deep.include({ putCode: null, postedHash: null, status: 'pending', version: 4 });
    });

    it('force queues a job and forgets the put-code even when the record matches', async () => {
      await posted(ref.store);
      const forced = await ref.store.desireDeposit(workInput({ force: true }), at(2));
      expect(forced.changed).to.equal(true);
      expect(forced.jobId).to.be.a('string');
      expect(forced.deposit).to.deep.include({ putCode: null, postedHash: null, version: 2, status: 'pending' });
    });

    it('marks a deposit the researcher removed: no put-code, no job, not re-added by the same desire', async () => {
      await posted(ref.store);
      const v2 = await ref.store.desireDeposit(workInput({ payload: '<w>2</w>', payloadHash: 'hash-v2' }), at(2));
      await ref.store.markDepositRemoved(v2.deposit.key, at(3));
      expect(await ref.store.getDeposit(v2.deposit.key)).to.deep.include({ status: 'removed-by-researcher', putCode: null, postedHash: null, version: 2 });
      expect((await jobById(ref.store, v2.jobId!))!.status).to.equal('done');
      expect(await openJobOf(ref.store, v2.deposit.key)).to.equal(null);
      expect((await ref.store.desireDeposit(workInput({ payload: '<w>2</w>', payloadHash: 'hash-v2' }), at(4))).jobId).to.equal(null);
      await ref.store.markDepositRemoved('work:unknown', at(5));
      expect(await ref.store.getDeposit('work:unknown')).to.equal(null);
    });

    it('adopts a put-code found by reconciliation without finishing the job', async () => {
      const r = await ref.store.desireDeposit(workInput(), T0);
      await ref.store.claimJobs('w1', T0, 1, LEASE);
      await ref.store.adoptPutCode(r.deposit.key, '4242', at(1));
      expect((await ref.store.getDeposit(r.deposit.key))!.putCode).to.equal('4242');
      expect((await jobById(ref.store, r.jobId!))!.status).to.equal('leased');
    });

    it('lists deposits and jobs by identity and submission', async () => {
      await ref.store.desireDeposit(workInput({ key: 'a-s1' }), T0);
      await ref.store.desireDeposit(workInput({ key: 'a-s2', submissionId: 's2', sourceId: 'article-2' }), at(1));
      await ref.store.desireDeposit(workInput({ key: 'b-s1', identityId: 'idn-b', orcid: ORCID_B }), at(2));
      const keys = (ds: { key: string }[]) => ds.map((d) => d.key);
      expect(keys(await ref.store.listDeposits({ identityId: 'idn-a' }))).to.deep.equal(['a-s1', 'a-s2']);
      expect(keys(await ref.store.listDeposits({ submissionId: 's17' }))).to.deep.equal(['a-s1', 'b-s1']);
      expect(keys(await ref.store.listDeposits({ sourceId: 'article-2' }))).to.deep.equal(['a-s2']);
      expect(keys(await ref.store.listDeposits({ orcid: ORCID_B }))).to.deep.equal(['b-s1']);
      expect(await ref.store.listDeposits({})).to.have.length(3);
      expect((await ref.store.listJobs({ identityId: 'idn-a' })).map((c) => c.deposit.key)).to.deep.equal(['a-s1', 'a-s2']);
      expect((await ref.store.listJobs({ submissionId: 's17', status: 'queued', limit: 1 })).map((c) => c.deposit.key)).to.deep.equal(['a-s1']);
      expect(await ref.store.listJobs({ status: 'done' })).to.deep.equal([]);
      const [one] = await ref.store.listJobs({ identityId: 'idn-b' });
      expect((await ref.store.listJobs({ jobId: one!.job.id })).map((c) => [c.job.id, c.deposit.key])).to.deep.equal([[one!.job.id, 'b-s1']]);
      expect(await ref.store.listJobs({ jobId: 'no-such-job' })).to.deep.equal([]);
    });
  });
}

function historyContract(ref: StoreRef): void {
  describe('history', () => {
    it('appends entries and lists them newest first, filtered and limited', async () => {
      await ref.store.appendHistory({ at: at(1), event: 'identity.linked', orcid: ORCID_A, detail: { scopes: ['/authenticate'] } });
      await ref.store.appendHistory({ at: at(2), event: 'deposit.queued', orcid: ORCID_A, submissionId: 's1', depositKey: 'work:a', detail: {} });
      await ref.store.appendHistory({ at: at(2), event: 'deposit.posted', orcid: ORCID_A, submissionId: 's1', depositKey: 'work:a', jobId: 'j1', detail: { putCode: '7' } });
      await ref.store.appendHistory({ at: at(3), event: 'identity.linked', orcid: ORCID_B, detail: {} });

      const all = await ref.store.listHistory({});
      expect(all.map((h) => h.event)).to.deep.equal(['identity.linked', 'deposit.posted', 'deposit.queued', 'identity.linked']);
      expect(all[1]).to.deep.include({ orcid: ORCID_A, identityId: null, submissionId: 's1', depositKey: 'work:a', jobId: 'j1', detail: { putCode: '7' } });
      expect(all[1].at).to.deep.equal(at(2));
      expect(new Set(all.map((h) => h.id)).size).to.equal(4);
      expect((await ref.store.listHistory({ orcid: ORCID_A })).map((h) => h.event)).to.deep.equal(['deposit.posted', 'deposit.queued', 'identity.linked']);
      expect((await ref.store.listHistory({ submissionId: 's1', depositKey: 'work:a' }))).to.have.length(2);
      expect((await ref.store.listHistory({ orcid: ORCID_A, limit: 1 })).map((h) => h.event)).to.deep.equal(['deposit.posted']);
      expect(await ref.store.listHistory({ depositKey: 'work:none' })).to.deep.equal([]);
    });
  });
}

function batchAndConcurrencyContract(ref: StoreRef): void {
  describe('desireDeposits (one event, one transaction)', () => {
    it('desires many deposits at once, each as desireDeposit would, results in input order', async () => {
      const inputs = [1, 2, 3].map((i) => workInput({ key: `work:a${i}:${ORCID_A}`, sourceId: `a${i}` }));
      const out = await ref.store.desireDeposits(inputs, T0);
      expect(out.map((r) => [r.deposit.key, r.changed, r.jobId !== null])).to.deep.equal(inputs.map((i) => [i.key, true, true]));
      const again = await ref.store.desireDeposits([...inputs, workInput({ key: `work:a4:${ORCID_A}`, sourceId: 'a4' })], at(1));
      expect(again.map((r) => r.changed)).to.deep.equal([false, false, false, true]);
      expect((await ref.store.countJobs()).queued).to.equal(4);
      expect(await ref.store.desireDeposits([], T0)).to.deep.equal([]);
    });
  });

  describe('countActiveItemJobs', () => {
    it('counts queued and leased item jobs of an identity, not parked ones and not tasks', async () => {
      await ref.store.desireDeposits([
        workInput({ key: 'work:a1:x', sourceId: 'a1' }), workInput({ key: 'work:a2:x', sourceId: 'a2' }),
        { ...workInput({ key: 'prefill:x', sourceId: 'x' }), kind: 'prefill', payload: null, payloadHash: 'prefill:1' },
      ], T0);
      // All three are due at once and claimed in id order (random): take them all, park a work's.
      const c = (await ref.store.claimJobs('w1', at(1), 3, LEASE)).find((x) => x.deposit.key === 'work:a1:x');
      expect(await ref.store.countActiveItemJobs('idn-a')).to.equal(2);
      await ref.store.parkJob(c!.job.id, 'w1', 'ORCID answered 403', at(2));
      expect(await ref.store.countActiveItemJobs('idn-a')).to.equal(1);
      expect(await ref.store.countActiveItemJobs('idn-none')).to.equal(0);
    });
  });

  describe('concurrent claims', () => {
    it('several workers claiming at once get disjoint jobs, and every due job once', async () => {
      const inputs = Array.from({ length: 60 }, (_, i) => workInput({ key: `work:c${i}:${ORCID_A}`, sourceId: `c${i}` }));
      await ref.store.desireDeposits(inputs, T0);
      const claims = await Promise.all(Array.from({ length: 6 }, (_, w) => ref.store.claimJobs(`w${w}`, at(1), 15, LEASE)));
      const ids = claims.flat().map((c) => c.job.id);
      expect(ids.length).to.equal(60);
      expect(new Set(ids).size).to.equal(60);
      for (const [w, batch] of claims.entries()) for (const c of batch) expect(c.job.leasedBy).to.equal(`w${w}`);
    });

    it('claims in runAt order, expired leases and queued jobs alike', async () => {
      await ref.store.desireDeposit(workInput({ key: 'work:late:x', sourceId: 'late', runAt: at(5) }), T0);
      await ref.store.desireDeposit(workInput({ key: 'work:early:x', sourceId: 'early', runAt: at(1) }), T0);
      const [early] = await ref.store.claimJobs('w1', at(2), 1, 1000); // leased until at(3), runAt at(1)
      expect(early!.deposit.key).to.equal('work:early:x');
      const next = await ref.store.claimJobs('w2', at(10), 5, LEASE);
      expect(next.map((c) => c.deposit.key)).to.deep.equal(['work:early:x', 'work:late:x']);
    });
  });
}

/** `n` work deposits of `journalId`, the i-th due at `runAt(i)`, desired in one call at `now`. */
async function backlog(store: Store, journalId: string, n: number, runAt: (i: number) => Date, now = T0): Promise<string[]> {
  const inputs = Array.from({ length: n }, (_, i) => workInput({ key: `work:${journalId}-${String(i).padStart(5, '0')}:x`, sourceId: `${journalId}-${i}`, journalId, runAt: runAt(i) }));
  for (let i = 0; i < inputs.length; i += 500) await store.desireDeposits(inputs.slice(i, i + 500), now);
  return inputs.map((x) => x.key);
}

const journalsOf = (claimed: ClaimedJob[]) => claimed.map((c) => c.journalId).sort();

function journalsContract(ref: StoreRef): void {
  describe('journals', () => {
    it('a job belongs to the journal it was desired for, the default journal when none is given', async () => {
      await ref.store.desireDeposit(workInput({ key: 'k-default' }), T0);
      await ref.store.desireDeposits([workInput({ key: 'k-b1', journalId: 'jb' }), workInput({ key: 'k-b2', journalId: 'jb' })], T0);
      const claimed = await ref.store.claimJobs('w1', T0, 10, LEASE);
      expect(claimed.map((c) => [c.deposit.key, c.journalId]).sort()).to.deep.equal([['k-b1', 'jb'], ['k-b2', 'jb'], ['k-default', DEFAULT_JOURNAL_ID]]);
      expect((await ref.store.listJobs({ journalId: 'jb' })).map((c) => [c.deposit.key, c.journalId]).sort()).to.deep.equal([['k-b1', 'jb'], ['k-b2', 'jb']]);
      expect((await ref.store.listJobs({ journalId: DEFAULT_JOURNAL_ID, status: 'leased' })).map((c) => c.deposit.key)).to.deep.equal(['k-default']);
      expect(await ref.store.listJobs({ journalId: 'none' })).to.deep.equal([]);
      expect(await ref.store.countJobs({ journalId: 'jb' })).to.deep.equal({ queued: 0, leased: 2, parked: 0, done: 0 });
      expect(await ref.store.countJobs({ journalId: 'none' })).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 0 });
      expect(await ref.store.countJobs()).to.deep.equal({ queued: 0, leased: 3, parked: 0, done: 0 });
    });

    it('a job keeps its journal when it is re-queued, retried or un-parked', async () => {
      const r = await ref.store.desireDeposit(workInput({ journalId: 'jb' }), T0);
      const [c] = await ref.store.claimJobs('w1', T0, 1, LEASE);
      await ref.store.retryJob(c!.job.id, 'w1', 'ORCID answered 503', at(1), at(1));
      await ref.store.parkJob(r.jobId!, null, 'too many attempts', at(2));
      await ref.store.unparkJobs({ jobId: r.jobId! }, at(3));
      // A new version while the job is open leaves the job (and its journal) as it is.
      await ref.store.desireDeposit(workInput({ payload: '<w>v2</w>', payloadHash: 'hash-v2' }), at(4));
      const [again] = await ref.store.claimJobs('w1', at(5), 1, LEASE);
      expect(again).to.deep.include({ journalId: 'jb' });
      expect(again!.job.id).to.equal(r.jobId);
    });

    it('claims take turns across journals: a backlog of one journal does not delay a new job of another', async () => {
      // Journal A queued 300 jobs long ago; journal B's 10 come later. Global FIFO would claim all of A's first.
      const a = await backlog(ref.store, 'A', 300, (i) => new Date(T0.getTime() + i));
      const b = await backlog(ref.store, 'B', 10, (i) => at(60 + i), at(60));
      const claims: ClaimedJob[][] = [];
      for (let i = 0; i < 12; i++) claims.push(await ref.store.claimJobs('w1', at(100), 2, LEASE));
      // Every claim of two has one job of each journal while both have work, then A's alone.
      for (const claim of claims.slice(0, 10)) expect(journalsOf(claim)).to.deep.equal(['A', 'B']);
      for (const claim of claims.slice(10)) expect(journalsOf(claim)).to.deep.equal(['A', 'A']);
      // Within a journal, oldest runAt first.
      const keysOf = (journal: string) => claims.flat().filter((c) => c.journalId === journal).map((c) => c.deposit.key);
      expect(keysOf('B')).to.deep.equal(b);
      expect(keysOf('A')).to.deep.equal(a.slice(0, 14));
    });

    it('a claim takes each journal\'s oldest due job, then each one\'s second, in that order', async () => {
      await backlog(ref.store, 'A', 50, (i) => new Date(T0.getTime() + i));
      await backlog(ref.store, 'B', 2, (i) => at(10 + i));
      await backlog(ref.store, 'C', 5, (i) => at(20 + i));
      await backlog(ref.store, 'D', 3, () => at(500)); // not due yet
      const claimed = await ref.store.claimJobs('w1', at(100), 7, LEASE);
      expect(claimed.slice(0, 3).map((c) => c.journalId).sort()).to.deep.equal(['A', 'B', 'C']);
      expect(claimed.slice(3, 6).map((c) => c.journalId).sort()).to.deep.equal(['A', 'B', 'C']);
      expect(claimed).to.have.length(7);
      expect(claimed[6]!.journalId).to.be.oneOf(['A', 'C']);
      expect(claimed.filter((c) => c.journalId === 'C').map((c) => c.deposit.key).slice(0, 2)).to.deep.equal(['work:C-00000:x', 'work:C-00001:x']);
      expect(await ref.store.countJobs({ journalId: 'D' })).to.deep.equal({ queued: 3, leased: 0, parked: 0, done: 0 });
    });

    it('claims of one job at a time still reach every journal (the last round picks among journals at random)', async () => {
      await backlog(ref.store, 'A', 40, (i) => new Date(T0.getTime() + i));
      await backlog(ref.store, 'B', 40, (i) => at(60 + i));
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) seen.push(...(await ref.store.claimJobs('w1', at(200), 1, LEASE)).map((c) => c.journalId));
      // Global FIFO would take A's 40 first. At random, B is never picked in 40 draws once in 2^40.
      expect(seen).to.have.length(40);
      expect(seen).to.include('B');
      expect(seen).to.include('A');
    });

    it('an expired lease takes its turn in its journal', async () => {
      await backlog(ref.store, 'A', 5, (i) => new Date(T0.getTime() + i));
      await backlog(ref.store, 'B', 1, () => at(1));
      const [first] = (await ref.store.claimJobs('w1', at(2), 2, 1000)).filter((c) => c.journalId === 'B');
      // B's only job is leased until at(3); A's first is leased too. Later, both leases have run out.
      const again = await ref.store.claimJobs('w2', at(10), 2, LEASE);
      expect(journalsOf(again)).to.deep.equal(['A', 'B']);
      expect(again.find((c) => c.journalId === 'B')!.job).to.deep.include({ id: first!.job.id, leasedBy: 'w2', attempts: 2 });
    });

    it('journal queues: counts, the oldest waiting job and the latest standing error of each journal', async () => {
      const s = ref.store;
      expect(await s.journalQueues()).to.deep.equal([]);
      // ja: one synced, one failed and waiting for its retry, one new.
      await s.desireDeposit(workInput({ key: 'a-done', submissionId: 'sa1', journalId: 'ja' }), T0);
      const [c1] = await s.claimJobs('w1', T0, 1, LEASE);
      await s.completeJob({ jobId: c1!.job.id, workerId: 'w1', version: 1, putCode: '1', postedHash: 'hash-v1', outcome: 'synced' }, at(1));
      await s.desireDeposit(workInput({ key: 'a-failed', submissionId: 'sa2', journalId: 'ja' }), at(2));
      const [c2] = await s.claimJobs('w1', at(2), 1, LEASE);
      await s.retryJob(c2!.job.id, 'w1', 'ORCID answered 503', at(90), at(3));
      await s.desireDeposit(workInput({ key: 'a-new', submissionId: 'sa3', journalId: 'ja', runAt: at(90) }), at(4));
      // jb: one parked, then an editor's service item (of no submission) queued later.
      await s.desireDeposit(workInput({ key: 'b-parked', submissionId: 'sb1', journalId: 'jb' }), at(5));
      const [c3] = await s.claimJobs('w1', at(5), 1, LEASE);
      expect(c3!.deposit.key).to.equal('b-parked');
      await s.parkJob(c3!.job.id, 'w1', 'gave up after 8 attempts: ORCID answered 500', at(6));
      const bNew = await s.desireDeposit(workInput({ key: 'b-new', kind: 'service', submissionId: null, journalId: 'jb', runAt: at(90) }), at(7));

      const ja = {
        journalId: 'ja',
        counts: { queued: 2, leased: 0, parked: 0, done: 1 },
        oldestWaiting: { jobId: c2!.job.id, depositKey: 'a-failed', kind: 'work', submissionId: 'sa2', status: 'queued', since: at(2), runAt: at(90) },
        lastError: { jobId: c2!.job.id, depositKey: 'a-failed', kind: 'work', submissionId: 'sa2', status: 'queued', error: 'ORCID answered 503', at: at(3) },
      };
      const jb = {
        journalId: 'jb',
        counts: { queued: 1, leased: 0, parked: 1, done: 0 },
        oldestWaiting: { jobId: bNew.jobId, depositKey: 'b-new', kind: 'service', submissionId: null, status: 'queued', since: at(7), runAt: at(90) },
        lastError: { jobId: c3!.job.id, depositKey: 'b-parked', kind: 'work', submissionId: 'sb1', status: 'parked', error: 'gave up after 8 attempts: ORCID answered 500', at: at(6) },
      };
      expect(await s.journalQueues()).to.deep.equal([ja, jb]);
      expect(await s.journalQueues({ journalId: 'jb' })).to.deep.equal([jb]);
      expect(await s.journalQueues({ journalId: 'none' })).to.deep.equal([]);

      // The failed job succeeds on its retry: its error no longer stands, and nothing of ja waits.
      const claimed = await s.claimJobs('w2', at(90), 3, LEASE);
      const retried = claimed.find((c) => c.deposit.key === 'a-failed')!;
      await s.completeJob({ jobId: retried.job.id, workerId: 'w2', version: 1, putCode: '2', postedHash: 'hash-v1', outcome: 'synced' }, at(91));
      expect(await s.journalQueues()).to.deep.equal([
        { ...ja, counts: { queued: 0, leased: 1, parked: 0, done: 2 }, oldestWaiting: null, lastError: null },
        { ...jb, counts: { queued: 0, leased: 1, parked: 1, done: 0 }, oldestWaiting: null },
      ]);
    });
  });
}
