/** The row shape the SQL adapters' `journalQueues` statement returns, read into the port's `JournalQueue`. Pure. */
import type * as S from './store.js';

/** A `journalQueues` row (counts, `o_*` for the oldest waiting job, `f_*` for the last error) as the port returns it. */
export function toJournalQueue(r: Record<string, unknown>, date: (v: unknown) => Date): S.JournalQueue {
  const job = (p: 'o' | 'f'): S.JournalQueueJob => ({
    jobId: String(r[`${p}_id`]), depositKey: String(r[`${p}_deposit_key`]), kind: r[`${p}_kind`] as S.LedgerKind,
    submissionId: r[`${p}_submission_id`] == null ? null : String(r[`${p}_submission_id`]), status: r[`${p}_status`] as S.JobStatus,
  });
  return {
    journalId: String(r.journal_id),
    counts: { queued: Number(r.queued ?? 0), leased: Number(r.leased ?? 0), parked: Number(r.parked ?? 0), done: Number(r.done ?? 0) },
    oldestWaiting: r.o_id == null ? null : { ...job('o'), since: date(r.o_since), runAt: date(r.o_run_at) },
    lastError: r.f_id == null ? null : { ...job('f'), error: String(r.f_error), at: date(r.f_at) },
  };
}
