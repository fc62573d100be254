import { expect } from 'chai';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { localNetworkOnly } from '../local-network.js';
import { actingClient } from './act-as.js';

/** Every demo page answers, and the plugin's routes answer sensibly without a session. */
describe('startDemo (smoke)', function () {
  localNetworkOnly();
  this.timeout(20_000);
  let demo: RunningDemo;
  let submissionId: string;

  const { get, post } = actingClient(() => demo.url);

  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
    const res = await post('/submit', 'author', {
      title: 'Smoke <test>', abstract: 'A & B',
      given_1: 'Josiah', family_1: 'Carberry', email_1: 'josiah.carberry@example.edu',
      given_2: 'Fang', family_2: 'Wang', email_2: 'wang.fang@example.cn', locale_2: 'zh-Hans',
    });
    expect(res.status).to.equal(302);
    submissionId = decodeURIComponent(res.location!.replace('/submissions/', ''));
    expect((await post(`/submissions/${submissionId}/reviewers`, 'editor', { reviewer: 'reviewer' })).status).to.equal(302);
    expect((await post(`/submissions/${submissionId}/publish`, 'editor', {})).location).to.equal(`/articles/${submissionId}`);
  });
  after(() => demo?.close());

  it('answers 200 with HTML on every demo page', async () => {
    const pages: [string, string][] = [
      ['/', 'author'], ['/submit', 'author'], ['/submissions', 'editor'], [`/submissions/${submissionId}`, 'editor'],
      [`/submissions/${submissionId}/progress`, 'editor'], ['/reviews', 'reviewer'], [`/submissions/${submissionId}/review`, 'reviewer'],
      ['/articles', 'nobody'], [`/articles/${submissionId}`, 'nobody'], ['/mailbox', 'nobody'], ['/researchers', 'nobody'],
    ];
    const statuses = [];
    for (const [path, as] of pages) {
      const r = await get(path, as);
      statuses.push([path, r.status, r.type]);
    }
    expect(statuses).to.deep.equal(pages.map(([path]) => [path, 200, 'text/html; charset=utf-8']));
  });

  it('escapes what people typed, and serves the article XML built from it', async () => {
    expect((await get(`/submissions/${submissionId}`)).text).to.contain('<h1>Smoke &lt;test&gt;</h1>');
    const jats = await get(`/articles/${submissionId}/jats.xml`, 'nobody');
    expect([jats.status, jats.type]).to.deep.equal([200, 'application/xml; charset=utf-8']);
    expect(jats.text).to.contain('<article-title>Smoke &lt;test&gt;</article-title>');
    const crossref = await get(`/articles/${submissionId}/crossref.xml`, 'nobody');
    expect(crossref.text).to.contain('<title>Smoke &lt;test&gt;</title>');
    expect(crossref.text).to.contain(`<doi>10.5555/demo.${submissionId.toLowerCase()}</doi>`);
  });

  it('shows the invitations in the mailbox, Wang Fang\'s in Chinese, with links that open as the recipient', async () => {
    const mails = demo.orcid.mailer.outbox();
    expect(mails.map((m) => m.to)).to.deep.equal(['wang.fang@example.cn', 'amara.okafor@example.org']);
    expect(mails[0].subject).to.match(/[\u4e00-\u9fff]/);
    const link = /https?:\/\/\S+\/orcid\/invite\/\S+/.exec(mails[0].text)![0];
    const page = await get('/mailbox', 'nobody');
    expect(page.text).to.contain(`href="/mailbox/0/open?link=${encodeURIComponent(link)}"`);
    const open = await get(`/mailbox/0/open?link=${encodeURIComponent(link)}`, 'author');
    expect([open.status, open.location]).to.deep.equal([302, link]);
    const setCookie = (await fetch(`${demo.url}/mailbox/1/open?link=${encodeURIComponent(/https?:\/\/\S+\/orcid\/invite\/\S+/.exec(mails[1].text)![0])}`, { redirect: 'manual' })).headers.get('set-cookie');
    expect(setCookie).to.match(/^demo_act_as=reviewer;/);
  });

  it('refuses to redirect to a link that is not in the message', async () => {
    const r = await get(`/mailbox/0/open?link=${encodeURIComponent('https://evil.example/')}`, 'nobody');
    expect(r.status).to.equal(404);
  });

  it('keeps editor actions to editors', async () => {
    const r = await post(`/submissions/${submissionId}/publish`, 'author', {});
    expect(r.status).to.equal(403);
    expect(r.text).to.contain('Act as a journal user with the editor role');
  });

  it('answers the plugin\'s routes sensibly without a session', async () => {
    const results: Record<string, number> = {};
    for (const path of [
      '/orcid/connected', '/orcid/callback?state=x&code=y', '/orcid/invite/not-a-token', `/orcid/connect?role=author&submission=${submissionId}`,
      `/orcid/status?submission=${submissionId}`, `/orcid/api/submissions/${submissionId}/status`, '/orcid/connect?role=nope',
    ]) results[path] = (await get(path, 'nobody')).status;
    expect(results).to.deep.equal({
      '/orcid/connected': 200,
      '/orcid/callback?state=x&code=y': 403,
      '/orcid/invite/not-a-token': 404,
      [`/orcid/connect?role=author&submission=${submissionId}`]: 403,
      // Nobody signed in: told to sign in (issue 14), before anything about the submission is read.
      [`/orcid/status?submission=${submissionId}`]: 401,
      [`/orcid/api/submissions/${submissionId}/status`]: 401,
      '/orcid/connect?role=nope': 400,
    });
  });

  it('gives the editor the plugin\'s status page and JSON status, and sends the author to ORCID', async () => {
    expect((await get(`/orcid/status?submission=${submissionId}`, 'editor')).status).to.equal(200);
    const status = await get(`/orcid/api/submissions/${submissionId}/status`, 'editor');
    const body = JSON.parse(status.text) as { contributors: { name: string; status: string }[] };
    expect(body.contributors.map((c) => [c.name, c.status])).to.deep.equal([['Josiah Carberry', 'not-connected'], ['Fang Wang', 'invited'], ['Amara Okafor', 'invited']]);
    const connect = await get(`/orcid/connect?role=author&submission=${submissionId}&return=/submissions/${submissionId}`, 'author');
    expect(connect.status).to.equal(302);
    expect(connect.location!.startsWith(`${demo.emulatorUrl}/oauth/authorize?`)).to.equal(true);
  });

  it('gives the editor a working "Resend invitation" button for a co-author who has not connected', async () => {
    const page = await get(`/submissions/${submissionId}`, 'editor');
    const url = `/orcid/api/submissions/${submissionId}/contributors/${submissionId}-a2/resend-invitation`;
    expect(page.text).to.contain(`data-url="${url}"`);
    // What the page's script sends: its origin, the CSRF token from the page (bound to the cookie the page set), JSON.
    const csrf = await fetch(`${demo.url}/submissions/${submissionId}`, { headers: { cookie: 'demo_act_as=editor' } });
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const token = /data-csrf="([^"]+)"/.exec(await csrf.text())![1]!;
    const before = demo.orcid.mailer.outbox().length;
    const browser = { origin: demo.url, 'content-type': 'application/json', 'x-csrf-token': token, cookie: `demo_act_as=editor; ${cookie}` };
    expect((await get(url, 'editor', { method: 'POST', body: '{}', headers: { ...browser, 'x-csrf-token': 'forged' } })).status).to.equal(403);
    const r = await get(url, 'editor', { method: 'POST', body: '{}', headers: { accept: 'application/json', ...browser } });
    expect([r.status, JSON.parse(r.text)]).to.deep.equal([202, { sent: true }]);
    expect(demo.orcid.mailer.outbox().slice(before).map((m) => m.to)).to.deep.equal(['wang.fang@example.cn']);
  });
});

