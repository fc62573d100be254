/**
 * The editors' status pages (issue 14, "Editors' status page") and the actions they post:
 * a submission's people and items, and the editors' own service items, in the host's layout.
 * Each item shows its state in words and only the actions that can work on it.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isEditor, type PluginContext } from '../context.js';
import { isItemKind, type Contributor, type Deposit, type Identity, type Job } from '../store/store.js';
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthenticatedError } from '../errors.js';
import { editsSubmission, viewerOf } from './submission-access.js';
import type { Csrf } from './csrf.js';
import type { Pages } from './pages.js';
import { isSameOrigin } from './origin.js';
import { safeReturnPath } from './safe-return.js';
import { isStorableId } from './stored-id.js';
import { itemRow, personState, type ItemRow } from './status-view.js';

interface PersonRow {
  name: string;
  orcid: string | null;
  authenticated: boolean;
  /** Words for a person with no item on the table (see `personState`). */
  state: string;
  items: ItemRow[];
}

export function statusPageRoutes(router: Router, pc: PluginContext, csrf: Csrf, pages: Pages) {
  const { store, settings, now } = pc;

  async function requireUser(ctx: Context) {
    const user = await pc.currentUser(ctx);
    if (!user) throw new UnauthenticatedError('Sign in to the journal first.');
    return user;
  }

  /** Open jobs by deposit, and how many attempts the last finished job of each deposit took. */
  function jobsByDeposit(jobs: Array<{ job: Job; deposit: Deposit }>) {
    const open = new Map<string, Job>();
    const attempts = new Map<string, number>();
    for (const { job, deposit } of jobs) {
      if (job.status === 'done') attempts.set(deposit.key, job.attempts); // ordered by run_at: the last wins
      else open.set(deposit.key, job);
    }
    return { open, attempts };
  }

  async function identitiesOf(ids: Iterable<string>) {
    const out = new Map<string, Identity>();
    for (const id of new Set(ids)) {
      const identity = await store.getIdentity(id);
      if (identity) out.set(id, identity);
    }
    return out;
  }

  function contributorStatus(c: Contributor, identity: Identity | null): string {
    if (identity?.status === 'linked' && c.identityId === identity.id) return 'linked';
    if (identity?.status === 'revoked' && c.identityId === identity.id) return 'revoked';
    if (c.deniedAt) return 'denied';
    return c.invitationState === 'none' ? 'not-connected' : 'invited';
  }

  /** Which roles' slots an item belongs to, so that one person in two roles gets each item once. */
  const fits = (d: Deposit, c: Contributor) => (d.kind === 'peer-review' ? c.role === 'reviewer' : d.kind === 'work' ? c.role === 'author' || c.role === 'coauthor' : true);

  async function submissionPeople(submissionId: string, contributors: Contributor[]): Promise<PersonRow[]> {
    const deposits = (await store.listDeposits({ submissionId })).filter((d) => isItemKind(d.kind));
    const { open, attempts } = jobsByDeposit(await store.listJobs({ submissionId, limit: 1000 }));
    // Unlinking clears a contributor's identity, not the deposits': the link history says whose they were.
    const linkedBefore = new Map<string, string>();
    for (const e of await store.listHistory({ submissionId, limit: 1000 })) {
      const cid = e.detail.contributorId;
      if (e.event === 'identity.linked' && typeof cid === 'string' && e.identityId && !linkedBefore.has(cid)) linkedBefore.set(cid, e.identityId);
    }
    const identities = await identitiesOf([...deposits.map((d) => d.identityId), ...contributors.flatMap((c) => (c.identityId ? [c.identityId] : []))]);
    const articles = contributors.length ? (await store.sourcesOfContributors(contributors.map((c) => ({ id: c.id, submissionId: c.submissionId })))).articles : [];
    const retracted = new Set(articles.filter((a) => a.retraction).map((a) => a.id));
    const t = now();
    const row = (d: Deposit) => itemRow(d, open.get(d.key) ?? null, identities.get(d.identityId) ?? null, retracted.has(d.sourceId), t, attempts.get(d.key) ?? 0);

    const left = new Set(deposits);
    const people: PersonRow[] = contributors.map((c) => {
      const identity = c.identityId ? identities.get(c.identityId) ?? null : null;
      const whose = c.identityId ?? linkedBefore.get(c.id) ?? null;
      const mine = whose ? deposits.filter((d) => left.has(d) && d.identityId === whose && fits(d, c)) : [];
      for (const d of mine) left.delete(d);
      const status = contributorStatus(c, identity);
      const orcid = status === 'linked' ? identity!.orcid : mine[0]?.orcid ?? (settings.showUnauthenticated ? c.unauthenticatedOrcid : null);
      return { name: `${c.givenNames} ${c.familyName}`.trim(), orcid, authenticated: status === 'linked' || mine.length > 0, state: personState(status), items: mine.map(row) };
    });
    // Items of nobody on the submission any more (an iD replaced, a slot removed): shown, never hidden.
    for (const d of left) {
      const identity = identities.get(d.identityId) ?? null;
      let person = people.find((p) => p.orcid === d.orcid && p.items.length > 0 && !contributors.some((c) => c.identityId === d.identityId));
      if (!person) people.push((person = { name: identity?.name ?? d.orcid, orcid: d.orcid, authenticated: true, state: 'nothing-yet', items: [] }));
      person.items.push(row(d));
    }
    return people;
  }

  async function servicePeople(): Promise<PersonRow[]> {
    const deposits = await store.listDeposits({ kind: 'service' });
    const identities = await identitiesOf(deposits.map((d) => d.identityId));
    const t = now();
    const byIdentity = new Map<string, PersonRow>();
    const jobsOf = new Map<string, ReturnType<typeof jobsByDeposit>>();
    for (const d of deposits) {
      let jobs = jobsOf.get(d.identityId);
      if (!jobs) jobsOf.set(d.identityId, (jobs = jobsByDeposit(await store.listJobs({ identityId: d.identityId, limit: 1000 }))));
      let person = byIdentity.get(d.identityId);
      if (!person) {
        const identity = identities.get(d.identityId) ?? null;
        const [slot] = await store.listContributorsByIdentity(d.identityId);
        const name = slot ? `${slot.givenNames} ${slot.familyName}`.trim() : identity?.name ?? d.orcid;
        byIdentity.set(d.identityId, (person = { name, orcid: d.orcid, authenticated: true, state: 'nothing-yet', items: [] }));
      }
      person.items.push(itemRow(d, jobs.open.get(d.key) ?? null, identities.get(d.identityId) ?? null, false, t, jobs.attempts.get(d.key) ?? 0));
    }
    return [...byIdentity.values()];
  }

  const view = async (ctx: Context, returnTo: string, journal: { title: string; issn?: string; eissn?: string } = settings.journal) => ({
    mountPath: settings.mountPath, journal, csrfToken: await csrf.token(ctx), returnTo,
    actionBase: `${settings.mountPath}/status`,
  });

  router.get('/status', async (ctx) => {
    await requireUser(ctx);
    const submission = typeof ctx.query.submission === 'string' ? ctx.query.submission : null;
    if (!submission) throw new InvalidInputError('submission', 'is required');
    const { user, roles, contributors } = await viewerOf(pc, ctx, submission);
    if (!roles.has('editor')) throw new ForbiddenError('Only the editors of this submission may do this.');
    const people = await submissionPeople(submission, contributors);
    const title = await store.getSubmissionTitle(submission);
    // The page names the submission's own journal.
    const journal = await pc.journals.get(await store.getSubmissionJournal(submission));
    ctx.set('Cache-Control', 'no-store');
    await pages.send(ctx, 200, 'status.njk', {
      ...(await view(ctx, `${settings.mountPath}/status?submission=${encodeURIComponent(submission)}`, journal)),
      submissions: [{ id: submission, title, people }],
      editorsUrl: isEditor(user) ? `${settings.mountPath}/status/editors` : null,
    });
  });

  /** Editors' own service items: of no submission, so for host editors only (as `editsSubmission` says for null). */
  router.get('/status/editors', async (ctx) => {
    const user = await requireUser(ctx);
    if (!isEditor(user)) throw new ForbiddenError('Only editors may see this page.');
    ctx.set('Cache-Control', 'no-store');
    await pages.send(ctx, 200, 'status-editors.njk', { ...(await view(ctx, `${settings.mountPath}/status/editors`)), people: await servicePeople() });
  });

  // "Retry": a job waiting after a failure runs now (a parked one is queued again, as it always was);
  // "un-park": a parked job is queued again.
  const t = () => now();
  const retry = async (id: string) => (await store.retryJobNow(id, t())) || (await store.unparkJobs({ jobId: id }, t())) > 0;
  const unpark = async (id: string) => (await store.unparkJobs({ jobId: id }, t())) > 0;
  // A Map, not an object literal: `constructor` or `__proto__` must not resolve to a prototype member (finding 11).
  const actions = new Map<string, (id: string) => Promise<boolean>>([['retry', retry], ['unpark', unpark]]);
  // JSON for the host's UI; form posts from the status page (which cannot send JSON).
  router.post(['/api/jobs/:id/:action', '/status/jobs/:id/:action'], async (ctx) => {
    const user = await requireUser(ctx);
    const act = actions.get(ctx.params.action!);
    if (!act) throw new NotFoundError('Unknown action.');
    // Only an editor of the job's own submission (host editors for a service item, of no submission):
    // one answer for "no such job" and "not your submission's job", as for items.
    const [claimed] = isStorableId(ctx.params.id!) ? await store.listJobs({ jobId: ctx.params.id!, limit: 1 }) : [];
    if (!claimed || !(await editsSubmission(pc, ctx, user, claimed.deposit.submissionId))) throw new NotFoundError('No such job, or not of a submission you edit.');
    const ok = await act(ctx.params.id!);
    if (!ok) throw new InvalidInputError('job', ctx.params.action === 'retry' ? 'nothing to retry: only a failed job waiting for its next attempt, or a parked one' : 'not parked');
    const d = claimed.deposit;
    // Filed under the item and its submission too: their histories show the editor's action.
    await store.appendHistory({ at: now(), event: `job.${ctx.params.action}`, jobId: ctx.params.id, depositKey: d.key, orcid: d.orcid, identityId: d.identityId,
      ...(d.submissionId ? { submissionId: d.submissionId } : {}), detail: { by: 'editor' } });
    back(ctx, { ok: true });
  });

  router.post(['/api/deposits/:key/send-again', '/status/deposits/:key/send-again'], async (ctx) => {
    const user = await requireUser(ctx);
    // One answer for "no such item" and "not your submission's": a key names an iD, which must not be confirmed.
    const notFound = new NotFoundError('No such item, or it is not meant to be on the record.');
    const d = isStorableId(ctx.params.key!) ? await store.getDeposit(ctx.params.key!) : null;
    if (!(await editsSubmission(pc, ctx, user, d ? d.submissionId : null)) || !d) throw notFound;
    const ok = await pc.connect.sendAgain(ctx.params.key!);
    if (!ok) throw notFound;
    await store.appendHistory({ at: now(), event: 'item.send-again', depositKey: ctx.params.key, detail: { by: 'editor' } });
    back(ctx, { ok: true });
  });

  /**
   * A browser form goes back to the page it came from: its `return` field, or a same-origin
   * Referer compared by parsed origin (finding 8: a prefix test let `publicUrl.evil.com` through).
   */
  function back(ctx: Context, json: unknown) {
    if (ctx.accepts(['json', 'html']) !== 'html') {
      ctx.body = json;
      return;
    }
    const field = (ctx.request as unknown as { body?: Record<string, unknown> }).body?.return;
    const ref = ctx.get('referer');
    const fromReferer = isSameOrigin(ref, settings.publicUrl) ? safeReturnPath(new URL(ref).pathname + new URL(ref).search, '') : '';
    const target = safeReturnPath(field, fromReferer);
    if (target) ctx.redirect(target);
    else ctx.body = json;
  }
}
