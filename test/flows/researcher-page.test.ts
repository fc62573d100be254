/**
 * Researchers' own controls (issue 14): a page reachable from "Connected as …" and from the
 * "connected" page shows what the journal holds — the iD, the scopes, the items and their state — and
 * unlinks with a CSRF-protected POST. The "connected" page leads back, and pages can wear the host's layout.
 */
import { expect } from 'chai';
import { Browser, startHarness, type Harness } from './harness.js';
import { article } from '../sync/helpers.js';

function inviteLink(h: Harness, to: string): string {
  const mail = h.orcid.mailer.outbox().filter((m) => m.to === to).at(-1)!;
  return /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
}
const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? null;
const decode = (s: string) => s.replace(/&amp;/g, '&');

describe('the researcher\'s own page', function () {
  this.timeout(60_000);
  let h: Harness;

  async function setUp(options: Parameters<typeof startHarness>[0] = {}) {
    h = await startHarness(options);
    await h.orcid.submissionCreated({ id: 's1', title: 'Synchronised results', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
  }
  afterEach(() => h.close());

  it('shows a signed-in author their iD, scopes and items, from the "Connected as" link', async () => {
    await setUp();
    const b = new Browser();
    b.setUser('u1');
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    await h.orcid.articlePublished(article());
    await h.orcid.worker.drain();
    const me = await h.orcid.connectedAs('u1');
    const manage = /href="([^"]+)">Your ORCID connection/.exec(me!.html)![1]!;
    const page = await b.request(`${h.url}${manage}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.include(`${h.emulator.url}/${h.researchers.author}`);
    expect(page.text).to.include('Add items to your ORCID record and keep them up to date');
    expect(page.text.replace(/\s+/g, ' ')).to.match(/<td>Article<\/td> <td>Synchronised results<\/td> <td class="state-on-record">On your record<\/td>/);
    expect(field(page.text, '_csrf')).to.be.a('string').and.not.equal('');
    // Nobody else sees it: another host user, and an anonymous visitor.
    const other = new Browser();
    other.setUser('u2');
    expect((await other.request(`${h.url}/orcid/me`)).text).to.include('No ORCID iD is connected').and.not.include(h.researchers.author!);
    expect((await new Browser().request(`${h.url}/orcid/me`)).text).to.not.include(h.researchers.author!);
  });

  it('unlinks with the page\'s form, refuses it without the CSRF token or from another site, and says what happens', async () => {
    await setUp();
    const b = new Browser();
    b.setUser('u1');
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    await h.orcid.articlePublished(article());
    await h.orcid.worker.drain();
    const page = await b.request(`${h.url}/orcid/me`);
    const form = { _csrf: field(page.text, '_csrf')!, return: field(page.text, 'return')! };
    expect((await b.request(`${h.url}/orcid/unlink`, { form: { return: form.return }, csrf: false })).status).to.equal(403);
    expect((await b.request(`${h.url}/orcid/unlink`, { form, from: 'https://evil.example' })).status).to.equal(403);
    expect((await h.orcid.store.findIdentityByOrcid(h.researchers.author!))!.status).to.equal('linked');
    const done = await b.request(`${h.url}/orcid/unlink`, { form, csrf: false });
    expect([done.status, done.location]).to.deep.equal([302, '/orcid/me']);
    const after = await b.request(`${h.url}/orcid/me`);
    expect(after.text).to.include('You unlinked this iD').and.include('Being removed');
    await h.orcid.worker.drain();
    expect((await h.record(h.researchers.author!)).items).to.have.length(0);
    expect((await b.request(`${h.url}/orcid/me`)).text).to.include('No ORCID iD is connected');
  });

  it('leads an invitee from the "connected" page to their page and back to the journal', async () => {
    await setUp();
    const b = new Browser();
    const r = await h.connect(b, inviteLink(h, 'sofia@example.org'), h.researchers.coauthor!);
    expect(r.location).to.equal('/orcid/connected');
    const connected = await b.request(`${h.url}${r.location}`);
    expect(connected.text).to.include('href="/orcid/me"').and.include('href="/"');
    const page = await b.request(`${h.url}/orcid/me`);
    expect(page.text).to.include(`${h.emulator.url}/${h.researchers.coauthor}`);
    // Their session may unlink their iD, through the same CSRF-protected form.
    const done = await b.request(`${h.url}/orcid/unlink`, { form: { _csrf: field(page.text, '_csrf')!, return: '/orcid/me' }, csrf: false });
    expect(done.status).to.equal(302);
    expect((await b.request(`${h.url}/orcid/me`)).text).to.include('is unlinked from');
    expect((await h.orcid.store.findIdentityByOrcid(h.researchers.coauthor!))!.status).to.not.equal('linked');
  });

  it('returns to where the researcher came from, never off-site', async () => {
    await setUp();
    const b = new Browser();
    const link = `${inviteLink(h, 'sofia@example.org')}?return=${encodeURIComponent('/articles/a1?tab=authors')}`;
    const r = await h.connect(b, link, h.researchers.coauthor!);
    expect(decode(r.location!)).to.equal('/orcid/connected?return=%2Farticles%2Fa1%3Ftab%3Dauthors');
    expect(decode((await b.request(`${h.url}${r.location}`)).text)).to.include('href="/articles/a1?tab=authors"');
    const evil = await b.request(`${h.url}/orcid/connected?return=${encodeURIComponent('//evil.example/x')}`);
    expect(evil.text).to.include('href="/"').and.not.include('evil.example');
  });

  it('wraps its pages in the host\'s layout when the host gives one', async () => {
    await setUp({ layout: (_ctx, p) => `<!doctype html><html lang="${p.locale}"><head>${p.head}<title>${p.title} | Host Journal</title></head><body class="host-shell"><nav>Host menu</nav>${p.content}</body></html>` });
    const b = new Browser();
    b.setUser('u1');
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    for (const [path, title] of [['/orcid/me', 'Your ORCID connection'], ['/orcid/connected', 'Your ORCID iD is connected'], ['/orcid/invite/not-a-token', 'ORCID connection failed']] as const) {
      const page = await b.request(`${h.url}${path}`);
      expect(page.text, path).to.include('<body class="host-shell"><nav>Host menu</nav>');
      expect(page.text, path).to.include(`<title>${title} | Host Journal</title>`).and.include('.orcid-badge {');
      expect(page.text, path).to.not.include('<main>');
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
    }
    // A thrown error goes through the same frame, with its status.
    const forbidden = await new Browser().request(`${h.url}/orcid/connect?role=author&contributor=c1`);
    expect(forbidden.status).to.equal(403);
    expect(forbidden.text).to.include('<nav>Host menu</nav>');
  });
});
