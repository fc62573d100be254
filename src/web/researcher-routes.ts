/**
 * The researcher's own page (`<mount>/me`): what the journal holds for them — the iD, the scopes they
 * granted, the items we post and their state — and the Unlink button (a POST to `<mount>/unlink`,
 * CSRF-protected like every state-changing route). Reached from "Connected as …" and the "connected" page.
 *
 * Who they are: the host's signed-in user, else the iD connected in this browser's signed session
 * (an invitee without an account on the host).
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { PluginContext } from '../context.js';
import type { Identity } from '../store/store.js';
import type { Csrf } from './csrf.js';
import type { Pages } from './pages.js';
import { orcidSession } from './connect-routes.js';
import { itemsOf, scopeKey, statusOf } from './researcher-view.js';

export function researcherRoutes(router: Router, pc: PluginContext, options: { csrf: Csrf; pages: Pages }) {
  const { store, settings } = pc;

  async function identityOf(ctx: Context): Promise<{ identity: Identity | null; signedIn: boolean }> {
    const user = await pc.currentUser(ctx);
    if (user) return { identity: await store.findIdentityByHostUser(user.id), signedIn: true };
    const orcid = orcidSession(ctx).orcid;
    return { identity: orcid ? await store.findIdentityByOrcid(orcid) : null, signedIn: false };
  }

  router.get('/me', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const { identity, signedIn } = await identityOf(ctx);
    const status = statusOf(identity);
    const shown = status === 'none' ? null : identity!;
    const items = shown ? itemsOf(await store.listDeposits({ identityId: shown.id })) : [];
    const sess = orcidSession(ctx);
    const me = `${settings.mountPath}/me`;
    await options.pages.send(ctx, 200, 'researcher.njk', {
      mountPath: settings.mountPath, journalTitle: settings.journal.title, status,
      orcid: shown?.orcid ?? null, name: shown?.name ?? null, scopes: shown ? shown.scopes.map(scopeKey) : [],
      items, unlinkPolicy: settings.unlinkPolicy,
      unlinked: status === 'none' ? (sess.unlinked ?? null) : null,
      csrfToken: status === 'linked' ? await options.csrf.token(ctx) : null,
      unlinkUrl: `${settings.mountPath}/unlink`, returnTo: me,
      // Signed-in researchers can connect (again, or another iD) from here; an invitee uses their link.
      connectUrl: signedIn ? `${settings.mountPath}/connect?role=author&return=${encodeURIComponent(me)}` : null,
    });
  });
}
