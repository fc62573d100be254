/**
 * Leases of claimed jobs: the worker renews the lease of a job it still works on (a heartbeat at a
 * third of the lease), and a job whose lease is lost — taken over by another worker after it
 * expired, or not renewed in time — stops before its next ORCID call. Its last call, if any, is
 * then settled by the new holder through the 409 rule (find our item by its self external id).
 */
import { LEASE_LOST, StorageError } from '../errors.js';
import type { Ledger } from '../store/ports.js';
import type { Job } from '../store/store.js';

/**
 * The longest chain of ORCID calls one job makes in one attempt: a token refresh, the POST (409),
 * the summaries read that finds our item, and the PUT that updates it.
 */
export const WORST_CHAIN_CALLS = 4;

/** The shortest lease that covers the worst chain of calls, each taking up to `timeoutMs`. */
export function minimumLeaseMs(timeoutMs: number): number {
  return WORST_CHAIN_CALLS * timeoutMs;
}

export interface LeaseKeeper {
  /** Throws StorageError(LEASE_LOST) when the lease is lost or has run out: call before each ORCID call. */
  check(): void;
  stop(): void;
}

export function keepLease(deps: { ledger: Pick<Ledger, 'renewLease'>; workerId: string; leaseMs: number; now: () => Date }, job: Job): LeaseKeeper {
  const { ledger, workerId, leaseMs, now } = deps;
  let expiresAt = job.leaseExpiresAt?.getTime() ?? now().getTime() + leaseMs;
  let lost = false;
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing || lost) return;
    renewing = true;
    const at = now();
    ledger.renewLease(job.id, workerId, at, leaseMs).then(
      (held) => {
        if (held) expiresAt = at.getTime() + leaseMs;
        else lost = true;
      },
      // The store did not answer: the lease runs out on its own time, which check() watches.
      () => undefined,
    ).finally(() => (renewing = false));
  }, Math.max(1, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    check() {
      if (lost || now().getTime() >= expiresAt) {
        throw new StorageError(LEASE_LOST, `Worker ${workerId} lost the lease on job ${job.id}: ${lost ? 'another worker holds it' : 'it ran out before it could be renewed'}`);
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}
