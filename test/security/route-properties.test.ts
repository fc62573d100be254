import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser } from '../flows/harness.js';
import { startSyncHarness } from '../sync/helpers.js';
import { dumpDb } from '../reliability/helpers.js';
import type { Harness } from '../flows/harness.js';

/**
 * Property-based tests over every route that takes a URL, path, id or redirect (issue 13). For any
 * generated value, as an anonymous visitor, a signed-in author and an editor (with a valid CSRF
 * token, so the checks behind it are reached): no 5xx, no redirect off-site (ORCID's authorize page
 * is the one foreign place the plugin sends browsers), and no write to the store.
 */
const RUNS = Number(process.env.SECURITY_RUNS ?? 60);

const piece = fc.constantFrom('/', '//', '.', '..', '%2e', '%2E%2e', '%2f', '%5c', '\\', '?', '#', '@', ':', 'evil.example', 'https:', 'javascript:', '%00', '%0a', '%09', 'constructor', '__proto__', 'toString', 's1', 'c1', 'work:a1:x', '😀', '%', '%zz');
const hostile = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')),
  fc.string({ minLength: 1 }),
  fc.webUrl(),
  fc.webPath(),
  fc.constant('x'.repeat(3000)),
);
/** One path segment: encoded as a browser would, or left raw where the URL parser allows it. */
const segment = fc.tuple(hostile, fc.boolean()).map(([s, raw]) => (raw ? s.replace(/[/?#\s]/g, '') || 'x' : encodeURIComponent(s)));

type Who = 'anonymous' | 'author' | 'editor';
interface RouteCase { method: 'GET' | 'POST'; path: (v: string) => string; body?: (v: string) => Record<string, string>; json?: boolean }

const ROUTES: Record<string, RouteCase> = {
  'connect return': { method: 'GET', path: (v) => `/orcid/connect?role=author&submission=s1&return=${encodeURIComponent(v)}` },
  'connect contributor': { method: 'GET', path: (v) => `/orcid/connect?role=author&contributor=${encodeURIComponent(v)}&return=/x` },
  'connect role/submission': { method: 'GET', path: (v) => `/orcid/connect?role=${encodeURIComponent(v)}&submission=${encodeURIComponent(v)}` },
  'signin return': { method: 'GET', path: (v) => `/orcid/signin?return=${encodeURIComponent(v)}` },
  'invite token': { method: 'GET', path: (v) => `/orcid/invite/${v}?return=${encodeURIComponent(v)}` },
  'callback': { method: 'GET', path: (v) => `/orcid/callback?state=${encodeURIComponent(v)}&code=${encodeURIComponent(v)}` },
  'status submission': { method: 'GET', path: (v) => `/orcid/status?submission=${encodeURIComponent(v)}` },
  'contributors': { method: 'GET', path: (v) => `/orcid/api/submissions/${v}/contributors` },
  'submission status': { method: 'GET', path: (v) => `/orcid/api/submissions/${v}/status` },
  'resend invitation': { method: 'POST', path: (v) => `/orcid/api/submissions/s1/contributors/${v}/resend-invitation`, json: true },
  'resend invitation (submission)': { method: 'POST', path: (v) => `/orcid/api/submissions/${v}/contributors/c2/resend-invitation`, json: true },
  'job action': { method: 'POST', path: (v) => `/orcid/api/jobs/${v}/${v}`, json: true },
  'job retry': { method: 'POST', path: (v) => `/orcid/api/jobs/${v}/retry`, json: true },
  'status form action': { method: 'POST', path: (v) => `/orcid/status/jobs/${v}/unpark`, body: (v) => ({ return: v }) },
  'send again': { method: 'POST', path: (v) => `/orcid/api/deposits/${v}/send-again`, json: true },
  'unlink return': { method: 'POST', path: () => '/orcid/unlink', body: (v) => ({ return: v }) },
  'connected return': { method: 'GET', path: (v) => `/orcid/connected?return=${encodeURIComponent(v)}` },
  'researcher page': { method: 'GET', path: (v) => `/orcid/me?${encodeURIComponent(v)}=${encodeURIComponent(v)}` },
  'webhook': { method: 'POST', path: (v) => `/orcid/webhook/${v}/${v}` },
};

describe('routes under generated URLs, paths, ids and redirects (fast-check)', function () {
  this.timeout(120_000);
  let h: Harness;
  let dir: string;
  let dbFile: string;
  const browsers: Partial<Record<Who, Browser>> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orcid-props-'));
    dbFile = join(dir, 'orcid.db');
    h = await startSyncHarness({ storeUrl: `sqlite:${dbFile}`, orcid: { premium: true }, webhooks: { enabled: true, secret: 'Webhook-S3cret-9f8e7d6c' } });
    await h.orcid.submissionCreated({ id: 's1', title: 'Props', contributors: [
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
    browsers.anonymous = new Browser();
    browsers.author = new Browser({ 'x-user': 'u1' });
    browsers.editor = new Browser({ 'x-user': 'editor-1' });
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Whether `pathname` resends the invitation of a contributor who exists, in the submission it names. */
  async function isRealResend(pathname: string): Promise<boolean> {
    const m = /^\/orcid\/api\/submissions\/([^/]+)\/contributors\/([^/]+)\/resend-invitation$/.exec(pathname);
    if (!m) return false;
    try {
      const contributor = await h.orcid.store.getContributor(decodeURIComponent(m[2]!));
      return contributor !== null && contributor.submissionId === decodeURIComponent(m[1]!);
    } catch {
      return false; // not decodable: not a real contributor's path
    }
  }

  /** Where a browser would go next, if anywhere: our origin, or ORCID's authorize page. */
  function allowedLocation(location: string | null): boolean {
    if (!location) return true;
    const next = new URL(location, `${h.url}/orcid/here`);
    return next.origin === h.url || next.href.startsWith(`${h.emulator.url}/oauth/authorize?`);
  }

  for (const [name, route] of Object.entries(ROUTES)) {
    it(`${route.method} ${name}: no 5xx, no off-site redirect, no write`, async () => {
      await fc.assert(fc.asyncProperty(fc.oneof(segment, hostile), fc.constantFrom<Who>('anonymous', 'author', 'editor'), async (value, who) => {
        const path = route.path(value);
        let url: string;
        try {
          url = new URL(path, h.url).href;
        } catch {
          return; // not a URL a browser could request
        }
        if (!url.startsWith(`${h.url}/orcid`)) return; // the generated value left the plugin's paths (e.g. `..`): the host's business
        // An editor resending the invitation of a contributor of that submission (the pieces include
        // `s1`, `c1`, `c2`) is a legitimate write, not a hostile input.
        if (who === 'editor' && (await isRealResend(new URL(url).pathname))) return;
        // Starting a sign-in stores its single-use OAuth state (issue 13, finding 7); that is the one
        // write allowed, and only on the way to ORCID's authorize page. Every other table stays as it was.
        const before = dumpDb(dbFile, ['oauth_states']);
        const everything = dumpDb(dbFile);
        const b = browsers[who]!;
        const r = route.method === 'GET' ? await b.request(url)
          : route.json ? await b.request(url, { json: {}, headers: { accept: 'application/json' } })
          : await b.request(url, { form: route.body?.(value) ?? {}, headers: { accept: 'text/html' } });
        expect(r.status, `${who} ${route.method} ${path} → ${r.status} ${r.text.slice(0, 160)}`).to.be.below(500);
        expect(allowedLocation(r.location), `${who} ${path} → Location ${r.location}`).to.equal(true);
        expect(dumpDb(dbFile, ['oauth_states']) === before, `${who} ${route.method} ${path} → ${r.status} wrote to the store`).to.equal(true);
        if (dumpDb(dbFile) !== everything) expect((r.location ?? '').startsWith(`${h.emulator.url}/oauth/authorize?`), `${who} ${path} stored an OAuth state without going to ORCID`).to.equal(true);
      }), { numRuns: RUNS });
    });
  }
});
