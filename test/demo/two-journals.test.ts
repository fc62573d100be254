/**
 * Issue 19, "The demo hosts two journals": the English journal of the settings (blind review) and a
 * Chinese one (zh-Hans by default, open review), picked with the journal switcher; the demo's host
 * events carry the journal, its journalOf(ctx) gives the plugin the switcher's journal (none for
 * platform staff), and the platform status page lists both journals to staff only.
 */
import { expect } from 'chai';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { ZH_JOURNAL } from '../../src/demo/journals.js';
import { localNetworkOnly } from '../local-network.js';

describe('the demo\'s two journals', function () {
  localNetworkOnly();
  this.timeout(30_000);
  let demo: RunningDemo;
  let en: string;
  let zh: string;

  async function get(path: string, as: string, journal: string | null, init: RequestInit = {}) {
    const cookie = [`demo_act_as=${as}`, ...(journal ? [`demo_journal=${journal}`] : [])].join('; ');
    const res = await fetch(`${demo.url}${path}`, { redirect: 'manual', ...init, headers: { cookie, ...(init.headers as Record<string, string>) } });
    return { status: res.status, location: res.headers.get('location'), setCookie: res.headers.get('set-cookie'), text: await res.text() };
  }
  const post = (path: string, as: string, journal: string | null, form: Record<string, string>) =>
    get(path, as, journal, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const submit = async (journal: string | null, title: string) =>
    decodeURIComponent((await post('/submit', 'author', journal, { title, given_1: 'Josiah', family_1: 'Carberry', email_1: 'josiah.carberry@example.edu' })).location!.replace('/submissions/', ''));

  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
    en = await submit(null, 'An English paper');
    zh = await submit(ZH_JOURNAL.id, '一篇中文论文');
    for (const [id, journal] of [[en, null], [zh, ZH_JOURNAL.id]] as const) expect((await post(`/submissions/${id}/publish`, 'editor', journal, {})).status).to.equal(302);
  });
  after(() => demo?.close());

  it('the switcher picks the journal; a manuscript belongs to the journal it was submitted to, with that journal\'s policies', async () => {
    const r = await post('/journal', 'author', null, { journal: ZH_JOURNAL.id, return: '/submissions' });
    expect([r.status, r.location]).to.deep.equal([302, '/submissions']);
    expect(r.setCookie).to.match(/^demo_journal=cjer;/);
    expect((await post('/journal', 'author', null, { journal: 'nope' })).status).to.equal(400);
    expect(await demo.orcid.store.getSubmissionJournal(en)).to.equal('default');
    expect(await demo.orcid.store.getSubmissionJournal(zh)).to.equal(ZH_JOURNAL.id);
    const [a, b] = [await demo.orcid.journals.get('default'), await demo.orcid.journals.get(ZH_JOURNAL.id)];
    expect([a.locale, a.reviewPolicy]).to.deep.equal(['en', 'blind']);
    expect([b.locale, b.reviewPolicy, b.credentialsId]).to.deep.equal(['zh-Hans', 'open-review', 'default']);
  });

  it('lists each journal\'s own manuscripts and articles, in its own language by default', async () => {
    const enList = await get('/submissions', 'editor', null);
    expect(enList.text).to.contain(en).and.contain('<html lang="en">');
    expect(enList.text).not.to.contain(zh);
    const zhList = await get('/submissions', 'editor', ZH_JOURNAL.id);
    expect(zhList.text).to.contain(zh).and.contain('<html lang="zh-Hans">').and.contain(`<a class="brand" href="/">${ZH_JOURNAL.title}</a>`);
    expect(zhList.text).not.to.contain(en);
    const articles = (await get('/articles', 'nobody', ZH_JOURNAL.id)).text;
    expect(articles).to.contain('一篇中文论文');
    expect(articles).not.to.contain('An English paper');
    // The switcher's language wins over the journal's.
    const chosen = await get('/submissions', 'editor', ZH_JOURNAL.id, { headers: { cookie: `demo_act_as=editor; demo_journal=${ZH_JOURNAL.id}; demo_lang=en` } });
    expect(chosen.text).to.contain('<html lang="en">');
  });

  it('publishes each article with its own journal\'s title and ISSN', async () => {
    const jats = (await get(`/articles/${zh}/jats.xml`, 'nobody', null)).text;
    expect(jats).to.contain(`<journal-title>${ZH_JOURNAL.title}</journal-title>`).and.contain(ZH_JOURNAL.issn!);
    const enJats = (await get(`/articles/${en}/jats.xml`, 'nobody', null)).text;
    expect(enJats).to.contain(`<journal-title>${demo.orcid.config.journal.title}</journal-title>`);
    expect(enJats).not.to.contain(ZH_JOURNAL.title);
  });

  it('gives the plugin the switcher\'s journal: an editor sees that journal\'s status pages only, platform staff every journal', async () => {
    expect((await get(`/orcid/status?submission=${encodeURIComponent(zh)}`, 'editor', ZH_JOURNAL.id)).status).to.equal(200);
    expect((await get(`/orcid/status?submission=${encodeURIComponent(zh)}`, 'editor', null)).status).to.equal(404);
    const editorPage = await get('/orcid/status/journals', 'editor', ZH_JOURNAL.id);
    expect(editorPage.status).to.equal(200);
    expect(editorPage.text).to.contain('data-journal="cjer"');
    expect(editorPage.text).not.to.contain('data-journal="default"');
    const staff = await get('/orcid/status/journals', 'staff', ZH_JOURNAL.id);
    expect(staff.text).to.contain('data-journal="default"').and.contain('data-journal="cjer"');
    expect((await get(`/orcid/status?submission=${encodeURIComponent(en)}`, 'staff', ZH_JOURNAL.id)).status).to.equal(200);
    expect((await get('/orcid/status/journals', 'author', null)).status).to.equal(403);
  });

  it('opening a manuscript of the other journal enters that journal: its header, language and the plugin\'s status page follow', async () => {
    const page = await get(`/submissions/${encodeURIComponent(zh)}`, 'editor', null);
    expect(page.setCookie).to.match(/^demo_journal=cjer;/);
    expect(page.text).to.contain(`<a class="brand" href="/">${ZH_JOURNAL.title}</a>`).and.contain('<html lang="zh-Hans">');
    // With the cookie the page set, the status link on it works for the editor.
    expect((await get(`/orcid/status?submission=${encodeURIComponent(zh)}`, 'editor', ZH_JOURNAL.id)).status).to.equal(200);
    // A manuscript of the journal already chosen sets nothing.
    expect((await get(`/submissions/${encodeURIComponent(en)}`, 'editor', null)).setCookie ?? '').not.to.contain('demo_journal=');
  });
});
