import { personName } from '../person-name.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isEditor, type PluginContext } from '../context.js';
import type { Contributor, Identity } from '../store/store.js';
import { ForbiddenError, NotFoundError, InvalidInputError, OrcidPluginError, UnauthenticatedError } from '../errors.js';
import { editsSubmission, viewerOf, visibleContributors } from './submission-access.js';
import type { InviteService } from './invite-service.js';
import type { Csrf } from './csrf.js';
import { isSameOrigin } from './origin.js';
import { safeReturnPath } from './safe-return.js';
import { keptErrorInWords } from '../orcid/orcid-error.js';

/** The JSON API for the host's UI, and the editors' sync status (JSON and a page). */
export function apiRoutes(router: Router, pc: PluginContext, invites: InviteService, csrf: Csrf) {
  const { store, settings, now, renderer } = pc;

  async function requireUser(ctx: Context) {
    const user = await pc.currentUser(ctx);
    if (!user) throw new UnauthenticatedError('Sign in to the journal first.');
    return user;
  }
  async function requireEditor(ctx: Context) {
    const user = await requireUser(ctx);
    if (!isEditor(user)) throw new ForbiddenError('Only editors may do this.');
    return user;
  }
  /** An editor of this submission; outsiders get the 404 of a submission that does not exist. */
  async function requireSubmissionEditor(ctx: Context, submissionId: string) {
    const viewer = await viewerOf(pc, ctx, submissionId);
    if (!viewer.roles.has('editor')) throw new ForbiddenError('Only the editors of this submission may do this.');
    return viewer;
  }

  function view(c: Contributor, identity: Identity | null) {
    const linked = identity?.status === 'linked' && c.identityId === identity.id;
    const typed = !linked && settings.showUnauthenticated ? c.unauthenticatedOrcid : null;
    const orcid = linked ? identity!.orcid : typed;
    const status = linked ? 'linked' : identity?.status === 'revoked' && c.identityId === identity.id ? 'revoked' : c.deniedAt ? 'denied' : c.invitationState === 'none' ? 'not-connected' : 'invited';
    return {
      contributorId: c.id,
      name: personName(c, settings.defaultLocale),
      role: c.role,
      orcid: orcid ?? null,
      uri: orcid ? `${settings.recordBase}/${orcid}` : null,
      authenticated: linked,
      scopes: linked ? identity!.scopes : [],
      status,
      invitedAt: c.invitedAt?.toISOString() ?? null,
    };
  }

  async function contributorsView(contributors: Contributor[]) {
    const out = [];
    for (const c of contributors) {
      out.push(view(c, c.identityId ? await store.getIdentity(c.identityId) : null));
    }
    return out;
  }

  // Scoped by the viewer's roles: a reviewer's name, email and iD reach editors and that reviewer only.
  router.get('/api/submissions/:id/contributors', async (ctx) => {
    const { user, roles, contributors } = await viewerOf(pc, ctx, ctx.params.id);
    ctx.body = await contributorsView(visibleContributors(contributors, roles, user.id));
  });

  router.post('/api/submissions/:id/contributors/:cid/resend-invitation', async (ctx) => {
    await requireSubmissionEditor(ctx, ctx.params.id);
    const c = await store.getContributor(ctx.params.cid);
    if (!c || c.submissionId !== ctx.params.id) throw new NotFoundError('No such contributor on this submission.');
    if (!c.email) throw new InvalidInputError('contributor.email', 'this contributor has no email address');
    // A fresh link to a linked slot would let whoever holds it re-link the slot to another iD
    // (issue 13, finding 9): only a revoked (or never made) link may be sent again.
    const identity = c.identityId ? await store.getIdentity(c.identityId) : null;
    if (identity && identity.status !== 'revoked') {
      throw new OrcidPluginError('CONTRIBUTOR_LINKED', 'This contributor is connected; an invitation can be sent again only after the link is revoked.', { status: 409 });
    }
    const sent = await invites.invite(c, c.identityId ? 'reinvitation' : 'invitation');
    if (!sent) throw new InvalidInputError('contributor', 'already connected; nothing to send');
    ctx.status = 202;
    ctx.body = { sent: true };
  });

  /** Names, emails and affiliations from the record, to prefill the host's form. */
  router.get('/api/me/prefill', async (ctx) => {
    const user = await pc.currentUser(ctx);
    const sess = (ctx as unknown as { session?: { orcid?: { orcid?: string } } }).session;
    const identity = user ? await store.findIdentityByHostUser(user.id) : sess?.orcid?.orcid ? await store.findIdentityByOrcid(sess.orcid.orcid) : null;
    if (!identity || identity.status !== 'linked') throw new NotFoundError('No connected ORCID iD.');
    const cached = await store.getPrefill(identity.id);
    ctx.body = { orcid: identity.orcid, name: identity.name, ...(cached ?? { emails: [], affiliations: [] }) };
  });

  /** Everything about a submission's items: for its editors only (`requireSubmissionEditor`). */
  async function statusOf(submissionId: string, contributors: Contributor[]) {
    const deposits = await store.listDeposits({ submissionId });
    const jobs = await store.listJobs({ submissionId, limit: 1000 });
    const jobByDeposit = new Map(jobs.filter((j) => j.job.status !== 'done').map((j) => [j.deposit.key, j.job]));
    // The last finished job of each deposit: how many attempts the item on the record took.
    const lastDone = new Map<string, number>();
    for (const j of jobs) if (j.job.status === 'done') lastDone.set(j.deposit.key, j.job.attempts); // ordered by run_at: the last wins
    return {
      submissionId,
      contributors: await contributorsView(contributors),
      items: deposits.map((d) => {
        const job = jobByDeposit.get(d.key) ?? null;
        return {
          key: d.key, kind: d.kind, orcid: d.orcid, desired: d.desiredState, status: d.status, putCode: d.putCode,
          lastError: job?.lastError ?? d.lastError, jobId: job?.id ?? null, jobStatus: job?.status ?? null,
          attempts: job?.attempts ?? lastDone.get(d.key) ?? 0, nextAttempt: job && job.status === 'queued' ? job.runAt.toISOString() : null,
          parkReason: job?.parkReason ?? null,
        };
      }),
      queue: await store.countJobs(),
    };
  }

  /** The CSRF token for this browser, for a host page's `fetch` calls (`x-csrf-token`) and forms (`_csrf`). */
  router.get('/api/csrf-token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { token: await csrf.token(ctx), header: 'x-csrf-token', field: '_csrf' };
  });

  router.get('/api/submissions/:id/status', async (ctx) => {
    const { contributors } = await requireSubmissionEditor(ctx, ctx.params.id);
    ctx.body = await statusOf(ctx.params.id, contributors);
  });

  router.get('/status', async (ctx) => {
    await requireUser(ctx);
    const submission = typeof ctx.query.submission === 'string' ? ctx.query.submission : null;
    if (!submission) throw new InvalidInputError('submission', 'is required');
    const { contributors } = await requireSubmissionEditor(ctx, submission);
    const status = await statusOf(submission, contributors);
    const title = await store.getSubmissionTitle(submission);
    const people = status.contributors.map((c) => ({
      name: c.name, orcid: c.orcid, authenticated: c.authenticated,
      items: status.items.filter((i) => c.orcid && i.orcid === c.orcid).map((i) => ({
        jobId: i.jobId, kind: i.kind, status: i.jobStatus === 'parked' ? 'parked' : i.jobStatus ? 'pending' : i.status,
        // ORCID's answer in words (a parked job's reason first), never a raw error body.
        putCode: i.putCode, lastError: keptErrorInWords(i.parkReason ?? i.lastError), nextAttemptAt: i.nextAttempt,
      })),
    }));
    ctx.type = 'html';
    ctx.body = renderer.render('status.njk', { mountPath: settings.mountPath, journal: settings.journal,
      submissions: [{ id: submission, title, people }], actionBase: `${settings.mountPath}/status/jobs`, csrfToken: await csrf.token(ctx),
      returnTo: `${settings.mountPath}/status?submission=${encodeURIComponent(submission)}` });
  });

  // "Retry" and "un-park" are the same action under the two names editors use: queue a parked job again.
  const requeue = async (id: string) => (await store.unparkJobs({ jobId: id }, now())) > 0;
  // A Map, not an object literal: `constructor` or `__proto__` must not resolve to a prototype member (finding 11).
  const actions = new Map<string, (id: string) => Promise<boolean>>([['retry', requeue], ['unpark', requeue]]);
  // JSON for the host's UI; form posts from the status page (which cannot send JSON).
  router.post(['/api/jobs/:id/:action', '/status/jobs/:id/:action'], async (ctx) => {
    await requireEditor(ctx);
    const act = actions.get(ctx.params.action!);
    if (!act) throw new NotFoundError('Unknown action.');
    const ok = await act(ctx.params.id);
    if (!ok) throw new InvalidInputError('job', 'not parked (only parked jobs can be retried)');
    await store.appendHistory({ at: now(), event: `job.${ctx.params.action}`, jobId: ctx.params.id, detail: { by: 'editor' } });
    back(ctx, { ok: true });
  });

  router.post('/api/deposits/:key/send-again', async (ctx) => {
    const user = await requireUser(ctx);
    // One answer for "no such item" and "not your submission's": a key names an iD, which must not be confirmed.
    const notFound = new NotFoundError('No such item, or it is not meant to be on the record.');
    const d = await store.getDeposit(ctx.params.key);
    if (!(await editsSubmission(pc, ctx, user, d ? d.submissionId : null)) || !d) throw notFound;
    const ok = await pc.connect.sendAgain(ctx.params.key);
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
