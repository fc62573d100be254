import { personName } from '../person-name.js';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { PluginContext } from '../context.js';
import type { Contributor, Identity } from '../store/store.js';
import { ForbiddenError, NotFoundError, InvalidInputError, OrcidPluginError } from '../errors.js';
import { viewerOf, visibleContributors } from './submission-access.js';
import type { InviteService } from './invite-service.js';
import type { Csrf } from './csrf.js';
import { itemRow } from './status-view.js';
import { isStorableId } from './stored-id.js';

/** The JSON API for the host's UI, and the editors' sync status as JSON (the pages: status-page.ts). */
export function apiRoutes(router: Router, pc: PluginContext, invites: InviteService, csrf: Csrf) {
  const { store, settings, now } = pc;

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
    const c = isStorableId(ctx.params.cid) ? await store.getContributor(ctx.params.cid) : null;
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
    const identities = new Map<string, Identity | null>();
    for (const d of deposits) if (!identities.has(d.identityId)) identities.set(d.identityId, await store.getIdentity(d.identityId));
    const t = now();
    for (const j of jobs) if (j.job.status === 'done') lastDone.set(j.deposit.key, j.job.attempts); // ordered by run_at: the last wins
    return {
      submissionId,
      contributors: await contributorsView(contributors),
      items: deposits.map((d) => {
        const job = jobByDeposit.get(d.key) ?? null;
        const row = itemRow(d, job, identities.get(d.identityId) ?? null, false, t);
        return {
          key: d.key, kind: d.kind, orcid: d.orcid, desired: d.desiredState, status: d.status, putCode: d.putCode,
          lastError: job?.lastError ?? d.lastError, jobId: job?.id ?? null, jobStatus: job?.status ?? null,
          attempts: job?.attempts ?? lastDone.get(d.key) ?? 0, nextAttempt: job && job.status === 'queued' ? job.runAt.toISOString() : null,
          parkReason: job?.parkReason ?? null,
          // For scripts and the live progress page: the state's stable name, and ORCID's answer in words.
          state: row.state, error: row.error,
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
}
