/**
 * How often the worker loop asks the ledger for jobs: a short claim (fewer jobs than free slots)
 * took every due job, so the loop waits for a signal instead of claiming again at once; a full
 * claim may have left jobs behind, so it claims again. The ledger is a fake that hands out tasks.
 */
import { expect } from 'chai';
import { createWorker } from '../../src/sync/worker.js';
import type { ClaimedJob } from '../../src/store/store.js';
import type { Ledger } from '../../src/store/ports.js';

const NOW = new Date('2026-11-30T12:00:00Z');

function task(n: number): ClaimedJob {
  return {
    job: { id: `job-${n}`, depositKey: `prefill:${n}`, status: 'leased', attempts: 1, runAt: NOW, leasedBy: 'w', leaseExpiresAt: new Date(NOW.getTime() + 60_000), lastError: null, parkReason: null, createdAt: NOW, updatedAt: NOW },
    deposit: {
      key: `prefill:${n}`, kind: 'prefill', identityId: 'i', orcid: '0000-0002-1825-0097', sourceId: `s${n}`, submissionId: null, externalIdType: 'x', externalIdValue: `${n}`,
      desiredState: 'present', payload: null, payloadHash: null, version: 1, putCode: null, postedHash: null, maybePosted: false, status: 'pending', lastError: null, createdAt: NOW, updatedAt: NOW,
    } as unknown as ClaimedJob['deposit'],
    journalId: 'default',
  };
}

/** A ledger with `due` jobs; counts claims and lets the test signal new work. */
function fakeLedger(due: number) {
  let next = 0;
  const seen = { claims: [] as number[], completed: 0, signal: () => undefined as void };
  const ledger = {
    claimJobs: async (_w: string, _now: Date, limit: number) => {
      const n = Math.min(limit, due - next);
      seen.claims.push(n);
      return Array.from({ length: n }, () => task(next++));
    },
    completeJob: async () => {
      seen.completed++;
      return { requeued: false };
    },
    renewLease: async () => true,
    nextRunAt: async () => null,
    appendHistory: async () => undefined,
    onWork: (listener: () => void) => {
      seen.signal = listener;
      return () => undefined;
    },
  } as unknown as Ledger;
  return { ledger, seen, add: (n: number) => void (due += n) };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe('worker claims', () => {
  function worker(ledger: Ledger, release: Promise<void>) {
    return createWorker({
      ledger, directory: { getIdentity: async () => null }, clientId: 'APP-1', now: () => NOW,
      client: {} as never, tokens: { accessTokenFor: async () => null }, findOwnPutCode: () => null,
      decideRetry: () => ({ action: 'park', reason: 'test' }),
      runTask: async () => {
        await release;
        return null;
      },
      concurrency: 4, pollMs: 600_000,
    });
  }

  it('after a claim shorter than its free slots, waits for a signal instead of claiming again at once', async () => {
    const { ledger, seen, add } = fakeLedger(1);
    let open!: () => void;
    const w = worker(ledger, new Promise<void>((r) => (open = r)));
    w.start();
    try {
      await settle();
      // One job due, four slots free: one claim, which took it; the job is still running.
      expect(seen.claims).to.deep.equal([1]);
      add(1);
      seen.signal();
      await settle();
      expect(seen.claims).to.deep.equal([1, 1]);
    } finally {
      open();
      await w.stop();
    }
    expect(seen.completed).to.equal(2);
  });

  it('after a full claim, claims again at once while half its slots are free', async () => {
    const { ledger, seen } = fakeLedger(6);
    let open!: () => void;
    const w = worker(ledger, new Promise<void>((r) => (open = r)));
    w.start();
    try {
      await settle();
      // Four slots: a full claim of 4 fills them; none free, so no claim until a job ends.
      expect(seen.claims).to.deep.equal([4]);
      open();
      while (seen.completed < 6) await new Promise((r) => setTimeout(r, 5));
      expect(seen.claims.reduce((a, b) => a + b, 0)).to.equal(6);
    } finally {
      open();
      await w.stop();
    }
  });
});
