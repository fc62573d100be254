import type Router from '@koa/router';
import type { Context } from 'koa';
import { createHash, randomBytes } from 'node:crypto';
import type { PluginContext } from '../context.js';
import type { Contributor, ContributorRole } from '../store/store.js';
import { parseOrcidId } from '../orcid/id.js';
import { sealTokenSet, type ClientTokenSet } from '../sync/tokens.js';
import { safeReturnPath } from './safe-return.js';
import type { Pages } from './pages.js';
import { verifyInvitationSignature, hashInvitationToken } from './invitations.js';
import { isStorableId } from './stored-id.js';
import { coerceError, ForbiddenError, InvalidInputError, OrcidPluginError } from '../errors.js';

/** OAuth states are kept server-side by their hash, like invitation tokens. */
const hashState = (state: string) => createHash('sha256').update(state).digest('base64url');

const ROLES: ContributorRole[] = ['author', 'coauthor', 'reviewer', 'editor'];
/** An OAuth round trip must finish within this time (the state in the session expires). */
const STATE_TTL_MS = 30 * 60_000;

interface PendingConnect {
  state: string;
  purpose: 'connect' | 'signin';
  contributorId: string | null;
  role: ContributorRole | null;
  returnTo: string;
  createdAt: number;
  /** The invitation this round trip answers (its hash): used only when the callback succeeds. */
  invitation?: string | null;
  /** The journal the round trip is for: its ORCID client exchanges the code (issue 19). Absent: `default`. */
  journalId?: string;
}

export interface OrcidSession {
  pending?: PendingConnect | null;
  /**
   * Contributors this browser may connect for, granted by opening their invitation link: contributor
   * id → the invitation's hash, which the callback uses up only when the connection succeeds.
   */
  invitations?: Record<string, string>;
  /** The iD connected in this session (shown by the host). */
  orcid?: string | null;
  /** The iD unlinked last in this browser (the researcher's page confirms it). */
  unlinked?: string | null;
  /** The role it was connected for (the "connected" page says what we will add, by role). */
  role?: ContributorRole | null;
  /** The language of the invitation this browser followed (request-locale.ts); the host's locale still comes first. */
  locale?: string | null;
}

export function orcidSession(ctx: Context): OrcidSession {
  const session = (ctx as unknown as { session: Record<string, unknown> | null }).session;
  if (!session) throw new ForbiddenError('Your session has expired or cookies are disabled; please start again.');
  if (!session.orcid || typeof session.orcid !== 'object') session.orcid = {};
  return session.orcid as OrcidSession;
}

export interface SignInHandler {
  (ctx: Context, person: { orcid: string; uri: string; name: string | null }): Promise<void> | void;
}

const NOT_YOURS = 'You can only connect your own ORCID iD: sign in, or use the link from your invitation email.';

