import { expect } from 'chai';
import type { Context } from 'koa';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

describe('Sign in with ORCID and prefill from the record', function () {
  this.timeout(60_000);
  let h: Harness;
  const signedIn: Array<{ orcid: string; name: string | null }> = [];

  beforeEach(async () => {
    signedIn.length = 0;
    h = await startHarness({
      onSignIn: (ctx: Context, person) => {
        signedIn.push({ orcid: person.orcid, name: person.name });
        ctx.redirect('/dashboard');
      },
    });
  });
  afterEach(() => h.close());

  it('signs a person in with /authenticate only and hands the iD to the host', async () => {
    const b = new Browser();
    const toOrcid = await b.request(`${h.url}/orcid/signin?return=/dashboard`);
    expect(new URL(toOrcid.location!).searchParams.get('scope')).to.equal('/authenticate');
    const form = Object.fromEntries(new URL(toOrcid.location!).searchParams) as Record<string, string>;
    const consent = await b.request(`${h.emulator.url}/oauth/authorize`, { form: { ...form, orcid: h.researchers.author!, decision: 'authorize' } });
    const r = await b.request(consent.location!);
    expect(r.status).to.equal(302);
    expect(r.location).to.equal('/dashboard');
    expect(signedIn).to.deep.equal([{ orcid: h.researchers.author, name: 'Josiah Carberry' }]);
    // Signing in links nothing and stores no token.
    expect(await h.orcid.store.findIdentityByOrcid(h.researchers.author!)).to.equal(null);
  });

  it('offers names and visible emails from the record after connecting', async () => {
    const b = new Browser();
    b.setUser('u1');
    await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'J', familyName: 'Carberry', hostUserId: 'u1' },
    ] });
    const r = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    expect(r.status).to.equal(302);
    // The record is read off the request path, by the worker (a durable task); wait for it (bounded).
    await h.orcid.worker.drain();
    let body: { orcid: string; givenNames?: string; familyName?: string; emails?: Array<{ email: string }> } | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await b.request(`${h.url}/orcid/api/me/prefill`);
      body = JSON.parse(res.text);
      if (body!.givenNames) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(body).to.include({ orcid: h.researchers.author, givenNames: 'Josiah', familyName: 'Carberry' });
    expect(body!.emails!.map((e) => e.email)).to.deep.equal(['josiah@example.org']);
  });

  it('answers 404 for prefill when nothing is connected', async () => {
    const b = new Browser({ 'x-user': 'nobody', accept: 'application/json' });
    const r = await b.request(`${h.url}/orcid/api/me/prefill`);
    expect(r.status).to.equal(404);
  });

  it('unlinking with nothing posted revokes the token at ORCID at once', async () => {
    const b = new Browser();
    b.setUser('u1');
    await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'J', familyName: 'Carberry', hostUserId: 'u1' },
    ] });
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    const r = await b.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(r.status).to.equal(200);
    // The revocation is a durable job, queued at once, that the worker runs (and retries until ORCID confirms).
    expect((await h.orcid.store.findIdentityByOrcid(h.researchers.author!))!.status).to.equal('unlinking');
    await h.orcid.worker.drain();
    const identity = await h.orcid.store.findIdentityByOrcid(h.researchers.author!);
    expect(identity).to.include({ status: 'revoked', sealedTokens: null });
    const history = await h.orcid.store.listHistory({ orcid: h.researchers.author! });
    expect(history.map((e) => e.event)).to.include.members(['identity.linked', 'identity.unlink-requested', 'identity.revoked']);
    const contributors = await new Browser({ 'x-user': 'editor-1' }).request(`${h.url}/orcid/api/submissions/s1/contributors`);
    expect(JSON.parse(contributors.text)[0]).to.include({ orcid: null, authenticated: false });
  });
});
