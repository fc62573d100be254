/**
 * The demo journal's own pages speak the switcher's language in their bodies too, not only in the
 * header (issue 14, "Languages"): each page is rendered in English and in zh-Hans, and no text of
 * the English page but the data (names, titles, iDs, addresses, numbers) is left in the Chinese one.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { VIEWS_DIR } from '../../src/demo/view.js';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { localNetworkOnly } from '../local-network.js';

describe('the demo\'s page bodies in the chosen language', function () {
  localNetworkOnly();
  this.timeout(30_000);
  let demo: RunningDemo;
  let id: string;
  /** A manuscript that is not published (its article page is an error). */
  let draft: string;

  async function get(path: string, as: string, lang: 'en' | 'zh-Hans', init: RequestInit = {}) {
    const res = await fetch(`${demo.url}${path}`, { redirect: 'manual', ...init, headers: { cookie: `demo_act_as=${as}; demo_lang=${lang}`, ...(init.headers as Record<string, string>) } });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }
  const post = (path: string, as: string, form: Record<string, string>) =>
    get(path, as, 'en', { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
    const res = await post('/submit', 'author', {
      title: 'Words test', abstract: 'Sodium channels.',
      given_1: 'Josiah', family_1: 'Carberry', email_1: 'josiah.carberry@example.edu',
      given_2: 'Sofia', family_2: 'Garcia', email_2: 'sofia.garcia@example.org',
    });
    id = decodeURIComponent(res.location!.replace('/submissions/', ''));
    expect((await post(`/submissions/${id}/reviewers`, 'editor', { reviewer: 'reviewer' })).status).to.equal(302);
    expect((await post(`/submissions/${id}/review/accept`, 'reviewer', {})).status).to.equal(302);
    expect((await post(`/submissions/${id}/publish`, 'editor', {})).status).to.equal(302);
    draft = decodeURIComponent((await post('/submit', 'author', { title: 'Draft', given_1: 'Josiah', family_1: 'Carberry' })).location!.replace('/submissions/', ''));
  });
  after(() => demo?.close());

  /**
   * The text between tags; left out: scripts, styles, code, what people typed (a form's textarea)
   * and the mails in the mailbox (each in the language it was sent in).
   */
  function texts(html: string): string[] {
    const body = html.replace(/<(script|style|code|textarea|pre)\b[\s\S]*?<\/\1>/g, '').replace(/<section class="mail"[^>]*>\s*<h3>[\s\S]*?<\/h3>/g, '');
    return body.split(/<[^>]*>/).map((t) => t.replace(/&[a-z]+;|&#\d+;/g, ' ').replace(/\s+/g, ' ').trim()).filter(Boolean);
  }

  /** Data, the same in every language: people, titles, ids, addresses, the demo's journal. */
  function isData(t: string): boolean {
    // ORCID's own terms stay as ORCID writes them; `(emulator)` names the ORCID environment.
    const DATA = ['Josiah Carberry', 'Sofia Garcia', 'Wang Fang', 'Amara Okafor', 'Erin Editor', 'Pat Platform', 'Words test', 'Draft', 'Sodium channels.', 'English', '中文', 'ORCID', 'ORCID:', 'ORCID iD', 'Put-code', '(emulator)'];
    if (DATA.includes(t) || t === id || t === `› ${id}` || t === demo.orcid.config.journal.title) return true;
    if (/^[\s\d\W]*$/.test(t)) return true; // numbers, punctuation
    if (/^(https?:\/\/|doi:|10\.)\S+$/.test(t) || /^\S+@\S+$/.test(t) || /^<\S+@\S+>$/.test(t)) return true;
    if (/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2} UTC)?$/.test(t)) return true;
    if (/^(JATS 1\.3 XML|Crossref 5\.3\.1)/.test(t) && !/deposit/.test(t)) return true; // format names
    return false;
  }

  const PAGES: Array<[string, string]> = [
    ['/', 'author'], ['/submit', 'author'], ['/submissions', 'editor'], ['/submissions/ID', 'editor'], ['/submissions/ID', 'author'],
    ['/submissions/ID/progress', 'editor'], ['/reviews', 'reviewer'], ['/submissions/ID/review', 'reviewer'], ['/reviews', 'nobody'],
    ['/articles', 'nobody'], ['/articles/ID', 'editor'], ['/mailbox', 'nobody'], ['/researchers', 'nobody'], ['/no-such-page', 'author'],
  ];

  /** The demo's own refusals: an error page each, whose message is the demo's (the plugin's are checked in test/web). */
  const ERRORS: Array<[string, string, Record<string, string>?]> = [
    ['/submissions/NO-SUCH', 'editor'], ['/submissions/ID/review', 'author'], ['/articles/DRAFT', 'nobody'],
    ['/submissions/ID/publish', 'author', {}], ['/submissions/DRAFT/review/complete', 'author', {}], ['/submit', 'nobody', { title: 'x', family_1: 'X' }],
    ['/submit', 'author', { title: '', family_1: 'X' }], ['/submit', 'author', { title: 'x' }], ['/submissions/ID/reviewers', 'editor', { reviewer: 'author' }],
    ['/lang', 'author', { lang: 'fr' }], ['/act-as', 'author', { user: 'no-such-user' }], ['/mailbox/0/open?link=x', 'nobody'],
  ];

  const CASES = [...PAGES.map(([p, a]) => ({ path: p, as: a, form: undefined, error: false })), ...ERRORS.map(([p, a, f]) => ({ path: p, as: a, form: f, error: true }))];
  for (const { path, as, form, error } of CASES) {
    it(`${form ? 'POST ' : ''}${path} as ${as}: nothing of the English page but data is left in Chinese`, async () => {
      const url = path.replace('DRAFT', encodeURIComponent(draft)).replace('ID', encodeURIComponent(id));
      const send = (lang: 'en' | 'zh-Hans') => get(url, as, lang, form ? { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {});
      const en = await send('en');
      const zh = await send('zh-Hans');
      if (error) expect(en.status, 'an error page').to.be.within(400, 499);
      expect(zh.status).to.equal(en.status);
      expect(zh.text).to.contain('<html lang="zh-Hans">');
      const english = new Set(texts(en.text).filter((t) => !isData(t)));
      const left = texts(zh.text).filter((t) => english.has(t));
      expect(left, `English left on ${path}`).to.deep.equal([]);
      expect(texts(zh.text).join(' ')).to.match(/[\u4e00-\u9fff]/);
    });
  }

  it('keeps the English pages as they were', async () => {
    expect((await get('/', 'author', 'en')).text).to.contain('<h1>ORCID Collect &amp; Connect, end to end</h1>');
    expect((await get('/submit', 'author', 'en')).text).to.contain('<h1>Submit a manuscript</h1>');
    expect((await get(`/submissions/${encodeURIComponent(id)}/progress`, 'editor', 'en')).text).to.contain('Nothing queued for ORCID yet.').and.contain('<th>What ORCID said</th>');
    expect((await get('/no-such-page', 'author', 'en')).text).to.contain('Nothing at /no-such-page.');
  });

  it('gives the live progress script its phrases as strings, in the page\'s language', async () => {
    const phrases = (html: string) => JSON.parse(/const PHRASES = (\{.*\});/.exec(html)![1]!) as Record<string, unknown>;
    const url = `/submissions/${encodeURIComponent(id)}/progress`;
    expect(phrases((await get(url, 'editor', 'en')).text)).to.deep.equal({
      nothingQueued: 'Nothing queued for ORCID yet.', settled: '{n} of {total} items settled ({percent}%)', unavailable: 'Status unavailable' });
    expect(phrases((await get(url, 'editor', 'zh-Hans')).text)).to.deep.equal({
      nothingQueued: '尚无等待发送到 ORCID 的项目。', settled: '{total} 个项目中已完成 {n} 个（{percent}%）', unavailable: '无法获取状态' });
  });

  it('has the same words, dictionaries and macros in every language', async () => {
    const exported = (locale: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
      const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(join(VIEWS_DIR, locale)));
      // getExported is nunjucks' own (not in its typings): a template's top-level sets and macros.
      const words = env.getTemplate('_words.njk') as unknown as { getExported(cb: (err: Error | null, out: Record<string, unknown>) => void): void };
      words.getExported((err, out) => (err ? reject(err) : resolve(out)));
    });
    const shape = (words: Record<string, unknown>) => Object.fromEntries(Object.entries(words).map(([k, v]) => [k, typeof v === 'function' ? 'macro' : Object.keys(v as object).sort()]));
    const en = shape(await exported('en'));
    const zh = shape(await exported('zh-Hans'));
    // People's and researchers' lines come from people.ts in English: only other languages carry them.
    expect({ ...zh, does: [], notes: [] }).to.deep.equal(en);
    expect((en.t as string[]).length).to.be.above(80);
  });
});
