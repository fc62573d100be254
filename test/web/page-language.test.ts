/**
 * Every plugin page speaks the request's language (issue 14, "Languages"): the host's locale for the
 * viewer first, then the invitation's, then Accept-Language, then the configured default.
 */
import { expect } from 'chai';
import type { Context } from 'koa';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

const ZH_ERROR = '<h1>ORCID 关联失败</h1>';
const EN_ERROR = '<h1>ORCID connection failed</h1>';

/** The host in these tests: `x-user` signs in, `x-user-locale` is the language that user chose on the host. */
const currentUser = (ctx: Context) => {
  const id = ctx.get('x-user');
  return id ? { id, roles: id.startsWith('editor') ? ['editor'] : [], ...(ctx.get('x-user-locale') ? { locale: ctx.get('x-user-locale') } : {}) } : null;
};

function inviteLink(h: Harness, to: string): string {
  const mail = h.orcid.mailer.outbox().filter((m) => m.to === to).at(-1)!;
  return /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
}

/** The ORCID round trip from an invitation link, ending on the page the plugin redirects to. */
async function connectFromInvitation(h: Harness, b: Browser, link: string, orcid: string) {
  const back = await h.connect(b, link, orcid);
  expect(back.status).to.equal(302);
  return b.request(new URL(back.location!, h.url).toString());
}

