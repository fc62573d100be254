import type { Store } from '../store/store.js';
import type { OrcidClient } from '../orcid/client.js';
import type { OrcidOAuth } from '../orcid/oauth.js';
import { buildGroupIdRecordXml } from '../orcid/peer-review.js';
import { OrcidApiError } from '../errors.js';

/**
 * ORCID rejects a peer review whose `review-group-id` it does not know. Before the first peer
 * review of a journal, look the group up (and create it when the client may), then remember that
 * in the store so every later review skips the round trip.
 */
export function createGroupIdEnsurer(deps: { store: Store; client: OrcidClient; oauth: OrcidOAuth; journalTitle: string; publisher?: string }) {
  const { store, client, oauth } = deps;
  const inFlight = new Map<string, Promise<void>>();

  async function ensure(groupId: string): Promise<void> {
    if ((await store.getSetting(`group-id-ready:${groupId}`)) === '1') return;
    let p = inFlight.get(groupId);
    if (!p) {
      p = (async () => {
        const token = await oauth.clientCredentials(['/group-id-record/update']);
        const found = await client.searchGroupId(token.accessToken, { groupId });
        if (!found || !found.includes(groupId)) {
          try {
            await client.createGroupId(token.accessToken, buildGroupIdRecordXml({
              name: deps.journalTitle, groupId, type: 'journal',
              description: `Peer reviews for ${deps.journalTitle}${deps.publisher ? ` (${deps.publisher})` : ''}`,
            }));
          } catch (e) {
            // Another worker process created it between our search and our create: it exists, as wanted.
            if (!(e instanceof OrcidApiError && e.statusCode === 409)) throw e;
          }
        }
        await store.setSetting(`group-id-ready:${groupId}`, '1');
      })().finally(() => inFlight.delete(groupId));
      inFlight.set(groupId, p);
    }
    return p;
  }

  return { ensure };
}

/** The `review-group-id` inside a peer-review payload. */
export function groupIdOfPayload(xml: string): string | null {
  const m = /<(?:[\w-]+:)?review-group-id>([^<]+)<\//.exec(xml);
  return m ? m[1]!.trim() : null;
}
