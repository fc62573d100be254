/**
 * The demo's language switcher (issue 14, "Languages"): it sets the host's locale, which the demo's
 * pages and the plugin's pages inside the demo both follow.
 */
import { expect } from 'chai';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { localNetworkOnly } from '../local-network.js';

describe('the demo\'s language switcher', function () {
  localNetworkOnly();
  this.timeout(20_000);
  let demo: RunningDemo;
  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
  });
  after(() => demo?.close());

  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${demo.url}${path}`, { redirect: 'manual', headers });
    return { status: res.status, location: res.headers.get('location'), cookies: res.headers.getSetCookie(), text: await res.text() };
  }

  it('offers en / 中文 on every page and sets the language cookie, returning where it was', async () => {
    const home = await get('/');
    expect(home.text).to.contain('action="/lang"').and.contain('value="zh-Hans"').and.contain('中文');
    const res = await fetch(`${demo.url}/lang`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ lang: 'zh-Hans', return: '/submissions' }).toString() });
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/submissions');
    expect(res.headers.getSetCookie().join(';')).to.match(/demo_lang=zh-Hans/);
  });

  it('shows the demo\'s pages and the plugin\'s pages in the chosen language, over the browser\'s', async () => {
    const zh = { cookie: 'demo_lang=zh-Hans', 'accept-language': 'en-US' };
    const home = await get('/', zh);
    expect(home.text).to.contain('<html lang="zh-Hans">').and.contain('>投稿<');
    expect((await get('/orcid/me', zh)).text).to.contain('lang="zh-Hans"');
    expect((await get('/orcid/connected', { cookie: 'demo_act_as=nobody; demo_lang=zh-Hans', 'accept-language': 'en' })).text).to.contain('<h1>ORCID 关联失败</h1>');
    const en = { cookie: 'demo_lang=en', 'accept-language': 'zh-CN' };
    expect((await get('/', en)).text).to.contain('<html lang="en">').and.contain('>Submit<');
    expect((await get('/orcid/connected', en)).text).to.contain('<h1>ORCID connection failed</h1>');
  });

  it('follows the browser until a language is chosen, and refuses a language it does not have', async () => {
    expect((await get('/', { 'accept-language': 'zh-CN' })).text).to.contain('<html lang="zh-Hans">');
    const res = await fetch(`${demo.url}/lang`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'lang=fr' });
    expect(res.status).to.equal(400);
  });
});
