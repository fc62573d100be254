import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchPage, localNetworkOnly, skipWithoutChromium } from './browser.js';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';

/**
 * The whole journey in a real browser: submit → author connects → co-author connects from the
 * mailbox → editor assigns a reviewer → reviewer connects and completes → publish → the worker
 * posts to the emulator's records. Screenshots land in test-output/screenshots/.
 */
const SHOTS = 'test-output/screenshots';

describe('demo journey (browser)', function () {
  // Only local servers (the demo, the emulator) may be reached; anything else is a bug.
  localNetworkOnly();
  this.timeout(60_000);
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;

  before(async function () {
    skipWithoutChromium(this);
    mkdirSync(SHOTS, { recursive: true });
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {}, pollMs: 100 });
    ({ browser, page } = await launchPage());
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const actAs = async (id: string) => {
    await page.click(`.act-as button[value="${id}"]`);
    await page.waitForSelector(`.act-as button.on[value="${id}"]`);
  };
  const researcher = (family: string) => demo.researchers.find((r) => r.familyName === family)!;
  /** On the emulator's consent page: sign in as this researcher and authorize. */
  const authorizeAs = async (family: string) => {
    await page.waitForURL(`${demo.emulatorUrl}/oauth/authorize**`);
    await page.check(`input[name="orcid"][value="${researcher(family).orcid}"]`);
    await shot(`consent-${family.toLowerCase()}`);
    await page.click('#authorize');
  };

  it('takes a manuscript from submission to items on ORCID records', async () => {
    await page.goto(demo.url);
    await actAs('author');
    await shot('01-home');

    // Submit with two authors: Josiah Carberry (submitting) and Sofia Garcia.
    await page.goto(`${demo.url}/submit`);
    await page.fill('#title', 'Identifiers <everywhere> & "always"');
    for (const f of ['given_3', 'family_3', 'email_3']) await page.fill(`#${f}`, '');
    await shot('02-submit');
    await page.click('#submit');
    await page.waitForSelector('#connect-orcid');
    const submissionUrl = page.url();
    const submissionId = decodeURIComponent(submissionUrl.split('/submissions/')[1]);
    expect(await page.textContent('h1')).to.equal('Identifiers <everywhere> & "always"');

    // The submitting author connects on the spot and comes back with a badge.
    await page.click('#connect-orcid');
    await authorizeAs('Carberry');
    await page.waitForURL(submissionUrl);
    const josiah = researcher('Carberry').orcid;
    expect(await page.getAttribute(`tr[data-contributor="${submissionId}-a1"] a.orcid-badge`, 'href')).to.equal(`${demo.emulatorUrl}/${josiah}`);
    expect(await page.getAttribute(`tr[data-contributor="${submissionId}-a2"]`, 'data-status')).to.equal('invited');
    await shot('03-author-connected');

    // The co-author follows the invitation in the mailbox.
    await page.goto(`${demo.url}/mailbox`);
    expect(await page.locator('section.mail').count()).to.equal(1);
    expect(await page.getAttribute('section.mail', 'data-to')).to.equal('sofia.garcia@example.org');
    await shot('04-mailbox');
    await page.click('section.mail a.mail-link[href^="/mailbox/"]');
    await authorizeAs('Garcia');
    await page.waitForURL(`${demo.url}/orcid/connected`);
    expect(await page.textContent('body')).to.contain(researcher('Garcia').orcid);
    await shot('05-coauthor-connected');

    // The editor sees both iDs and assigns the reviewer.
    await page.goto(submissionUrl);
    await actAs('editor');
    expect(await page.getAttribute(`tr[data-contributor="${submissionId}-a2"]`, 'data-status')).to.equal('linked');
    await page.selectOption('#reviewer-select', 'reviewer');
    await page.click('#assign');
    await page.waitForSelector('#reviews');
    await shot('06-editor');

    // The reviewer accepts, connects and completes.
    await actAs('reviewer');
    await page.goto(`${demo.url}/reviews`);
    await page.click(`a[href="/submissions/${submissionId}/review"]`);
    await page.click('#accept');
    await page.click('#connect-orcid');
    await authorizeAs('Okafor');
    await page.waitForURL(`${demo.url}/submissions/${submissionId}/review`);
    await page.click('#complete');
    await page.waitForSelector('#completed');
    await shot('07-review-completed');

    // The editor publishes; the article shows the badges and the XML carries the iDs.
    await actAs('editor');
    await page.goto(submissionUrl);
    await page.click('#publish');
    await page.waitForURL(`${demo.url}/articles/${submissionId}`);
    expect(await page.locator('#authors a.orcid-badge').count()).to.equal(2);
    await shot('08-article');
    const jats = await (await page.request.get(`${demo.url}/articles/${submissionId}/jats.xml`)).text();
    expect(jats).to.contain(`<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/${josiah}</contrib-id>`);
    const crossref = await (await page.request.get(`${demo.url}/articles/${submissionId}/crossref.xml`)).text();
    expect(crossref).to.contain(`<ORCID authenticated="true">https://orcid.org/${josiah}</ORCID>`);

    // The live progress page settles once the worker is done.
    await page.goto(`${demo.url}/submissions/${submissionId}/progress`);
    await page.waitForSelector('#summary[data-settled="true"]', { timeout: 20_000 });
    expect(await page.locator('#items tbody tr[data-state="synced"]').count()).to.equal(3);
    await shot('09-progress');

    // The emulator's records: one work per author, one peer review for the reviewer.
    const counts: Record<string, [number, number]> = {};
    for (const family of ['Carberry', 'Garcia', 'Okafor']) {
      await page.goto(`${demo.emulatorUrl}/${researcher(family).orcid}`);
      await shot(`10-record-${family.toLowerCase()}`);
      const body = await page.textContent('body');
      counts[family] = [Number(/Works \((\d+)\)/.exec(body ?? '')?.[1]), Number(/Peer review \((\d+)\)/.exec(body ?? '')?.[1])];
    }
    expect(counts).to.deep.equal({ Carberry: [1, 0], Garcia: [1, 0], Okafor: [0, 1] });
  });
});
