import { expect } from 'chai';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { localNetworkOnly } from '../local-network.js';
import { actingClient } from './act-as.js';
import { Browser } from '../flows/harness.js';
import { eventually } from '../sync/helpers.js';

/** Issue 14: the live sync-progress page says how far the sync got in words and a bar, not a JSON blob. */
describe('the demo\'s live ORCID sync page', function () {
  localNetworkOnly();
  this.timeout(30_000);
  let demo: RunningDemo;

  const { get, post } = actingClient(() => demo.url);

  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
  });
  after(() => demo?.close());

  it('shows words and a progress bar, with the JSON kept for scripts', async () => {
    const res = await post('/submit', 'author', { title: 'Progress test', abstract: 'A', given_1: 'Josiah', family_1: 'Carberry', email_1: 'josiah.carberry@example.edu' });
    const id = /\/submissions\/([^/?#]+)/.exec(res.location!)![1]!;
    const empty = await get(`/submissions/${id}/progress`, 'editor');
    expect(empty.status).to.equal(200);
    expect(empty.text).to.include('Nothing queued for ORCID yet.').and.match(/<progress id="bar" max="1" value="0"/);
    // No JSON blob for people: no serialised queue counts in the page or its script.
    expect(empty.text).to.not.match(/JSON\.stringify|"queued":/);
    const json = await get(`/orcid/api/submissions/${encodeURIComponent(id)}/status`, 'editor', { headers: { accept: 'application/json' } });
    expect(JSON.parse(json.text)).to.have.property('items');
  });

  it('says how many items reached ORCID once the author connected and the article is out', async () => {
    const res = await post('/submit', 'author', { title: 'Progress, connected', abstract: 'A', given_1: 'Josiah', family_1: 'Carberry', email_1: 'josiah.carberry@example.edu' });
    const id = /\/submissions\/([^/?#]+)/.exec(res.location!)![1]!;
    const b = new Browser();
    const actAs = (user: string) => b.request(`${demo.url}/act-as`, { form: { user, return: '/' } });
    await actAs('author');
    const toOrcid = await b.request(`${demo.url}/orcid/connect?role=author&submission=${id}&return=/`);
    const authorize = new URL(toOrcid.location!);
    const consent = await b.request(`${demo.emulatorUrl}/oauth/authorize`, { form: { ...Object.fromEntries(authorize.searchParams), orcid: demo.researchers.find((r) => r.familyName === 'Carberry')!.orcid, decision: 'authorize' } });
    expect((await b.request(consent.location!)).status).to.equal(302);
    await actAs('editor');
    expect((await b.request(`${demo.url}/submissions/${id}/publish`, { form: {} })).status).to.equal(302);
    // The demo's own worker sends it; the page says so once it is done.
    const page = await eventually(async () => {
      const p = await b.request(`${demo.url}/submissions/${id}/progress`);
      return p.text.includes('data-settled="true"') ? p : null;
    }, { timeoutMs: 20_000 });
    expect(page.text).to.match(/1 of 1 items settled \(100%\) — Sent to ORCID: 1\./);
    expect(page.text).to.match(/<progress id="bar" max="1" value="1"/);
    expect(page.text).to.include('<td>Article</td>').and.include('<td>Sent to ORCID</td>');
    // An author sees the page but none of the items (they name iDs, a reviewer's among them).
    await actAs('author');
    expect((await b.request(`${demo.url}/submissions/${id}/progress`)).text).to.not.include('<td>Article</td>');
  });
});
