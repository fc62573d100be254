import type { Identity, Store } from '../store/store.js';
import type { OrcidClient } from '../orcid/client.js';
import type { TokenSource } from './worker.js';
import { parseEmploymentsForPrefill, parsePersonForPrefill } from '../orcid/record-read.js';

/**
 * After someone connects with /read-limited: read their names, visible emails and current
 * affiliations once, and keep them for the host's form (GET <mount>/api/me/prefill).
 */
export async function readPrefill(deps: { store: Store; client: OrcidClient; tokens: TokenSource; identity: Identity }): Promise<void> {
  const { store, client, tokens, identity } = deps;
  if (!identity.scopes.includes('/read-limited')) return;
  const token = await tokens.accessTokenFor(identity);
  if (!token) return;
  const person = parsePersonForPrefill(await client.readPerson(identity.orcid, token));
  const affiliations = parseEmploymentsForPrefill(await client.readEmployments(identity.orcid, token));
  await store.setSetting(`prefill:${identity.id}`, JSON.stringify({ ...person, affiliations }));
}