describe('startDemo against the ORCID sandbox', function () {
  this.timeout(20_000);

  it('starts no emulator and sends people to sandbox.orcid.org with the PUBLIC_URL callback', async () => {
    const demo = await startDemo({
      port: 0, storeUrl: 'sqlite::memory:',
      env: {
        ORCID_ENV: 'sandbox', ORCID_CLIENT_ID: 'APP-ABCDEFGHIJKLMNOP', ORCID_CLIENT_SECRET: 'sandbox-secret', PUBLIC_URL: 'http://localhost:3000',
        // The sandbox needs real secrets (issue 13, finding 5); these stand in for `openssl rand -base64 32`.
        ORCID_TOKEN_KEY: 'q83vR1kZr0Zb7c9tT4Hc2m0yQm8nN3lR7x2Z1fE9p5U=', SESSION_KEYS: 'Zq8-vR2p_Lk4mN7x', INVITATION_SECRET: 'Hn4rT8wQ2zX6cV0b',
        JOURNAL_TITLE: 'Sandbox Journal', JOURNAL_ISSN: '0000-0000', ORCID_PEER_REVIEWS: 'false',
      },
    });
    try {
      expect([demo.emulatorUrl, demo.researchers.length, demo.orcid.config.redirectUri]).to.deep.equal([null, 0, 'http://localhost:3000/orcid/callback']);
      const res = await fetch(`${demo.url}/orcid/connect?role=author`, { redirect: 'manual', headers: { cookie: 'demo_act_as=author' } });
      const location = new URL(res.headers.get('location')!);
      expect([res.status, location.origin + location.pathname, location.searchParams.get('redirect_uri'), location.searchParams.get('client_id')])
        .to.deep.equal([302, 'https://sandbox.orcid.org/oauth/authorize', 'http://localhost:3000/orcid/callback', 'APP-ABCDEFGHIJKLMNOP']);
      expect(await (await fetch(`${demo.url}/`)).text()).to.contain('<code>https://sandbox.orcid.org</code> (sandbox)');
    } finally {
      await demo.close();
    }
  });
});
