import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { OrcidApiError, TokenRevokedError, coerceError, LEASE_LOST, OrcidPluginError } from '../errors.js';
import type { ClaimedJob, Deposit, DepositKind, Identity } from '../store/store.js';
import { isItemKind } from '../store/store.js';
import type { Directory, Ledger } from '../store/ports.js';
import { withPutCode } from './put-code.js';
import { keepLease, type LeaseKeeper } from './lease.js';
import type { Logger } from '../log.js';
import { OrcidRefusalError, ScopeMissingError } from '../orcid/api-errors.js';
import { OrcidOAuthError, OAUTH_INVALID_GRANT } from '../orcid/oauth.js';
import { ORCID_CONFLICT } from '../orcid/http.js';
import { duplicatePutCode } from '../orcid/orcid-error.js';
import { selfExternalIdsOfPayload } from '../orcid/record-read.js';
import { isTransient } from '../orcid/retry-policy.js';
import { describeFailure, failureRunOf } from './failure-run.js';

/** What the worker needs from the ORCID member API client (see src/orcid/client.ts). */
export interface DepositClient {
  postItem(kind: DepositKind, orcid: string, accessToken: string, xml: string): Promise<{ putCode: string }>;
  putItem(kind: DepositKind, orcid: string, accessToken: string, putCode: string, xml: string): Promise<unknown>;
  deleteItem(kind: DepositKind, orcid: string, accessToken: string, putCode: string): Promise<unknown>;
  listSummaries(kind: DepositKind, orcid: string, accessToken: string): Promise<string>;
}

/** Access to a person's usable access token (decrypts, refreshes when expired). */
export interface TokenSource {
  /** `credentialsId`: the ORCID client whose token to use (tokens belong to the client that obtained them). */
  accessTokenFor(identity: Identity, options?: { forceRefresh?: boolean; credentialsId?: string }): Promise<string | null>;
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
  /** Our item among the summaries carrying any of `ids` as a self id (tried in order), or null. */
  findOwnPutCode: (summariesXml: string, ids: ReadonlyArray<{ type: string; value: string }>, clientId: string) => string | null;
  /** `failing` says since when the job has failed without a break, and how many times in a row (this one included). */
  decideRetry: (error: unknown, attempt: number, failing: { since: Date; failures: number }) => RetryDecision;
  /** Runs before an item is posted (ensures the peer-review group exists). */
  beforePost?: (deposit: Deposit) => Promise<void>;
  /** Runs a claimed task (a ledger entry that is not an item, see `tasks.ts`); returns the put-code column to complete it with. */
  runTask?: (claimed: ClaimedJob, checkLease: () => void) => Promise<string | null>;
  /**
   * The credentials record whose client's token a job posts with: its journal's (issue 19).
   * Default: none named, the token of the client connected through last.
   */
  credentialsOf?: (deposit: Deposit) => Promise<string | undefined>;
  /**
   * The API client of a credentials record and its ORCID client id: its requests draw from that
   * client's rate budget, and its items are found by that client id (default: `client`, `clientId`).
   */
  clientFor?: (credentialsId: string | undefined) => Promise<{ client: DepositClient; clientId: string }>;
  /**
   * Called once per revocation, after the jobs that used that token are parked (revokes the token,
   * or the identity with its last one, and re-invites). `credentialsId`: whose token it was.
   */
  onTokenRevoked?: (identity: Identity, credentialsId?: string) => Promise<void>;
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
  /** Work was signalled while the loop was busy: its next sleep is skipped. */
  let signalled = false;
  let unsubscribe: (() => void) | null = null;
  let claimFailures = 0;
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

