import type Router from '@koa/router';
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { InvalidInputError, NotFoundError, ForbiddenError } from '../errors.js';
import type { DemoAuthor, DemoSubmission } from './data.js';
import { formBody, localPath, requireRole, type DemoDeps } from './deps.js';
import { contributorRows } from './contributors.js';
import { rolesFromContributors, visibleContributors } from '../web/submission-access.js';
import { ACT_AS_COOKIE, LANG_COOKIE, currentDemoUser, DEMO_RESEARCHERS, DEMO_USERS, demoUser, NOBODY } from './people.js';
import { mailParts } from './mailbox.js';
import { worded } from './page-error.js';
import { DEMO_JOURNALS, demoJournalId, enterJournal, journalIdOf, JOURNAL_COOKIE } from './journals.js';
import { DEFAULT_JOURNAL_ID } from '../store/store.js';

const MAX_AUTHORS = 5;

/** Home, the act-as switcher, submission, manuscripts, the mailbox and the researcher list. */
export function journalRoutes(router: Router, d: DemoDeps) {
  const { orcid, data, render, renderer } = d;

  router.get('/', (ctx) => render(ctx, 'home.njk'));
  router.get('/researchers', (ctx) => render(ctx, 'researchers.njk'));

  router.post('/act-as', (ctx) => {
    const f = formBody(ctx);
    const id = f.user === NOBODY ? NOBODY : demoUser(f.user)?.id;
    if (!id) throw worded(new InvalidInputError('user', 'unknown demo user'), 'unknown-user');
    ctx.cookies.set(ACT_AS_COOKIE, id, { httpOnly: true, sameSite: 'lax', overwrite: true });
    ctx.redirect(localPath(f.return));
  });

  // The language switcher: the host's locale, which the plugin's pages follow too (localeOf).
  router.post('/lang', (ctx) => {
    const f = formBody(ctx);
    if (f.lang !== 'en' && f.lang !== 'zh-Hans') throw worded(new InvalidInputError('lang', 'must be en or zh-Hans'), 'unknown-language');
    ctx.cookies.set(LANG_COOKIE, f.lang, { httpOnly: true, sameSite: 'lax', overwrite: true });
    ctx.redirect(localPath(f.return));
  });

  // The journal switcher: which journal the pages are about (and the plugin's journalOf for editors).
  router.post('/journal', (ctx) => {
    const f = formBody(ctx);
    if (f.journal !== DEFAULT_JOURNAL_ID && !DEMO_JOURNALS.some((j) => j.id === f.journal)) throw worded(new InvalidInputError('journal', 'unknown journal'), 'unknown-journal');
    ctx.cookies.set(JOURNAL_COOKIE, f.journal, { httpOnly: true, sameSite: 'lax', overwrite: true });
    ctx.redirect(localPath(f.return));
  });

  router.get('/submit', (ctx) => render(ctx, 'submit.njk', { form: defaultForm(ctx) }));

  router.post('/submit', async (ctx) => {
    const user = currentDemoUser(ctx);
    const f = formBody(ctx);
    const form = { title: (f.title ?? '').trim(), abstract: (f.abstract ?? '').trim(), authors: readAuthors(f) };
    // `errorKey`: the demo's own words for the problem; else the plugin's message (an address it refused, say).
    const fail = (error: string, errorKey?: string) => {
      ctx.status = 400;
      render(ctx, 'submit.njk', { form: { ...form, authors: pad(form.authors) }, error, errorKey });
    };
    if (!user) throw worded(new ForbiddenError('Act as a journal user (e.g. Josiah Carberry) to submit a manuscript.'), 'sign-in-to-submit');
    if (!form.title) return fail('A title is required.', 'title-required');
    if (form.authors.length === 0) return fail('At least one author (with a family name) is required.', 'author-required');
    const id = `MS-${randomBytes(3).toString('hex').toUpperCase()}`;
    const journalId = demoJournalId(ctx);
    const authors: DemoAuthor[] = form.authors.map((a, i) => ({ ...a, contributorId: `${id}-a${i + 1}`, ...(i === 0 ? { hostUserId: user.id } : {}) }));
    try {
      await orcid.submissionCreated({
        id, journalId,
        title: form.title,
        contributors: authors.map((a, i) => ({
          contributorId: a.contributorId, role: i === 0 ? 'author' : 'coauthor', givenNames: a.givenNames, familyName: a.familyName,
          ...(a.email ? { email: a.email } : {}), ...(a.locale ? { locale: a.locale } : {}), ...(a.hostUserId ? { hostUserId: a.hostUserId } : {}),
        })),
      });
    } catch (e) {
      if (e instanceof InvalidInputError) return fail(e.message);
      throw e;
    }
    const s: DemoSubmission = { id, journalId, title: form.title, abstract: form.abstract, submittedBy: user.id, submittedAt: d.now().toISOString(), authors, reviewers: [] };
    await data.save(s);
    ctx.redirect(`/submissions/${encodeURIComponent(id)}`);
  });

  // The chosen journal's manuscripts.
  router.get('/submissions', async (ctx) => render(ctx, 'submissions.njk', { items: (await data.list()).filter((s) => journalIdOf(s) === demoJournalId(ctx)) }));

  router.get('/submissions/:id', async (ctx) => {
    const s = await data.get(ctx.params.id);
    if (!s) throw worded(new NotFoundError('No such manuscript.'), 'no-manuscript');
    enterJournal(ctx, s, orcid.config);
    const user = currentDemoUser(ctx);
    const all = await contributorRows(orcid.store, renderer, s.id, (ctx.state as { locale?: string }).locale);
    // The plugin's rule, applied to the host's own page: reviewers are shown to editors (and to themselves) only.
    const roles = user ? rolesFromContributors(user, all) : [];
    const contributors = visibleContributors(all, roles, user?.id ?? null);
    const isEditor = roles.includes('editor');
    const reviewers = isEditor ? s.reviewers : s.reviewers.filter((r) => user && r.hostUserId === user.id);
    // In the page's language, as the rest of the page.
    const connectedAs = user ? await orcid.connectedAs(user.id, (ctx.state as { locale?: string }).locale) : null;
    // The appointed editor's own Connect link, shown to them until they are connected.
    const editorConnectUrl = user && s.editor?.hostUserId === user.id && s.editor.connectUrl && !connectedAs
      ? `${s.editor.connectUrl}&return=${encodeURIComponent(`/submissions/${s.id}`)}` : null;
    render(ctx, 'submission.njk', {
      connectedAs, editorConnectUrl,
      s, contributors, reviewers, isEditor, canEdit: isEditor, submissionId: s.id,
      me: user ? contributors.find((c) => c.hostUserId === user.id) ?? null : null,
      reviewerChoices: DEMO_USERS.filter((u) => u.roles.includes('reviewer')),
      // For the "Resend invitation" buttons, which post to the plugin (CSRF-checked).
      csrfToken: isEditor ? await orcid.csrfToken(ctx) : null,
    });
  });

  router.post('/submissions/:id/reviewers', async (ctx) => {
    requireRole(ctx, 'editor');
    const s = await data.get(ctx.params.id);
    if (!s) throw worded(new NotFoundError('No such manuscript.'), 'no-manuscript');
    const r = demoUser(formBody(ctx).reviewer);
    if (!r || !r.roles.includes('reviewer')) throw worded(new InvalidInputError('reviewer', 'choose one of the journal\'s reviewers'), 'choose-reviewer');
    if (!s.reviewers.some((x) => x.hostUserId === r.id)) {
      const reviewer = { contributorId: `${s.id}-r-${r.id}`, givenNames: r.givenNames, familyName: r.familyName, email: r.email, hostUserId: r.id };
      await orcid.reviewerAssigned({ journalId: journalIdOf(s), submissionId: s.id, manuscriptTitle: s.title, reviewer });
      s.reviewers.push({ ...reviewer, accepted: false });
      await data.save(s);
    }
    ctx.redirect(`/submissions/${encodeURIComponent(s.id)}`);
  });

  /** The acting editor appoints themselves handling editor: a service item for their ORCID record. */
  router.post('/submissions/:id/editor', async (ctx) => {
    const user = requireRole(ctx, 'editor');
    const s = await data.get(ctx.params.id);
    if (!s) throw worded(new NotFoundError('No such manuscript.'), 'no-manuscript');
    if (!s.editor) {
      const contributorId = `${s.id}-e-${user.id}`;
      const result = await orcid.editorAppointed({
        journalId: journalIdOf(s), contributorId, role: 'Handling Editor', startDate: d.now().toISOString().slice(0, 10),
        editor: { givenNames: user.givenNames, familyName: user.familyName, email: user.email, hostUserId: user.id },
      });
      s.editor = { contributorId, hostUserId: user.id, connectUrl: result.connectUrl };
      await data.save(s);
    }
    ctx.redirect(`/submissions/${encodeURIComponent(s.id)}`);
  });

  router.get('/mailbox', (ctx) => {
    const mails = orcid.mailer.outbox().map((m, n) => ({ ...m, parts: mailParts(m.text, n, d.publicUrl) })).reverse();
    render(ctx, 'mailbox.njk', { mails });
  });

  /**
   * Open a link from message `n` as its recipient would: in their own browser, signed in as
   * themselves or not at all. (Otherwise the demo's current user would get the co-author's iD.)
   */
  router.get('/mailbox/:n/open', (ctx) => {
    const mail = orcid.mailer.outbox()[Number(ctx.params.n)];
    const link = typeof ctx.query.link === 'string' ? ctx.query.link : '';
    if (!mail || !link || !mail.text.includes(link) || !link.startsWith(`${d.publicUrl}/`)) throw worded(new NotFoundError('No such link in the mailbox.'), 'no-mail-link');
    const recipient = DEMO_USERS.find((u) => u.email.toLowerCase() === mail.to.toLowerCase());
    ctx.cookies.set(ACT_AS_COOKIE, recipient?.id ?? NOBODY, { httpOnly: true, sameSite: 'lax', overwrite: true });
    ctx.redirect(link);
  });
}

