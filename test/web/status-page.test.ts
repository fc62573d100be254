/**
 * Issue 14, "Editors' status page": an editor reads each item's state in words (en and zh-Hans),
 * ORCID's answers in words, and gets only the actions that can work; nothing of a researcher who
 * revoked or unlinked disappears; editors' own roles have their page; the page is in the host's layout.
 */
import { expect } from 'chai';
import { Browser, type Harness } from '../flows/harness.js';
import { article, connectAs, connectAuthor, emulatorPost, items, manualClock, onlyJob, parkedByOutage, pluginAccessToken, setFaults, startSyncHarness } from '../sync/helpers.js';

const PAGE = '/orcid/status?submission=s1';
const editorBrowser = (headers: Record<string, string> = {}) => new Browser({ 'x-user': 'editor-1', ...headers });
/** The visible text of a page: no tags, no style, whitespace folded. */
const textOf = (html: string) => html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
/** The action forms on a page: [action URL, button label]. */
const formsOf = (html: string) => [...html.matchAll(/<form method="post" action="([^"]+)">[\s\S]*?<button type="submit">([^<]+)<\/button><\/form>/g)].map((m) => [m[1]!, m[2]!]);

describe('the editors\' status page', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: ReturnType<typeof manualClock>;
  afterEach(() => h?.close());

  describe('states and actions', () => {
    beforeEach(async () => {
      clock = manualClock();
      h = await startSyncHarness({ now: clock.now });
    });

    it('says each state in words, never an internal code, in English and in Chinese', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      let page = await editorBrowser().request(`${h.url}${PAGE}`);
      expect(textOf(page.text)).to.include('Josiah Carberry').and.include('Article').and.include('Waiting to be sent');
      // A job that is waiting or in progress has nothing to retry.
      expect(formsOf(page.text)).to.deep.equal([]);
      await h.orcid.worker.drain();
      page = await editorBrowser().request(`${h.url}${PAGE}`);
      const text = textOf(page.text);
      expect(text).to.include('Sent to ORCID').and.include('Amara Okafor — Waiting for consent');
      expect(text).to.not.match(/not-connected|\binvited\b|\bsynced\b|\bpending\b|\bwork\b/);
      const zh = textOf((await editorBrowser({ 'accept-language': 'zh-Hans' }).request(`${h.url}${PAGE}`)).text);
      expect(zh).to.include('ORCID 同步状态').and.include('已发送至 ORCID').and.include('等待授权').and.include('文章');
      expect(zh).to.not.match(/Sent to ORCID|Waiting for consent|not-connected/);
    });

    it('offers Retry only for a failed job waiting for its next attempt, and the form runs it now', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { errorRate: 1 });
      await h.orcid.worker.runOnce();
      await setFaults(h, {});
      const { job } = await onlyJob(h);
      const editor = editorBrowser();
      const page = await editor.request(`${h.url}${PAGE}`);
      expect(textOf(page.text)).to.include('Failed, will retry at');
      expect(page.text).to.not.match(/&lt;|developer-message|error-code/);
      expect(formsOf(page.text)).to.deep.equal([[`/orcid/status/jobs/${job.id}/retry`, 'Retry now']]);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const r = await editor.request(`${h.url}/orcid/status/jobs/${job.id}/retry`, { form: { _csrf: token, return: PAGE }, headers: { accept: 'text/html' } });
      expect([r.status, r.location]).to.deep.equal([302, PAGE]);
      // Due now, without moving the clock past the backoff.
      await h.orcid.worker.runOnce();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
      // A job that is not waiting after a failure has nothing to retry.
      const again = await editor.request(`${h.url}/orcid/status/jobs/${job.id}/retry`, { form: { _csrf: token }, headers: { accept: 'application/json' } });
      expect(again.status).to.equal(400);
    });

    it('shows a parked item with its reason in words and an Un-park form that goes back to the page', async () => {
      const { job } = await parkedByOutage(h, clock);
      const editor = editorBrowser();
      const page = await editor.request(`${h.url}${PAGE}`);
      expect(textOf(page.text)).to.include('Stopped (parked): ORCID was unreachable or throttling for too long');
      expect(formsOf(page.text)).to.deep.equal([[`/orcid/status/jobs/${job.id}/unpark`, 'Un-park']]);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const r = await editor.request(`${h.url}/orcid/status/jobs/${job.id}/unpark`, { form: { _csrf: token, return: PAGE }, headers: { accept: 'text/html' } });
      expect([r.status, r.location]).to.deep.equal([302, PAGE]);
      expect(textOf((await editor.request(`${h.url}${PAGE}`)).text)).to.include('Waiting to be sent');
    });

    it('shows the parked items of a researcher whose permission was revoked, with the reason', async () => {
      await connectAuthor(h);
      await emulatorPost(h, '/_emulator/revoke', { accessToken: await pluginAccessToken(h, h.researchers.author!) });
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const page = await editorBrowser().request(`${h.url}${PAGE}`);
      const text = textOf(page.text);
      expect(text).to.include('Josiah Carberry').and.include('Stopped (parked): the researcher\'s permission was revoked; they must connect again');
      expect(page.text).to.include(h.researchers.author!);
      expect(formsOf(page.text).map(([, label]) => label)).to.deep.equal(['Un-park']);
    });

    it('shows the items of a researcher who unlinked as removed after the unlink, not "nothing to send"', async () => {
      const author = await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const unlink = await author.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } });
      expect(unlink.status).to.equal(200);
      await h.orcid.worker.drain();
      const text = textOf((await editorBrowser().request(`${h.url}${PAGE}`)).text);
      expect(text).to.include('Josiah Carberry').and.include('Removed: the researcher unlinked their iD');
      expect(text).to.not.include('nothing to send');
    });

    it('offers Send again for an item the researcher removed, and it is back on the record', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const author = h.researchers.author!;
      const [work] = await items(h, author, 'work');
      await emulatorPost(h, `/_emulator/records/${author}/edit`, { action: 'delete-item', putCode: work!.putCode });
      await h.orcid.articleUpdated(article({ title: 'Synchronised results, corrected' }));
      await h.orcid.worker.drain();
      const editor = editorBrowser();
      const page = await editor.request(`${h.url}${PAGE}`);
      expect(textOf(page.text)).to.include('Removed by the researcher');
      const forms = formsOf(page.text);
      expect(forms.map(([, label]) => label)).to.deep.equal(['Send again']);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      const r = await editor.request(`${h.url}${forms[0]![0]}`, { form: { _csrf: token, return: PAGE }, headers: { accept: 'text/html' } });
      expect([r.status, r.location]).to.deep.equal([302, PAGE]);
      await h.orcid.worker.drain();
      expect(await items(h, author, 'work')).to.have.length(1);
      expect(textOf((await editor.request(`${h.url}${PAGE}`)).text)).to.include('Sent to ORCID');
    });

    it('shows the retraction of a retracted article in words', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      await h.orcid.articleRetracted(article(), { notice: 'Image duplication.' });
      await h.orcid.worker.drain();
      expect(textOf((await editorBrowser().request(`${h.url}${PAGE}`)).text)).to.include('Retracted');
    });
  });

  describe('editors\' roles', () => {
    it('shows editors\' service items to host editors only', async () => {
      h = await startSyncHarness({ convening: { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' } });
      await connectAs(h, 'u-e1', 'editor', h.researchers.reviewer!);
      const out = await h.orcid.editorAppointed({ contributorId: 'e1', role: 'Handling Editor', startDate: '2026-01-01' });
      expect(out.queued).to.equal(1);
      await h.orcid.worker.drain();
      const url = `${h.url}/orcid/status/editors`;
      const page = await editorBrowser().request(url);
      expect(page.status).to.equal(200);
      expect(textOf(page.text)).to.include('Amara Okafor').and.include('Editorial role').and.include('Sent to ORCID');
      const zh = await editorBrowser({ 'accept-language': 'zh-Hans' }).request(url);
      expect(textOf(zh.text)).to.include('编辑职务').and.include('已发送至 ORCID');
      expect((await new Browser().request(url)).status).to.equal(401);
      for (const user of ['u1', 'u-e1']) {
        const other = await new Browser({ 'x-user': user }).request(url);
        expect(other.status, user).to.equal(403);
        expect(other.text).to.not.include(h.researchers.reviewer!).and.not.include('Okafor');
      }
    });
  });

  describe('layout', () => {
    it('is framed by the host\'s layout, like the other pages', async () => {
      h = await startSyncHarness({ layout: (_ctx, page) => `<!doctype html><main id="host-frame"><h6>${page.title}</h6>${page.content}</main>` });
      const page = await editorBrowser().request(`${h.url}${PAGE}`);
      expect(page.status).to.equal(200);
      expect(page.text).to.match(/^<!doctype html><main id="host-frame"><h6>ORCID sync status<\/h6>/);
      expect(page.text).to.include('Josiah Carberry');
    });
  });
});
