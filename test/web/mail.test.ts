import { expect } from 'chai';
import { createMailer, type InvitationMail } from '../../src/web/mail.js';
import { createRenderer } from '../../src/web/templates.js';
import { INVALID_INPUT, InvalidInputError } from '../../src/errors.js';

const sentAt = new Date('2025-01-01T09:00:00Z');
const invitation: InvitationMail = {
  to: 'ada@example.org',
  name: 'Ada Lovelace',
  journalTitle: 'Journal of Examples',
  submissionTitle: 'Notes on the Analytical Engine',
  role: 'co-author',
  link: 'https://journal.example.org/orcid/invitations/abc123',
  expiresAt: new Date('2025-01-31T00:00:00Z'),
};

describe('createMailer (capture transport)', () => {
  const make = () => createMailer({ transport: 'capture', from: '"Journal of Examples" <orcid@journal.example.org>', renderer: createRenderer(), now: () => sentAt });

  it('sends an invitation with subject, text and html, and keeps it in the outbox', async () => {
    const mailer = make();
    const sent = await mailer.sendInvitation(invitation);
    expect(sent.subject).to.equal('Connect your ORCID iD with Journal of Examples');
    expect(sent.messageId).to.match(/^<.+@.+>$/);
    const [mail] = mailer.outbox();
    expect(mail.to).to.equal('ada@example.org');
    expect(mail.sentAt).to.equal(sentAt);
    expect(mail.text).to.contain('You are listed as co-author of “Notes on the Analytical Engine” submitted to Journal of Examples.');
    expect(mail.text).to.contain('Connect your ORCID iD: https://journal.example.org/orcid/invitations/abc123');
    expect(mail.text).to.contain('This link expires on January 31, 2025.');
    expect(mail.html).to.contain('<a href="https://journal.example.org/orcid/invitations/abc123"');
    await mailer.close();
  });

  it('sends reminders and re-invitations with their own subjects, in the reader\'s language', async () => {
    const mailer = make();
    await mailer.sendReminder({ ...invitation, role: 'reviewer' });
    await mailer.sendReinvitation({ ...invitation, locale: 'zh-Hans' });
    expect(mailer.outbox().map((m) => m.subject)).to.deep.equal([
      'Reminder: connect your ORCID iD with Journal of Examples',
      '请重新将您的 ORCID iD 与《Journal of Examples》关联',
    ]);
    expect(mailer.outbox()[1].text).to.contain('此链接将于 2025年1月31日 失效');
  });

  it('tells reviewers and editors what they will get, never a "published" work, in every email and language', async () => {
    const mailer = make();
    const cases = [
      { role: 'reviewer' as const, en: 'a peer-review item for your completed review', zh: '您完成的评审' },
      { role: 'editor' as const, en: 'your editorial role (in the Service section)', zh: '您的编辑职务' },
    ];
    for (const { role, en, zh } of cases) {
      const mail = { ...invitation, role, position: role === 'editor' ? 'Handling Editor' : undefined, submissionTitle: role === 'editor' ? '' : invitation.submissionTitle };
      await mailer.sendInvitation(mail);
      await mailer.sendReminder(mail);
      await mailer.sendReinvitation(mail);
      await mailer.sendInvitation({ ...mail, locale: 'zh-Hans' });
      await mailer.sendReinvitation({ ...mail, locale: 'zh-Hans' });
    }
    const all = mailer.outbox();
    for (const m of all) {
      for (const body of [m.text, m.html]) {
        expect(body, m.subject).to.not.match(/publish|已发表|发表后/i);
        expect(body).to.not.include('“”'); // an editor has no submission to name
      }
    }
    const [reviewerInvite, , reviewerReinvite, reviewerZh] = all;
    expect(reviewerInvite!.text).to.include('You have been asked to review “Notes on the Analytical Engine” for Journal of Examples.');
    expect(reviewerInvite!.text).to.include(`we will also add ${cases[0]!.en} to your ORCID record`);
    expect(reviewerReinvite!.text).to.include('we can no longer add your review of “Notes on the Analytical Engine” to your record');
    expect(reviewerZh!.text).to.include(cases[0]!.zh);
    const [editorInvite, editorReminder, editorReinvite, editorZh] = all.slice(5);
    expect(editorInvite!.text).to.include('You have been appointed Handling Editor of Journal of Examples.');
    expect(editorInvite!.html).to.include(cases[1]!.en);
    expect(editorReminder!.text).to.include('A reminder: You have been appointed Handling Editor');
    expect(editorReinvite!.text).to.include('we can no longer add your editorial role (Handling Editor) to your record');
    expect(editorZh!.text).to.include('您已被任命为《Journal of Examples》的Handling Editor。').and.include(cases[1]!.zh);
  });

  it('keeps a title with a line break on one subject line', async () => {
    const mailer = make();
    const sent = await mailer.sendInvitation({ ...invitation, journalTitle: 'Journal\r\nBcc: victim@example.org' });
    expect(sent.subject).to.equal('Connect your ORCID iD with Journal Bcc: victim@example.org');
  });

  it('refuses more than one recipient, a bad date and a non-http link, sending nothing', async () => {
    const mailer = make();
    const cases: [Partial<InvitationMail>, string][] = [
      [{ to: 'a@example.org, b@example.org' }, 'mail.to'],
      [{ expiresAt: new Date('nope') }, 'mail.expiresAt'],
      [{ link: 'javascript:alert(1)' }, 'mail.link'],
    ];
    for (const [change, path] of cases) {
      const err = await mailer.sendInvitation({ ...invitation, ...change }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(InvalidInputError);
      expect((err as InvalidInputError).code).to.equal(INVALID_INPUT);
      expect((err as InvalidInputError).path).to.equal(path);
    }
    expect(mailer.outbox()).to.deep.equal([]);
  });

  it('the json transport sends without keeping an outbox; smtp needs a url', async () => {
    const mailer = createMailer({ transport: 'json', from: 'orcid@journal.example.org', renderer: createRenderer() });
    expect((await mailer.sendInvitation(invitation)).subject).to.equal('Connect your ORCID iD with Journal of Examples');
    expect(mailer.outbox()).to.deep.equal([]);
    expect(() => createMailer({ transport: 'smtp', from: 'x@example.org', renderer: createRenderer() })).to.throw(InvalidInputError, 'mail.smtpUrl: is required with the smtp transport');
  });
});
