/**
 * publish-store-calls: store round trips per host event, counted through a wrapper over the three
 * ports (every port method is one round trip), for 1, 50 and 500 authors: `articlePublished`
 * (first publication, with JATS and Crossref to embed, and a correction), `articleRetracted`, and
 * the backfill when an author connects late. Plus the latency of a 500-author publish. It counts,
 * so contention on the machine does not change the figures (except the latency row).
 */
import { orcidConnect, runtimeSettings } from '../src/plugin.js';
import { createConnect } from '../src/sync/connect.js';
import { orcidCheckDigit } from '../src/orcid/id.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/ports.js';
import type { Article } from '../src/types.js';
import { benchArticle, round, tmpDir, type BenchResult, type Check } from './common.js';

const SIZES = [1, 50, 500];
const TARGET = 5;

/** The store, with every port call counted (init and close are not round trips of an event). */
function counting(store: Store): { store: Store; take(): Record<string, number> } {
  let calls: Record<string, number> = {};
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'init' || prop === 'close') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store: proxy,
    take() {
      const out = calls;
      calls = {};
      return out;
    },
  };
}

/** A valid iD (ISO 7064 11,2 check digit) for a number. */
function benchOrcid(i: number): string {
  const base = `0000000${String(i).padStart(8, '0')}`;
  const d = `${base}${orcidCheckDigit(base)}`;
  return `${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8, 12)}-${d.slice(12)}`;
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

function xmlOf(article: Article): { jats: string; crossref: string } {
  const names = article.authors.map((a) => `<contrib contrib-type="author"><name><surname>${a.familyName}</surname><given-names>${a.givenNames}</given-names></name></contrib>`).join('');
  const people = article.authors.map((a, i) => `<person_name sequence="${i === 0 ? 'first' : 'additional'}" contributor_role="author"><given_name>${a.givenNames}</given_name><surname>${a.familyName}</surname></person_name>`).join('');
  return {
    jats: `<?xml version="1.0" encoding="UTF-8"?>\n<article article-type="research-article"><front><article-meta><contrib-group>${names}</contrib-group></article-meta></front></article>\n`,
    crossref: `<?xml version="1.0" encoding="UTF-8"?>\n<doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1"><body><journal><journal_article><contributors>${people}</contributors></journal_article></journal></body></doi_batch>\n`,
  };
}

export async function benchPublishStoreCalls(): Promise<BenchResult> {
  const tmp = tmpDir('store-calls');
  const inner = new SqliteStore({ path: `${tmp.dir}/orcid.db` });
  await inner.init();
  const counted = counting(inner);
  // No ORCID call happens on these paths (the worker is not started): the URL is never used.
  const orcid = await orcidConnect({ store: counted.store, env: { ORCID_ENV: 'emulator', ORCID_BASE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' } });
  // Late consent runs `connect.backfill` from the connect callback; the same function, on the same counted ports.
  const connect = createConnect({ ledger: counted.store, directory: counted.store, sources: counted.store, settings: runtimeSettings(orcid.config), now: () => new Date() });
  const rows: Record<string, Record<string, number>> = {};
  const detail: Record<string, Record<string, number>> = {};
  let latencyMs500 = 0;
  try {
    for (const n of SIZES) {
      const article = benchArticle(0, n, `n${n}`);
      // Authors 1..n-1 are linked before publication; author 0 connects late (the backfill row).
      await orcid.submissionCreated({ id: article.submissionId, title: article.title, contributors: article.authors.map((a, k) => ({ contributorId: a.contributorId, role: k === 0 ? 'author' as const : 'coauthor' as const, givenNames: a.givenNames, familyName: a.familyName })) });
      const now = new Date();
      const identities = [];
      for (let k = 0; k < n; k++) {
        const identity = await inner.linkIdentity({ orcid: benchOrcid(n * 1000 + k), sealedTokens: null, scopes: ['/authenticate', '/activities/update'], tokenExpiresAt: null }, now);
        identities.push(identity);
        if (k > 0) await inner.linkContributor(article.authors[k]!.contributorId, identity.id, now);
      }
      const published = { ...article, ...xmlOf(article) };
      counted.take();
      const t = performance.now();
      const first = await orcid.articlePublished(published);
      const ms = performance.now() - t;
      if (n === 500) latencyMs500 = ms;
      const row: Record<string, number> = {};
      detail[`articlePublished@${n}`] = counted.take();
      row.articlePublished = total(detail[`articlePublished@${n}`]!);
      row.queued = first.queued;
      await orcid.articleUpdated({ ...published, title: `${published.title} (corrected)` });
      detail[`articleUpdated@${n}`] = counted.take();
      row.articleUpdated = total(detail[`articleUpdated@${n}`]!);
      await orcid.articleRetracted(published, { notice: 'Retracted for the benchmark.' });
      detail[`articleRetracted@${n}`] = counted.take();
      row.articleRetracted = total(detail[`articleRetracted@${n}`]!);
      // Late consent: the connect callback links the slot, then backfills (counted on its own).
      await inner.linkContributor(article.authors[0]!.contributorId, identities[0]!.id, now);
      counted.take();
      const identity = (await inner.getIdentity(identities[0]!.id))!;
      counted.take();
      await connect.backfill(identity);
      detail[`backfill@${n}`] = counted.take();
      row.backfill = total(detail[`backfill@${n}`]!);
      rows[n] = row;
    }
  } finally {
    await orcid.close();
    await inner.close();
    tmp.remove();
  }
  const checks: Check[] = [];
  for (const n of SIZES) {
    for (const event of ['articlePublished', 'articleUpdated', 'articleRetracted', 'backfill']) {
      checks.push({ what: `${event} store round trips at ${n} author${n === 1 ? '' : 's'}`, value: rows[n]![event]!, op: '<=', target: TARGET });
    }
  }
  return {
    name: 'publish-store-calls',
    roundTrips: rows,
    calls: detail,
    publishLatencyMs500Authors: round(latencyMs500, 1),
    notes: [
      'counted through a wrapper over the Ledger, Directory and Sources ports of a SQLite store (each port method is one round trip)',
      'articlePublished: first publication with JATS and Crossref to embed, all authors but the first linked; articleUpdated: a correction; backfill: the first author connects late',
    ],
    checks,
  };
}
