import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { OrcidApiError, TokenRevokedError, coerceError, LEASE_LOST, OrcidPluginError } from '../errors.js';
import type { ClaimedJob, Deposit, DepositKind, Identity } from '../store/store.js';
import { isItemKind } from '../store/store.js';
import type { Directory, Ledger } from '../store/ports.js';
import { withPutCode } from './put-code.js';
import { keepLease, type LeaseKeeper } from './lease.js';
import type { Logger } from '../log.js';

/** What the worker needs from the ORCID member API client (see src/orcid/client.ts). */
export interface DepositClient {
  postItem(kind: DepositKind, orcid: string, accessToken: string, xml: string): Promise<{ putCode: string }>;
  putItem(kind: DepositKind, orcid: string, accessToken: string, putCode: string, xml: string): Promise<unknown>;
  deleteItem(kind: DepositKind, orcid: string, accessToken: string, putCode: string): Promise<unknown>;
  listSummaries(kind: DepositKind, orcid: string, accessToken: string): Promise<string>;
}

/** Access to a person's usable access token (decrypts, refreshes when expired). */
export interface TokenSource {
  accessTokenFor(identity: Identity, options?: { forceRefresh?: boolean }): Promise<string | null>;
}

export type RetryDecision =
  | { action: 'retry'; delayMs: number; /** false for 429: being throttled says nothing about the job. */ countsAsAttempt?: boolean }
  | { action: 'park'; reason: string };

/** How an attempt ended, for metrics ("attempts by outcome"). */
export type AttemptOutcome = 'synced' | 'removed-by-researcher' | 'retry' | 'parked' | 'token-revoked';

export interface WorkerOptions {
  ledger: Ledger;
  /** Identities only: whose token a job uses. */
  directory: Pick<Directory, 'getIdentity'>;
  client: DepositClient;
  tokens: TokenSource;
  /** ORCID client id: identifies our own items in summaries when reconciling a 409. */
  clientId: string;
  findOwnPutCode: (summariesXml: string, externalId: { type: string; value: string }, clientId: string) => string | null;
  decideRetry: (error: unknown, attempt: number) => RetryDecision;
  /** Runs before an item is posted (ensures the peer-review group exists). */
  beforePost?: (deposit: Deposit) => Promise<void>;
  /** Runs a claimed task (a ledger entry that is not an item, see `tasks.ts`); returns the put-code column to complete it with. */
  runTask?: (claimed: ClaimedJob, checkLease: () => void) => Promise<string | null>;
  /** Called once per revocation, after the identity's jobs are parked (revokes the identity, re-invites). */
  onTokenRevoked?: (identity: Identity) => Promise<void>;
  /** Called after a job finished (for unlink completion, metrics). */
  onJobSettled?: (event: { deposit: Deposit; outcome: string }) => Promise<void> | void;
  /** Called after every attempt, whatever its outcome (metrics: attempts by outcome). Must not throw. */
  onAttempt?: (event: { deposit: Deposit; outcome: AttemptOutcome }) => void;
  logger?: Logger;
  now?: () => Date;
  workerId?: string;
  /** Jobs processed at once (default 4). */
  concurrency?: number;
  /** Lease length (default 60 s): a crashed worker's jobs are taken over after it. */
  leaseMs?: number;
  /** Longest idle sleep between polls (default 1000 ms). */
  pollMs?: number;
}

export interface Worker {
  readonly id: string;
  start(): void;
  stop(): Promise<void>;
  /** Process due jobs until none are due; returns how many jobs were settled. */
  drain(options?: { onProgress?: (settled: number) => void }): Promise<number>;
  /** Claim and process one batch; returns how many jobs were claimed. */
  runOnce(): Promise<number>;
}

