import { expect } from 'chai';
import { aggregate } from 'mingo';
import { journalQueuesPipeline, toJournalQueues } from '../../src/store/mongo/ledger-read.js';
import { T0, at } from './contract.js';

// No MongoDB server runs here: the journalQueues aggregation is evaluated by mingo (as the rate
// budget's pipelines are). The server's own run is the Ledger contract in mongo.test.ts, when
// MONGODB_URI is set.
describe('MongoDB journalQueues pipeline (evaluated in memory)', () => {
  const job = (id: string, journalId: string, status: string, over: Record<string, unknown> = {}) => ({
    _id: id, depositKey: `d-${id}`, journalId, status, attempts: 1, runAt: T0, leasedBy: null, leaseExpiresAt: null,
    lastError: null, parkReason: null, createdAt: T0, updatedAt: T0, ...over,
  });
  const jobs = [
    job('a1', 'ja', 'done', { lastError: 'an old error, since settled' }),
    job('a2', 'ja', 'queued', { createdAt: at(2), runAt: at(90), lastError: 'ORCID answered 503', updatedAt: at(3) }),
    job('a3', 'ja', 'queued', { createdAt: at(4), runAt: at(90) }),
    job('b1', 'jb', 'parked', { parkReason: 'gave up after 8 attempts', lastError: 'ORCID answered 500', updatedAt: at(6) }),
    job('b2', 'jb', 'leased', { lastError: 'ORCID answered 502', updatedAt: at(5), createdAt: at(1) }),
  ];
  const deposits = [
    { _id: 'd-a1', kind: 'work', submissionId: 'sa1' }, { _id: 'd-a2', kind: 'work', submissionId: 'sa2' },
    { _id: 'd-a3', kind: 'work', submissionId: 'sa3' }, { _id: 'd-b1', kind: 'peer-review', submissionId: 'sb1' },
    { _id: 'd-b2', kind: 'service', submissionId: null },
  ];
  const run = (journalId?: string) =>
    toJournalQueues((aggregate(jobs, journalQueuesPipeline(journalId, 'orcid_deposits') as never, { collectionResolver: (name: string) => (name === 'orcid_deposits' ? deposits : []) } as never) as never[])[0]);

  it('counts each journal, picks its oldest queued job and its latest standing error, with their deposits', () => {
    expect(run()).to.deep.equal([
      {
        journalId: 'ja', counts: { queued: 2, leased: 0, parked: 0, done: 1 },
        oldestWaiting: { jobId: 'a2', depositKey: 'd-a2', kind: 'work', submissionId: 'sa2', status: 'queued', since: at(2), runAt: at(90) },
        lastError: { jobId: 'a2', depositKey: 'd-a2', kind: 'work', submissionId: 'sa2', status: 'queued', error: 'ORCID answered 503', at: at(3) },
      },
      {
        journalId: 'jb', counts: { queued: 0, leased: 1, parked: 1, done: 0 }, oldestWaiting: null,
        // The park reason speaks for a parked job, before the error of its last attempt.
        lastError: { jobId: 'b1', depositKey: 'd-b1', kind: 'peer-review', submissionId: 'sb1', status: 'parked', error: 'gave up after 8 attempts', at: at(6) },
      },
    ]);
  });

  it('one journal, or none', () => {
    expect(run('jb').map((q) => q.journalId)).to.deep.equal(['jb']);
    expect(run('none')).to.deep.equal([]);
  });
});
