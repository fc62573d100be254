/**
 * Who the researcher in this request is, for "Connected as …" and their own page: the host's
 * signed-in user, else the iD connected in the plugin's signed session (an invitee without an account).
 */
import type { Context } from 'koa';
import type { PluginContext } from '../context.js';
import type { Identity } from '../store/store.js';
import type { Returning } from '../sync/returning.js';
import type { ConnectedAs } from '../types.js';

export function createResearcherLookup(pc: Pick<PluginContext, 'store' | 'currentUser' | 'settings' | 'renderer' | 'localeFor'>, returning: Returning) {
  const { store, settings, renderer } = pc;

  /** The linked identity of this request's researcher, or null. */
  async function identityOf(ctx: Context): Promise<Identity | null> {
    const user = await pc.currentUser(ctx);
    if (user) return returning.usableIdentityOf(user.id);
    const session = (ctx as unknown as { session?: { orcid?: { orcid?: string | null } } | null }).session;
    const orcid = session?.orcid?.orcid;
    if (!orcid) return null;
    const identity = await store.findIdentityByOrcid(orcid);
    return identity?.status === 'linked' ? identity : null;
  }

  function describe(identity: Identity, locale?: string): ConnectedAs {
    const uri = `${settings.recordBase}/${identity.orcid}`;
    const manageUrl = `${settings.mountPath}/me`;
    return {
      orcid: identity.orcid, uri, name: identity.name, scopes: identity.scopes,
      canUpdate: identity.scopes.includes('/activities/update'), manageUrl,
      html: renderer.render('connected-as.njk', { orcid: identity.orcid, manageUrl }, locale).trim(),
    };
  }

  /** By the host's user id, or by the request (host user, else the plugin's session). */
  async function connectedAs(who: string | Context, locale?: string): Promise<ConnectedAs | null> {
    const identity = typeof who === 'string' ? await returning.usableIdentityOf(who) : await identityOf(who);
    if (!identity) return null;
    // Given the request, "Connected as" speaks its language, as the plugin's pages do (request-locale.ts).
    return describe(identity, locale ?? (typeof who === 'string' ? undefined : await pc.localeFor(who)));
  }

  return { identityOf, connectedAs };
}

export type ResearcherLookup = ReturnType<typeof createResearcherLookup>;
