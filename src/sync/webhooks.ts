import { personName } from '../person-name.js';
import type { Directory, Ledger } from '../store/ports.js';
import type { OrcidClient } from '../orcid/client.js';
import type { RuntimeSettings } from '../context.js';
import type { TokenSource } from './worker.js';
import { isItemKind } from '../store/store.js';
import { findOwnItemByExternalId, parsePersonForPrefill } from '../orcid/record-read.js';
import { tasks } from './tasks.js';

export interface WebhooksDeps {
  ledger: Ledger;
  directory: Directory;
  client: Pick<OrcidClient, 'listSummaries' | 'readPerson'>;
  tokens: TokenSource;
  settings: Pick<RuntimeSettings, 'publicUrl' | 'mountPath' | 'webhooks' | 'clientId'>;
  now: () => Date;
  /** How long a burst of notices for one record is gathered before one reconciliation (`?? 2000` ms). */
  debounceMs?: number;
}

/**
 * Premium webhooks: ORCID calls us when a connected record changes; we reconcile by reading it.
 * Registration, removal and the reconciliation itself are durable tasks (`tasks.ts`) the worker runs.
 */
export function createWebhooks(deps: WebhooksDeps) {
  const { ledger, directory, client, tokens, settings, now } = deps;
  const debounceMs = deps.debounceMs ?? 2000;

  function callbackUrl(orcid: string): string {
    return `${settings.publicUrl}${settings.mountPath}/webhook/${encodeURIComponent(settings.webhooks.secret ?? '')}/${orcid}`;
  }

  /**
   * A notice from ORCID: one reconciliation `debounceMs` later, however many notices arrive until
   * then (the queued task absorbs them). Stored before the route answers, so a crash loses none.
   */
  async function notify(orcid: string): Promise<void> {
    const identity = await directory.findIdentityByOrcid(orcid);
    if (!identity || identity.status !== 'linked') return;
    await ledger.desireDeposit(tasks.reconcile(identity, now(), debounceMs), now());
  }

  /** Items we posted that the researcher removed are marked removed; a new name is picked up. */
  async function reconcile(orcid: string): Promise<{ removed: number }> {
    const identity = await directory.findIdentityByOrcid(orcid);
    if (!identity || identity.status !== 'linked') return { removed: 0 };
    const token = await tokens.accessTokenFor(identity);
    if (!token) return { removed: 0 };
    let removed = 0;
    const deposits = (await ledger.listDeposits({ identityId: identity.id }))
      .filter((d) => isItemKind(d.kind) && d.putCode && d.status === 'synced' && d.desiredState === 'present');
    for (const kind of new Set(deposits.map((d) => d.kind))) {
      if (!isItemKind(kind)) continue;
      const summaries = await client.listSummaries(kind, orcid, token);
      // Ours and still there: our client is its source and its self external id is on the record.
      const gone = deposits.filter((x) => x.kind === kind && findOwnItemByExternalId(summaries, { type: x.externalIdType, value: x.externalIdValue }, settings.clientId) === null);
      for (const d of gone) {
        await ledger.markDepositRemoved(d.key, now());
        await ledger.appendHistory({ at: now(), event: 'item.removed-by-researcher', orcid, identityId: identity.id, submissionId: d.submissionId, depositKey: d.key, detail: { putCode: d.putCode, via: 'webhook' } });
        removed++;
      }
    }
    if (identity.scopes.includes('/read-limited')) {
      const person = parsePersonForPrefill(await client.readPerson(orcid, token));
      const name = person.creditName ?? (personName({ givenNames: person.givenNames, familyName: person.familyName }) || null);
      if (name && name !== identity.name) await directory.updateIdentityName(identity.id, name, now());
    }
    return { removed };
  }

  return { notify, reconcile, callbackUrl };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
