/**
 * What the editors' status page says about each item and person, as stable state names the
 * templates put into words (en, zh-Hans), and which actions can work on it. Pure.
 *
 * The page never shows an internal code (`not-connected`, `leased`) or a raw ORCID error body:
 * a state name is a key into the template's words, and errors go through `keptErrorInWords`.
 */
import type { Deposit, Identity, Job } from '../store/store.js';
import { keptErrorInWords } from '../orcid/orcid-error.js';

/**
 * - `waiting`: queued, never tried yet ("Waiting to be sent")
 * - `sending`: a worker holds it right now
 * - `failed-retrying`: the last attempt failed; it runs again at `nextAttemptAt`
 * - `parked`: stopped until an editor un-parks it (`parkReason` says why)
 * - `sent`, `retracted`: on the record (a retracted article's work carries the retraction)
 * - `removed-by-researcher`: the researcher deleted it from their record; only "Send again" re-adds it
 * - `removing`: a delete is queued (the researcher unlinked, or the item was withdrawn)
 * - `unlinked`: deleted from the record after the researcher unlinked their iD
 * - `removed`: deleted from the record (withdrawn)
 */
export type ItemState = 'waiting' | 'sending' | 'failed-retrying' | 'parked' | 'sent' | 'retracted' | 'removed-by-researcher' | 'removing' | 'unlinked' | 'removed';

/** Why a job is parked, as a key for words; `detail` carries ORCID's answer in words, if any. */
export type ParkCause =
  | 'token-revoked' | 'identity-not-linked' | 'scope-missing' | 'identity-mismatch' | 'not-source' | 'record-unavailable'
  | 'payload-rejected' | 'access-refused' | 'unreachable' | 'gave-up' | 'other';

export type ItemAction = 'retry' | 'unpark' | 'send-again';

export interface ItemRow {
  key: string;
  kind: string;
  state: ItemState;
  jobId: string | null;
  putCode: string | null;
  /** ORCID's answer and our explanation in words, never markup. */
  error: string;
  parkCause: ParkCause | null;
  nextAttemptAt: string | null;
  attempts: number;
  actions: ItemAction[];
}

/** The stable prefixes the worker and the retry policy write (retry-policy.ts `parkReason`, worker.ts). */
const CAUSES: Array<[RegExp, ParkCause]> = [
  [/^(token-revoked|token-unavailable)\b/, 'token-revoked'],
  [/^identity-not-linked\b/, 'identity-not-linked'],
  [/^scope-missing\b/, 'scope-missing'],
  [/^identity-mismatch\b/, 'identity-mismatch'],
  [/^not-source\b/, 'not-source'],
  [/^record-unavailable\b/, 'record-unavailable'],
  [/^ORCID rejected the payload\b/, 'payload-rejected'],
  [/^ORCID refused access\b/, 'access-refused'],
  [/^ORCID throttled or unreachable\b/, 'unreachable'],
  [/^gave up after\b/, 'gave-up'],
];

/** A park reason split into its cause and the words after the prefix (ORCID's answer, already in words). */
export function parkCauseOf(reason: string | null): { cause: ParkCause; detail: string } {
  const text = keptErrorInWords(reason ?? '');
  for (const [re, cause] of CAUSES) {
    if (!re.test(text)) continue;
    const colon = text.indexOf(': ');
    return { cause, detail: colon < 0 ? '' : text.slice(colon + 2).trim() };
  }
  return { cause: 'other', detail: text };
}

/**
 * One item's state and what an editor can do with it.
 * @param job the deposit's open job (queued, leased or parked), or null
 * @param identity the identity the deposit belongs to (its status tells an unlink from a withdrawal)
 * @param retracted whether the item's source (an article) was retracted
 * @param now a job due later than now is waiting for a retry
 */
export function itemRow(d: Deposit, job: Job | null, identity: Identity | null, retracted: boolean, now: Date, attemptsDone = 0): ItemRow {
  const state = stateOf(d, job, identity, retracted, now);
  const park = state === 'parked' ? parkCauseOf(job?.parkReason ?? d.lastError) : null;
  const error = park ? park.detail : state === 'failed-retrying' || state === 'sending' ? keptErrorInWords(job?.lastError ?? d.lastError) : '';
  const actions: ItemAction[] = [];
  if (state === 'failed-retrying') actions.push('retry');
  if (state === 'parked') actions.push('unpark');
  if (state === 'removed-by-researcher' && d.desiredState === 'present') actions.push('send-again');
  return {
    key: d.key, kind: d.kind, state, jobId: job?.id ?? null, putCode: d.putCode, error, parkCause: park?.cause ?? null,
    nextAttemptAt: state === 'failed-retrying' && job ? job.runAt.toISOString() : null,
    attempts: job?.attempts ?? attemptsDone, actions,
  };
}

function stateOf(d: Deposit, job: Job | null, identity: Identity | null, retracted: boolean, now: Date): ItemState {
  if (job?.status === 'parked') return 'parked';
  if (job?.status === 'leased') return 'sending';
  if (job?.status === 'queued') {
    // Failed and waiting for its next attempt (an un-parked or new job is due now: waiting to be sent).
    if (job.lastError && job.runAt > now) return 'failed-retrying';
    return d.desiredState === 'absent' ? 'removing' : 'waiting';
  }
  if (d.status === 'parked') return 'parked';
  if (d.desiredState === 'absent') return identity && identity.status !== 'linked' ? 'unlinked' : 'removed';
  if (d.status === 'removed-by-researcher') return 'removed-by-researcher';
  if (d.status === 'synced') return retracted ? 'retracted' : 'sent';
  return 'waiting';
}

/**
 * A person's state when nothing of theirs is on the page's table, from the contributor view's status
 * (`linked`, `invited`, `denied`, `revoked`, `not-connected`) and whether they unlinked.
 * - `nothing-yet`: connected, nothing to send yet
 * - `waiting-for-consent`: invited, has not connected yet
 * - `not-invited`: not connected, no invitation sent
 * - `declined`: declined at ORCID
 * - `revoked`: the connection ended (token revoked)
 */
export type PersonState = 'nothing-yet' | 'waiting-for-consent' | 'not-invited' | 'declined' | 'revoked';

export function personState(contributorStatus: string): PersonState {
  switch (contributorStatus) {
    case 'linked': return 'nothing-yet';
    case 'invited': return 'waiting-for-consent';
    case 'denied': return 'declined';
    case 'revoked': return 'revoked';
    default: return 'not-invited';
  }
}

/** States in which nothing more will happen to an item on its own. */
export const SETTLED_STATES: readonly ItemState[] = ['sent', 'retracted', 'removed-by-researcher', 'unlinked', 'removed'];

/** How far a set of items got: settled of total, as a whole percentage, and how many are in each state. */
export function progressOf(states: readonly ItemState[]): { total: number; settled: number; percent: number; counts: Partial<Record<ItemState, number>> } {
  const counts: Partial<Record<ItemState, number>> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  const settled = states.filter((s) => SETTLED_STATES.includes(s)).length;
  return { total: states.length, settled, percent: states.length === 0 ? 0 : Math.round((100 * settled) / states.length), counts };
}
