import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchPage, localNetworkOnly, skipWithoutChromium } from './browser.js';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { openTokenSet } from '../../src/sync/tokens.js';
import { ZH_JOURNAL } from '../../src/demo/journals.js';
import { recordItems } from '../../src/testing/emulator-control.js';

/**
 * Issue 14's "Done when" paths, each driven in a real browser on one demo instance, as the people
 * involved would: clicks and forms on the demo journal, the plugin's pages and the ORCID emulator's
 * consent page. Screenshots are kept in test-output/journey-paths/ (gitignored).
 */
const SHOTS = resolve('test-output/journey-paths');
/** How long ORCID may be unreachable before the worker parks a job, in this demo. */
const PARK_AFTER_S = 2;

describe('demo journey paths of issue 14 (browser)', function () {
  // Only local servers (the demo, the emulator) may be reached; anything else is a bug.
  localNetworkOnly();
  this.timeout(60_000);
  let demo: RunningDemo;
  let browser: Browser;
  let page: Page;

  before(async function () {
    skipWithoutChromium(this);
    mkdirSync(SHOTS, { recursive: true });
    console.log(`      screenshots: ${SHOTS}`);
    // An outage of more than two seconds parks a job (the default is 72 hours): the Un-park path below.
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: { ORCID_PARK_AFTER_HOURS: String(PARK_AFTER_S / 3600) }, pollMs: 100 });
    ({ browser, page } = await launchPage());
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const researcher = (family: string) => demo.researchers.find((r) => r.familyName === family)!;

  /** Switch the demo's signed-in user with the switcher at the top of every demo page. */
  const actAs = async (id: string) => {
    if (!page.url().startsWith(`${demo.url}/`) || page.url().startsWith(`${demo.url}/orcid/`)) await page.goto(demo.url);
    await page.click(`.act-as button[value="${id}"]`);
    await page.waitForSelector(`.act-as button.on[value="${id}"]`);
  };

  /** On the emulator's consent page: sign in as this seeded researcher and authorize. */
  const authorizeAs = async (family: string, shotName: string) => {
    await page.waitForURL(`${demo.emulatorUrl}/oauth/authorize**`);
    await page.check(`input[name="orcid"][value="${researcher(family).orcid}"]`);
    await shot(shotName);
    await page.click('#authorize');
  };

  /** Submit a manuscript as the acting user; `coauthor` keeps Sofia Garcia (invited by email). */
  const submit = async (title: string, { coauthor = false } = {}) => {
    await page.goto(`${demo.url}/submit`);
    await page.fill('#title', title);
    for (const n of coauthor ? [3] : [2, 3]) for (const f of ['given', 'family', 'email']) await page.fill(`#${f}_${n}`, '');
    await page.click('#submit');
    await page.waitForURL(`${demo.url}/submissions/**`);
    const url = page.url();
    return { url, id: decodeURIComponent(url.split('/submissions/')[1]!) };
  };

  const publishAsEditor = async (s: { url: string; id: string }) => {
    await actAs('editor');
    await page.goto(s.url);
    await page.click('#publish');
    await page.waitForURL(`${demo.url}/articles/${s.id}`);
  };

  /** The researcher's public record on the emulator, as counts per section and the item titles. */
  const record = async (orcid: string) => {
    const html = await (await page.request.get(`${demo.emulatorUrl}/${orcid}`)).text();
    const count = (section: string) => Number(new RegExp(`${section} \\((\\d+)\\)`).exec(html)?.[1]);
    return { works: count('Works'), reviews: count('Peer review'), service: count('Service'), html };
  };

  /** Poll the emulator's record until the worker has done its part (no timed assertion: just a bound). */
  const recordUntil = async (orcid: string, done: (r: Awaited<ReturnType<typeof record>>) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const r = await record(orcid);
      if (done(r)) return r;
      await page.waitForTimeout(100);
    }
    return record(orcid);
  };

  const contributorsApi = async (submissionId: string) => {
    const res = await page.request.get(`${demo.url}/orcid/api/submissions/${encodeURIComponent(submissionId)}/contributors`, { headers: { accept: 'application/json' } });
    return { status: res.status(), text: await res.text() };
  };

  /** The newest invitation link in the outbox for this address, as the mail text carries it. */
  const invitationLink = (to: string) => {
    const mail = demo.orcid.mailer.outbox().filter((m) => m.to === to).at(-1);
    const link = mail && new RegExp(`${demo.url}/orcid/invite/[^\\s<>"')]+`).exec(mail.text)?.[0];
    if (!link) throw new Error(`no invitation link mailed to ${to}`);
    return link;
  };

  it('keeps a blind review blind for the author: no reviewer name, email or iD on the page or in the API', async () => {
    await actAs('author');
    const s = await submit('Blind review: what the author sees');

    // The editor assigns Amara Okafor; she accepts and connects her iD.
    await actAs('editor');
    await page.goto(s.url);
    await page.selectOption('#reviewer-select', 'reviewer');
    await page.click('#assign');
    await page.waitForSelector('#reviews');
    await actAs('reviewer');
    await page.goto(`${demo.url}/reviews`);
    await page.click(`a[href="/submissions/${s.id}/review"]`);
    await page.click('#accept');
    await page.click('#connect-orcid');
    await authorizeAs('Okafor', 'blind-01-reviewer-consent');
    await page.waitForURL(`${demo.url}/submissions/${s.id}/review`);

    const okafor = researcher('Okafor');
    const secrets = [okafor.familyName, okafor.email, okafor.orcid];
    // Control: the editor sees the reviewer, so the checks below can fail.
    await actAs('editor');
    await page.goto(s.url);
    const editorView = (await page.textContent('body'))! + (await contributorsApi(s.id)).text;
    for (const x of secrets) expect(editorView, `editor sees ${x}`).to.contain(x);

    await actAs('author');
    await page.goto(s.url);
    await shot('blind-02-author-manuscript');
    // The manuscript page proper (<main>); the demo's act-as switcher above it lists every demo user by name.
    const main = await page.innerHTML('main');
    expect(main).to.contain('Carberry');
    for (const x of secrets) expect(main, `manuscript page shows ${x}`).not.to.contain(x);
    const whole = await page.content();
    for (const x of [okafor.email, okafor.orcid]) expect(whole, `the page's HTML carries ${x}`).not.to.contain(x);
    expect(await page.locator('#reviews').count()).to.equal(0);

    const api = await contributorsApi(s.id);
    expect(api.status).to.equal(200);
    expect(api.text).to.contain('Carberry');
    for (const x of secrets) expect(api.text, `contributors API shows ${x}`).not.to.contain(x);
  });

  it("recognises a returning author on the second paper: no second consent, \"Connected as …\", the work posted", async () => {
    const carberry = researcher('Carberry').orcid;
    await actAs('author');
    const first = await submit('Returning author: paper one');
    await page.click('#connect-orcid');
    await authorizeAs('Carberry', 'returning-01-consent-paper-one');
    await page.waitForURL(first.url);
    expect(await page.textContent('#connected-as')).to.contain('Connected as').and.to.contain(carberry);

    // Paper two: ORCID's consent page must not be seen again.
    const consents: string[] = [];
    page.on('request', (r) => { if (r.url().startsWith(`${demo.emulatorUrl}/oauth/authorize`)) consents.push(r.url()); });
    const second = await submit('Returning author: paper two');
    await shot('returning-02-paper-two');
    expect(await page.locator('#connect-orcid').count(), 'a Connect button on paper two').to.equal(0);
    expect(await page.textContent('#connected-as')).to.contain('Connected as').and.to.contain(carberry);
    expect(await page.getAttribute(`tr[data-contributor="${second.id}-a1"]`, 'data-status')).to.equal('linked');

    await publishAsEditor(second);
    const r = await recordUntil(carberry, (x) => x.html.includes('Returning author: paper two'));
    await page.goto(`${demo.emulatorUrl}/${carberry}`);
    await shot('returning-03-record');
    expect(r.html).to.contain('Returning author: paper two');
    expect(consents, 'consent pages opened for paper two').to.deep.equal([]);
  });

  it('lets a co-author connect with an invitation link that a mail scanner fetched first', async () => {
    await actAs('author');
    const s = await submit('Scanned invitation', { coauthor: true });
    const garcia = researcher('Garcia');
    const link = invitationLink(garcia.email);

    // The scanner: plain GET (following redirects, as Safe Links does) and HEAD, no cookies.
    const get = await fetch(link);
    const head = await fetch(link, { method: 'HEAD', redirect: 'manual' });
    expect(get.status, 'scanner GET').to.be.below(400);
    expect(head.status, 'scanner HEAD').to.be.below(400);

    // Sofia opens the same link from her mail.
    await page.goto(`${demo.url}/mailbox`);
    await page.locator(`section.mail[data-to="${garcia.email}"]`).first().locator('a.mail-link[href^="/mailbox/"]').first().click();
    await authorizeAs('Garcia', 'scanner-01-coauthor-consent');
    await page.waitForURL(`${demo.url}/orcid/connected**`);
    expect(await page.textContent('body')).to.contain(garcia.orcid);
    await shot('scanner-02-coauthor-connected');

    await actAs('editor');
    await page.goto(s.url);
    expect(await page.getAttribute(`tr[data-contributor="${s.id}-a2"]`, 'data-status')).to.equal('linked');
    // Used once it succeeded: the link does not connect anyone a second time.
    expect((await fetch(link, { redirect: 'manual' })).status, 'the link after use').to.equal(410);
  });

  it('lets an editor connect through their own link and posts the editorial service to their record', async () => {
    await actAs('author');
    const s = await submit('Editor connects');
    await actAs('editor');
    await page.goto(s.url);
    await page.click('#appoint-editor');
    await page.waitForSelector('#connect-orcid-editor');
    await shot('editor-01-appointed');
    await page.click('#connect-orcid-editor');

    // Erin has no record yet: she registers on the consent page (prefilled from the appointment).
    await page.waitForURL(`${demo.emulatorUrl}/oauth/authorize**`);
    expect(await page.inputValue('input[name="new_family_name"]')).to.equal('Editor');
    expect(await page.locator('input[name="orcid"]:checked').count()).to.equal(0);
    await shot('editor-02-consent');
    await page.click('#authorize');
    await page.waitForURL(s.url);
    await page.waitForSelector('#connected-as');
    await shot('editor-03-connected');
    expect(await page.locator('#connect-orcid-editor').count()).to.equal(0);
    const href = await page.getAttribute('#connected-as a.orcid-badge', 'href');
    const erin = /(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$/.exec(href ?? '')?.[1];
    expect(erin, `iD in ${href}`).to.be.a('string');

    const r = await recordUntil(erin!, (x) => x.service === 1);
    await page.goto(`${demo.emulatorUrl}/${erin}`);
    await shot('editor-04-record');
    expect(r.service).to.equal(1);
    expect(r.html).to.contain('Handling Editor');
  });

  it('lets a researcher unlink on the plugin page, CSRF-protected, and removes the items from the record', async () => {
    const carberry = researcher('Carberry').orcid;
    // A paper of a connected author, published: a work on the record to remove.
    await actAs('author');
    const s = await submit('Unlink: a paper on the record');
    if (await page.locator('#connect-orcid').count()) {
      await page.click('#connect-orcid');
      await authorizeAs('Carberry', 'unlink-00-consent');
      await page.waitForURL(s.url);
    }
    await publishAsEditor(s);
    const before = await recordUntil(carberry, (x) => x.html.includes('Unlink: a paper on the record'));
    expect(before.works).to.be.above(0);

    await actAs('author');
    await page.goto(s.url);
    await page.click('#connected-as a.orcid-manage');
    await page.waitForURL(`${demo.url}/orcid/me`);
    await shot('unlink-01-me');
    expect(await page.textContent('body')).to.contain(carberry).and.to.contain('On your record');

    // A forged POST without the page's token changes nothing.
    const forged = await page.request.post(`${demo.url}/orcid/unlink`, { form: { return: '/orcid/me' }, maxRedirects: 0 });
    expect(forged.status(), 'unlink without a CSRF token').to.equal(403);
    await page.reload();
    expect(await page.locator('button', { hasText: 'Unlink my ORCID iD' }).count()).to.equal(1);

    await page.click('button:has-text("Unlink my ORCID iD")');
    await page.waitForURL(`${demo.url}/orcid/me`);
    expect(await page.textContent('[role="status"]')).to.match(/You unlinked this iD|is unlinked/);
    await shot('unlink-02-unlinked');

    const after = await recordUntil(carberry, (x) => x.works === 0);
    await page.goto(`${demo.emulatorUrl}/${carberry}`);
    await shot('unlink-03-record');
    expect(after.works).to.equal(0);
    await page.goto(s.url);
    expect(await page.locator('#connected-as').count()).to.equal(0);
  });

  it('lets an editor use Send again on the status page, and shows a revoked researcher\'s parked item with Un-park offered', async () => {
    const garcia = researcher('Garcia');
    await actAs('author');
    const s = await submit('Status page: send again and un-park', { coauthor: true });
    await page.goto(`${demo.url}/mailbox`);
    await page.locator(`section.mail[data-to="${garcia.email}"]`).first().locator('a.mail-link[href^="/mailbox/"]').first().click();
    await authorizeAs('Garcia', 'status-00-coauthor-consent');
    await page.waitForURL(`${demo.url}/orcid/connected**`);
    await actAs('author');
    await page.goto(s.url);
    if (await page.locator('#connect-orcid').count()) {
      await page.click('#connect-orcid');
      await authorizeAs('Carberry', 'status-00-author-consent');
      await page.waitForURL(s.url);
    }
    await publishAsEditor(s);
    const onRecord = await recordUntil(garcia.orcid, (x) => x.html.includes('Status page: send again and un-park'));
    expect(onRecord.works).to.be.above(0);

    // Sofia deletes the work from her ORCID record; the journal learns it on its next update.
    const items = (await (await page.request.get(`${demo.emulatorUrl}/_emulator/records/${garcia.orcid}`)).json()) as { items: { putCode: string; title: string }[] };
    const item = items.items.find((i) => i.title === 'Status page: send again and un-park')!;
    await page.request.post(`${demo.emulatorUrl}/_emulator/records/${garcia.orcid}/edit`, { data: { action: 'delete-item', putCode: item.putCode } });

    // Carberry revokes the journal's access at ORCID: his next item is parked.
    const carberry = researcher('Carberry').orcid;
    const identity = await demo.orcid.store.findIdentityByOrcid(carberry);
    const accessToken = openTokenSet(TokenCipher.fromKeys(demo.orcid.config.tokenKeys), identity!.sealedTokens!).accessToken;
    await page.request.post(`${demo.emulatorUrl}/_emulator/revoke`, { data: { accessToken } });

    // The journal corrects the article (the demo has no button for it: the host event, as a host would call it).
    const stored = JSON.parse((await demo.orcid.store.getSetting(`demo:submission:${s.id}`))!) as { authors: { contributorId: string; givenNames: string; familyName: string }[]; published: { doi: string; publishedAt: string; url: string } };
    await demo.orcid.articleUpdated({
      id: s.id, submissionId: s.id, doi: stored.published.doi, title: 'Status page: send again and un-park (corrected)', url: stored.published.url,
      publishedAt: stored.published.publishedAt, journal: { title: demo.orcid.config.journal.title, issn: demo.orcid.config.journal.issn },
      authors: stored.authors.map((a, i) => ({ contributorId: a.contributorId, givenNames: a.givenNames, familyName: a.familyName, sequence: i + 1 })),
    });
    // Sofia's update meets ORCID's 404 (removed by her); Carberry's meets 401 and is parked.
    await actAs('editor');
    const statusPage = `${demo.url}/orcid/status?submission=${encodeURIComponent(s.id)}`;
    // The status page is a snapshot: reload until the worker has been through the update.
    const rowShows = async (name: string, text: RegExp) => {
      for (let i = 0; i < 100 && !text.test((await page.locator('tr', { hasText: name }).allTextContents()).join(' ')); i++) {
        await page.waitForTimeout(200);
        await page.goto(statusPage);
      }
      return page.locator('tr', { hasText: name }).filter({ hasText: text });
    };
    await page.goto(statusPage);
    const garciaRow = await rowShows('Garcia', /Removed by the researcher/);
    await shot('status-01-removed-and-parked');
    expect(await garciaRow.count()).to.equal(1);
    await garciaRow.getByRole('button', { name: 'Send again' }).click();
    await recordUntil(garcia.orcid, (x) => x.html.includes('(corrected)'));
    expect((await record(garcia.orcid)).html).to.contain('Status page: send again and un-park (corrected)');

    // Parked items of a revoked researcher are shown, in words, with Un-park offered.
    await page.goto(statusPage);
    const carberryRow = await rowShows('Carberry', /parked/i);
    expect(await carberryRow.count()).to.equal(1);
    expect(await carberryRow.getByRole('button', { name: 'Un-park' }).count()).to.equal(1);
    expect(await carberryRow.getByRole('button', { name: 'Send again' }).count()).to.equal(0);
    // He connects again (which queues his parked items again), and the editor's page follows.
    await actAs('author');
    await page.goto(s.url);
    await page.click('#connect-orcid');
    await authorizeAs('Carberry', 'status-02-reconnect');
    await actAs('editor');
    await page.goto(statusPage);
    await shot('status-03-after');
    const r = await recordUntil(carberry, (x) => x.html.includes('(corrected)'));
    expect(r.html).to.contain('Status page: send again and un-park (corrected)');
  });

  it('lets an editor Un-park an item an ORCID outage parked, and the item then reaches the record', async () => {
    const carberry = researcher('Carberry').orcid;
    const title = 'Un-park: sent after the outage';
    await actAs('author');
    const s = await submit(title);
    if (await page.locator('#connect-orcid').count()) {
      await page.click('#connect-orcid');
      await authorizeAs('Carberry', 'unpark-00-consent');
      await page.waitForURL(s.url);
    }
    // ORCID answers every call with a 5xx for longer than the demo allows: the worker parks the item.
    const faults = (body: Record<string, unknown>) => page.request.put(`${demo.emulatorUrl}/_emulator/faults`, { data: body });
    expect((await faults({ errorRate: 1 })).status()).to.equal(200);
    try {
      await publishAsEditor(s);
      const statusPage = `${demo.url}/orcid/status?submission=${encodeURIComponent(s.id)}`;
      await page.goto(statusPage);
      const parked = page.locator('tr[data-state="parked"]', { hasText: 'Carberry' });
      for (let i = 0; i < 100 && (await parked.count()) === 0; i++) {
        await page.waitForTimeout(200);
        await page.goto(statusPage);
      }
      expect(await parked.count(), 'a parked row for Carberry').to.equal(1);
      expect(await parked.textContent()).to.contain('ORCID was unreachable or throttling for too long');
      await shot('unpark-01-parked');
      // The iD wraps in the narrow column; ORCID's icon must keep its size (it was squeezed to a dot).
      expect((await parked.locator('.orcid-id-icon').boundingBox())?.width, 'the iD icon\'s width').to.be.at.least(15);
      expect((await record(carberry).catch(() => null))?.html ?? '').not.to.contain(title);
    } finally {
      expect((await faults({})).status()).to.equal(200);
    }
    // ORCID is back. Nothing happens on its own (the item stays parked) until the editor clicks Un-park.
    const statusPage = `${demo.url}/orcid/status?submission=${encodeURIComponent(s.id)}`;
    await page.goto(statusPage);
    const row = page.locator('tr[data-state="parked"]', { hasText: 'Carberry' });
    expect(await row.count()).to.equal(1);
    await row.getByRole('button', { name: 'Un-park' }).click();
    await page.waitForURL(statusPage);
    const r = await recordUntil(carberry, (x) => x.html.includes(title));
    expect(r.html).to.contain(title);
    const sent = page.locator('tr[data-state="sent"]', { hasText: 'Carberry' });
    for (let i = 0; i < 50 && (await sent.count()) === 0; i++) {
      await page.waitForTimeout(200);
      await page.goto(statusPage);
    }
    expect(await sent.textContent()).to.contain('Sent to ORCID');
    await shot('unpark-02-sent');
    const history = await demo.orcid.store.listHistory({ submissionId: s.id, limit: 100 });
    expect(history.map((e) => e.event)).to.include('job.unpark');
  });

  it('shows the plugin pages in zh-Hans: Wang Fang\'s invitation and the switcher', async () => {
    const wang = researcher('Wang');
    await actAs('author');
    await page.goto(`${demo.url}/submit`);
    await page.fill('#title', 'zh-Hans pages');
    for (const f of ['given', 'family', 'email']) await page.fill(`#${f}_2`, '');
    await page.click('#submit');
    await page.waitForURL(`${demo.url}/submissions/**`);
    const manuscript = page.url();
    // The author is connected (by an earlier path, or here), so that the page shows "Connected as".
    if (await page.locator('#connect-orcid').count()) {
      await page.click('#connect-orcid');
      await authorizeAs('Carberry', 'zh-00-author-consent');
      await page.waitForURL(manuscript);
    }
    // Wang Fang's invitation is in Chinese and so is every plugin page she reaches from it.
    const mail = demo.orcid.mailer.outbox().filter((m) => m.to === wang.email).at(-1)!;
    expect(mail.subject).to.match(/[\u4e00-\u9fff]/);
    await page.goto(`${demo.url}/mailbox`);
    await page.locator(`section.mail[data-to="${wang.email}"]`).first().locator('a.mail-link[href^="/mailbox/"]').first().click();
    await authorizeAs('Wang', 'zh-01-consent');
    await page.waitForURL(`${demo.url}/orcid/connected**`);
    expect(await page.getAttribute('html', 'lang')).to.equal('zh-Hans');
    expect(await page.textContent('body')).to.contain(wang.orcid);
    expect(await page.textContent('h1')).to.equal('您的 ORCID iD 已关联');
    await shot('zh-02-connected');
    await page.goto(`${demo.url}/orcid/me`);
    expect(await page.getAttribute('html', 'lang')).to.equal('zh-Hans');
    expect(await page.textContent('h1')).to.equal('您的 ORCID 关联');
    await shot('zh-03-me');
    // The demo's switcher puts the journal's own pages in Chinese, bodies and all, and the plugin's too.
    await actAs('author');
    await page.goto(`${demo.url}/submissions`);
    await page.click('form.lang button[value="zh-Hans"]');
    await page.waitForSelector('form.lang button.on[value="zh-Hans"]');
    expect(await page.textContent('main h1')).to.equal('稿件');
    await page.click('main a:has-text("zh-Hans pages")');
    expect(await page.textContent('main h2 >> nth=0')).to.equal('贡献者');
    expect(await page.textContent('#contributors')).to.contain('姓名').and.contain('作者').and.not.contain('Role');
    expect(await page.textContent('main')).not.to.match(/Contributors|Abstract|Submitted|Connected as/);
    // The plugin's "Connected as" on the host's page, in the page's language.
    expect(await page.textContent('#connected-as')).to.contain('已关联').and.contain('您的 ORCID 关联');
    await shot('zh-04-switcher-manuscript');
    await page.goto(`${demo.url}/submit`);
    expect(await page.textContent('main h1')).to.equal('投稿');
    expect(await page.textContent('#submit')).to.equal('提交稿件');
    await page.goto(`${demo.url}/orcid/me`);
    expect(await page.getAttribute('html', 'lang')).to.equal('zh-Hans');
    expect(await page.textContent('h1')).to.equal('您的 ORCID 关联');
    await shot('zh-05-switcher-me');
    // Back to English for whatever runs next in this browser.
    await page.goto(manuscript);
    await page.click('form.lang button[value="en"]');
    await page.waitForSelector('form.lang button.on[value="en"]');
  });

  it('hosts two journals: an article published in each, both works on the author\'s record with their journal\'s title, and the platform page listing both', async () => {
    const carberry = researcher('Carberry').orcid;
    const english = demo.orcid.config.journal.title;
    /** Pick a journal with the switcher at the top of every demo page (on the home page: an article's page names its own journal). */
    const pickJournal = async (id: string) => {
      await page.goto(demo.url);
      await page.click(`form.journal button[value="${id}"]`);
      await page.waitForSelector(`form.journal button.on[value="${id}"]`);
    };
    // Without a language chosen, each journal's pages are in its own language.
    await page.context().clearCookies({ name: 'demo_lang' });

    // The English journal.
    await actAs('author');
    await pickJournal('default');
    const en = await submit('Two journals: the English article');
    if (await page.locator('#connect-orcid').count()) {
      await page.click('#connect-orcid');
      await authorizeAs('Carberry', 'journals-00-author-consent');
      await page.waitForURL(en.url);
    }
    await publishAsEditor(en);
    expect(await page.textContent('header .brand')).to.equal(english);

    // The Chinese journal: zh-Hans pages by default, open review; the returning author needs no second consent.
    await actAs('author');
    await pickJournal(ZH_JOURNAL.id);
    expect(await page.getAttribute('html', 'lang')).to.equal('zh-Hans');
    expect(await page.textContent('header .brand')).to.equal(ZH_JOURNAL.title);
    const zh = await submit('两个期刊：中文文章');
    await shot('journals-01-zh-manuscript');
    expect(await page.locator('#connect-orcid').count(), 'a Connect button in the second journal').to.equal(0);
    await publishAsEditor(zh);
    expect(await page.textContent('header .brand')).to.equal(ZH_JOURNAL.title);
    await shot('journals-02-zh-article');
    // Each journal lists its own manuscripts.
    await page.goto(`${demo.url}/submissions`);
    expect(await page.textContent('main')).to.contain('两个期刊：中文文章').and.not.contain('Two journals: the English article');

    // Both works on the author's record, each with its journal's title.
    await recordUntil(carberry, (r) => r.html.includes('两个期刊：中文文章') && r.html.includes('Two journals: the English article'));
    const works = (await recordItems(demo.emulatorUrl!, carberry)).filter((i) => i.type === 'work');
    const journalOfWork = (title: string) => /<work:journal-title>([^<]*)<\/work:journal-title>/.exec(works.find((w) => w.title === title)?.xml ?? '')?.[1];
    expect(journalOfWork('Two journals: the English article')).to.equal(english);
    expect(journalOfWork('两个期刊：中文文章')).to.equal(ZH_JOURNAL.title);
    await page.goto(`${demo.emulatorUrl}/${carberry}`);
    expect(await page.textContent('body')).to.contain(ZH_JOURNAL.title).and.contain(english);
    await shot('journals-03-record');

    // The platform status page: the journal's editor sees their journal; platform staff see both.
    await actAs('editor');
    await page.click('nav a[href="/orcid/status/journals"]');
    expect(await page.locator('tr[data-journal]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-journal')))).to.deep.equal([ZH_JOURNAL.id]);
    await shot('journals-04-editor-platform-page');
    await actAs('staff');
    await page.click('nav a[href="/orcid/status/journals"]');
    expect(await page.locator('tr[data-journal]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-journal')))).to.deep.equal([ZH_JOURNAL.id, 'default']);
    expect(await page.textContent(`tr[data-journal="${ZH_JOURNAL.id}"]`)).to.contain(ZH_JOURNAL.title);
    expect(await page.textContent('tr[data-journal="default"]')).to.contain(english);
    // Synced counts: at least this path's article in each journal (earlier paths add to the English one).
    const synced = async (id: string) => Number(await page.textContent(`tr[data-journal="${id}"] td[data-count="done"]`));
    expect(await synced(ZH_JOURNAL.id)).to.be.at.least(1);
    expect(await synced('default')).to.be.at.least(1);
    await shot('journals-05-platform-page');
    // Back to the English journal, in English, for whatever runs next in this browser.
    await pickJournal('default');
    await page.click('form.lang button[value="en"]');
    await page.waitForSelector('form.lang button.on[value="en"]');
  });
});
