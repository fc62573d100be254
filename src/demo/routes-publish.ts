import { personName } from '../person-name.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { randomBytes } from 'node:crypto';
import { NotFoundError, ForbiddenError } from '../errors.js';
import type { DemoSubmission } from './data.js';
import { requireRole, type DemoDeps } from './deps.js';
import { contributorRows } from './contributors.js';
import { currentDemoUser } from './people.js';
import { worded } from './page-error.js';
import { buildCrossref, buildJats, type ArticleXmlInput } from './xml.js';
import { itemRow, progressOf } from '../web/status-view.js';
import { isItemKind } from '../store/store.js';
import { demoJournalId, enterJournal, journalIdOf } from './journals.js';

/** Reviewing, publishing, the article page with its XML, and the live ORCID sync page. */
export function publishRoutes(router: Router, d: DemoDeps) {
  const { orcid, data, render, renderer } = d;
  /** The manuscript's journal, as the plugin keeps it (its title and ISSNs go into the XML and onto ORCID). */
  const journalOf = async (s: DemoSubmission) => {
    const j = await orcid.journals.get(journalIdOf(s));
    return { id: j.id, title: j.title, issn: j.issn, eissn: j.eissn, publisher: j.publisher, language: j.languages[0] ?? 'en' };
  };
  const journal = async (s: DemoSubmission) => {
    const j = await journalOf(s);
    return { title: j.title, ...(j.issn ? { issn: j.issn } : {}), ...(j.eissn ? { eissn: j.eissn } : {}) };
  };

  async function submission(ctx: Context): Promise<DemoSubmission> {
    const s = await data.get(ctx.params.id);
    if (!s) throw worded(new NotFoundError('No such manuscript.'), 'no-manuscript');
    return s;
  }

  router.get('/reviews', async (ctx) => {
    const user = currentDemoUser(ctx);
    const items = user ? (await data.list()).flatMap((s) => s.reviewers.filter((r) => r.hostUserId === user.id).map((r) => ({ s, r }))) : [];
    render(ctx, 'reviews.njk', { items });
  });

  /** The acting user's review assignment on this manuscript. */
  async function assignment(ctx: Context) {
    const s = await submission(ctx);
    const user = currentDemoUser(ctx);
    const r = user ? s.reviewers.find((x) => x.hostUserId === user.id) : undefined;
    if (!r) throw worded(new ForbiddenError('You are not a reviewer of this manuscript: act as the reviewer the editor assigned.'), 'not-reviewer');
    return { s, r };
  }

  router.get('/submissions/:id/review', async (ctx) => {
    const { s, r } = await assignment(ctx);
    enterJournal(ctx, s, orcid.config);
    const me = (await contributorRows(orcid.store, renderer, s.id, (ctx.state as { locale?: string }).locale)).find((c) => c.id === r.contributorId) ?? null;
    render(ctx, 'review.njk', { s, r, me });
  });

  router.post('/submissions/:id/review/accept', async (ctx) => {
    const { s, r } = await assignment(ctx);
    r.accepted = true;
    await data.save(s);
    ctx.redirect(`/submissions/${encodeURIComponent(s.id)}/review`);
  });

  router.post('/submissions/:id/review/complete', async (ctx) => {
    const { s, r } = await assignment(ctx);
    if (!r.accepted) throw worded(new ForbiddenError('Accept the invitation to review first.'), 'accept-first');
    if (!r.completedAt) {
      const completedAt = d.now();
      await orcid.reviewCompleted({
        journalId: journalIdOf(s), id: `${s.id}-review-${r.contributorId}`, submissionId: s.id, reviewerContributorId: r.contributorId,
        completedAt, manuscriptTitle: s.title, journal: await journal(s),
      });
      r.completedAt = completedAt.toISOString();
      await data.save(s);
    }
    ctx.redirect(`/submissions/${encodeURIComponent(s.id)}/review`);
  });

  router.post('/submissions/:id/publish', async (ctx) => {
    requireRole(ctx, 'editor');
    const s = await submission(ctx);
    if (!s.published) {
      const now = d.now();
      const j = await journalOf(s);
      const input: ArticleXmlInput = {
        doi: `10.5555/demo.${s.id.toLowerCase()}`,
        title: s.title,
        abstract: s.abstract,
        url: `${d.publicUrl}/articles/${encodeURIComponent(s.id)}`,
        publishedAt: now.toISOString().slice(0, 10),
        journal: { ...(await journal(s)), publisher: j.publisher },
        volume: '1', issue: '1', elocation: s.id,
        authors: s.authors,
        batchId: `demo-${s.id}-${randomBytes(3).toString('hex')}`,
        now,
      };
      const jats = buildJats(input);
      const crossref = buildCrossref(input);
      const result = await orcid.articlePublished({
        journalId: j.id, id: s.id, submissionId: s.id, doi: input.doi, title: s.title, abstract: s.abstract, language: j.language, url: input.url,
        publishedAt: input.publishedAt, journal: await journal(s), volume: input.volume, issue: input.issue,
        authors: s.authors.map((a, i) => ({ contributorId: a.contributorId, givenNames: a.givenNames, familyName: a.familyName, ...(a.email ? { email: a.email } : {}), sequence: i + 1 })),
        jats, crossref,
      });
      s.published = { doi: input.doi, publishedAt: input.publishedAt, url: input.url, jats: result.jats ?? jats, crossref: result.crossref ?? crossref, queued: result.queued };
      await data.save(s);
    }
    ctx.redirect(`/articles/${encodeURIComponent(s.id)}`);
  });

  // The chosen journal's articles.
  router.get('/articles', async (ctx) => render(ctx, 'articles.njk', { items: (await data.list()).filter((s) => s.published && journalIdOf(s) === demoJournalId(ctx)) }));

  async function published(ctx: Context) {
    const s = await submission(ctx);
    if (!s.published) throw worded(new NotFoundError('This manuscript is not published yet.'), 'not-published');
    return s as DemoSubmission & { published: NonNullable<DemoSubmission['published']> };
  }

  router.get('/articles/:id', async (ctx) => {
    const s = await published(ctx);
    enterJournal(ctx, s, orcid.config);
    const locale = (ctx.state as { locale?: string }).locale;
    const rows = await contributorRows(orcid.store, renderer, s.id, locale);
    const authors = s.authors.map((a) => ({ contributorId: a.contributorId, name: personName(a, locale), badge: rows.find((c) => c.id === a.contributorId)?.badge ?? '' }));
    render(ctx, 'article.njk', { s, authors, isEditor: !!currentDemoUser(ctx)?.roles.includes('editor') });
  });

  for (const kind of ['jats', 'crossref'] as const) {
    router.get(`/articles/:id/${kind}.xml`, async (ctx) => {
      const s = await published(ctx);
      ctx.type = 'application/xml; charset=utf-8';
      ctx.attachment(`${s.id}-${kind}.xml`, { type: 'inline' });
      ctx.body = s.published[kind];
    });
  }

  router.get('/submissions/:id/progress', async (ctx) => {
    const s = await submission(ctx);
    enterJournal(ctx, s, orcid.config);
    // The first paint, in words and a bar; the page's script then follows the JSON status (kept for scripts).
    // Items name iDs, a reviewer's among them: editors only, as the JSON status.
    const rows = currentDemoUser(ctx)?.roles.includes('editor') ? await itemRowsOf(s.id) : [];
    render(ctx, 'progress.njk', { s, rows, progress: progressOf(rows.map((r) => r.state)), statusUrl: `${d.mountPath}/api/submissions/${encodeURIComponent(s.id)}/status` });
  });

  /** The submission's items as the plugin's status page sees them (state names the page puts into words). */
  async function itemRowsOf(submissionId: string) {
    const { store } = orcid;
    const open = new Map((await store.listJobs({ submissionId, limit: 1000 })).filter((j) => j.job.status !== 'done').map((j) => [j.deposit.key, j.job]));
    const rows = [];
    for (const dep of await store.listDeposits({ submissionId })) {
      if (!isItemKind(dep.kind)) continue;
      const job = open.get(dep.key) ?? null;
      const ledgerState = job ? (job.status === 'parked' ? 'parked' : 'pending') : dep.status;
      rows.push({ ...itemRow(dep, job, await store.getIdentity(dep.identityId), false, new Date()), orcid: dep.orcid, ledgerState });
    }
    return rows;
  }
}
