import { orcidConnect } from './plugin.js';
import { createLogger } from './log.js';
import { loadConfig } from './config.js';
import { formatProgress } from './progress.js';
import { InvalidInputError } from './errors.js';

/**
 * `koa-orcid-connect worker [--drain]`: runs the outbox worker with the configuration from the
 * environment. `--drain` processes what is due and exits, with a progress bar on a terminal and
 * plain log lines otherwise; without it the worker runs until SIGINT/SIGTERM and then finishes the
 * jobs in hand (a job cut off by SIGKILL is taken over when its lease expires).
 */
export async function runWorkerCli(argv: string[]): Promise<number> {
  const orcid = await orcidConnect({});
  const counts = await orcid.store.countJobs();
  if (argv.includes('--drain')) {
    const total = counts.queued + counts.leased;
    const started = Date.now();
    const tty = process.stderr.isTTY === true;
    let lastLine = 0;
    const settled = await orcid.worker.drain({
      onProgress(done) {
        const line = formatProgress({ done, total, elapsedMs: Date.now() - started, width: tty ? 30 : 0 });
        if (tty) process.stderr.write(`\r${line}`);
        else if (Date.now() - lastLine > 5000 || done === total) {
          lastLine = Date.now();
          process.stderr.write(`${line}\n`);
        }
      },
    });
    if (tty) process.stderr.write('\n');
    const after = await orcid.store.countJobs();
    process.stderr.write(`drained ${settled} jobs; ${after.queued} queued (not yet due), ${after.parked} parked\n`);
    await orcid.close();
    return 0;
  }
  orcid.worker.start();
  process.stderr.write(`worker ${orcid.worker.id} started; ${counts.queued} jobs queued\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await orcid.close();
  return 0;
}

/** The job counts as a table people read, in the order a job goes through them. */
export function statusTable(counts: Record<string, number>): string {
  const rows: [string, string][] = [
    ['queued', 'waiting for a worker (or for their retry time)'],
    ['leased', 'being sent by a worker now'],
    ['parked', 'stopped until someone acts (see the status page)'],
    ['done', 'sent to ORCID, or settled without a call'],
  ];
  const width = Math.max(...rows.map(([k]) => String(counts[k] ?? 0).length));
  return `${rows.map(([k, meaning]) => `${k.padEnd(7)} ${String(counts[k] ?? 0).padStart(width)}  ${meaning}`).join('\n')}\n`;
}

/** `koa-orcid-connect status [--json]`: the outbox's job counts, readable or as one JSON line. */
export async function runStatusCli(argv: string[]): Promise<number> {
  // stdout is the answer; log lines (e.g. the development-defaults warning) go to stderr.
  const orcid = await orcidConnect({ logger: createLogger({ level: loadConfig({}).logLevel, destination: process.stderr }) });
  try {
    const at = argv.indexOf('--journal');
    const journalId = at >= 0 ? argv[at + 1] : undefined;
    if (at >= 0 && !journalId) throw new InvalidInputError('--journal', 'needs a journal id');
    // An unknown journal is an error (exit 2), not an empty table.
    if (journalId !== undefined) await orcid.journals.get(journalId);
    const counts = journalId === undefined ? await orcid.store.countJobs() : await orcid.store.countJobs({ journalId });
    process.stdout.write(argv.includes('--json') ? `${JSON.stringify(counts)}\n` : statusTable(counts as unknown as Record<string, number>));
  } finally {
    await orcid.close();
  }
  return 0;
}
