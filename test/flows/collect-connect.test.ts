import { expect } from 'chai';
import { Browser, startHarness, type Harness } from './harness.js';
import type { Article } from '../../src/types.js';

const JATS = `<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article">
  <front>
    <article-meta>
      <contrib-group>
        <contrib contrib-type="author">
          <name><surname>Carberry</surname><given-names>Josiah</given-names></name>
        </contrib>
        <contrib contrib-type="author">
          <name><surname>Garcia</surname><given-names>Sofia</given-names></name>
        </contrib>
      </contrib-group>
    </article-meta>
  </front>
</article>
`;

function article(overrides: Partial<Article> = {}): Article {
  return {
    id: 'a1', submissionId: 's1', doi: '10.5555/demo.1', title: 'Emulated results', url: 'https://journal.example/a1',
    publishedAt: '2026-11-01', journal: { title: 'Journal of Emulated Research', issn: '0000-0000' },
    authors: [
      { contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', sequence: 1 },
      { contributorId: 'c2', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org', sequence: 2 },
    ],
    ...overrides,
  };
}

function inviteLink(h: Harness, to: string): string {
  const mail = h.orcid.mailer.outbox().filter((m) => m.to === to).at(-1);
  if (!mail) throw new Error(`no mail to ${to}`);
  const m = /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text);
  if (!m) throw new Error(`no invitation link in ${mail.text}`);
  return m[0];
}

async function drain(h: Harness) {
  return h.orcid.worker.drain();
}

describe('Collect and Connect against the emulator', function () {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
    await h.orcid.submissionCreated({
      id: 's1', title: 'Emulated results',
      contributors: [
        { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
        { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
      ],
    });
  });
  afterEach(() => h.close());

  async function connectAuthor() {
    const b = new Browser();
    b.setUser('u1');
    const r = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=/submission/s1`, h.researchers.author!);
    expect(r.status).to.equal(302);
    expect(r.location).to.equal('/submission/s1');
    return b;
  }

  async function connectCoauthor() {
    const b = new Browser();
    const r = await h.connect(b, inviteLink(h, 'sofia@example.org'), h.researchers.coauthor!);
    expect(r.status).to.equal(302);
    return b;
  }

  async function contributors() {
    const b = new Browser();
    b.setUser('editor-1');
    const r = await b.request(`${h.url}/orcid/api/submissions/s1/contributors`);
    expect(r.status).to.equal(200);
    return JSON.parse(r.text) as Array<{ contributorId: string; orcid: string | null; authenticated: boolean; status: string }>;
  }

  it('invites the co-author by email, once', async () => {
    const mails = h.orcid.mailer.outbox();
    expect(mails.map((m) => m.to)).to.deep.equal(['sofia@example.org']);
    await h.orcid.submissionCreated({ id: 's1', title: 'Emulated results', contributors: [
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
    expect(h.orcid.mailer.outbox()).to.have.length(1);
  });

  it('links the author and the co-author with authenticated iDs', async () => {
    await connectAuthor();
    await connectCoauthor();
    const list = await contributors();
    expect(list.map((c) => [c.contributorId, c.orcid, c.authenticated, c.status])).to.deep.equal([
      ['c1', h.researchers.author, true, 'linked'],
      ['c2', h.researchers.coauthor, true, 'linked'],
    ]);
  });

  it('publishes: embeds the iDs in the JATS and posts exactly one work per author', async () => {
    await connectAuthor();
    await connectCoauthor();
    const out = await h.orcid.articlePublished(article({ jats: JATS }));
    expect(out.queued).to.equal(2);
    for (const who of ['author', 'coauthor']) {
      expect(out.jats).to.include(`<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/${h.researchers[who]}</contrib-id>`);
    }
    expect(out.jats!.match(/<contrib-id /g)).to.have.length(2);
    await drain(h);
    for (const who of ['author', 'coauthor']) {
      const works = (await h.record(h.researchers[who]!)).items.filter((i) => i.type === 'work');
      expect(works, who).to.have.length(1);
      expect(works[0]!.xml).to.include('Emulated results');
    }
    const status = await new Browser({ 'x-user': 'editor-1' }).request(`${h.url}/orcid/api/submissions/s1/status`);
    expect(JSON.parse(status.text).items.map((i: { kind: string; status: string; attempts: number }) => [i.kind, i.status, i.attempts]))
      .to.deep.equal([['work', 'synced', 1], ['work', 'synced', 1]]);
    // Publishing again with the same metadata changes nothing.
    expect((await h.orcid.articleUpdated(article())).queued).to.equal(0);
  });

  it('updates the work in place on a correction and marks it on retraction, then deletes it on unlink', async () => {
    const author = await connectAuthor();
    await h.orcid.articlePublished(article());
    await drain(h);
    const [first] = (await h.record(h.researchers.author!)).items;
    await h.orcid.articleUpdated(article({ title: 'Emulated results, corrected' }));
    await drain(h);
    let items = (await h.record(h.researchers.author!)).items;
    expect(items).to.have.length(1);
    expect(items[0]!.putCode).to.equal(first!.putCode);
    expect(items[0]!.xml).to.include('Emulated results, corrected');
    await h.orcid.articleRetracted(article({ title: 'Emulated results, corrected' }), { notice: 'Image duplication.' });
    await drain(h);
    items = (await h.record(h.researchers.author!)).items;
    expect(items[0]!.xml).to.include('RETRACTED: Emulated results, corrected');
    const unlink = await author.request(`${h.url}/orcid/unlink`, { method: 'POST', headers: { accept: 'application/json' } });
    expect(unlink.status).to.equal(200);
    await drain(h);
    expect((await h.record(h.researchers.author!)).items).to.have.length(0);
    const identity = await h.orcid.store.findIdentityByOrcid(h.researchers.author!);
    expect(identity!.status).to.equal('revoked');
    expect(identity!.sealedTokens).to.equal(null);
  });

  it('backfills the work of a co-author who connects after publication', async () => {
    await connectAuthor();
    await h.orcid.articlePublished(article());
    await drain(h);
    expect((await h.record(h.researchers.coauthor!)).items).to.have.length(0);
    await connectCoauthor();
    await drain(h);
    expect((await h.record(h.researchers.coauthor!)).items.filter((i) => i.type === 'work')).to.have.length(1);
  });

  it('posts a peer review for a reviewer who connected from the invitation', async () => {
    await h.orcid.reviewerAssigned({ submissionId: 's1', manuscriptTitle: 'Emulated results',
      reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', email: 'amara@example.org' } });
    const b = new Browser();
    const r = await h.connect(b, inviteLink(h, 'amara@example.org'), h.researchers.reviewer!);
    expect(r.status).to.equal(302);
    const { queued } = await h.orcid.reviewCompleted({ id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20',
      articleDoi: '10.5555/demo.1', manuscriptTitle: 'Emulated results', journal: { title: 'Journal of Emulated Research', issn: '0000-0000' } });
    expect(queued).to.equal(1);
    await drain(h);
    const reviews = (await h.record(h.researchers.reviewer!)).items.filter((i) => i.type === 'peer-review');
    expect(reviews).to.have.length(1);
    expect(reviews[0]!.xml).to.include('issn:0000-0000');
  });

  it('records a denial and offers to try again', async () => {
    const b = new Browser();
    const r = await h.connect(b, inviteLink(h, 'sofia@example.org'), h.researchers.coauthor!, 'deny');
    expect(r.status).to.equal(200);
    expect(r.text).to.match(/try again/i);
    const list = await contributors();
    expect(list.find((c) => c.contributorId === 'c2')!.status).to.equal('denied');
  });

  it('refuses a callback whose state does not match, storing nothing', async () => {
    const b = new Browser();
    b.setUser('u1');
    await b.request(`${h.url}/orcid/connect?role=author&submission=s1`);
    const r = await b.request(`${h.url}/orcid/callback?code=abc&state=forged`);
    expect(r.status).to.equal(403);
    expect(await h.orcid.store.findIdentityByHostUser('u1')).to.equal(null);
  });

  it('never redirects off-site after connecting', async () => {
    for (const ret of ['https://evil.example/x', '//evil.example', '/\\evil.example']) {
      const b = new Browser();
      b.setUser('u1');
      const r = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=${encodeURIComponent(ret)}`, h.researchers.author!);
      expect(r.status).to.equal(302);
      expect(r.location).to.equal('/');
    }
  });

  it('uses an invitation link once: when the co-author connects, not when it is opened', async () => {
    const link = inviteLink(h, 'sofia@example.org');
    await new Browser().request(link);
    expect((await new Browser().request(link)).status).to.equal(302);
    await connectCoauthor();
    const again = await new Browser().request(link);
    expect(again.status).to.equal(410);
    expect(again.text).to.include('already been used');
  });
});
