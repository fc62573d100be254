/**
 * A fast-check model of concurrent host events on shared reviewers and submissions (issue 16):
 * random batches of reviewCompleted, reviewerAssigned and submissionCreated run at once, with the
 * mail server answering in an order fast-check picks (fc.scheduler), and nothing is lost: every
 * review is linked to its reviewer, every invitee is due for a reminder.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { orcidConnect } from '../../src/plugin.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { InvitationMail, Mailer, SentMail } from '../../src/web/mail.js';

const REVIEWERS = ['r1', 'r2', 'r3'];
const DAY_MS = 86_400_000;

type Command =
  | { kind: 'review'; reviewer: string; n: number }
  | { kind: 'assign'; reviewer: string; submission: number }
  | { kind: 'submit'; submission: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('review' as const), reviewer: fc.constantFrom(...REVIEWERS), n: fc.nat(20) }),
  fc.record({ kind: fc.constant('assign' as const), reviewer: fc.constantFrom(...REVIEWERS), submission: fc.nat(5) }),
  fc.record({ kind: fc.constant('submit' as const), submission: fc.nat(5) }),
);

function scheduledMailer(s: fc.Scheduler): Mailer {
  const sent = (subject: string): SentMail => ({ messageId: subject, subject });
  const send = (kind: string) => (mail: InvitationMail) => s.schedule(Promise.resolve(sent(`${kind} ${mail.to}`)), `${kind} to ${mail.to}`);
  return { sendInvitation: send('invitation'), sendReminder: send('reminder'), sendReinvitation: send('reinvitation'), outbox: () => [], close: async () => undefined };
}

describe('concurrent host events (fast-check model)', function () {
  this.timeout(120_000);

  it('loses no review link and no invitation, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), fc.scheduler(), async (commands, s) => {
        let t = Date.parse('2026-11-01T10:00:00Z');
        const store = new SqliteStore({ path: ':memory:' });
        await store.init();
        const orcid = await orcidConnect({ store, mailer: scheduledMailer(s), now: () => new Date(t), env: { ORCID_ENV: 'emulator', LOG_LEVEL: 'silent' } });
        try {
          const reviews = new Map<string, Set<string>>();
          const invitees = new Set<string>();
          const run = commands.map((c, i) => {
            if (c.kind === 'review') {
              const id = `rv-${c.reviewer}-${c.n}`;
              (reviews.get(c.reviewer) ?? reviews.set(c.reviewer, new Set()).get(c.reviewer)!).add(id);
              return orcid.reviewCompleted({ id, submissionId: `s${c.n % 6}`, reviewerContributorId: c.reviewer, completedAt: '2026-10-20', journal: { title: 'J', issn: '0000-0000' } });
            }
            if (c.kind === 'assign') {
              invitees.add(c.reviewer);
              return orcid.reviewerAssigned({ submissionId: `s${c.submission}`, manuscriptTitle: `M${i}`, reviewer: { contributorId: c.reviewer, givenNames: 'R', familyName: c.reviewer, email: `${c.reviewer}@example.org` } });
            }
            invitees.add(`co-${c.submission}`);
            return orcid.submissionCreated({ id: `s${c.submission}`, title: `S${c.submission}`, contributors: [
              { contributorId: `co-${c.submission}`, role: 'coauthor', givenNames: 'C', familyName: `${c.submission}`, email: `co${c.submission}@example.org` },
            ] });
          });
          await s.waitFor(Promise.all(run));
          for (const [reviewer, ids] of reviews) {
            const found = await store.sourcesOfContributors([{ id: reviewer, submissionId: 'none' }]);
            expect(found.reviews.map((r) => r.id).sort()).to.deep.equal([...ids].sort());
          }
          t += 30 * DAY_MS;
          const due = await store.dueInvitations(new Date(t), null, 1000);
          expect(due.map((c) => c.id).sort()).to.deep.equal([...invitees].sort());
        } finally {
          await orcid.close();
          await store.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
