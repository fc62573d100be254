import { expect } from 'chai';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

/**
 * Issue 14, "Confidential peer review": reviewer identities never reach authors or the public
 * through any route, page or metric (DESIGN.md, "Data that must never be lost or leaked"). An
 * author, a co-author, an anonymous visitor and the reviewer of another submission try every
 * route of the plugin over HTTP; the reviewer's name, email, iD and contributor id appear nowhere.
 */
describe('confidential review: who may see a reviewer', function () {
  this.timeout(60_000);
  let h: Harness;
  let reviewerOrcid: string;
  const SECRETS = () => ['Okafor', 'amara@example.org', reviewerOrcid, 'r1'];

  before(async () => {
    h = await startHarness({ metrics: { enabled: true } });
    reviewerOrcid = h.researchers.reviewer!;
    await h.orcid.submissionCreated({ id: 's1', title: 'Blind manuscript', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u-author' },
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org', hostUserId: 'u-coauthor' },
    ] });
    await h.orcid.reviewerAssigned({ submissionId: 's1', manuscriptTitle: 'Blind manuscript',
      reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', email: 'amara@example.org', hostUserId: 'u-reviewer' } });
    // The reviewer connects, so that there is an iD, a deposit and a job to leak.
    const reviewer = new Browser({ 'x-user': 'u-reviewer' });
    expect((await h.connect(reviewer, `${h.url}/orcid/connect?role=reviewer&submission=s1`, reviewerOrcid)).status).to.equal(302);
    await h.orcid.reviewCompleted({ id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20',
      journal: { title: 'Journal of Emulated Research', issn: '0000-0000' } });
    await h.orcid.worker.drain();
    // Another submission with its own reviewer, who must not see s1's.
    await h.orcid.submissionCreated({ id: 's2', title: 'Other manuscript', contributors: [
      { contributorId: 'd1', role: 'author', givenNames: 'Ana', familyName: 'Other', hostUserId: 'u-other-author' },
    ] });
    await h.orcid.reviewerAssigned({ submissionId: 's2', reviewer: { contributorId: 'r2', givenNames: 'Rui', familyName: 'Elsewhere', hostUserId: 'u-other-reviewer' } });
  });
  after(() => h?.close());

  const GETS = [
    '/orcid/api/submissions/s1/contributors',
    '/orcid/api/submissions/s1/status',
    '/orcid/status?submission=s1',
    '/orcid/status/editors',
    '/orcid/metrics',
    '/orcid/api/me/prefill',
    '/orcid/connected',
    '/orcid/connect?role=reviewer&contributor=r1',
    '/orcid/connect?role=reviewer&submission=s1',
  ];

  const VIEWERS: Array<[string, string | null]> = [
    ['the author', 'u-author'],
    ['a co-author', 'u-coauthor'],
    ['an anonymous visitor', null],
    ['the reviewer of another submission', 'u-other-reviewer'],
  ];

  async function depositKey() {
    const [d] = await h.orcid.store.listDeposits({ submissionId: 's1' });
    expect(d, 'the reviewer has a peer-review deposit').to.exist;
    return d!.key;
  }

  for (const [who, user] of VIEWERS) {
    it(`${who} finds no reviewer name, email, iD or id on any route`, async () => {
      const b = new Browser(user ? { 'x-user': user } : {});
      const key = await depositKey();
      for (const path of GETS) {
        const r = await b.request(`${h.url}${path}`);
        // An OAuth state (in the Location and the redirect's body) is random: it may hold "r1" by
        // chance, about one run in a hundred, and says nothing.
        const seen = `${r.status} ${r.location ?? ''} ${r.text}`.replace(/state=[A-Za-z0-9_-]+/g, 'state=STATE');
        for (const secret of SECRETS()) expect(seen, `${path} shows ${secret}`).not.to.include(secret);
      }
      for (const path of [`/orcid/api/submissions/s1/contributors/r1/resend-invitation`, `/orcid/api/deposits/${encodeURIComponent(key)}/send-again`]) {
        const r = await b.request(`${h.url}${path}`, { json: {}, headers: { accept: 'application/json' } });
        expect(r.status, `POST ${path}`).to.be.within(400, 499);
        for (const secret of SECRETS()) expect(r.text, `POST ${path} shows ${secret}`).not.to.include(secret);
      }
    });
  }

  it('authors see their co-authors and no reviewer', async () => {
    for (const user of ['u-author', 'u-coauthor']) {
      const r = await new Browser({ 'x-user': user }).request(`${h.url}/orcid/api/submissions/s1/contributors`);
      expect(r.status).to.equal(200);
      expect((JSON.parse(r.text) as Array<{ contributorId: string }>).map((c) => c.contributorId)).to.deep.equal(['c1', 'c2']);
    }
  });

  it('a reviewer sees themselves only', async () => {
    const r = await new Browser({ 'x-user': 'u-reviewer' }).request(`${h.url}/orcid/api/submissions/s1/contributors`);
    expect(r.status).to.equal(200);
    const list = JSON.parse(r.text) as Array<{ contributorId: string; orcid: string }>;
    expect(list.map((c) => [c.contributorId, c.orcid])).to.deep.equal([['r1', reviewerOrcid]]);
  });

  it('editors see everyone, the reviewer included', async () => {
    const r = await new Browser({ 'x-user': 'editor-1' }).request(`${h.url}/orcid/api/submissions/s1/contributors`);
    expect(r.status).to.equal(200);
    expect((JSON.parse(r.text) as Array<{ contributorId: string }>).map((c) => c.contributorId)).to.deep.equal(['c1', 'c2', 'r1']);
    const status = await new Browser({ 'x-user': 'editor-1' }).request(`${h.url}/orcid/status?submission=s1`);
    expect(status.text).to.include('Okafor');
  });

  it('an anonymous visitor is told to sign in; an outsider gets the same 404 for a submission that exists and one that does not', async () => {
    const anonymous = await new Browser().request(`${h.url}/orcid/api/submissions/s1/contributors`);
    expect(anonymous.status).to.equal(401);
    const outsider = new Browser({ 'x-user': 'u-other-reviewer' });
    const known = await outsider.request(`${h.url}/orcid/api/submissions/s1/contributors`);
    const unknown = await outsider.request(`${h.url}/orcid/api/submissions/no-such/contributors`);
    expect([known.status, known.text]).to.deep.equal([unknown.status, unknown.text]);
    expect(known.status).to.equal(404);
  });

  it('an unknown contributor and a known one that is not yours are refused alike', async () => {
    const b = new Browser({ 'x-user': 'u-author' });
    const known = await b.request(`${h.url}/orcid/connect?role=reviewer&contributor=r1`);
    const unknown = await b.request(`${h.url}/orcid/connect?role=reviewer&contributor=nobody`);
    expect([known.status, known.text]).to.deep.equal([unknown.status, unknown.text]);
  });

  it('an editor asking for a submission that does not exist gets 404, not an empty list', async () => {
    const b = new Browser({ 'x-user': 'editor-1' });
    for (const path of ['/orcid/api/submissions/no-such/contributors', '/orcid/api/submissions/no-such/status', '/orcid/status?submission=no-such']) {
      expect((await b.request(`${h.url}${path}`)).status, path).to.equal(404);
    }
  });

  it('the metrics carry no iD, name or submission in their labels', async () => {
    const r = await new Browser().request(`${h.url}/orcid/metrics`);
    expect(r.status).to.equal(200);
    for (const secret of [...SECRETS(), 's1', 'Carberry']) expect(r.text).not.to.include(secret);
  });
});
