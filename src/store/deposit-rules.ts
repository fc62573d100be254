/**
 * The ledger rules both Store adapters share, as pure functions, so SQLite and MongoDB cannot
 * drift apart: when a deposit differs from the record, what a desire changes, and what completing
 * a job leaves behind. The adapters only load rows, call these, and write the result atomically.
 */
import { randomUUID } from 'node:crypto';
import { LEASE_LOST, StorageError } from '../errors.js';
import type { Deposit, DepositStatus, DesireDepositInput, Job, JobStatus } from './store.js';

/** Rows a list call returns when the caller gives no limit. */
export const DEFAULT_LIST_LIMIT = 100;
/** The one definition of an open job: not done. At most one open job exists per deposit. */
export const OPEN_JOB_STATUSES: readonly JobStatus[] = ['queued', 'leased', 'parked'];
/**
 * The same set as a range, for index filters that take no `$in` (MongoDB partial indexes before 6):
 * 'done' sorts before 'leased', 'parked' and 'queued'. `isOpenStatus` and a test keep the two equal.
 */
export const OPEN_JOB_RANGE = { $gt: 'done' } as const;
export const isOpenStatus = (status: JobStatus): boolean => OPEN_JOB_STATUSES.includes(status);

type RecordFields = Pick<Deposit, 'desiredState' | 'payloadHash' | 'putCode' | 'postedHash' | 'status' | 'maybePosted'>;

/**
 * Whether the ORCID record differs from the desired state, i.e. whether a job has work to do.
 * An item the researcher deleted from their record is not re-added on our own: only `force`
 * (the journal's explicit "send again") brings it back.
 */
export function recordDiffers(d: RecordFields): boolean {
  // A POST whose answer was lost may still have put the item there: look before calling it gone.
  if (d.desiredState === 'absent') return d.putCode !== null || d.maybePosted;
  if (d.status === 'removed-by-researcher') return false;
  return d.putCode === null || d.postedHash !== d.payloadHash;
}

export interface DesirePlan {
  deposit: Deposit;
  /** A new version: the desired state or payload changed, or `force` was given. */
  changed: boolean;
  /** What to do with the deposit's open job. */
  action: JobAction;
}

/**
 * The deposit after `input` is desired, given what is stored (null for a new key) and the
 * deposit's open job (if any).
 */
export function planDesire(existing: Deposit | null, open: Job | null, input: DesireDepositInput, now: Date): DesirePlan {
  const payload = input.desiredState === 'absent' ? null : input.payload;
  const payloadHash = input.desiredState === 'absent' ? null : input.payloadHash;
  const force = input.force === true;
  const base: Deposit = existing ?? {
    key: input.key,
    kind: input.kind,
    identityId: input.identityId,
    orcid: input.orcid,
    sourceId: input.sourceId,
    submissionId: input.submissionId ?? null,
    externalIdType: input.externalIdType,
    externalIdValue: input.externalIdValue,
    desiredState: input.desiredState,
    payload,
    payloadHash,
    version: 0,
    putCode: null,
    postedHash: null,
    maybePosted: false,
    status: 'pending',
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
  const changed =
    existing === null || force || existing.desiredState !== input.desiredState || existing.payloadHash !== payloadHash;
  const deposit: Deposit = {
    ...base,
    kind: input.kind,
    identityId: input.identityId,
    orcid: input.orcid,
    sourceId: input.sourceId,
    submissionId: input.submissionId === undefined ? base.submissionId : input.submissionId,
    externalIdType: input.externalIdType,
    externalIdValue: input.externalIdValue,
    desiredState: input.desiredState,
    payload,
    payloadHash,
    version: changed ? base.version + 1 : base.version,
    updatedAt: changed ? now : base.updatedAt,
  };
  if (force) {
    // "Send again": forget the put-code so the worker POSTs a fresh item.
    deposit.putCode = null;
    deposit.postedHash = null;
    if (deposit.status === 'removed-by-researcher') deposit.status = 'pending';
  }
  const needsJob = recordDiffers(deposit);
  const action = planJob(needsJob, changed, open, input, now);
  if (!needsJob) {
    if (deposit.status !== 'removed-by-researcher') deposit.status = 'synced';
  } else if (action.kind === 'insert' || action.kind === 'requeue' || deposit.status !== 'parked') {
    deposit.status = 'pending';
  }
  if (deposit.status !== base.status) deposit.updatedAt = now;
  return { deposit, changed, action };
}

/** What to do with the deposit's open job (if any) after a desire. */
export type JobAction =
  | { kind: 'none' }
  | { kind: 'insert'; job: Job }
  | { kind: 'requeue'; runAt: Date }
  | { kind: 'finish' };

function planJob(needsJob: boolean, changed: boolean, open: Job | null, input: DesireDepositInput, now: Date): JobAction {
  const runAt = input.runAt ?? now;
  if (!needsJob) {
    // Nothing left to do; a job that is not being worked on is closed. A leased job is left to its
    // worker: its completion sees the newer version and the matching record, and finishes.
    return open && open.status !== 'leased' ? { kind: 'finish' } : { kind: 'none' };
  }
  if (!open) return { kind: 'insert', job: newJob(input.key, runAt, now) };
  // A parked job waits for a person; a new version of the item is such a signal.
  if (open.status === 'parked' && changed) return { kind: 'requeue', runAt };
  return { kind: 'none' };
}

export function newJob(depositKey: string, runAt: Date, now: Date): Job {
  return {
    id: randomUUID(),
    depositKey,
    status: 'queued',
    attempts: 0,
    runAt,
    leasedBy: null,
    leaseExpiresAt: null,
    lastError: null,
    parkReason: null,
    createdAt: now,
    updatedAt: now,
  };
}

export interface CompletionPlan {
  putCode: string | null;
  postedHash: string | null;
  depositStatus: DepositStatus;
  /** Re-queue the job (the desired state moved on during the attempt) instead of finishing it. */
  requeue: boolean;
}

/**
 * After a worker applied `appliedVersion`: the posted state is what the worker says; when the
 * deposit has a newer version that the record still does not hold, the job goes round again.
 */
export function planCompletion(
  current: Deposit,
  input: { version: number; putCode: string | null; postedHash: string | null; outcome: 'synced' | 'removed-by-researcher' },
): CompletionPlan {
  // Completing settles what is on the record: a put-code, or confirmed absence.
  const after = { ...current, putCode: input.putCode, postedHash: input.postedHash, maybePosted: false, status: input.outcome as DepositStatus };
  const requeue = current.version > input.version && recordDiffers(after);
  return {
    putCode: input.putCode,
    postedHash: input.postedHash,
    depositStatus: requeue ? 'pending' : input.outcome,
    requeue,
  };
}

/** The job, if `workerId` still holds its lease; StorageError(LEASE_LOST) naming the holder otherwise. */
export function heldJobOrThrow(job: Job | null, jobId: string, workerId: string): Job {
  if (!job || job.status !== 'leased' || job.leasedBy !== workerId) {
    const holder = !job ? 'the job does not exist' : job.status === 'leased' ? `it is leased by ${job.leasedBy}` : `it is ${job.status}`;
    throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}: ${holder}`);
  }
  return job;
}
