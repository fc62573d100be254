import type { Directory } from '../store/ports.js';
import type { Identity } from '../store/store.js';
import type { OrcidClient } from '../orcid/client.js';
import type { TokenSource } from './worker.js';
import { parseEmploymentsForPrefill, parsePersonForPrefill } from '../orcid/record-read.js';

/**
 * After someone connects with /read-limited: read their names, visible emails and current
 * affiliations once, and keep them for the host's form (GET <mount>/api/me/prefill). Runs as the
 * durable `prefill` task; false when there is nothing to read (no scope, no token).
 */
export async function readPrefill(deps: { directory: Directory; client: Pick<OrcidClient, 'readPerson' | 'readEmployments'>; tokens: TokenSource; identity: Identity; now: () => Date }): Promise<boolean> {
  const { directory, client, tokens, identity } = deps;
  if (!identity.scopes.includes('/read-limited')) return false;
  const token = await tokens.accessTokenFor(identity);
  if (!token) return false;
  const person = parsePersonForPrefill(await client.readPerson(identity.orcid, token));
  const affiliations = parseEmploymentsForPrefill(await client.readEmployments(identity.orcid, token));
  await directory.putPrefill(identity.id, { ...person, affiliations }, deps.now());
  return true;
}
