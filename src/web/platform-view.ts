/**
 * What the platform status page (`/status/journals`) says about each journal: its job counts, its
 * oldest waiting item and its latest standing error, each with a link to the page that shows it in
 * full (the submission's status page, or the editors' page for an item of no submission). Pure.
 */
import type { Journal } from '../journals/model.js';
import type { JobCounts, JournalQueue, JournalQueueJob, LedgerKind } from '../store/store.js';
import { keptErrorInWords } from '../orcid/orcid-error.js';
import { parkCauseOf, type ParkCause } from './status-view.js';

export interface JournalRowItem {
  kind: LedgerKind;
  submissionId: string | null;
  /** The per-submission status page (`…/status?submission=`), or the editors' page for no submission. */
  url: string;
}

export interface JournalRow {
  id: string;
  title: string;
  locale: string;
  reviewPolicy: string;
  counts: JobCounts;
  oldestWaiting: (JournalRowItem & { since: string; runAt: string }) | null;
  /** `parkCause` for a parked job (words in the template), `detail` ORCID's answer in words, never markup. */
  lastError: (JournalRowItem & { parked: boolean; parkCause: ParkCause | null; detail: string; at: string }) | null;
}

const NONE: JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };

function item(j: JournalQueueJob, mountPath: string): JournalRowItem {
  const url = j.submissionId === null ? `${mountPath}/status/editors` : `${mountPath}/status?submission=${encodeURIComponent(j.submissionId)}`;
  return { kind: j.kind, submissionId: j.submissionId, url };
}

/**
 * One row per journal of `journals`, in their order, with its queue (zeros when it has no job);
 * then, when `all`, a row for each journal with jobs that is no longer configured (named by its id).
 */
export function journalRows(journals: readonly Journal[], queues: readonly JournalQueue[], mountPath: string, all: boolean): JournalRow[] {
  const byId = new Map(queues.map((q) => [q.journalId, q]));
  const known = new Set(journals.map((j) => j.id));
  const rows = journals.map((j) => row(j.id, j.title, j.locale, j.reviewPolicy, byId.get(j.id), mountPath));
  if (all) for (const q of queues) if (!known.has(q.journalId)) rows.push(row(q.journalId, q.journalId, '', '', q, mountPath));
  return rows;
}

function row(id: string, title: string, locale: string, reviewPolicy: string, q: JournalQueue | undefined, mountPath: string): JournalRow {
  const o = q?.oldestWaiting ?? null;
  const e = q?.lastError ?? null;
  const park = e && e.status === 'parked' ? parkCauseOf(e.error) : null;
  return {
    id, title, locale, reviewPolicy, counts: q?.counts ?? { ...NONE },
    oldestWaiting: o ? { ...item(o, mountPath), since: o.since.toISOString(), runAt: o.runAt.toISOString() } : null,
    lastError: e ? { ...item(e, mountPath), parked: park !== null, parkCause: park?.cause ?? null, detail: park ? park.detail : keptErrorInWords(e.error), at: e.at.toISOString() } : null,
  };
}
