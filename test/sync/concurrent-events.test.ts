/**
 * Host events that arrive at the same time must lose nothing (issue 16): the first release kept
 * reviewer-to-review links and the open-submissions list as JSON arrays that every event read,
 * changed and wrote back, so concurrent events overwrote each other.
 */
import { expect } from 'chai';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import type { Review } from '../../src/types.js';
import type { InvitationMail, Mailer, SentMail } from '../../src/web/mail.js';

const DAY_MS = 86_400_000;

function review(id: string): Review {
  return { id, submissionId: `s-${id}`, reviewerContributorId: 'r1', completedAt: '2026-10-20', articleDoi: `10.5555/${id}`,
    manuscriptTitle: `Manuscript ${id}`, journal: { title: 'Journal of Emulated Research', issn: '0000-0000' } };
}

function inviteLink(h: Harness, to: string): string {
  const mail = h.orcid.mailer.outbox().filter((m) => m.to === to).at(-1);
  const m = mail && /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text);
  if (!m) throw new Error(`no invitation link to ${to}`);
  return m[0];
}

/**
 * A mail server that answers every invitation of a burst at once, when `burst` of them arrived:
 * the events then overlap deterministically, as they do in production when mail is slow.
 */
function burstMailer(burst: number): Mailer & { reminders: string[] } {
  let waiting: Array<() => void> = [];
  const reminders: string[] = [];
  const sent = (subject: string): SentMail => ({ messageId: subject, subject });
  return {
    reminders,
    async sendInvitation(mail: InvitationMail) {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === burst) {
          for (const w of waiting) w();
          waiting = [];
        }
      });
      return sent('invitation');
    },
    async sendReminder(mail: InvitationMail) {
      reminders.push(mail.to);
      return sent('reminder');
    },
    sendReinvitation: async () => sent('reinvitation'),
    outbox: () => [],
    close: async () => undefined,
  };
}

describe('concurrent host events', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock = new Date('2026-11-01T10:00:00Z');
  afterEach(() => h?.close());

  it('three concurrent reviewCompleted for one reviewer: a reviewer who connects later gets all three peer reviews', async () => {
    h = await startHarness();
    await h.orcid.reviewerAssigned({ submissionId: 's-rv1', manuscriptTitle: 'Manuscript rv1',
      reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', email: 'amara@example.org' } });
    await Promise.all(['rv1', 'rv2', 'rv3'].map((id) => h.orcid.reviewCompleted(review(id))));
    const r = await h.connect(new Browser(), inviteLink(h, 'amara@example.org'), h.researchers.reviewer!);
    expect(r.status).to.equal(302);
    const deposits = await h.orcid.store.listDeposits({ orcid: h.researchers.reviewer! });
    expect(deposits.filter((d) => d.kind === 'peer-review').map((d) => d.sourceId).sort()).to.deep.equal(['rv1', 'rv2', 'rv3']);
  });

  it('four concurrent submissionCreated: every invitee gets the reminder', async () => {
    clock = new Date('2026-11-01T10:00:00Z');
    const mailer = burstMailer(4);
    h = await startHarness({ now: () => clock, mailer });
    await Promise.all([1, 2, 3, 4].map((i) => h.orcid.submissionCreated({ id: `s${i}`, title: `Submission ${i}`, contributors: [
      { contributorId: `c${i}`, role: 'coauthor', givenNames: 'Sofia', familyName: `Garcia ${i}`, email: `sofia${i}@example.org` },
    ] })));
    clock = new Date(clock.getTime() + 8 * DAY_MS);
    expect(await h.orcid.sendReminders()).to.equal(4);
    expect(mailer.reminders.sort()).to.deep.equal(['sofia1@example.org', 'sofia2@example.org', 'sofia3@example.org', 'sofia4@example.org']);
  });

  it('reminds invitees of every submission, not only the last 5,000', async () => {
    clock = new Date('2026-11-01T10:00:00Z');
    h = await startHarness({ now: () => clock });
    await h.orcid.submissionCreated({ id: 'first', title: 'The first submission', contributors: [
      { contributorId: 'c-first', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
    for (let i = 0; i < 5000; i++) {
      await h.orcid.submissionCreated({ id: `later-${i}`, title: `Submission ${i}`, contributors: [
        { contributorId: `a-${i}`, role: 'author', givenNames: 'Josiah', familyName: 'Carberry' },
      ] });
    }
    clock = new Date(clock.getTime() + 8 * DAY_MS);
    expect(await h.orcid.sendReminders()).to.equal(1);
  });
});
