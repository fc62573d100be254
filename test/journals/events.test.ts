/**
 * Host events scoped to a journal (issue 19): the payloads of journal B name journal B and follow
 * its policies, whether the event names the journal or its submission does; the default journal
 * stays as it was.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { article, connectAuthor, items, manualClock, startSyncHarness } from '../sync/helpers.js';
import type { Harness } from '../flows/harness.js';
import { UnknownJournalError } from '../../src/journals/errors.js';

const JB = { id: 'jb', title: 'Journal of Second Results', issn: '2049-3630', reviewPolicy: 'open-identities' as const, policies: { retraction: 'delete' as const }, credentialsId: 'default' };

describe('host events of two journals', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startSyncHarness({ journals: [JB], journal: { title: 'Journal of Emulated Research', issn: '0000-0000' } });
    await connectAuthor(h);
    // The same host user submits to journal B: recognised there (same ORCID client), no new consent.
    const r = await h.orcid.submissionCreated({ id: 's2', journalId: 'jb', title: 'Second results', contributors: [
      { contributorId: 'c2', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
    ] });
    expect(r.recognised).to.equal(1);
  });
  afterEach(() => h.close());

  it('names each article\'s own journal in its work, the journal taken from its submission', async () => {
    const { journal: _j, ...noJournal } = article();
    await h.orcid.articlePublished(noJournal);
    await h.orcid.articlePublished({ ...noJournal, id: 'a2', submissionId: 's2', doi: '10.5555/sync.2', authors: [{ ...noJournal.authors[0]!, contributorId: 'c2' }] });
    await h.orcid.worker.drain();
    const works = await items(h, h.researchers.author!, 'work');
    const journalOf = (xml: string) => /<work:journal-title>([^<]*)</.exec(xml)?.[1];
    const issnOf = (xml: string) => /<common:external-id-type>issn<\/common:external-id-type>\s*<common:external-id-value>([^<]*)</.exec(xml)?.[1];
    expect(works.map((w) => journalOf(w.xml)).sort()).to.deep.equal(['Journal of Emulated Research', 'Journal of Second Results']);
    const b = works.find((w) => journalOf(w.xml) === 'Journal of Second Results')!;
    expect(issnOf(b.xml) ?? b.xml).to.equal('2049-3630');
  });

  it('follows the journal\'s own retraction policy', async () => {
    const { journal: _j, ...noJournal } = article();
    const a2 = { ...noJournal, id: 'a2', submissionId: 's2', doi: '10.5555/sync.2', authors: [{ ...noJournal.authors[0]!, contributorId: 'c2' }] };
    await h.orcid.articlePublished(noJournal);
    await h.orcid.articlePublished(a2);
    await h.orcid.worker.drain();
    await h.orcid.articleRetracted(noJournal, { notice: 'Duplicated image.' });
    await h.orcid.articleRetracted(a2, { notice: 'Duplicated image.' });
    await h.orcid.worker.drain();
    // Default journal: "update" keeps the work, marked retracted; journal B: "delete" removes it.
    const works = await items(h, h.researchers.author!, 'work');
    expect(works.map((w) => /<work:journal-title>([^<]*)</.exec(w.xml)?.[1])).to.deep.equal(['Journal of Emulated Research']);
  });

  it('invites in the name of the submission\'s journal, for as long as that journal says', async () => {
    await h.orcid.submissionCreated({ id: 's3', journalId: 'jb', title: 'Third results', contributors: [
      { contributorId: 'c3', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
    const mail = h.orcid.mailer.outbox().filter((m) => m.to === 'sofia@example.org');
    expect(mail).to.have.length(1);
    expect(mail[0]!.text).to.include('Journal of Second Results');
    expect(mail[0]!.text).not.to.include('Journal of Emulated Research');
  });

  it('refuses an event naming an unknown journal before storing anything', async () => {
    const err = await h.orcid.articlePublished({ ...article(), id: 'a9', journalId: 'nope' }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(UnknownJournalError);
    expect(await h.orcid.store.listDeposits({ sourceId: 'a9' })).to.deep.equal([]);
    const sub = await h.orcid.submissionCreated({ id: 's9', journalId: 'nope', title: 'x', contributors: [] }).then(() => null, (e: unknown) => e);
    expect(sub).to.be.instanceOf(UnknownJournalError);
    expect(await h.orcid.store.getSubmissionTitle('s9')).to.equal(null);
  });
});

describe('an editor appointed in journal B', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('is invited in B\'s name, with a link that connects through B\'s journal', async () => {
    h = await startSyncHarness({ journals: [JB] });
    const r = await h.orcid.editorAppointed({ journalId: 'jb', contributorId: 'ed-b', role: 'Handling Editor', startDate: '2026-01-01',
      editor: { givenNames: 'Ada', familyName: 'Byron', email: 'ada@example.org' } });
    expect(r.invited).to.equal(true);
    expect(r.connectUrl).to.equal('/orcid/connect?role=editor&contributor=ed-b&journal=jb');
    const mail = h.orcid.mailer.outbox().filter((m) => m.to === 'ada@example.org');
    expect(mail).to.have.length(1);
    expect(mail[0]!.text).to.include('Journal of Second Results');
    const unknown = await h.orcid.editorAppointed({ journalId: 'nope', contributorId: 'ed-x', role: 'Editor', startDate: '2026-01-01',
      editor: { givenNames: 'X', familyName: 'Y', email: 'x@example.org' } }).then(() => null, (e: unknown) => e);
    expect(unknown).to.be.instanceOf(UnknownJournalError);
  });
});

describe('reminders of two journals', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('remind each invitee after their own journal\'s reminder days', async () => {
    const clock = manualClock();
    h = await startSyncHarness({ now: clock.now, journals: [{ ...JB, invitations: { reminderDays: 2 } }], invitations: { expiryDays: 30, reminderDays: 7 } });
    const coauthor = (id: string, journalId: string | undefined, email: string) => h.orcid.submissionCreated({ id, ...(journalId ? { journalId } : {}), title: id, contributors: [
      { contributorId: `co-${id}`, role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email },
    ] });
    await coauthor('s-def', undefined, 'in-default@example.org');
    await coauthor('s-b', 'jb', 'in-b@example.org');
    clock.advance(3 * 86_400_000);
    expect(await h.orcid.sendReminders()).to.equal(1);
    expect((await h.orcid.store.getContributor('co-s-b'))?.invitationState).to.equal('reminded');
    expect((await h.orcid.store.getContributor('co-s-def'))?.invitationState).to.equal('sent');
    clock.advance(5 * 86_400_000);
    // The default journal's invitees: this co-author, and the harness's editor e1 of submission s1.
    expect(await h.orcid.sendReminders()).to.equal(2);
    expect((await h.orcid.store.getContributor('co-s-def'))?.invitationState).to.equal('reminded');
  });
});

describe('a journal\'s own templates', () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'orcid-journal-templates-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => h?.close());

  it('word its invitations; other journals keep the built-in wording', async () => {
    mkdirSync(join(dir, 'en'), { recursive: true });
    writeFileSync(join(dir, 'en', 'invitation-email.txt.njk'), 'Dear {{ name }}, the editors of {{ journalTitle }} ask you to connect: {{ link }}\n');
    h = await startSyncHarness({ journals: [{ ...JB, templatesDir: dir }] });
    const invite = (id: string, journalId: string | undefined, email: string) => h.orcid.submissionCreated({ id, ...(journalId ? { journalId } : {}), title: id, contributors: [
      { contributorId: `co-${id}`, role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email },
    ] });
    await invite('s-b', 'jb', 'in-b@example.org');
    await invite('s-def', undefined, 'in-default@example.org');
    const text = (to: string) => h.orcid.mailer.outbox().find((m) => m.to === to)!.text;
    expect(text('in-b@example.org')).to.match(/^Dear Sofia Garcia, the editors of Journal of Second Results ask you to connect: http/);
    expect(text('in-default@example.org')).not.to.include('ask you to connect');
    expect(text('in-default@example.org')).to.include('Journal of Emulated Research');
  });
});
