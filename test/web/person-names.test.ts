/** Where the plugin writes a person's name, a Han name is family name first (issue 14, "Languages"). */
import { expect } from 'chai';
import { Browser, startHarness, type Harness } from '../flows/harness.js';

describe('names in the order the language expects', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    await h.orcid.submissionCreated({ id: 's1', title: 'T', contributors: [
      { contributorId: 'c1', role: 'coauthor', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org' },
      { contributorId: 'c2', role: 'coauthor', givenNames: '芳', familyName: '王', email: 'wang@example.cn', locale: 'zh-Hans' },
    ] });
  });
  afterEach(() => h.close());

  it('greets a Chinese invitee as 王芳 and an English one as Josiah Carberry', () => {
    const mail = (to: string) => h.orcid.mailer.outbox().find((m) => m.to === to)!;
    expect(mail('wang@example.cn').text).to.match(/^王芳，您好：/);
    expect(mail('wang@example.cn').html).to.contain('<p>王芳，您好：</p>');
    expect(mail('josiah@example.org').text).to.match(/^Dear Josiah Carberry,/);
  });

  it('names contributors so for editors (contributors API and status page data)', async () => {
    const r = await new Browser({ 'x-user': 'editor1', accept: 'application/json' }).request(`${h.url}/orcid/api/submissions/s1/contributors`);
    const names = (JSON.parse(r.text) as Array<{ name: string }>).map((c) => c.name);
    expect(names).to.have.members(['Josiah Carberry', '王芳']);
  });
});
