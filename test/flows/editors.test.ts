/**
 * Editors (issue 14): an appointment for someone who never connected invites them or says what is
 * missing — never a silent `{ queued: 0 }` — and editors connect through their own link without being
 * a contributor of any submission. The README's editor example runs here as written.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Browser, startHarness, type Harness } from './harness.js';
import { EDITOR_NOT_REACHABLE, EditorNotReachableError } from '../../src/errors.js';

function inviteLink(h: Harness, to: string): string {
  const mail = h.orcid.mailer.outbox().filter((m) => m.to === to).at(-1);
  if (!mail) throw new Error(`no mail to ${to}`);
  return /https?:\/\/[^\s"<>]+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
}

describe('editors', function () {
  this.timeout(60_000);
  let h: Harness;
  const services = async (orcid: string) => (await h.record(orcid)).items.filter((i) => i.type === 'service');

  beforeEach(async () => {
    h = await startHarness({ convening: { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' } });
  });
  afterEach(() => h.close());

  it('runs the README example: the editor is invited, connects from the email, and gets the service and its end date', async () => {
    const orcid = h.orcid;
    // README, "Mounting it in a host":
    const { invited, connectUrl } = await orcid.editorAppointed({ contributorId: 'e1', role: 'Handling Editor',
      startDate: '2026-01-01',
      editor: { givenNames: 'Erin', familyName: 'Editor', email: 'erin@example.org', hostUserId: 'u9' } });
    expect([invited, connectUrl]).to.deep.equal([true, '/orcid/connect?role=editor&contributor=e1']);
    const [mail] = h.orcid.mailer.outbox();
    expect(mail!.to).to.equal('erin@example.org');
    expect(mail!.text).to.include('You have been appointed Handling Editor of').and.not.include('publish');
    const r = await h.connect(new Browser(), inviteLink(h, 'erin@example.org'), h.researchers.reviewer!);
    expect(r.status).to.equal(302);
    await h.orcid.worker.drain();
    const [service] = await services(h.researchers.reviewer!);
    expect(service!.xml).to.include('Handling Editor').and.not.include('end-date');
    expect((await orcid.editorTermEnded({ contributorId: 'e1', role: 'Handling Editor', startDate: '2026-01-01', endDate: '2026-12-31' })).queued).to.equal(1);
    await h.orcid.worker.drain();
    const after = await services(h.researchers.reviewer!);
    expect(after.map((s) => s.putCode)).to.deep.equal([service!.putCode]);
    expect(after[0]!.xml).to.include('end-date');
  });

  it('runs the very lines the README shows', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const snippet = /```ts\n(const \{ invited, connectUrl \} = await orcid\.editorAppointed[\s\S]*?)\n\/\/ Not connected yet/.exec(readme)?.[1];
    expect(snippet, 'the README editor snippet').to.be.a('string');
    const test = readFileSync(new URL(import.meta.url), 'utf8');
    const lines = (text: string) => text.split('\n').map((l) => l.trim()).join('\n');
    expect(lines(test)).to.include(lines(snippet!));
  });

  it('says what is missing for an editor it cannot ask, and stores nothing', async () => {
    let error: unknown;
    await h.orcid.editorAppointed({ contributorId: 'e9', role: 'Handling Editor', startDate: '2026-01-01' }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(EditorNotReachableError);
    expect((error as EditorNotReachableError).code).to.equal(EDITOR_NOT_REACHABLE);
    expect((error as Error).message).to.include('appointment.editor');
    error = undefined;
    await h.orcid.editorAppointed({ contributorId: 'e9', role: 'Handling Editor', startDate: '2026-01-01', editor: { givenNames: 'Erin', familyName: 'Editor' } })
      .catch((e) => (error = e));
    expect((error as EditorNotReachableError).missing).to.deep.equal(['appointment.editor.email', 'appointment.editor.hostUserId']);
    expect(await h.orcid.store.getContributor('e9')).to.equal(null);
    expect((await h.orcid.store.sourcesOfContributors([{ id: 'e9', submissionId: 'x' }])).appointments).to.deep.equal([]);
  });

  it('lets a signed-in editor connect through their own link, without being a contributor of any submission', async () => {
    const out = await h.orcid.editorAppointed({ contributorId: 'e2', role: 'Section Editor', startDate: '2026-02-01',
      editor: { givenNames: 'Erin', familyName: 'Editor', hostUserId: 'u-ed' } });
    expect(out).to.deep.equal({ queued: 0, invited: false, recognised: false, connectUrl: '/orcid/connect?role=editor&contributor=e2' });
    const b = new Browser();
    b.setUser('u-ed');
    const r = await h.connect(b, `${h.url}${out.connectUrl}&return=/editorial`, h.researchers.reviewer!);
    expect([r.status, r.location]).to.deep.equal([302, '/editorial']);
    await h.orcid.worker.drain();
    expect((await services(h.researchers.reviewer!)).map((s) => /Section Editor/.test(s.xml))).to.deep.equal([true]);
    // Someone else signed in cannot use that link.
    const other = new Browser();
    other.setUser('u-other');
    expect((await other.request(`${h.url}${out.connectUrl}`)).status).to.equal(403);
  });

  it('recognises an editor whose host user already connected, and queues the service at once', async () => {
    await h.orcid.submissionCreated({ id: 's1', title: 'Paper', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' }] });
    const b = new Browser();
    b.setUser('u1');
    await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!);
    const out = await h.orcid.editorAppointed({ contributorId: 'e3', role: 'Guest Editor', startDate: '2026-03-01',
      editor: { givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' } });
    expect(out).to.deep.equal({ queued: 1, invited: false, recognised: true, connectUrl: null });
    await h.orcid.worker.drain();
    expect(await services(h.researchers.author!)).to.have.length(1);
  });
});
