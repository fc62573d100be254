/**
 * The iD badge's link text is the full iD URI on the ORCID site the plugin talks to (issue 14):
 * https://orcid.org/…, https://sandbox.orcid.org/…, or the emulator's own host in emulator mode.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.js';
import { createRenderer } from '../../src/web/templates.js';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

const ID = '0000-0002-1825-0097';
const linkText = (html: string) => /<a class="orcid-badge" href="([^"]+)"[^>]*><svg[\s\S]*?<\/svg> ([^<]+)<\/a>/.exec(html)?.slice(1);

describe('the iD badge link text', function () {
  this.timeout(60_000);

  for (const [env, site] of [['production', 'https://orcid.org'], ['sandbox', 'https://sandbox.orcid.org']] as const) {
    it(`is ${site}/… for ${env}, in both languages`, () => {
      const config = loadConfig({}, {
        ORCID_ENV: env, ORCID_CLIENT_ID: 'APP-ABCDEFGHIJKLMNOP', ORCID_CLIENT_SECRET: randomBytes(18).toString('hex'),
        PUBLIC_URL: 'https://journal.example', JOURNAL_TITLE: 'J', ORCID_PEER_REVIEWS: 'false', MAIL_TRANSPORT: 'capture',
        ORCID_TOKEN_KEY: randomBytes(32).toString('base64'), SESSION_KEYS: randomBytes(32).toString('base64'), INVITATION_SECRET: randomBytes(32).toString('base64'),
      });
      const renderer = createRenderer({ orcidBaseUrl: config.orcid.baseUrl });
      for (const locale of ['en', 'zh-Hans']) {
        expect(linkText(renderer.badge(ID, locale))).to.deep.equal([`${site}/${ID}`, `${site}/${ID}`]);
        expect(linkText(renderer.render('connect-result.njk', { outcome: 'success', orcid: ID }, locale))).to.deep.equal([`${site}/${ID}`, `${site}/${ID}`]);
      }
    });
  }

  describe('in emulator mode', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness();
      await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
        { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
      ] });
    });
    after(() => h.close());

    it('is the emulator\'s own host on the "connected" page, the researcher\'s page and "Connected as"', async () => {
      const b = new Browser({ 'x-user': 'u1' });
      const back = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=/orcid/connected`, h.researchers.author!);
      const expected = `${h.emulator.url}/${h.researchers.author}`;
      expect(expected).to.match(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(linkText((await b.request(new URL(back.location!, h.url).toString())).text)).to.deep.equal([expected, expected]);
      expect(linkText((await b.request(`${h.url}/orcid/me`)).text)).to.deep.equal([expected, expected]);
      expect(linkText((await h.orcid.connectedAs('u1'))!.html)).to.deep.equal([expected, expected]);
    });
  });
});
