import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { FULL, checkRecords, control, distribution, explain, printFigures, recordItems, rng, sleep, startStage, waitFor, type Stage } from './helpers.js';
import { applyMutations, buildWorkload, linkContributors, plainArticle, publishAll } from './workload.js';

/** One request the plugin made to ORCID, seen at the HTTP boundary (observed, not faked). */
interface Seen {
  key: string;
  start: number;
  end: number;
  status: number | 'network-error';
  retryAfter: string | null;
}

function recordingFetch(seen: Seen[], tamper?: (method: string, url: string) => boolean): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const body = typeof init?.body === 'string' ? init.body : '';
    const key = `${method} ${url} ${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;
    const start = Date.now();
    try {
      const res = await fetch(input, init);
      seen.push({ key, start, end: Date.now(), status: res.status, retryAfter: res.headers.get('retry-after') });
      if (tamper?.(method, url)) {
        await res.arrayBuffer();
        throw new TypeError('fetch failed', { cause: new Error('socket hang up (answer lost after ORCID stored the item)') });
      }
      return res;
    } catch (e) {
      if (!seen.some((s) => s.start === start && s.key === key)) seen.push({ key, start, end: Date.now(), status: 'network-error', retryAfter: null });
      throw e;
    }
  };
}

async function untilIdle(stage: Stage, timeoutMs: number) {
  await waitFor('the outbox to empty', async () => {
    const c = await stage.orcid.store.countJobs();
    return c.queued === 0 && c.leased === 0;
  }, timeoutMs, 100);
}

const BURST = FULL ? 40 : 8;

describe('reliability: ORCID faults', function () {
  this.timeout(FULL ? 600_000 : 90_000);
  const figures: Record<string, unknown> = {};
  after(() => printFigures('faults', figures));

  it('delivers everything exactly once through 5xx, resets, timeouts and 429 bursts, honouring Retry-After', async () => {
    const seed = 4004;
    const seen: Seen[] = [];
    const timeoutMs = 400;
    const stage = await startStage({
      researchers: FULL ? 30 : 10, seed, env: { ORCID_TIMEOUT_MS: String(timeoutMs), ORCID_POLL_MS: '20' },
      plugin: { fetch: recordingFetch(seen) },
    });
    try {
      const w = buildWorkload(stage.researchers, FULL ? 1000 : 100, rng(seed));
      await linkContributors(stage.orcid, w);
      const faults = { errorRate: 0.1, resetRate: 0.05, latencySpikeRate: 0.05, latencySpikeMs: timeoutMs * 2, burst429: { count: BURST } };
      await control(stage.emulator, 'PUT', '/faults', faults);
      expect(await publishAll(stage.orcid, w)).to.equal(w.deposits);
      stage.orcid.worker.start();
      await untilIdle(stage, FULL ? 400_000 : 60_000);
      // Corrections and retractions of delivered items go through the same storm (PUT and DELETE).
      await control(stage.emulator, 'PUT', '/faults', faults);
      await applyMutations(stage.orcid, w.mutations);
      await untilIdle(stage, FULL ? 400_000 : 60_000);
      await stage.orcid.worker.stop();

      const counts = await stage.orcid.store.countJobs();
      expect(counts).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems, items } = await checkRecords(stage, w.expected);
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);

      // Retry-After: the same request (method, URL, body) never comes back before ORCID said.
      const early: string[] = [];
      let honoured = 0;
      seen.forEach((s, i) => {
        if (s.status !== 429 || !s.retryAfter || s.key.includes('group-id-record')) return;
        const next = seen.slice(i + 1).find((x) => x.key === s.key);
        if (!next) return;
        honoured++;
        if (next.start < s.end + Number(s.retryAfter) * 1000 - 20) early.push(`${s.key} again after ${next.start - s.end} ms`);
      });
      expect(early.slice(0, 5), `${early.length} early`).to.deep.equal([]);

      const attempts = (await stage.orcid.store.listJobs({ status: 'done', limit: 100_000 })).map((j) => j.job.attempts);
      const maxAttempts = stage.orcid.config.worker.maxAttempts;
      expect(Math.max(...attempts), 'attempts per job stay under the park limit').to.be.at.most(maxAttempts);
      const stats = await control<{ faults: { errors: number; resets: number; forced429: number }; rateLimited: number }>(stage.emulator, 'GET', '/stats');
      const timeouts = seen.filter((s) => s.status === 'network-error').length;
      expect(stats.faults.errors, 'faults were injected').to.be.greaterThan(0);
      expect(stats.faults.resets).to.be.greaterThan(0);
      expect(stats.faults.forced429).to.equal(2 * BURST);
      const adopted = (await stage.orcid.store.listHistory({ limit: 100_000 })).filter((h) => h.event === 'item.adopted').length;
      figures['fault storm'] = {
        seed, deposits: w.deposits, mutations: w.mutations.length, requests: seen.length,
        injected: { '5xx': stats.faults.errors, resets: stats.faults.resets, forced429: stats.faults.forced429, clientTimeoutsAndResetsSeen: timeouts },
        retryAfterChecked: honoured, reconciled409: adopted, itemsOnRecords: items,
        attemptsPerJob: distribution(attempts), maxAttempts: Math.max(...attempts), jobsDone: counts.done,
      };
    } finally {
      await stage.close();
    }
  });

  // ../shared/orcid-model/README.md "Rate limits": ORCID queues a client's requests beyond 24/s and
  // answers 503 without Retry-After once more than its burst of 40 wait. Workers set far above that
  // limit (and 503 bursts injected on top) must slow down, park nothing and post nothing twice.
  it('delivers everything exactly once when ORCID throttles with 503 beyond its burst, parking nothing', async () => {
    const seed = 6006;
    const seen: Seen[] = [];
    const stage = await startStage({
      researchers: FULL ? 30 : 10, seed,
      emulator: { rateLimit: { perSecond: 24, burst: 40 } },
      // ORCID holds queued requests up to ~1.7 s: the client timeout allows for it, the lease covers 4 calls.
      env: { ORCID_RATE_LIMIT: '200', ORCID_RATE_LIMIT_BURST: '200', ORCID_WORKER_CONCURRENCY: '48', ORCID_TIMEOUT_MS: '5000', ORCID_LEASE_MS: '30000' },
      plugin: { fetch: recordingFetch(seen) },
    });
    try {
      const w = buildWorkload(stage.researchers, FULL ? 600 : 80, rng(seed));
      await linkContributors(stage.orcid, w);
      await control(stage.emulator, 'PUT', '/faults', { burst503: { count: BURST } });
      expect(await publishAll(stage.orcid, w)).to.equal(w.deposits);
      stage.orcid.worker.start();
      await untilIdle(stage, FULL ? 500_000 : 80_000);
      // Corrections and retractions under the same throttling (PUT and DELETE).
      await control(stage.emulator, 'PUT', '/faults', { burst503: { count: BURST } });
      await applyMutations(stage.orcid, w.mutations);
      await untilIdle(stage, FULL ? 500_000 : 80_000);
      await stage.orcid.worker.stop();
      const counts = await stage.orcid.store.countJobs();
      expect(counts).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      const { problems, items } = await checkRecords(stage, w.expected);
      expect(problems.slice(0, 20), `${problems.length} problems\n${await explain(stage, problems)}`).to.deep.equal([]);
      const throttled = seen.filter((x) => x.status === 503).length;
      expect(throttled, 'ORCID throttled the workers (503)').to.be.greaterThan(BURST);
      expect(seen.filter((x) => x.status === 503 && x.retryAfter !== null), 'ORCID sends no Retry-After with its 503').to.deep.equal([]);
      const attempts = (await stage.orcid.store.listJobs({ status: 'done', limit: 100_000 })).map((j) => j.job.attempts);
      figures['503 throttling'] = {
        seed, deposits: w.deposits, mutations: w.mutations.length, requests: seen.length, throttled503: throttled, injected503: BURST,
        itemsOnRecords: items, attemptsPerJob: distribution(attempts), parked: counts.parked, jobsDone: counts.done,
      };
    } finally {
      await stage.close();
    }
  });

  // A POST that landed without its answer, then a retraction: the delete must find the item by its external id.
  it('deletes an item whose POST answer was lost when the article is retracted before the retry', async () => {
    let lose = true;
    const seen: Seen[] = [];
    const stage = await startStage({
      researchers: 1, seed: 5005,
      plugin: { fetch: recordingFetch(seen, (method, url) => method === 'POST' && url.endsWith('/work') && lose && !(lose = false)) },
    });
    try {
      const w = buildWorkload(stage.researchers, 10, rng(5005));
      w.reviews.length = 0;
      const article = w.articles[0] ?? (() => { throw new Error('no article'); })();
      await linkContributors(stage.orcid, w);
      await stage.orcid.articlePublished(plainArticle(article));
      await stage.orcid.worker.runOnce(); // the POST lands at ORCID, its answer is lost: a retry is scheduled
      expect(await recordItems(stage.emulator, stage.researchers[0]!.orcid)).to.have.length(1);
      await stage.orcid.articleRetracted(plainArticle(article));
      for (let i = 0; i < 40 && (await stage.orcid.store.countJobs()).queued > 0; i++) {
        await sleep(100);
        await stage.orcid.worker.runOnce();
      }
      expect(await stage.orcid.store.countJobs()).to.deep.include({ queued: 0, leased: 0, parked: 0 });
      expect(await recordItems(stage.emulator, stage.researchers[0]!.orcid)).to.deep.equal([]);
    } finally {
      await stage.close();
    }
  });
});
