import type { Store } from '../store/store.js';
import type { OrcidClient } from '../orcid/client.js';
import type { OrcidOAuth } from '../orcid/oauth.js';
import { OrcidOAuthError } from '../orcid/oauth.js';
import { buildGroupIdRecordXml } from '../orcid/peer-review.js';
import { GroupScopeMissingError } from '../orcid/api-errors.js';
import { OrcidApiError } from '../errors.js';

/**
 * ORCID rejects a peer review whose `review-group-id` it does not know (400, 9020), except for
 * `issn:` groups, which it creates itself when the first review citing them is posted
 * (../shared/orcid-model/README.md "Peer-review groups"). So only other groups
 * (`orcid-generated:`, `ringgold:` …) are looked up before the first review of a journal, and
 * created when missing; that is remembered in the store so later reviews skip the round trip.
 * Looking up needs `/group-id-record/read`; only creating needs `/group-id-record/update`, which
 * ORCID grants member clients by hand, so a client without it can still use an existing group.
 */
export function createGroupIdEnsurer(deps: { store: Store; client: OrcidClient; oauth: OrcidOAuth; journalTitle: string; publisher?: string }) {
  const { store, client, oauth } = deps;
  const inFlight = new Map<string, Promise<void>>();

  async function ensure(groupId: string): Promise<void> {
    if (needsNoSetUp(groupId)) return;
    if ((await store.getSetting(`group-id-ready:${groupId}`)) === '1') return;
    let p = inFlight.get(groupId);
    if (!p) {
      p = (async () => {
        const read = await oauth.clientCredentials(['/group-id-record/read']);
        const found = await client.searchGroupId(read.accessToken, { groupId });
        // ORCID answers an unknown non-ISSN group with an empty group-id-record (200), not 404.
        if (!found || !found.includes(groupId)) await create(groupId);
        await store.setSetting(`group-id-ready:${groupId}`, '1');
      })().finally(() => inFlight.delete(groupId));
      inFlight.set(groupId, p);
    }
    return p;
  }

  async function create(groupId: string): Promise<void> {
    let token;
    try {
      token = await oauth.clientCredentials(['/group-id-record/update']);
    } catch (e) {
      // ORCID answers `400 Invalid scope` when the client may not have the scope.
      if (e instanceof OrcidOAuthError && (e.statusCode === 400 || e.statusCode === 403)) {
        throw new GroupScopeMissingError(groupId, { statusCode: e.statusCode, body: e.body });
      }
      throw e;
    }
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

  return {
    ensure,
    /**
     * At start-up, for the configured group: a group that needs set-up must exist or be creatable.
     * @throws GroupScopeMissingError (ORCID_GROUP_SCOPE_MISSING) when it is missing and this client
     *   may not create it; other failures (ORCID unreachable) are left to the first review.
     */
    async checkConfigured(groupId: string | null | undefined): Promise<void> {
      if (!groupId) return;
      await ensure(groupId);
    },
  };
}

/** `issn:` groups are created by ORCID when a review cites them; every other kind must exist first. */
export function needsNoSetUp(groupId: string): boolean {
  return /^issn:/i.test(groupId.trim());
}

/** The `review-group-id` inside a peer-review payload. */
export function groupIdOfPayload(xml: string): string | null {
  const m = /<(?:[\w-]+:)?review-group-id>([^<]+)<\//.exec(xml);
  return m ? m[1]!.trim() : null;
}