export function connectRoutes(router: Router, pc: PluginContext, options: { onSignIn?: SignInHandler; pages: Pages }) {
  const { store, settings, now, logger } = pc;

  /** `invitation`: the contributor's locale, when the page answers their invitation (request-locale.ts). */
  function page(ctx: Context, status: number, view: Record<string, unknown>, invitation?: string | null) {
    return options.pages.send(ctx, status, 'connect-result.njk', { mountPath: settings.mountPath, journalTitle: settings.journal.title, ...view }, invitation);
  }

  /** May this browser connect an iD for this contributor? Its own host user, or an invitation. */
  async function mayConnectFor(ctx: Context, contributor: Contributor): Promise<boolean> {
    const user = await pc.currentUser(ctx);
    if (user && contributor.hostUserId && user.id === contributor.hostUserId) return true;
    return invitationOf(ctx, contributor) !== null;
  }

  /** The invitation this browser opened for the contributor, if any (its hash). */
  function invitationOf(ctx: Context, contributor: Contributor): string | null {
    const granted = orcidSession(ctx).invitations;
    return granted && Object.hasOwn(granted, contributor.id) ? granted[contributor.id]! : null;
  }

  /** A slot already connected (to an iD that is still linked) takes no invitation: its links are spent. */
  async function alreadyConnected(contributor: Contributor): Promise<boolean> {
    if (!contributor.identityId) return false;
    return (await store.getIdentity(contributor.identityId))?.status === 'linked';
  }

  async function startAuthorize(ctx: Context, purpose: 'connect' | 'signin', contributor: Contributor | null, role: ContributorRole | null, returnTo: string, invitation: string | null = null) {
    const state = randomBytes(24).toString('base64url');
    const sess = orcidSession(ctx);
    const at = now();
    // Single use server-side too: the session cookie from before the callback can be replayed.
    await store.createOAuthState({ stateHash: hashState(state), createdAt: at, expiresAt: new Date(at.getTime() + STATE_TTL_MS) });
    // The journal: the contributor's submission's, else the host's journalOf(ctx), else `default`.
    // An editor's slot is of no submission: their link names the journal (`journal=`).
    const linked = typeof ctx.query.journal === 'string' && ctx.query.journal ? ctx.query.journal : null;
    const named = (contributor ? await store.getSubmissionJournal(contributor.submissionId) : null) ?? linked ?? (await pc.journalOf(ctx));
    const journal = await pc.journals.get(named ?? undefined);
    sess.pending = { state, purpose, contributorId: contributor?.id ?? null, role, returnTo, createdAt: at.getTime(), invitation, journalId: journal.id };
    const scope = purpose === 'signin' || settings.authenticateOnly ? ['/authenticate'] : settings.scopes;
    const oauth = await pc.oauthFor(journal.credentialsId);
    ctx.redirect(
      oauth.authorizeUrl({
        redirectUri: settings.redirectUri,
        scope,
        state,
        prefill: contributor
          ? { givenNames: contributor.givenNames, familyNames: contributor.familyName, email: contributor.email ?? undefined, lang: contributor.locale === 'zh-Hans' ? 'zh_CN' : 'en' }
          : undefined,
      }),
    );
  }

  router.get('/connect', async (ctx) => {
    const role = ctx.query.role;
    if (typeof role !== 'string' || !ROLES.includes(role as ContributorRole)) {
      throw new InvalidInputError('role', `must be one of ${ROLES.join(', ')}`);
    }
    const returnTo = safeReturnPath(ctx.query.return);
    const contributorId = typeof ctx.query.contributor === 'string' ? ctx.query.contributor : null;
    const submissionId = typeof ctx.query.submission === 'string' ? ctx.query.submission : null;
    const user = await pc.currentUser(ctx);
    let contributor: Contributor | null = null;
    if (contributorId) {
      contributor = isStorableId(contributorId) ? await store.getContributor(contributorId) : null;
      // The same refusal as for someone else's slot: contributor ids must not be confirmed (issue 14).
      if (!contributor) throw new ForbiddenError(NOT_YOURS);
    } else if (submissionId && user && isStorableId(submissionId)) {
      contributor = (await store.listContributors(submissionId)).find((c) => c.hostUserId === user.id) ?? null;
    }
    if (contributor && !(await mayConnectFor(ctx, contributor))) throw new ForbiddenError(NOT_YOURS);
    if (!contributor && !user) throw new ForbiddenError('Sign in, or use the link from your invitation email, to connect your ORCID iD.');
    // Connecting for someone else's slot through an invitation (e.g. "Try again" after a denial):
    // the invitation is used up by the callback, as from the link itself.
    const owner = !!contributor && !!user && contributor.hostUserId === user.id;
    await startAuthorize(ctx, 'connect', contributor, role as ContributorRole, returnTo, contributor && !owner ? invitationOf(ctx, contributor) : null);
  });

  router.get('/signin', async (ctx) => {
    if (!options.onSignIn) throw new OrcidPluginError('NOT_ENABLED', 'Sign in with ORCID is not enabled on this journal', { status: 404 });
    await startAuthorize(ctx, 'signin', null, null, safeReturnPath(ctx.query.return));
  });

  router.get('/callback', async (ctx) => {
    const sess = orcidSession(ctx);
    const pending = sess.pending;
    const state = ctx.query.state;
    if (!pending || typeof state !== 'string' || state !== pending.state || now().getTime() - pending.createdAt > STATE_TTL_MS) {
      // Nothing is stored: this answer may be a forged or replayed redirect.
      return page(ctx, 403, { outcome: 'error', reasonKey: 'state-invalid' });
    }
    sess.pending = null; // single use
    if (!(await store.consumeOAuthState(hashState(state), now())).ok) {
      return page(ctx, 403, { outcome: 'error', reasonKey: 'state-used' });
    }
    const contributor = pending.contributorId ? await store.getContributor(pending.contributorId) : null;
    const retry = `${settings.mountPath}/connect?role=${encodeURIComponent(pending.role ?? 'author')}${contributor ? `&contributor=${encodeURIComponent(contributor.id)}` : ''}&return=${encodeURIComponent(pending.returnTo)}`;
    if (ctx.query.error !== undefined) {
      if (ctx.query.error === 'access_denied' && contributor) {
        await store.markContributorDenied(contributor.id, now());
        await store.appendHistory({ at: now(), event: 'identity.denied', submissionId: contributor.submissionId, detail: { contributorId: contributor.id } });
      }
      const denied = ctx.query.error === 'access_denied';
      return page(ctx, denied ? 200 : 400, { outcome: denied ? 'denied' : 'error', retryUrl: retry, returnUrl: pending.returnTo,
        reasonKey: denied ? null : 'orcid-failed' }, contributor?.locale);
    }
    const code = ctx.query.code;
    if (typeof code !== 'string' || code.length === 0 || code.length > 512) {
      return page(ctx, 400, { outcome: 'error', retryUrl: retry, reasonKey: 'no-code' }, contributor?.locale);
    }
    // The code was issued to the journal's client: only that client can exchange it, and the
    // tokens are that client's (a researcher is recognised only among its journals).
    const journal = await pc.journals.get(pending.journalId);
    const oauth = await pc.oauthFor(journal.credentialsId);
    let tokens: ClientTokenSet;
    try {
      tokens = { ...(await oauth.exchangeCode(code, settings.redirectUri)), credentialsId: journal.credentialsId };
    } catch (e) {
      const err = coerceError(e);
      logger.warn({ code: (err as OrcidPluginError).code }, 'ORCID token exchange failed');
      // A replayed, expired or foreign code is the browser's problem (400); ORCID failing is ours (502).
      const status = err instanceof OrcidPluginError && err.status < 500 ? err.status : 502;
      return page(ctx, status, { outcome: 'error', retryUrl: retry, reasonKey: 'not-confirmed' }, contributor?.locale);
    }
    const { id: orcid } = parseOrcidId(tokens.orcid ?? '');
    if (pending.invitation) {
      // Used up here, once ORCID confirmed: of two callbacks racing on one link, one wins.
      const used = await store.consumeInvitation(pending.invitation, now());
      if (!used.ok || (contributor && (await alreadyConnected(contributor)))) {
        await oauth.revoke(tokens.accessToken).catch((e) => logger.warn({ err: coerceError(e) }, 'revoking an unused token failed'));
        return page(ctx, 410, { outcome: 'error', reasonKey: used.ok || used.reason === 'used' ? 'invitation-spent' : 'invitation-expired' }, ('invitation' in used ? used.invitation.locale : null) ?? contributor?.locale);
      }
    }
    const user = await pc.currentUser(ctx);
    if (pending.purpose === 'signin') {
      await ctx.session?.regenerate?.();
      orcidSession(ctx).orcid = orcid;
      await options.onSignIn!(ctx, { orcid, uri: `${settings.recordBase}/${orcid}`, name: tokens.name });
      if (ctx.status === 404 && !ctx.body) ctx.redirect(pending.returnTo);
      return;
    }
    await pc.lifecycle.link({
      orcid, tokens, sealedTokens: sealTokenSet(pc.cipher, tokens), contributor,
      // A contributor's identity belongs to the contributor's own account (or none, for an invitee);
      // whoever else is signed in in this browser must not become its owner. undefined keeps the old owner.
      hostUserId: contributor ? (contributor.hostUserId ?? undefined) : user?.id,
    });
    // A new session id after sign-in: a session fixed by an attacker before it is worth nothing.
    await ctx.session?.regenerate?.();
    // The pages after the round trip ("connected", the researcher's page) keep the invitation's language.
    Object.assign(orcidSession(ctx), { orcid, role: pending.role, locale: contributor?.locale ?? null });
    ctx.redirect(pending.returnTo);
  });

  router.get('/invite/:token', async (ctx) => {
    const token = ctx.params.token;
    if (!verifyInvitationSignature(token, settings.invitationSecret)) {
      return page(ctx, 404, { outcome: 'error', reasonKey: 'invitation-invalid' });
    }
    // Only looked at: opening the link (or a mail scanner, a link preview, a HEAD) uses nothing up.
    const tokenHash = hashInvitationToken(token);
    const result = await store.checkInvitation(tokenHash, now());
    if (!result.ok) {
      if (result.reason === 'unknown') return page(ctx, 404, { outcome: 'error', reasonKey: 'invitation-invalid' });
      // In the invitation's language, in any browser: the one that opens a spent link is often not the one that used it.
      return page(ctx, 410, { outcome: 'error', reasonKey: result.reason === 'expired' ? 'invitation-expired' : 'invitation-used' }, result.invitation.locale);
    }
    const contributor = await store.getContributor(result.invitation.contributorId);
    if (!contributor) return page(ctx, 410, { outcome: 'error', reasonKey: 'submission-gone' });
    if (await alreadyConnected(contributor)) {
      return page(ctx, 410, { outcome: 'error', reasonKey: 'invitation-connected' }, result.invitation.locale ?? contributor.locale);
    }
    const sess = orcidSession(ctx);
    // At most 20 grants per browser, the newest kept.
    const granted = Object.entries({ ...(sess.invitations ?? {}), [contributor.id]: tokenHash }).slice(-20);
    sess.invitations = Object.fromEntries(granted);
    // Pages answering this browser before the round trip ends (a stale state, say) speak the invitation's language.
    sess.locale = result.invitation.locale ?? contributor.locale ?? null;
    const back = safeReturnPath(ctx.query.return, '');
    const connected = `${settings.mountPath}/connected${back ? `?return=${encodeURIComponent(back)}` : ''}`;
    await startAuthorize(ctx, 'connect', contributor, contributor.role, connected, tokenHash);
  });

  // Not a dead end: it offers the way back (`return`, a same-origin path; default the journal's home)
  // and the researcher's own page.
  router.get('/connected', async (ctx) => {
    const orcid = orcidSession(ctx).orcid;
    const returnUrl = safeReturnPath(ctx.query.return, '/');
    if (!orcid) return page(ctx, 200, { outcome: 'error', reasonKey: 'not-connected-here', returnUrl });
    const identity = await store.findIdentityByOrcid(orcid);
    await page(ctx, 200, { outcome: 'success', role: orcidSession(ctx).role ?? null, canUpdate: identity?.scopes.includes('/activities/update') ?? false, orcid,
      uri: `${settings.recordBase}/${orcid}`, name: identity?.name ?? null, authenticated: true, returnUrl, manageUrl: `${settings.mountPath}/me` });
  });

  router.post('/unlink', async (ctx) => {
    const user = await pc.currentUser(ctx);
    const sessOrcid = orcidSession(ctx).orcid;
    const identity = user ? await store.findIdentityByHostUser(user.id) : sessOrcid ? await store.findIdentityByOrcid(sessOrcid) : null;
    if (!identity || identity.status !== 'linked') throw new InvalidInputError('orcid', 'no connected ORCID iD to unlink');
    await pc.lifecycle.unlink(identity.id);
    Object.assign(orcidSession(ctx), { orcid: null, unlinked: identity.orcid });
    if (ctx.accepts(['html', 'json']) === 'json') ctx.body = { unlinked: identity.orcid };
    else ctx.redirect(safeReturnPath((ctx.request as unknown as { body?: Record<string, unknown> }).body?.return, '/'));
  });
}