interface FormAuthor { givenNames: string; familyName: string; email?: string; locale?: 'en' | 'zh-Hans' }

function readAuthors(f: Record<string, string>): FormAuthor[] {
  const out: FormAuthor[] = [];
  for (let i = 1; i <= MAX_AUTHORS; i++) {
    const familyName = (f[`family_${i}`] ?? '').trim();
    if (!familyName) continue;
    const email = (f[`email_${i}`] ?? '').trim();
    out.push({ givenNames: (f[`given_${i}`] ?? '').trim(), familyName, ...(email ? { email } : {}), ...(f[`locale_${i}`] === 'zh-Hans' ? { locale: 'zh-Hans' as const } : {}) });
  }
  return out;
}

function pad(authors: FormAuthor[]): FormAuthor[] {
  return [...authors, ...Array.from({ length: Math.max(0, MAX_AUTHORS - authors.length) }, () => ({ givenNames: '', familyName: '' }))];
}

/** The form prefilled with the acting user first and the demo co-authors after. */
function defaultForm(ctx: Context) {
  const user = currentDemoUser(ctx);
  const me = user ? { givenNames: user.givenNames, familyName: user.familyName, email: user.email } : { givenNames: '', familyName: '' };
  const others = DEMO_RESEARCHERS.filter((r) => r.email !== user?.email && /co-author/.test(r.note))
    .map((r) => ({ givenNames: r.givenNames, familyName: r.familyName, email: r.email, locale: r.locale }));
  return {
    title: 'Persistent identifiers in scholarly communication: a field study',
    abstract: 'We follow manuscripts from submission to publication and measure how often authenticated ORCID iDs reach the published metadata.',
    authors: pad([me, ...others]),
  };
}