describe('the language of plugin pages', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(() => h?.close());

  describe('with the default settings (English)', () => {
    beforeEach(async () => {
      h = await startHarness({ currentUser });
      await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
        { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
        { contributorId: 'c2', role: 'coauthor', givenNames: '芳', familyName: '王', email: 'wang@example.cn', locale: 'zh-Hans' },
        { contributorId: 'c3', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
      ] });
    });

    it('follows Accept-Language on the "connected" page, the researcher\'s page and error pages', async () => {
      const b = new Browser({ 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' });
      expect((await b.request(`${h.url}/orcid/connected`)).text).to.contain(ZH_ERROR).and.contain('此浏览器会话中没有关联任何 ORCID iD。');
      expect((await b.request(`${h.url}/orcid/me`)).text).to.contain('lang="zh-Hans"');
      const bad = await b.request(`${h.url}/orcid/connect?role=nobody`);
      expect(bad.status).to.equal(400);
      expect(bad.text).to.contain(ZH_ERROR).and.contain('请求无效').and.not.contain('must be one of');
      const expired = await b.request(`${h.url}/orcid/invite/not-a-token`);
      expect(expired.text).to.contain(ZH_ERROR).and.contain('此邀请链接无效');
    });

    it('puts the host user\'s locale before Accept-Language, and skips one it does not speak', async () => {
      const zhUser = new Browser({ 'x-user': 'u1', 'x-user-locale': 'zh-Hans', 'accept-language': 'en-GB' });
      expect((await zhUser.request(`${h.url}/orcid/me`)).text).to.contain('lang="zh-Hans"').and.contain('ORCID');
      expect((await zhUser.request(`${h.url}/orcid/connected`)).text).to.contain(ZH_ERROR);
      const enUser = new Browser({ 'x-user': 'u1', 'x-user-locale': 'en-US', 'accept-language': 'zh-CN' });
      expect((await enUser.request(`${h.url}/orcid/connected`)).text).to.contain(EN_ERROR);
      const frUser = new Browser({ 'x-user': 'u1', 'x-user-locale': 'fr', 'accept-language': 'zh-CN' });
      expect((await frUser.request(`${h.url}/orcid/connected`)).text).to.contain(ZH_ERROR);
    });

    it('shows an invitee the pages in the language of the invitation, whatever the browser asks', async () => {
      const b = new Browser({ 'accept-language': 'en-US,en;q=0.9' });
      const link = inviteLink(h, 'wang@example.cn');
      const toOrcid = await b.request(link);
      expect(new URL(toOrcid.location!).searchParams.get('lang')).to.equal('zh_CN');
      const connected = await connectFromInvitation(h, b, link, h.researchers.coauthor!);
      expect(connected.status).to.equal(200);
      expect(connected.text).to.contain('<h1>您的 ORCID iD 已关联</h1>');
      expect((await b.request(`${h.url}/orcid/me`)).text).to.contain('lang="zh-Hans"');
      // The link is spent: its page says so, still in the invitation's language (the session keeps it).
      expect((await b.request(link)).text).to.contain(ZH_ERROR);
    });

    it('lets the signed-in host user\'s own locale win over the invitation\'s', async () => {
      const b = new Browser({ 'x-user': 'someone', 'x-user-locale': 'en', 'accept-language': 'zh-CN' });
      const connected = await connectFromInvitation(h, b, inviteLink(h, 'wang@example.cn'), h.researchers.coauthor!);
      expect(connected.text).to.contain('<h1>Your ORCID iD is connected</h1>');
    });

    it('lets the browser decide when the invitation has no language', async () => {
      const b = new Browser({ 'accept-language': 'zh-CN' });
      const connected = await connectFromInvitation(h, b, inviteLink(h, 'sofia@example.org'), h.researchers.coauthor!);
      expect(connected.text).to.contain('<h1>您的 ORCID iD 已关联</h1>');
    });

    it('says a denial at ORCID in the invitation\'s language', async () => {
      const b = new Browser({ 'accept-language': 'en' });
      const denied = await h.connect(b, inviteLink(h, 'wang@example.cn'), h.researchers.coauthor!, 'deny');
      expect(denied.text).to.contain('<h1>未授予 ORCID 访问权限</h1>');
    });
  });

  describe('a spent or expired invitation link, opened elsewhere', () => {
    const ZH_COAUTHOR = { contributorId: 'c2', role: 'coauthor' as const, givenNames: '芳', familyName: '王', email: 'wang@example.cn', locale: 'zh-Hans' };
    let t = Date.now();
    const now = () => new Date(t);

    beforeEach(async () => {
      t = Date.now();
      h = await startHarness({ currentUser, now });
      await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [ZH_COAUTHOR] });
    });

    it('is in the language of the invitation in a browser that never opened it', async () => {
      const link = inviteLink(h, 'wang@example.cn');
      await connectFromInvitation(h, new Browser({ 'accept-language': 'zh-CN' }), link, h.researchers.coauthor!);
      // Another device, an English browser, no session: the page still speaks the email's language.
      const spent = await new Browser({ 'accept-language': 'en-US,en;q=0.9' }).request(link);
      expect(spent.status).to.equal(410);
      expect(spent.text).to.contain(ZH_ERROR).and.contain('此邀请链接已被使用').and.not.contain('already been used');
    });

    it('keeps the invitation\'s own language when it expired, even after the host changed the person\'s language', async () => {
      const link = inviteLink(h, 'wang@example.cn');
      await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [{ ...ZH_COAUTHOR, locale: 'en' }] });
      t += 400 * 86_400_000;
      const expired = await new Browser({ 'accept-language': 'en' }).request(link);
      expect(expired.status).to.equal(410);
      expect(expired.text).to.contain(ZH_ERROR).and.contain('此邀请链接已过期');
      // A signed-in host user's own language still comes first.
      const enUser = await new Browser({ 'x-user': 'u9', 'x-user-locale': 'en', 'accept-language': 'zh-CN' }).request(link);
      expect(enUser.text).to.contain(EN_ERROR).and.contain('has expired');
    });
  });

  it('falls back to the configured default locale, and takes a host localeOf hook first', async () => {
    h = await startHarness({ currentUser, locale: 'zh-Hans', localeOf: (ctx: Context) => ctx.cookies.get('lang') });
    expect((await new Browser().request(`${h.url}/orcid/connected`)).text).to.contain(ZH_ERROR);
    expect((await new Browser({ 'accept-language': 'en' }).request(`${h.url}/orcid/connected`)).text).to.contain(EN_ERROR);
    const chosen = new Browser({ 'accept-language': 'zh-CN', cookie: 'lang=en' });
    expect((await chosen.request(`${h.url}/orcid/connected`)).text).to.contain(EN_ERROR);
  });

  it('writes "Connected as" for a request in that request\'s language', async () => {
    h = await startHarness({ currentUser });
    await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
    ] });
    const b = new Browser({ 'x-user': 'u1' });
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    const seen: string[] = [];
    const Koa = (await import('koa')).default;
    const app = new Koa();
    app.use(async (ctx) => {
      seen.push((await h.orcid.connectedAs(ctx))!.html);
      ctx.body = 'ok';
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    await fetch(url, { headers: { 'x-user': 'u1', 'x-user-locale': 'zh-Hans' } });
    await fetch(url, { headers: { 'x-user': 'u1', 'accept-language': 'en' } });
    server.close();
    expect(seen[0]).to.contain('已关联');
    expect(seen[1]).to.contain('Connected as');
  });

  it('hands the host layout hook the resolved locale', async () => {
    const seen: string[] = [];
    h = await startHarness({ currentUser, layout: (_ctx, page) => (seen.push(page.locale), `<html lang="${page.locale}">${page.content}</html>`) });
    await new Browser({ 'x-user': 'u1', 'x-user-locale': 'zh-CN' }).request(`${h.url}/orcid/me`);
    expect(seen).to.deep.equal(['zh-Hans']);
  });
});