export function createWorker(options: WorkerOptions): Worker {
  const {
    ledger,
    directory,
    client,
    tokens,
    clientId,
    findOwnPutCode,
    decideRetry,
    logger,
  } = options;
  const now = options.now ?? (() => new Date());
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const concurrency = options.concurrency ?? 4;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;

  let running = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  const inFlight = new Set<Promise<void>>();
  async function history(deposit: Deposit, jobId: string, event: string, detail: Record<string, unknown> = {}) {
    await ledger.appendHistory({
      at: now(),
      event,
      orcid: deposit.orcid,
      identityId: deposit.identityId,
      submissionId: deposit.submissionId,
      depositKey: deposit.key,
      jobId,
      detail: { kind: deposit.kind, workerId: id, ...detail },
    });
  }

  async function settle(claimed: ClaimedJob, putCode: string | null, outcome: 'synced' | 'removed-by-researcher') {
    const { job, deposit } = claimed;
    const postedHash = outcome === 'synced' && deposit.desiredState === 'present' ? deposit.payloadHash : null;
    const at = now();
    // The history entry is written in the completing transaction: one write per job, not two.
    await ledger.completeJob({
      jobId: job.id, workerId: id, version: deposit.version, putCode, postedHash, outcome,
      history: {
        at, event: outcome === 'synced' ? 'job.completed' : 'item.removed-by-researcher', orcid: deposit.orcid,
        identityId: deposit.identityId, submissionId: deposit.submissionId, depositKey: deposit.key, jobId: job.id,
        detail: { kind: deposit.kind, workerId: id, putCode, desiredState: deposit.desiredState },
      },
    }, at);
    options.onAttempt?.({ deposit, outcome });
    await options.onJobSettled?.({ deposit, outcome });
  }

  async function apply(claimed: ClaimedJob, accessToken: string, lease: LeaseKeeper): Promise<void> {
    const { job, deposit } = claimed;
    const { orcid } = deposit;
    const kind = deposit.kind as DepositKind; // items only: tasks never get here
    if (deposit.desiredState === 'absent') {
      let putCode = deposit.putCode;
      if (!putCode && deposit.maybePosted) {
        // An earlier POST may have landed without its answer: find our item by its self external id.
        lease.check();
        const summaries = await client.listSummaries(kind, orcid, accessToken);
        putCode = findOwnPutCode(summaries, { type: deposit.externalIdType, value: deposit.externalIdValue }, clientId);
        if (putCode) await history(deposit, job.id, 'item.found-by-external-id', { putCode });
      }
      if (putCode) {
        try {
          lease.check();
          await client.deleteItem(kind, orcid, accessToken, putCode);
        } catch (e) {
          // Already gone (the researcher removed it): the record is as we want it.
          if (!(e instanceof OrcidApiError && e.statusCode === 404)) throw e;
        }
      }
      return settle(claimed, null, 'synced');
    }
    const payload = deposit.payload!;
    let putCode = deposit.putCode;
    if (!putCode) {
      lease.check();
      await options.beforePost?.(deposit);
      try {
        // completeJob stores the put-code; if that fails (lease lost), the next POST's 409 finds it.
        lease.check();
        putCode = (await client.postItem(kind, orcid, accessToken, payload)).putCode;
        return settle(claimed, putCode, 'synced');
      } catch (e) {
        if (!(e instanceof OrcidApiError && e.statusCode === 409)) throw e;
        // A POST of ours landed but its put-code was not recorded (crash, timeout): find it by our
        // self external id, adopt it, and update it to the latest payload.
        lease.check();
        const summaries = await client.listSummaries(kind, orcid, accessToken);
        putCode = findOwnPutCode(summaries, { type: deposit.externalIdType, value: deposit.externalIdValue }, clientId);
        if (!putCode) throw e;
        await ledger.adoptPutCode(deposit.key, putCode, now());
        await history(deposit, job.id, 'item.adopted', { putCode });
      }
    }
    try {
      lease.check();
      await client.putItem(kind, orcid, accessToken, putCode, withPutCode(payload, putCode));
    } catch (e) {
      if (e instanceof OrcidApiError && e.statusCode === 404) {
        // The researcher deleted the item: never re-add it on our own ("send again" is explicit).
        return settle(claimed, null, 'removed-by-researcher');
      }
      throw e;
    }
    return settle(claimed, putCode, 'synced');
  }

  async function parkRevoked(claimed: ClaimedJob, identity: Identity, reason: string) {
    const { job, deposit } = claimed;
    // Parking first: a concurrent job of the same identity then finds its lease gone (LEASE_LOST)
    // and stops here, so the identity is revoked and the person re-invited once.
    await ledger.parkJob(job.id, id, reason, now());
    const parked = await ledger.parkJobsOfIdentity(identity.id, reason, now());
    await history(deposit, job.id, 'identity.revoked', { reason, parkedJobs: parked + 1 });
    options.onAttempt?.({ deposit, outcome: 'token-revoked' });
    await options.onTokenRevoked?.(identity);
  }

  async function processJob(claimed: ClaimedJob): Promise<void> {
    const { job, deposit } = claimed;
    // The heartbeat: renewed at a third of the lease while the job runs; checked before every ORCID call.
    const lease = keepLease({ ledger, workerId: id, leaseMs, now }, job);
    try {
      if (!isItemKind(deposit.kind)) {
        if (!options.runTask) throw new Error(`No task runner for ${deposit.kind}`);
        return await settle(claimed, await options.runTask(claimed, lease.check), 'synced');
      }
      const identity = await directory.getIdentity(deposit.identityId);
      // While unlinking, the token still serves the deletes (and nothing else).
      const usable = identity?.status === 'linked' || (identity?.status === 'unlinking' && deposit.desiredState === 'absent');
      if (!identity || !usable) {
        await ledger.parkJob(job.id, id, 'identity-not-linked', now());
        await history(deposit, job.id, 'job.parked', { reason: 'identity-not-linked' });
        return;
      }
      lease.check();
      let accessToken = await tokens.accessTokenFor(identity);
      if (!accessToken) return await parkRevoked(claimed, identity, 'token-unavailable');
      try {
        await apply(claimed, accessToken, lease);
      } catch (e) {
        if (!(e instanceof TokenRevokedError)) throw e;
        lease.check();
        accessToken = await tokens.accessTokenFor(identity, { forceRefresh: true }).catch(() => null);
        if (!accessToken) return await parkRevoked(claimed, identity, 'token-revoked');
        await apply(claimed, accessToken, lease);
      }
    } catch (raw) {
      const e = coerceError(raw);
      if (e instanceof OrcidPluginError && e.code === LEASE_LOST) {
        logger?.warn({ jobId: job.id }, 'lease lost; another worker took the job over');
        return;
      }
      // 429s give their attempt back (see retryJob), so `attempts` counts real failures only.
      const attempt = Math.max(1, job.attempts);
      const decision = decideRetry(e, attempt);
      const summary = describe(e);
      try {
        if (decision.action === 'retry') {
          await ledger.retryJob(job.id, id, summary, new Date(now().getTime() + decision.delayMs), now(), { countAttempt: decision.countsAsAttempt !== false });
          await history(deposit, job.id, 'job.retry', { error: summary, delayMs: decision.delayMs, attempt });
          options.onAttempt?.({ deposit, outcome: 'retry' });
        } else {
          await ledger.parkJob(job.id, id, decision.reason, now());
          await history(deposit, job.id, 'job.parked', { reason: decision.reason, error: summary, attempt });
          options.onAttempt?.({ deposit, outcome: 'parked' });
        }
      } catch (inner) {
        const err = coerceError(inner);
        if (!(err instanceof OrcidPluginError && err.code === LEASE_LOST)) throw err;
      }
    } finally {
      lease.stop();
    }
  }

  async function runOnce(limit = concurrency): Promise<number> {
    const claimed = await ledger.claimJobs(id, now(), limit, leaseMs);
    await Promise.all(claimed.map((c) => track(processJob(c))));
    return claimed.length;
  }

  function track(p: Promise<void>): Promise<void> {
    const guarded = p.catch((e) => logger?.error({ err: coerceError(e) }, 'worker job failed unexpectedly'));
    inFlight.add(guarded);
    void guarded.finally(() => {
      inFlight.delete(guarded);
      wake?.();
    });
    return guarded;
  }

  /** Keep up to `concurrency` jobs in flight; sleep when nothing is due. */
  async function pump(): Promise<void> {
    while (running) {
      const free = concurrency - inFlight.size;
      let claimed: ClaimedJob[] = [];
      // Claim in batches (half the slots, or all when idle): each claim is a write transaction.
      if (free > 0 && (free >= Math.ceil(concurrency / 2) || inFlight.size === 0)) {
        try {
          claimed = await ledger.claimJobs(id, now(), free, leaseMs);
        } catch (e) {
          logger?.error({ err: coerceError(e) }, 'claiming jobs failed');
        }
        for (const c of claimed) void track(processJob(c));
      }
      if (claimed.length > 0 && concurrency - inFlight.size >= Math.ceil(concurrency / 2)) continue;
      await sleepUntilWoken(inFlight.size > 0 ? pollMs : await idleDelay());
    }
  }

  async function idleDelay(): Promise<number> {
    const next = await ledger.nextRunAt().catch(() => null);
    if (!next) return pollMs;
    return Math.max(5, Math.min(pollMs, next.getTime() - now().getTime()));
  }

  function sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  return {
    id,
    start() {
      if (running) return;
      running = true;
      loop = pump();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await Promise.all([...inFlight]);
      loop = null;
    },
    async drain({ onProgress } = {}) {
      let settled = 0;
      for (;;) {
        const n = await runOnce(concurrency);
        settled += n;
        if (n > 0) onProgress?.(settled);
        if (n === 0) return settled;
      }
    },
    runOnce: () => runOnce(concurrency),
  };
}

function describe(e: Error): string {
  if (e instanceof OrcidApiError) return `${e.code} ${e.statusCode}: ${e.body.slice(0, 500)}`;
  if (e instanceof OrcidPluginError) return `${e.code}: ${e.message}`;
  return e.message;
}
