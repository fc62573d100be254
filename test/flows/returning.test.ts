/**
 * Returning researchers (issue 14): an iD connected once under a host account is reused for the
 * same account's next submission, review or editorial role — ORCID's consent is granted to the
 * client, not to one manuscript — until the token stops working; choosing another iD releases the first.
 */
import { expect } from 'chai';
import { Browser, startHarness, type Harness } from './harness.js';
import { article, emulatorPost, manualClock, pluginAccessToken } from '../sync/helpers.js';

describe('returning researchers', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    clock = manualClock();
    h = await startHarness({ now: clock.now });
    await h.orcid.submissionCreated({ id: 's1', title: 'First paper', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
    ] });
    const b = new Browser();
    b.setUser('u1');
    const r = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=/submission/s1`, h.researchers.author!);
    expect(r.status).to.equal(302);
    await h.orcid.worker.drain();
  });
  afterEach(() => h.close());

  const secondPaper = (contributorId = 'c9', role: 'author' | 'coauthor' = 'author') => h.orcid.submissionCreated({ id: 's2', title: 'Second paper', contributors: [
    { contributorId, role, givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
  ] });
  const works = async (orcid: string) => (await h.record(orcid)).items.filter((i) => i.type === 'work');

  it('recognises the author on a second paper and queues its work without another OAuth round trip', async () => {
    const statesBefore = (await h.orcid.store.listHistory({ limit: 100 })).filter((e) => e.event === 'identity.linked').length;
    expect(await secondPaper()).to.deep.equal({ invited: 0, recognised: 1 });
    const out = await h.orcid.articlePublished(article({ id: 'a2', submissionId: 's2', doi: '10.5555/sync.2', title: 'Second paper', url: 'https://journal.example/a2',
      authors: [{ contributorId: 'c9', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] }));
    expect(out.queued).to.equal(1);
    await h.orcid.worker.drain();
    const mine = await works(h.researchers.author!);
    expect(mine).to.have.length(1);
    expect(mine[0]!.xml).to.include('Second paper');
    const statesAfter = (await h.orcid.store.listHistory({ limit: 100 })).filter((e) => e.event === 'identity.linked').length;
    expect(statesAfter).to.equal(statesBefore);
  });

  it('does not invite a returning co-author, and links a returning reviewer at assignment', async () => {
    expect(await secondPaper('c9', 'coauthor')).to.deep.equal({ invited: 0, recognised: 1 });
    expect(h.orcid.mailer.outbox()).to.have.length(0);
    const assigned = await h.orcid.reviewerAssigned({ submissionId: 's2', manuscriptTitle: 'Second paper',
      reviewer: { contributorId: 'r9', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' } });
    expect(assigned).to.deep.equal({ invited: false, recognised: true });
    expect(h.orcid.mailer.outbox()).to.have.length(0);
  });

  it('tells the host who is connected, for "Connected as …"', async () => {
    const me = await h.orcid.connectedAs('u1');
    expect(me).to.deep.include({ orcid: h.researchers.author, uri: `${h.emulator.url}/${h.researchers.author}`, canUpdate: true, manageUrl: '/orcid/me' });
    expect(me!.html).to.include(`${h.emulator.url}/${h.researchers.author}`).and.include('href="/orcid/me"');
    expect(await h.orcid.connectedAs('u2')).to.equal(null);
  });

  it('asks again after the researcher revoked the token at ORCID', async () => {
    await emulatorPost(h, '/_emulator/revoke', { accessToken: await pluginAccessToken(h, h.researchers.author!) });
    // The next call with the token meets ORCID's 401: the identity is revoked.
    await h.orcid.articlePublished(article({ authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] }));
    await h.orcid.worker.drain();
    expect((await h.orcid.store.findIdentityByOrcid(h.researchers.author!))!.status).to.equal('revoked');
    expect(await h.orcid.connectedAs('u1')).to.equal(null);
    const before = h.orcid.mailer.outbox().length;
    expect(await secondPaper('c9', 'coauthor')).to.deep.equal({ invited: 1, recognised: 0 });
    expect(h.orcid.mailer.outbox().slice(before).map((m) => m.to)).to.include('josiah@example.org');
  });

  it('asks again when the token expired and ORCID refuses to refresh it', async () => {
    await emulatorPost(h, '/_emulator/revoke', { accessToken: await pluginAccessToken(h, h.researchers.author!) });
    clock.advance(21 * 366 * 86_400_000); // past the token's lifetime: the plugin must refresh, and ORCID says no
    expect(await secondPaper()).to.deep.equal({ invited: 0, recognised: 0 });
    expect(await h.orcid.connectedAs('u1')).to.equal(null);
  });

  it('lets them choose another iD, and releases the first cleanly', async () => {
    await h.orcid.articlePublished(article({ authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] }));
    await h.orcid.worker.drain();
    expect(await works(h.researchers.author!)).to.have.length(1);
    const other = h.researchers.coauthor!;
    const b = new Browser();
    b.setUser('u1');
    const r = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=/submission/s1`, other);
    expect(r.status).to.equal(302);
    await h.orcid.worker.drain();
    expect((await h.orcid.connectedAs('u1'))!.orcid).to.equal(other);
    // The work moved to the new iD; the first record holds nothing of ours, and its token is gone.
    expect(await works(other)).to.have.length(1);
    expect(await works(h.researchers.author!)).to.have.length(0);
    const first = (await h.orcid.store.findIdentityByOrcid(h.researchers.author!))!;
    expect([first.status, first.sealedTokens]).to.deep.equal(['revoked', null]);
    expect((await h.orcid.store.getContributor('c1'))!.identityId).to.equal((await h.orcid.store.findIdentityByOrcid(other))!.id);
  });
});
