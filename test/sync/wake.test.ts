/**
 * Instant wake-ups: a running worker whose poll interval is ten minutes still posts a newly
 * published article at once, because the store tells it of the new job (SQLite: in-process;
 * PostgreSQL: NOTIFY from another host process's store). A test that waited for the poll would
 * time out: nothing here measures time.
 */
import { expect } from 'chai';
import { PostgresStore } from '../../src/store/postgres.js';
import { article, connectAuthor, items, startSyncHarness } from './helpers.js';
import type { Harness } from '../flows/harness.js';
import { POSTGRES_URL, dropSchema, freshSchema, withPostgres } from '../store/postgres-env.js';

const NEVER_POLL = { pollMs: 600_000, concurrency: 4 };

/** Until the store records the work's put-code (asking the store, not the emulator, keeps the emulator free for the worker). */
async function untilPosted(h: Harness, orcid: string): Promise<void> {
  const posted = async () => (await h.orcid.store.listDeposits({ orcid })).some((d) => d.kind === 'work' && d.putCode !== null);
  while (!(await posted())) await new Promise((r) => setTimeout(r, 10));
}

describe('worker wake-ups', () => {
  it('SQLite: an article published in this process reaches a sleeping worker without waiting for its poll', async () => {
    const h = await startSyncHarness({ worker: NEVER_POLL } as Parameters<typeof startSyncHarness>[0]);
    try {
      await connectAuthor(h);
      h.orcid.worker.start();
      await new Promise((r) => setTimeout(r, 50)); // let it fall asleep
      await h.orcid.articlePublished(article());
      await untilPosted(h, h.researchers.author!);
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
    } finally {
      await h.orcid.worker.stop();
      await h.close();
    }
  });

  withPostgres('Worker wake-ups', () => {
    it('PostgreSQL: an article published reaches a sleeping worker by NOTIFY on its LISTEN connection', async () => {
      const schema = freshSchema('wake');
      const h = await startSyncHarness({ worker: NEVER_POLL, storeUrl: `${POSTGRES_URL}${POSTGRES_URL!.includes('?') ? '&' : '?'}schema=${schema}` } as Parameters<typeof startSyncHarness>[0]);
      try {
        expect(h.orcid.store).to.be.instanceOf(PostgresStore);
        await connectAuthor(h);
        h.orcid.worker.start();
        while (!(h.orcid.store as PostgresStore).listening) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 50)); // let it fall asleep
        await h.orcid.articlePublished(article());
        await untilPosted(h, h.researchers.author!);
        expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
      } finally {
        await h.orcid.worker.stop();
        await h.close();
        await dropSchema(schema);
      }
    });
  });
});
