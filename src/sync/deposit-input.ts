import type { DepositKind, DesireDepositInput, Identity } from '../store/store.js';
import { payloadHash } from '../orcid/payload-common.js';

const ACTIVITIES_UPDATE = '/activities/update';

/** An identity that may receive items: linked, authenticated, and granted /activities/update. */
export function mayPost(identity: Identity | null): identity is Identity {
  return !!identity && identity.status === 'linked' && identity.scopes.includes(ACTIVITIES_UPDATE);
}

/** The desired state of one item on one record: present with `xml`, or absent (`xml` null). Keyed `kind:source:orcid`. */
export function depositInput(kind: DepositKind, sourceId: string, submissionId: string | null, who: { id: string; orcid: string },
  externalId: { type: string; value: string }, xml: string | null): DesireDepositInput {
  return {
    key: `${kind}:${sourceId}:${who.orcid}`, kind, identityId: who.id, orcid: who.orcid, sourceId, submissionId,
    externalIdType: externalId.type, externalIdValue: externalId.value, desiredState: xml === null ? 'absent' : 'present',
    payload: xml, payloadHash: xml === null ? null : payloadHash(xml),
  };
}
