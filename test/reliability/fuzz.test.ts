import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import { OrcidPluginError } from '../../src/errors.js';
import { FULL, dumpDb, printFigures } from './helpers.js';

const RUNS = FULL ? 1000 : 60;
const JOURNAL = { title: 'Journal of Emulated Research', issn: '0000-0000' };

/** Bad input of every kind: a typed error or a 4xx with a reason, never a 500, never half a write. */
describe('reliability: bad input (fast-check)', function () {
  this.timeout(FULL ? 600_000 : 90_000);
  const cases: Record<string, number> = {};
  after(() => printFigures('fuzz', { cases, total: Object.values(cases).reduce((a, b) => a + b, 0) }));
  let h: Harness;
  let dir: string;
  let dbFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orcid-fuzz-'));
    dbFile = join(dir, 'orcid.db');
    h = await startHarness({ storeUrl: `sqlite:${dbFile}`, env: { ORCID_PREMIUM: 'true', ORCID_WEBHOOKS: 'true', ORCID_WEBHOOK_SECRET: 'hook-secret-0123456789' } });
    await h.orcid.submissionCreated({ id: 's1', title: 'Fuzzed', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
    ] });
    const b = new Browser();
    b.setUser('u1');
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Call a host event: it either succeeds or throws a typed 4xx error having written nothing. */
  async function event(name: string, call: () => Promise<unknown>) {
    cases[name] = (cases[name] ?? 0) + 1;
    const before = dumpDb(dbFile);
    try {
      await call();
    } catch (e) {
      expect(e, `${name} threw ${String(e)}`).to.be.instanceOf(OrcidPluginError);
      expect((e as OrcidPluginError).status, (e as Error).message).to.be.within(400, 499);
      expect(dumpDb(dbFile), `${name} failed with ${(e as Error).message} but wrote to the store`).to.equal(before);
    }
  }

  const text = fc.oneof(fc.string(), fc.constantFrom('', ' ', '<b>x</b>', '\u0000', 'a'.repeat(5000), '10.5555/x', '2026-13-45'));
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(undefined), fc.constant(null), fc.anything());
  const author = fc.record({ contributorId: fc.oneof(fc.constant('c1'), text), givenNames: maybe(text), familyName: maybe(text), sequence: maybe(fc.integer()) });
  const articleArb = fc.record({
    id: fc.oneof(fc.constant('a1'), text), submissionId: fc.oneof(fc.constant('s1'), text), doi: maybe(text), title: maybe(text),
    url: maybe(fc.oneof(fc.webUrl(), text)), publishedAt: maybe(fc.oneof(fc.date({ noInvalidDate: true }), text)), journal: maybe(fc.constant(JOURNAL)),
    authors: maybe(fc.array(author, { maxLength: 3 })),
    // jats / crossref are fuzzed on a valid article below (the BUG test): mixed in here they would make this one flaky.
  }, { requiredKeys: [] });

  it('host events with hostile payloads', async () => {
    await fc.assert(fc.asyncProperty(articleArb, async (a) => {
      await event('articlePublished', () => h.orcid.articlePublished(a as never));
    }), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(articleArb, async (a) => {
      await event('articleRetracted', () => h.orcid.articleRetracted(a as never));
    }), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(fc.record({ id: maybe(text), submissionId: maybe(text), reviewerContributorId: maybe(text), completedAt: maybe(text), journal: maybe(fc.constant(JOURNAL)), manuscriptTitle: maybe(text), reviewUrl: maybe(text) }, { requiredKeys: [] }), async (r) => {
      await event('reviewCompleted', () => h.orcid.reviewCompleted(r as never));
    }), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(fc.record({ id: maybe(text), title: maybe(text), contributors: maybe(fc.array(fc.record({ contributorId: maybe(text), role: maybe(fc.constantFrom('author', 'coauthor', 'reviewer', 'x')), givenNames: maybe(text), familyName: maybe(text), email: maybe(text), orcid: maybe(text) }, { requiredKeys: [] }), { maxLength: 3 })) }, { requiredKeys: [] }), async (s) => {
      await event('submissionCreated', () => h.orcid.submissionCreated(s as never));
    }), { numRuns: RUNS });
  });

  // Malformed JATS or Crossref is refused before anything is stored (published() embeds first).
  it('articlePublished with malformed JATS or Crossref writes nothing', async () => {
    const bad = fc.oneof(fc.constantFrom('<article><front>', '<article>&nope;</article>', '<doi_batch><a></doi_batch>', '<'), fc.string().map((s) => `<article>${s}`));
    await fc.assert(fc.asyncProperty(bad, fc.constantFrom('jats', 'crossref'), fc.nat(), async (xml, field, n) => {
      await event('articlePublished with bad XML', () => h.orcid.articlePublished({
        id: `xml-${n}`, submissionId: 's1', title: 'Valid article', url: 'https://journal.example/x', publishedAt: '2026-11-01', journal: JOURNAL,
        authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }], [field]: xml,
      }));
    }), { numRuns: RUNS });
  });

  /** An HTTP answer from our routes: below 500, and a 4xx carries a reason. */
  async function http(name: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}, browser = new Browser()) {
    cases[name] = (cases[name] ?? 0) + 1;
    const r = await browser.request(url, { method: init.method, headers: init.headers });
    expect(r.status, `${name} ${url} → ${r.status}: ${r.text.slice(0, 200)}`).to.be.below(500);
    if (r.status >= 400) expect(r.text.trim().length, `${name} ${url}: a 4xx without a reason`).to.be.greaterThan(20);
    return r;
  }

  it('OAuth callback query strings, with and without a pending sign-in', async () => {
    const qs = fc.dictionary(fc.constantFrom('code', 'state', 'error', 'error_description', 'x', 'code[]', 'state[]'), fc.oneof(fc.string(), fc.constant('access_denied')), { maxKeys: 5 });
    await fc.assert(fc.asyncProperty(qs, fc.boolean(), async (q, pending) => {
      const b = new Browser();
      b.setUser('u1');
      let state: string | null = null;
      if (pending) state = new URL((await b.request(`${h.url}/orcid/connect?role=author&submission=s1`)).location!).searchParams.get('state');
      const params = new URLSearchParams(q);
      if (state && !('state' in q)) params.set('state', state); // the right state with hostile code/error
      await http('oauth callback', `${h.url}/orcid/callback?${params}`, {}, b);
    }), { numRuns: RUNS });
  });

  it('invitation tokens and webhook requests', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ minLength: 1 }), fc.base64String(), fc.constant('a'.repeat(300))), async (t) => {
      await http('invitation token', `${h.url}/orcid/invite/${encodeURIComponent(t)}`);
    }), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ minLength: 1 }), fc.constant('hook-secret-0123456789')), fc.oneof(fc.string({ minLength: 1 }), fc.constant(h.researchers.author!)), fc.string(), async (secret, orcid, body) => {
      cases.webhook = (cases.webhook ?? 0) + 1;
      const r = await fetch(`${h.url}/orcid/webhook/${encodeURIComponent(secret)}/${encodeURIComponent(orcid)}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(r.status, `${secret}/${orcid}`).to.be.below(500);
    }), { numRuns: RUNS });
  });
});
