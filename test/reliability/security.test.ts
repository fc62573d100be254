import { expect } from 'chai';
import fc from 'fast-check';
import Koa from 'koa';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import { createLogger } from '../../src/log.js';
import { orcidConnect } from '../../src/plugin.js';
import { FULL, control, printFigures } from './helpers.js';
import type { Article } from '../../src/types.js';

const XSS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"];
const WEBHOOK_SECRET = 'hook-secret-0123456789';

function article(): Article {
  return { id: 'a1', submissionId: 's1', doi: '10.5555/sec.1', title: 'Secure results', url: 'https://journal.example/a1', publishedAt: '2026-11-01',
    journal: { title: 'Journal of Emulated Research', issn: '0000-0000' },
    authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] };
}

describe('reliability: security', function () {
  this.timeout(60_000);
  const figures: Record<string, unknown> = {};
  after(() => printFigures('security', figures));
  let h: Harness;
  let dir: string;
  let logs: string[];
  let offsetMs: number;
  /** Set to stop the clock (the webhook's token bucket must not refill while a slow machine sends). */
  let frozenAt: number | null;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orcid-security-'));
    logs = [];
    offsetMs = 0;
    frozenAt = null;
    h = await startHarness({
      storeUrl: `sqlite:${join(dir, 'orcid.db')}`,
      logger: createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } }),
      now: () => new Date((frozenAt ?? Date.now()) + offsetMs),
      env: { ORCID_UNLINK_POLICY: 'keep', ORCID_PREMIUM: 'true', ORCID_WEBHOOKS: 'true', ORCID_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
    await h.orcid.submissionCreated({ id: 's1', title: 'Secure results', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
      { contributorId: 'c2', role: 'coauthor', givenNames: XSS[0]!, familyName: XSS[1]!, email: 'sofia@example.org' },
    ] });
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const inviteLink = () => /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(h.orcid.mailer.outbox().at(-1)!.text)![0];
  const rawStore = () => ['orcid.db', 'orcid.db-wal', 'orcid.db-shm'].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
  async function issuedTokens(): Promise<string[]> {
    return h.emulator.state.data.tokens.flatMap((t) => [t.accessToken, t.refreshToken]).filter((t): t is string => !!t);
  }

  it('keeps tokens encrypted at rest and out of the logs through a whole connect, publish, refresh, revoke and unlink flow', async () => {
    const b = new Browser();
    b.setUser('u1');
    // A callback with a code ORCID refuses (logged as a warning).
    const start = await b.request(`${h.url}/orcid/connect?role=author&submission=s1`);
    const state = new URL(start.location!).searchParams.get('state')!;
    expect((await b.request(`${h.url}/orcid/callback?code=bogus1&state=${state}`)).status).to.be.within(400, 599);
    expect((await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=/s1`, h.researchers.author!)).status).to.equal(302);
    const coauthor = new Browser();
    expect((await h.connect(coauthor, inviteLink(), h.researchers.coauthor!)).status).to.equal(302);
    const both = { ...article(), authors: [...article().authors, { contributorId: 'c2', givenNames: 'Sofia', familyName: 'Garcia', sequence: 2 }] };
    await h.orcid.articlePublished(both);
    await h.orcid.worker.drain();
    const linked = await h.orcid.store.findIdentityByOrcid(h.researchers.author!);
    expect(linked!.sealedTokens, 'a sealed token set is stored').to.be.a('string');
    const tokens1 = await issuedTokens();
    expect(tokens1.length).to.be.greaterThan(3);
    for (const t of tokens1) expect(rawStore().includes(t), `token ${t.slice(0, 6)}… in the raw store`).to.equal(false);
    // Expire the author's token (refresh); revoke the co-author's at ORCID (401 with the token echoed → park).
    const first = h.emulator.state.data.tokens.find((t) => t.orcid === h.researchers.author)!;
    await control(h.emulator, 'POST', '/expire', { accessToken: first.accessToken });
    for (const t of h.emulator.state.data.tokens.filter((x) => x.orcid === h.researchers.coauthor)) await control(h.emulator, 'POST', '/revoke', { accessToken: t.accessToken });
    await h.orcid.articleUpdated({ ...both, title: 'Secure results, corrected' });
    await h.orcid.worker.drain();
    expect((await h.orcid.store.findIdentityByOrcid(h.researchers.coauthor!))!.status).to.equal('revoked');
    // Unlink while ORCID's revoke endpoint fails (logged as a warning with the error).
    await control(h.emulator, 'PUT', '/faults', { errorRate: 1 });
    expect((await b.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } })).status).to.equal(200);
    await h.orcid.worker.drain();
    await control(h.emulator, 'PUT', '/faults', {});
    const tokens = await issuedTokens();
    expect(tokens.length, 'the refresh minted a new token pair').to.be.greaterThan(tokens1.length);
    const log = logs.join('');
    expect(logs.length, 'the flow was logged').to.be.greaterThan(1);
    const leaked = tokens.filter((t) => log.includes(t) || rawStore().includes(t));
    expect(leaked).to.deep.equal([]);
    expect(log.includes('demo-secret'), 'client secret in the log').to.equal(false);
    figures['tokens scanned'] = { tokens: tokens.length, logLines: logs.length, rawStoreBytes: rawStore().length, leaked: leaked.length };
  });

  it('refuses a forged or replayed OAuth state and gives a new session id after connecting', async () => {
    const b = new Browser();
    b.setUser('u1');
    const toOrcid = await b.request(`${h.url}/orcid/connect?role=author&submission=s1`);
    const before = (toOrcid.headers.getSetCookie().find((c) => c.startsWith('koa-orcid.sess=')) ?? '').split(';')[0];
    const params = new URL(toOrcid.location!).searchParams;
    const consent = await b.request(`${h.emulator.url}/oauth/authorize`, { form: { ...Object.fromEntries(params), orcid: h.researchers.author!, decision: 'authorize' } });
    const forged = new URL(consent.location!);
    forged.searchParams.set('state', 'forged');
    expect((await b.request(forged.toString())).status).to.equal(403);
    const ok = await b.request(consent.location!);
    expect(ok.status).to.equal(302);
    const after = (ok.headers.getSetCookie().find((c) => c.startsWith('koa-orcid.sess=')) ?? '').split(';')[0];
    expect(after).to.match(/^koa-orcid\.sess=/);
    expect(after).not.to.equal(before);
    expect((await b.request(consent.location!)).status, 'replayed callback').to.equal(403);
  });

  it('never redirects off-site, whatever the return parameter', async () => {
    let runs = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(fc.webUrl(), fc.string(), fc.constantFrom('//evil.example', '/\\evil.example', '\\\\evil.example', '/%2F%2Fevil.example', 'javascript:alert(1)', '/\t/evil.example')), async (ret) => {
      runs++;
      const b = new Browser();
      b.setUser('u1');
      const r = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=${encodeURIComponent(ret)}`, h.researchers.author!);
      expect(r.status).to.equal(302);
      const target = new URL(r.location!, h.url);
      expect(target.origin, `return=${JSON.stringify(ret)} → ${r.location}`).to.equal(h.url);
    }), { numRuns: FULL ? 200 : 25 });
    figures['open redirect cases'] = runs;
  });

  it('sets the session cookie httpOnly and sameSite, and secure behind https', async () => {
    const b = new Browser();
    b.setUser('u1');
    const dev = (await b.request(`${h.url}/orcid/connect?role=author&submission=s1`)).headers.getSetCookie().find((c) => c.startsWith('koa-orcid.sess='))!;
    expect(dev.toLowerCase()).to.include('httponly').and.to.include('samesite=lax').and.not.to.include('secure');
    const https = await orcidConnect({ orcid: { env: 'emulator', baseUrl: h.emulator.url }, publicUrl: 'https://journal.example', storeUrl: 'sqlite::memory:', logLevel: 'silent', env: {},
      currentUser: () => ({ id: 'u9' }) });
    const app = new Koa({ proxy: true });
    app.use(https.routes());
    const server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/orcid/connect?role=author`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('koa-orcid.sess='))!;
      expect(cookie.toLowerCase()).to.include('httponly').and.to.include('samesite=lax').and.to.include('secure');
    } finally {
      server.close();
      await https.close();
    }
  });

  it('escapes names and parameters in pages and emails', async () => {
    const editor = new Browser();
    editor.setUser('editor-1');
    const page = await editor.request(`${h.url}/orcid/status?submission=s1`);
    expect(page.status).to.equal(200);
    const mail = h.orcid.mailer.outbox().find((m) => m.to === 'sofia@example.org')!;
    for (const body of [page.text, mail.html]) {
      for (const x of XSS.slice(0, 2)) expect(body).not.to.include(x);
      expect(body).to.include('&lt;script&gt;');
    }
    const reflected = await editor.request(`${h.url}/orcid/status?submission=${encodeURIComponent(XSS[2]!)}`);
    expect(reflected.text).not.to.include('<svg onload');
  });

  it('signs invitation links, uses them once, and lets them expire', async () => {
    const link = inviteLink();
    const [random, sig] = link.split('/').at(-1)!.split('.');
    const tampered = `${h.url}/orcid/invite/${random}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await new Browser().request(tampered)).status).to.equal(404);
    offsetMs = 31 * 86_400_000; // past the 30-day expiry
    const expired = await new Browser().request(link);
    expect([expired.status, expired.text.includes('expired')]).to.deep.equal([410, true]);
  });

  it('refuses editor endpoints to non-editors and to anonymous visitors', async () => {
    const calls: Array<[string, string]> = [
      ['GET', '/orcid/status?submission=s1'],
      ['GET', '/orcid/api/submissions/s1/status'],
      ['POST', '/orcid/api/jobs/j1/retry'],
      ['POST', '/orcid/api/deposits/work%3Aa1%3Ax/send-again'],
      ['POST', '/orcid/api/submissions/s1/contributors/c2/resend-invitation'],
    ];
    const statuses: number[] = [];
    for (const user of ['u1', null]) {
      const b = new Browser({ accept: 'application/json' });
      b.setUser(user);
      // POSTs as the host's own page sends them (JSON, with the CSRF token): only the role check may refuse them.
      for (const [method, path] of calls) statuses.push((await b.request(`${h.url}${path}`, method === 'POST' ? { json: {} } : {})).status);
    }
    // The author (u1): 403 from the role check; a job action or send-again answers a job or key that
    // is not of a submission the viewer edits like one that does not exist (404), so it confirms no
    // job or iD. Nobody signed in: 401 (issue 14).
    expect(statuses).to.deep.equal([403, 403, 404, 404, 403, ...Array(calls.length).fill(401)]);
  });

  it('refuses a wrong webhook secret and rate-limits the webhook endpoint', async () => {
    const orcid = h.researchers.author!;
    const post = (secret: string) => fetch(`${h.url}/orcid/webhook/${secret}/${orcid}`, { method: 'POST' });
    expect((await post('wrong-secret-0123456789')).status).to.equal(403);
    expect((await post(WEBHOOK_SECRET)).status).to.equal(204);
    frozenAt = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) statuses.push((await post(WEBHOOK_SECRET)).status);
    const limited = await post(WEBHOOK_SECRET);
    expect(statuses).to.include(429);
    expect(limited.status).to.equal(429);
    expect(limited.headers.get('retry-after')).to.equal('1');
    figures['webhook'] = { accepted: statuses.filter((s) => s === 204).length + 1, rateLimited: statuses.filter((s) => s === 429).length + 1 };
  });
});
