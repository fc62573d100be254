/**
 * Invitations that survive mail scanners (issue 14): a link is used up only when the OAuth callback
 * succeeds. A scanner's GET or HEAD (Microsoft Defender "Safe Links" opens every link of a message
 * before the reader does), a chat app's link preview, or a "Deny" at ORCID leaves it usable until it
 * expires; after a successful connection it is spent, and of two callbacks racing on one link one wins.
 */
import { expect } from 'chai';
import { Browser, startHarness, type Harness } from './harness.js';
import { manualClock } from '../sync/helpers.js';

const DAY = 86_400_000;

function links(h: Harness, to: string): string[] {
  return h.orcid.mailer.outbox().filter((m) => m.to === to)
    .map((m) => /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(m.text)![0]);
}

describe('invitation links and mail scanners', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    clock = manualClock();
    h = await startHarness({ now: clock.now });
    await h.orcid.submissionCreated({ id: 's1', title: 'Scanned results', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
  });
  afterEach(() => h.close());

  /** What a scanner does: GET and HEAD the link, follow its redirects, and never sign in at ORCID. */
  async function scan(link: string) {
    const scanner = new Browser({ 'user-agent': 'Mozilla/5.0 (compatible; SafeLinks scanner)' });
    expect((await scanner.request(link, { method: 'HEAD' })).status).to.be.below(500);
    const followed = await scanner.follow(link);
    expect(followed.status, 'the scanner ends on ORCID\'s sign-in page').to.equal(200);
    expect(new URL(followed.url).origin).to.equal(h.emulator.url);
    const preview = new Browser({ 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' });
    expect((await preview.request(link)).status).to.equal(302);
  }

  /** The browser's half of the dance up to ORCID's redirect back: the callback URL, not yet opened. */
  async function authorizeUntilCallback(b: Browser, link: string, orcid: string, decision = 'authorize'): Promise<string> {
    const toOrcid = await b.request(link);
    expect(toOrcid.status, toOrcid.text.slice(0, 200)).to.equal(302);
    const form: Record<string, string> = Object.fromEntries(new URL(toOrcid.location!).searchParams);
    const consent = await b.request(`${h.emulator.url}/oauth/authorize`, { form: { ...form, orcid, decision } });
    return new URL(consent.location!, h.url).toString();
  }

  const linkedOrcid = async () => {
    const c = await h.orcid.store.getContributor('c2');
    return c?.identityId ? (await h.orcid.store.getIdentity(c.identityId))!.orcid : null;
  };

  it('survives a scanner\'s prefetch and a link preview: the co-author then connects', async () => {
    const [link] = links(h, 'sofia@example.org');
    await scan(link!);
    await scan(link!);
    const r = await h.connect(new Browser(), link!, h.researchers.coauthor!);
    expect([r.status, r.location]).to.deep.equal([302, '/orcid/connected']);
    expect(await linkedOrcid()).to.equal(h.researchers.coauthor);
  });

  it('stays usable after a denial at ORCID, from the "Try again" button and from the link', async () => {
    const [link] = links(h, 'sofia@example.org');
    const b = new Browser();
    const denied = await h.connect(b, link!, h.researchers.coauthor!, 'deny');
    expect(denied.status).to.equal(200);
    // The link itself still works, in this browser or another (say, the person's phone).
    expect((await new Browser().request(link!)).status).to.equal(302);
    const retry = /href="([^"]+)">Try again/.exec(denied.text)![1]!.replace(/&amp;/g, '&');
    const again = await h.connect(b, `${h.url}${retry}`, h.researchers.coauthor!);
    expect(again.status).to.equal(302);
    expect(await linkedOrcid()).to.equal(h.researchers.coauthor);
    // Spent now: the same link, opened again, says so.
    const reopened = await new Browser().request(link!);
    expect(reopened.status).to.equal(410);
    expect(reopened.text).to.include('already been used');
  });

  it('is single use after success, even for a browser that opened it before', async () => {
    const [link] = links(h, 'sofia@example.org');
    const early = new Browser();
    const earlyCallback = await authorizeUntilCallback(early, link!, h.researchers.author!);
    expect((await h.connect(new Browser(), link!, h.researchers.coauthor!)).status).to.equal(302);
    const late = await early.request(earlyCallback);
    expect(late.status).to.equal(410);
    expect(await linkedOrcid()).to.equal(h.researchers.coauthor);
    expect(await h.orcid.store.findIdentityByOrcid(h.researchers.author!)).to.equal(null);
  });

  it('lets exactly one of two racing callbacks win', async () => {
    const [link] = links(h, 'sofia@example.org');
    const a = new Browser();
    const b = new Browser();
    const callbacks = [await authorizeUntilCallback(a, link!, h.researchers.coauthor!), await authorizeUntilCallback(b, link!, h.researchers.author!)];
    const [ra, rb] = await Promise.all([a.request(callbacks[0]!), b.request(callbacks[1]!)]);
    expect([ra.status, rb.status].sort()).to.deep.equal([302, 410]);
    const winner = ra.status === 302 ? h.researchers.coauthor : h.researchers.author;
    expect(await linkedOrcid()).to.equal(winner);
  });

  it('treats reminders and resent links the same way, and spends them all on success', async () => {
    clock.advance(8 * DAY); // past the reminder delay (7 days by default)
    expect(await h.orcid.sendReminders()).to.equal(1);
    const [first, reminder] = links(h, 'sofia@example.org');
    await scan(reminder!);
    const r = await h.connect(new Browser(), reminder!, h.researchers.coauthor!);
    expect(r.status).to.equal(302);
    expect(await linkedOrcid()).to.equal(h.researchers.coauthor);
    // The first link was never used, but the slot is connected: it cannot re-link it.
    expect((await new Browser().request(first!)).status).to.equal(410);
  });

  it('tells a reviewer on the "connected" page that their peer reviews are added, not published work', async () => {
    await h.orcid.reviewerAssigned({ submissionId: 's1', manuscriptTitle: 'Scanned results',
      reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', email: 'amara@example.org' } });
    const b = new Browser();
    const [link] = links(h, 'amara@example.org');
    expect((await h.connect(b, link!, h.researchers.reviewer!)).location).to.equal('/orcid/connected');
    const page = await b.request(`${h.url}/orcid/connected`);
    expect(page.text).to.include('your completed peer reviews').and.not.match(/publish/i);
    const author = new Browser();
    await h.connect(author, links(h, 'sofia@example.org')[0]!, h.researchers.coauthor!);
    expect((await author.request(`${h.url}/orcid/connected`)).text).to.include('your articles, once they are published');
  });

  it('expires as before', async () => {
    const [link] = links(h, 'sofia@example.org');
    await scan(link!);
    clock.advance(31 * DAY);
    const r = await new Browser().request(link!);
    expect(r.status).to.equal(410);
    expect(r.text).to.include('expired');
  });
});
