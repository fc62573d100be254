/**
 * publish-latency: `articlePublished` for a 50-author article with every ORCID call taking
 * 200 ms, against the way other integrations do it: posting each author's work synchronously,
 * one after another, inside the publish request.
 */
import { benchArticle, benchEmulator, percentile, round, seedIdentities, tmpDir, type BenchResult } from './common.js';
import { orcidConnect } from '../src/plugin.js';
import { createOrcidClient } from '../src/orcid/client.js';
import { buildWorkXml } from '../src/orcid/work.js';
import { NO_FAULTS } from '../src/emulator/faults.js';

const AUTHORS = 50;
const LATENCY_MS = 200;
const PLUGIN_SAMPLES = 30;
const BASELINE_SAMPLES = 10;

export async function benchPublishLatency(): Promise<BenchResult> {
  const tmp = tmpDir('publish');
  const emulator = await benchEmulator({ rateLimit: false });
  const orcid = await orcidConnect({ env: { ORCID_ENV: 'emulator', ORCID_BASE_URL: emulator.url, STORE_URL: `sqlite:${tmp.dir}/orcid.db`, LOG_LEVEL: 'silent' } });
  try {
    const people = await seedIdentities(emulator.url, orcid.store, AUTHORS);
    const link = async (tag: string, i: number) => {
      const article = benchArticle(i, AUTHORS, tag);
      for (const [k, a] of article.authors.entries()) {
        await orcid.store.upsertContributor({ id: a.contributorId, submissionId: article.submissionId, role: k === 0 ? 'author' : 'coauthor', givenNames: a.givenNames, familyName: a.familyName }, new Date());
        await orcid.store.linkContributor(a.contributorId, people[k].identity.id, new Date());
      }
      return article;
    };
    emulator.core.faults = { ...NO_FAULTS, latencyMs: LATENCY_MS };

    // The plugin: queue the works (the worker posts them later, outside the request).
    const plugin: number[] = [];
    let queued = 0;
    for (let i = 0; i < PLUGIN_SAMPLES; i++) {
      const article = await link('plugin', i);
      const t = performance.now();
      queued += (await orcid.articlePublished(article)).queued;
      plugin.push(performance.now() - t);
    }

    // The baseline: each author's work posted in the request, one after another.
    const client = createOrcidClient({ apiBase: `${emulator.url}/v3.0`, userAgent: 'bench-baseline' });
    const baseline = await Promise.all(
      Array.from({ length: BASELINE_SAMPLES }, async (_, i) => {
        const article = benchArticle(i, AUTHORS, 'baseline');
        const t = performance.now();
        const xml = buildWorkXml(article);
        for (const p of people) await client.postItem('work', p.identity.orcid, p.accessToken, xml);
        return performance.now() - t;
      }),
    );
    plugin.sort((a, b) => a - b);
    baseline.sort((a, b) => a - b);
    const p = { p50: round(percentile(plugin, 50), 1), p99: round(percentile(plugin, 99), 1) };
    const b = { p50: round(percentile(baseline, 50), 1), p99: round(percentile(baseline, 99), 1) };
    return {
      name: 'publish-latency',
      authors: AUTHORS,
      emulatorLatencyMs: LATENCY_MS,
      pluginMs: { ...p, samples: PLUGIN_SAMPLES },
      baselineMs: { ...b, samples: BASELINE_SAMPLES },
      worksQueued: queued,
      p50BaselineOverPlugin: round(b.p50 / p.p50, 1),
      p99BaselineOverPlugin: round(b.p99 / p.p99, 1),
      notes: [
        'plugin: articlePublished (contributors linked, SQLite store, embed + 50 desired deposits in the ledger); samples one after another',
        `baseline: the same 50 works posted with the plugin's ORCID client, sequentially, tokens already in hand; ${BASELINE_SAMPLES} publishes run at once (each waits on the network, not the CPU), so p99 is the slowest of ${BASELINE_SAMPLES}`,
        'emulator in the same process, no rate limit, 200 ms added to every ORCID call',
      ],
      checks: [
        { what: 'plugin p99 / baseline p50', value: round(p.p99 / b.p50, 4), op: '<=', target: 0.1 },
        { what: 'works queued', value: queued, op: '>=', target: AUTHORS * PLUGIN_SAMPLES },
      ],
    };
  } finally {
    await orcid.close();
    await emulator.close();
    tmp.remove();
  }
}
