/**
 * A worker process for the two-process claim test: claims jobs from a SQLite file in batches,
 * completes each, and prints one JSON line with the ids it completed and any LEASE_LOST ids.
 * Usage: node --import tsx test/store/claim-worker.ts <file> <workerId> [batch]
 */
import { SqliteStore } from '../../src/store/sqlite.js';

const [file, workerId, batchText] = process.argv.slice(2);
const batch = Number(batchText ?? 100);
const store = new SqliteStore({ path: file, busyTimeoutMs: 10_000 });
await store.init();
const completed: string[] = [];
const lost: string[] = [];
for (;;) {
  const claimed = await store.claimJobs(workerId, new Date(), batch, 60_000);
  if (claimed.length === 0) break;
  for (const { job, deposit } of claimed) {
    try {
      await store.completeJob(
        { jobId: job.id, workerId, version: deposit.version, putCode: `pc-${deposit.key}`, postedHash: deposit.payloadHash, outcome: 'synced' },
        new Date(),
      );
      completed.push(job.id);
    } catch (e) {
      if ((e as { code?: string }).code !== 'LEASE_LOST') throw e;
      lost.push(job.id);
    }
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ workerId, completed, lost })}\n`);
