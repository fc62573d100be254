import { expect } from 'chai';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

/** Bad input and attacks on the Collect routes: each gives a clear page or a 4xx and stores nothing half-done. */
describe('Collect routes under bad input and attacks', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock = new Date('2026-11-01T10:00:00Z');

  beforeEach(async () => {
    clock = new Date('2026-11-01T10:00:00Z');
    h = await startHarness({ now: () => clock });
    await h.orcid.submissionCreated({
      id: 's1', title: 'Emulated results',
      contributors: [
        { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
        { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
      ],
    });
  });
  afterEach(() => h.close());

  function invitation(): string {
    const mail = h.orcid.mailer.outbox().at(-1)!;
    return /https?:\/\/\S+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
  }

  /** Goes to ORCID and back, but returns the callback URL instead of calling it. */
  async function callbackUrl(b: Browser, startUrl: string, orcid: string): Promise<string> {
    const toOrcid = await b.request(startUrl);
    const form = Object.fromEntries(new URL(toOrcid.location!).searchParams) as Record<string, string>;
    const consent = await b.request(`${h.emulator.url}/oauth/authorize`, { form: { ...form, orcid, decision: 'authorize' } });
    return consent.location!;
  }

  const identities = async () => [await h.orcid.store.findIdentityByOrcid(h.researchers.author!), await h.orcid.store.findIdentityByOrcid(h.researchers.coauthor!)];

  it('refuses a replayed authorization code', async () => {
    const b = new Browser();
    b.setUser('u1');
    const first = await callbackUrl(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    expect((await b.request(first)).status).to.equal(302);
    // A second round trip, then the old code pasted with the new state.
    const second = new URL(await callbackUrl(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!));
    const replay = new URL(first);
    replay.searchParams.set('state', second.searchParams.get('state')!);
    const r = await b.request(replay.toString());
    expect(r.status).to.equal(400);
    expect(r.text).to.include('Nothing was saved');
  });

  it('refuses a code issued to another client', async () => {
    const other = await (await fetch(`${h.emulator.url}/_emulator/clients`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Other journal', redirectUris: [`${h.url}/orcid/callback`] }),
    })).json() as { clientId: string };
    const b = new Browser();
    b.setUser('u1');
    const ours = new URL((await b.request(`${h.url}/orcid/connect?role=author&submission=s1`)).location!);
    ours.searchParams.set('client_id', other.clientId);
    const form = Object.fromEntries(ours.searchParams) as Record<string, string>;
    const consent = await b.request(`${h.emulator.url}/oauth/authorize`, { form: { ...form, orcid: h.researchers.author!, decision: 'authorize' } });
    const r = await b.request(consent.location!);
    expect(r.status).to.equal(400);
    expect(await identities()).to.deep.equal([null, null]);
  });

  it('answers a callback without a session cookie with 403 and stores nothing', async () => {
    const url = await callbackUrl(new Browser({ 'x-user': 'u1' }), `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    const r = await new Browser().request(url);
    expect(r.status).to.equal(403);
    expect(r.text).to.include('not valid for your session');
    expect(await identities()).to.deep.equal([null, null]);
  });

  it('shows a clear page when ORCID answers 500 on the token call, storing nothing', async () => {
    const b = new Browser();
    b.setUser('u1');
    const url = await callbackUrl(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    await fetch(`${h.emulator.url}/_emulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) });
    const r = await b.request(url);
    expect(r.status).to.equal(502);
    expect(r.text).to.include('Nothing was saved');
    expect(await identities()).to.deep.equal([null, null]);
  });

  it('refuses an expired invitation with 410', async () => {
    const link = invitation();
    clock = new Date(clock.getTime() + 31 * 86_400_000);
    const r = await new Browser().request(link);
    expect(r.status).to.equal(410);
    expect(r.text).to.include('expired');
  });

  it('refuses a forged invitation token with 404', async () => {
    const link = invitation();
    const forged = link.slice(0, -3) + (link.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await new Browser().request(forged)).status).to.equal(404);
    expect((await new Browser().request(`${h.url}/orcid/invite/${'x'.repeat(5000)}`)).status).to.equal(404);
  });

  it('does not make whoever is signed in the owner of an invitee\u2019s iD', async () => {
    const b = new Browser({ 'x-user': 'editor-1' });
    const r = await h.connect(b, invitation(), h.researchers.coauthor!);
    expect(r.status).to.equal(302);
    const identity = await h.orcid.store.findIdentityByOrcid(h.researchers.coauthor!);
    expect(identity).to.include({ hostUserId: null, status: 'linked' });
    expect(await h.orcid.store.findIdentityByHostUser('editor-1')).to.equal(null);
  });

  it('refuses to connect someone else\u2019s contributor slot without an invitation', async () => {
    const b = new Browser();
    b.setUser('intruder');
    const r = await b.request(`${h.url}/orcid/connect?role=coauthor&contributor=c2`);
    expect(r.status).to.equal(403);
  });

  it('rejects an unknown role with a reason', async () => {
    const b = new Browser();
    b.setUser('u1');
    const r = await b.request(`${h.url}/orcid/connect?role=admin`, { headers: { accept: 'application/json' } });
    expect(r.status).to.equal(400);
    expect(JSON.parse(r.text)).to.deep.equal({ error: 'INVALID_INPUT', message: 'role: must be one of author, coauthor, reviewer, editor' });
  });

  it('escapes a researcher named <script> everywhere it is shown', async () => {
    const res = await fetch(`${h.emulator.url}/_emulator/researchers`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ givenNames: '<script>alert(1)</script>', familyName: '"><img src=x onerror=alert(2)>' }),
    });
    const { orcid } = (await res.json()) as { orcid: string };
    const b = new Browser();
    const r = await h.connect(b, invitation(), orcid);
    expect(r.status).to.equal(302);
    const page = await b.request(`${h.url}${r.location}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.not.include('<script>alert(1)');
    expect(page.text).to.not.include('<img src=x');
    expect(page.text).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('sets the session cookie httpOnly and sameSite=lax', async () => {
    const b = new Browser();
    b.setUser('u1');
    const r = await b.request(`${h.url}/orcid/connect?role=author&submission=s1`);
    const cookies = r.headers.getSetCookie().join('\n');
    expect(cookies).to.match(/koa-orcid\.sess=/);
    expect(cookies).to.match(/httponly/i);
    expect(cookies).to.match(/samesite=lax/i);
    expect(cookies).to.not.match(/;\s*secure/i); // http demo; https public URLs set it (see config test)
  });

  it('refuses editor endpoints to non-editors', async () => {
    const b = new Browser();
    b.setUser('u1');
    expect((await b.request(`${h.url}/orcid/api/submissions/s1/status`)).status).to.equal(403);
    expect((await b.request(`${h.url}/orcid/api/submissions/s1/contributors/c2/resend-invitation`, { json: {} })).status).to.equal(403);
    expect((await b.request(`${h.url}/orcid/status?submission=s1`)).status).to.equal(403);
    // Someone with no part in the submission gets the 404 of one that does not exist (issue 14: no existence oracle).
    const stranger = new Browser({ 'x-user': 'stranger' });
    expect((await stranger.request(`${h.url}/orcid/api/submissions/s1/contributors`)).status).to.equal(404);
  });

  it('lets an editor resend an invitation, with a fresh link', async () => {
    const before = invitation();
    const editor = new Browser({ 'x-user': 'editor-1' });
    const r = await editor.request(`${h.url}/orcid/api/submissions/s1/contributors/c2/resend-invitation`, { json: {}, headers: { accept: 'application/json' } });
    expect(r.status).to.equal(202);
    expect(h.orcid.mailer.outbox()).to.have.length(2);
    expect(invitation()).to.not.equal(before);
  });
});
