import { expect } from 'chai';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

describe('invitation reminders', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock = new Date('2026-11-01T10:00:00Z');
  const days = (n: number) => (clock = new Date(clock.getTime() + n * 86_400_000));

  beforeEach(async () => {
    clock = new Date('2026-11-01T10:00:00Z');
    h = await startHarness({ now: () => clock });
    await h.orcid.submissionCreated({ id: 's1', title: 'Emulated results', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
      { contributorId: 'c3', role: 'coauthor', givenNames: 'Wang', familyName: 'Fang', email: 'wang@example.cn', locale: 'zh-Hans' },
    ] });
  });
  afterEach(() => h.close());

  const mailsTo = (to: string) => h.orcid.mailer.outbox().filter((m) => m.to === to);

  it('sends one reminder after the configured days, and none to someone who connected', async () => {
    const link = /https?:\/\/\S+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mailsTo('sofia@example.org')[0]!.text)![0];
    expect((await h.connect(new Browser(), link, h.researchers.coauthor!)).status).to.equal(302);
    days(6);
    expect(await h.orcid.sendReminders()).to.equal(0);
    days(2);
    expect(await h.orcid.sendReminders()).to.equal(1);
    expect(await h.orcid.sendReminders()).to.equal(0);
    days(30);
    expect(await h.orcid.sendReminders()).to.equal(0);
    expect(mailsTo('wang@example.cn')).to.have.length(2);
    expect(mailsTo('sofia@example.org')).to.have.length(1);
  });

  it('writes the invitation in the contributor\u2019s language', async () => {
    const [wang] = mailsTo('wang@example.cn');
    const [sofia] = mailsTo('sofia@example.org');
    expect(wang!.subject).to.not.equal(sofia!.subject);
    expect(wang!.text).to.match(/[\u4e00-\u9fff]/);
    expect(sofia!.text).to.not.match(/[\u4e00-\u9fff]/);
  });
});