  async function apply(claimed: ClaimedJob, accessToken: string, lease: LeaseKeeper, api: { client: DepositClient; clientId: string }): Promise<void> {
    const { job, deposit } = claimed;
    const { client, clientId } = api;
    const { orcid } = deposit;
    const kind = deposit.kind as DepositKind; // items only: tasks never get here
    if (deposit.desiredState === 'absent') {
      let putCode = deposit.putCode;
      if (!putCode && deposit.maybePosted) {
        // An earlier POST may have landed without its answer: find our item by its self external id.
        lease.check();
        const summaries = await client.listSummaries(kind, orcid, accessToken);
        putCode = findOwnPutCode(summaries, [{ type: deposit.externalIdType, value: deposit.externalIdValue }], clientId);
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
        if (!(e instanceof OrcidApiError && e.code === ORCID_CONFLICT)) throw e;
        // ORCID answers 409 when one of the payload's self ids (normalised) is on an item from our
        // client already: a POST of ours whose put-code was lost (crash, timeout), or the same item
        // posted from another system on our ORCID client (an OJS plugin, an older install). Adopt
        // that item and update it to the latest payload. ORCID names it in the 9021 message
        // (../shared/orcid-model/README.md "Error responses"); else look it up by every self id.
        putCode = duplicatePutCode(e instanceof OrcidRefusalError ? e.orcid : null);
        if (!putCode) {
          lease.check();
          const summaries = await client.listSummaries(kind, orcid, accessToken);
          const ids = [{ type: deposit.externalIdType, value: deposit.externalIdValue }, ...selfExternalIdsOfPayload(payload)];
          putCode = findOwnPutCode(summaries, ids, clientId);
        }
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

  async function parkRevoked(claimed: ClaimedJob, identity: Identity, reason: string, credentialsId: string | undefined) {
    const { job, deposit } = claimed;
    const clients = identity.tokenClients ?? [];
    if (credentialsId && clients.length > 0 && !clients.includes(credentialsId)) {
      // No token of this client to revoke, but another client's (this one's was refused earlier,
      // and the person re-invited then; a connect through the other client un-parked the job):
      // park it again, and nothing more. An iD with no token at all is revoked as before.
      // Reason `token-unavailable`: the status page's "connect again" cause, which it is.
      await ledger.parkJob(job.id, id, 'token-unavailable', now());
      await history(deposit, job.id, 'job.parked', { reason: 'token-unavailable', credentialsId, noTokenOfClient: true });
      options.onAttempt?.({ deposit, outcome: 'parked' });
      return;
    }
    // Parking first: a concurrent job of the same identity then finds its lease gone (LEASE_LOST)
    // and stops here, so the identity is revoked and the person re-invited once.
    await ledger.parkJob(job.id, id, reason, now());
    const parked = await parkJobsOfToken(identity, reason, credentialsId);
    await history(deposit, job.id, 'identity.revoked', { reason, parkedJobs: parked + 1, ...(credentialsId ? { credentialsId } : {}) });
    options.onAttempt?.({ deposit, outcome: 'token-revoked' });
    await options.onTokenRevoked?.(identity, credentialsId);
  }

  /**
   * The identity's jobs that post with the refused token: all of them while it holds one client's
   * token, else only those of that client's journals (another client's token still works).
   */
  async function parkJobsOfToken(identity: Identity, reason: string, credentialsId: string | undefined): Promise<number> {
    const others = (identity.tokenClients ?? []).filter((c) => c !== credentialsId);
    if (!credentialsId || !options.credentialsOf || others.length === 0) return ledger.parkJobsOfIdentity(identity.id, reason, now());
    let parked = 0;
    for (const status of ['queued', 'leased'] as const) {
      for (const other of await ledger.listJobs({ identityId: identity.id, status, limit: 10_000 })) {
        if (!isItemKind(other.deposit.kind) || (await options.credentialsOf(other.deposit)) !== credentialsId) continue;
        await ledger.parkJob(other.job.id, null, reason, now());
        parked++;
      }
    }
    return parked;
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
      const credentialsId = await options.credentialsOf?.(deposit);
      const api = options.clientFor ? await options.clientFor(credentialsId) : { client, clientId };
      // An expired token whose refresh ORCID refuses (invalid_grant: revoked at ORCID) means the
      // researcher must reconnect, as on a 401; ORCID throttled or down is retried like any outage.
      let accessToken = await tokens.accessTokenFor(identity, { credentialsId }).catch((err: unknown) => {
        if (err instanceof OrcidOAuthError && err.code === OAUTH_INVALID_GRANT) return null;
        throw err;
      });
      if (!accessToken) return await parkRevoked(claimed, identity, 'token-unavailable', credentialsId);
      try {
        await apply(claimed, accessToken, lease, api);
      } catch (e) {
        // 403/9038: the token lacks the scope; no refresh adds it, the researcher must reconnect.
        if (e instanceof ScopeMissingError) return await parkRevoked(claimed, identity, 'scope-missing', credentialsId);
        if (!(e instanceof TokenRevokedError)) throw e;
        // Only a refusal means the link is gone; ORCID throttled or down means: try again later.
        lease.check();
        accessToken = await tokens.accessTokenFor(identity, { forceRefresh: true, credentialsId }).catch((err: unknown) => {
          if (isTransient(err)) throw err;
          return null;
        });
        if (!accessToken) return await parkRevoked(claimed, identity, 'token-revoked', credentialsId);
        // A fresh token may still lack the scope (the researcher granted less when reconnecting).
        await apply(claimed, accessToken, lease, api).catch(async (again: unknown) => {
          if (again instanceof ScopeMissingError) return parkRevoked(claimed, identity, 'scope-missing', credentialsId);
          throw again;
        });
      }
    } catch (raw) {
      const e = coerceError(raw);
      if (e instanceof OrcidPluginError && e.code === LEASE_LOST) {
        logger?.warn({ jobId: job.id }, 'lease lost; another worker took the job over');
        return;
      }
      // 429s give their attempt back (see retryJob), so `attempts` counts real failures only.
      const attempt = Math.max(1, job.attempts);
      const failing = isTransient(e) ? await failureRunOf(ledger, deposit.key, now()) : { since: now(), failures: 1 };
      const decision = decideRetry(e, attempt, failing);
      const summary = describeFailure(e);
      try {
        if (decision.action === 'retry') {
          await ledger.retryJob(job.id, id, summary, new Date(now().getTime() + decision.delayMs), now(), { countAttempt: decision.countsAsAttempt !== false });
          await history(deposit, job.id, 'job.retry', {
            error: summary, delayMs: decision.delayMs, attempt, failingSince: failing.since.toISOString(), failures: failing.failures,
          });
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
          claimFailures = 0;
        } catch (e) {
          // The store is down or restarting: pause, longer each time (up to 30 s), then try again.
          claimFailures++;
          logger?.error({ err: coerceError(e), failures: claimFailures }, 'claiming jobs failed');
          await sleepUntilWoken(Math.min(pollMs * 2 ** Math.min(claimFailures - 1, 5), Math.max(pollMs, 30_000)));
          continue;
        }
        for (const c of claimed) void track(processJob(c));
      }
      // A full claim may have left due jobs behind: claim again at once. A short one took every
      // job that was due, so another claim now would find nothing (a wasted round trip, on the
      // path of a job just woken by NOTIFY): wait for a signal, a finished job or the poll.
      if (claimed.length > 0 && claimed.length === free && concurrency - inFlight.size >= Math.ceil(concurrency / 2)) continue;
      await sleepUntilWoken(inFlight.size > 0 ? pollMs : await idleDelay());
    }
  }

  async function idleDelay(): Promise<number> {
    const next = await ledger.nextRunAt().catch(() => null);
    if (!next) return pollMs;
    return Math.max(5, Math.min(pollMs, next.getTime() - now().getTime()));
  }

  function sleepUntilWoken(ms: number): Promise<void> {
    // A stop() that came while the loop was busy found no sleep to end: do not start one.
    if (signalled || !running) {
      signalled = false;
      return Promise.resolve();
    }
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
      // A job desired anywhere (PostgreSQL NOTIFY) or in this process (SQLite) ends the sleep at
      // once; polling stays the fallback for signals that are missed.
      unsubscribe = ledger.onWork?.(() => {
        signalled = wake === null;
        wake?.();
      }) ?? null;
      loop = pump();
    },
    async stop() {
      running = false;
      unsubscribe?.();
      unsubscribe = null;
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
