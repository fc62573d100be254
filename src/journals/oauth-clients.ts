/**
 * One OAuth client per ORCID credentials record: tokens belong to the member client that obtained
 * them, so a code is exchanged, and a token refreshed or revoked, with that client's id and secret
 * at its environment's token endpoint, never another's. The configured `default` record keeps the
 * plugin's own OAuth client. Built on first use and rebuilt when a record changes (a rotated secret).
 */
import type { OrcidOAuth } from '../orcid/oauth.js';
import { DEFAULT_JOURNAL_ID } from '../store/store.js';
import type { OrcidCredentials } from './model.js';

/** The OAuth client of a credentials record; `undefined` (a token sealed before journals) is `default`. */
export type OAuthFor = (credentialsId: string | undefined | null) => Promise<OrcidOAuth>;

export function createOAuthClients(deps: {
  /** The plugin's OAuth client of the `orcid.*` settings. */
  defaultOAuth: OrcidOAuth;
  credentials: (id: string) => Promise<OrcidCredentials>;
  build: (credentials: OrcidCredentials) => OrcidOAuth;
  /** Whether the `default` record is the `orcid.*` settings (not replaced in `orcidCredentials`). */
  defaultIsConfigured: boolean;
}): OAuthFor {
  const built = new WeakMap<OrcidCredentials, OrcidOAuth>();
  return async (credentialsId) => {
    const id = credentialsId ?? DEFAULT_JOURNAL_ID;
    if (id === DEFAULT_JOURNAL_ID && deps.defaultIsConfigured) return deps.defaultOAuth;
    const credentials = await deps.credentials(id);
    let oauth = built.get(credentials);
    if (!oauth) built.set(credentials, (oauth = deps.build(credentials)));
    return oauth;
  };
}
