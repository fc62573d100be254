/**
 * One ORCID member API client per member client id (issue 19): ORCID limits each member client on
 * its own, so a job of a journal takes its request from the rate budget of its credentials' client
 * id, and finds its own items among summaries by that client id (the items' source). Journals
 * sharing a client id share one API client and one budget. The `default` record of the `orcid.*`
 * settings keeps the plugin's own client.
 */
import type { OrcidCredentials } from './model.js';
import { DEFAULT_JOURNAL_ID } from '../store/store.js';

export interface ApiClientOf<C> {
  client: C;
  /** The ORCID client id: the source of the items this client posts. */
  clientId: string;
}

export function createApiClients<C>(deps: {
  /** The plugin's API client of the `orcid.*` settings, and its client id. */
  defaultClient: ApiClientOf<C>;
  credentials: (id: string) => Promise<OrcidCredentials>;
  /** An API client whose requests draw from the budget of `clientId`. */
  build: (clientId: string) => C;
  /** Whether the `default` record is the `orcid.*` settings (not replaced in `orcidCredentials`). */
  defaultIsConfigured: boolean;
}): (credentialsId: string | undefined | null) => Promise<ApiClientOf<C>> {
  const built = new Map<string, ApiClientOf<C>>([[deps.defaultClient.clientId, deps.defaultClient]]);
  return async (credentialsId) => {
    const id = credentialsId ?? DEFAULT_JOURNAL_ID;
    if (id === DEFAULT_JOURNAL_ID && deps.defaultIsConfigured) return deps.defaultClient;
    const { clientId } = await deps.credentials(id);
    let api = built.get(clientId);
    if (!api) built.set(clientId, (api = { client: deps.build(clientId), clientId }));
    return api;
  };
}
