/**
 * The Store contract: one suite that every adapter must pass. Each test gets a fresh, initialised
 * store from `makeStore` and closes it afterwards.
 */
import type { Job, Store } from '../../src/store/store.js';
import { ledgerContract } from './contract-ledger.js';
import { directoryContract } from './contract-directory.js';
import { sourcesContract } from './contract-sources.js';

export const T0 = new Date('2026-03-01T10:00:00.000Z');
export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
export const ORCID_A = '0000-0002-1825-0097';
export const ORCID_B = '0000-0001-5109-3700';

export interface StoreRef {
  store: Store;
}

/**
 * One contract suite per port (Ledger, Directory, Sources), each run against the adapter that
 * `makeStore` builds, on a fresh, initialised store per test.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  for (const [port, suite] of [['Ledger', ledgerContract], ['Directory', directoryContract], ['Sources', sourcesContract]] as const) {
    describe(`${port} contract: ${name}`, function () {
      const ref = {} as StoreRef;
      beforeEach(async () => {
        ref.store = await makeStore();
      });
      afterEach(async () => {
        await ref.store?.close();
      });
      suite(ref);
    });
  }
}

/** A job by id, through the port's own listing (the port has no test-only getter). */
export async function jobById(store: Store, id: string): Promise<Job | null> {
  return (await store.listJobs({ limit: 10_000 })).find((c) => c.job.id === id)?.job ?? null;
}

/** The open (not done) job of a deposit, or null. */
export async function openJobOf(store: Store, depositKey: string): Promise<Job | null> {
  return (await store.listJobs({ limit: 10_000 })).find((c) => c.deposit.key === depositKey && c.job.status !== 'done')?.job ?? null;
}
