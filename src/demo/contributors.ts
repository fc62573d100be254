import { personName } from '../person-name.js';
import type { Contributor, Store } from '../store/store.js';
import type { Renderer } from '../web/templates.js';

/** A contributor as the demo shows it: the same states the plugin's JSON API reports. */
export interface ContributorRow {
  id: string;
  name: string;
  email: string | null;
  role: Contributor['role'];
  hostUserId: string | null;
  orcid: string | null;
  /** The iD badge HTML (empty unless authenticated), from the plugin's renderer. */
  badge: string;
  status: 'linked' | 'revoked' | 'denied' | 'invited' | 'not-connected';
  invitedAt: Date | null;
}

/** `locale`: the page's language (names in its order, the badge's words). */
export async function contributorRows(store: Store, renderer: Renderer, submissionId: string, locale?: string): Promise<ContributorRow[]> {
  const out: ContributorRow[] = [];
  for (const c of await store.listContributors(submissionId)) {
    const identity = c.identityId ? await store.getIdentity(c.identityId) : null;
    const linked = identity?.status === 'linked';
    const status = linked ? 'linked' : identity?.status === 'revoked' ? 'revoked' : c.deniedAt ? 'denied' : c.invitationState === 'none' ? 'not-connected' : 'invited';
    out.push({
      id: c.id,
      name: personName(c, locale),
      email: c.email,
      role: c.role,
      hostUserId: c.hostUserId,
      orcid: linked ? identity!.orcid : null,
      badge: linked ? renderer.badge({ orcid: identity!.orcid, authenticated: identity!.authenticated }, locale) : '',
      status,
      invitedAt: c.invitedAt,
    });
  }
  return out;
}
