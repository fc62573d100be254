import type { PluginContext } from '../context.js';
import type { TokenSource } from './worker.js';
import type { Identity } from '../store/store.js';
import { findOwnItemByExternalId, parsePersonForPrefill } from '../orcid/record-read.js';
import { coerceError } from '../errors.js';

/** Premium webhooks: ORCID calls us when a connected record changes; we reconcile by reading it. */
export function createWebhooks(pc: PluginContext, tokens: TokenSource, options: { debounceMs?: number } = {}) {
  const { store, client, oauth, settings, now, logger } = pc;
  const debounceMs = options.debounceMs ?? 2000;
  const timers = new Map<string, NodeJS.Timeout>();

  function callbackUrl(orcid: string): string {
    return `${settings.publicUrl}${settings.mountPath}/webhook/${encodeURIComponent(settings.webhooks.secret ?? '')}/${orcid}`;
  }

  async function register(identity: Identity): Promise<void> {
    if (!settings.webhooks.enabled) return;
    const token = await oauth.clientCredentials(['/webhook']);
    const url = callbackUrl(identity.orcid);
    await client.registerWebhook(identity.orcid, url, token.accessToken);
    await store.upsertWebhook({ orcid: identity.orcid, callbackUrl: url, registeredAt: now() });
  }

  async function unregister(orcid: string): Promise<void> {
    const sub = await store.getWebhook(orcid);
    if (!sub) return;
    const token = await oauth.clientCredentials(['/webhook']);
    await client.unregisterWebhook(orcid, sub.callbackUrl, token.accessToken);
    await store.deleteWebhook(orcid);
  }

  /** A burst of notifications for one record becomes one reconciliation. */
  function notify(orcid: string): void {
    clearTimeout(timers.get(orcid));
    timers.set(orcid, setTimeout(() => {
      timers.delete(orcid);
      reconcile(orcid).catch((e) => logger.warn({ err: coerceError(e), orcid }, 'webhook reconciliation failed'));
    }, debounceMs));
  }

  /** Items we posted that the researcher removed are marked removed; a new name is picked up. */
  async function reconcile(orcid: string): Promise<{ removed: number }> {
    const identity = await store.findIdentityByOrcid(orcid);
    if (!identity || identity.status !== 'linked') return { removed: 0 };
    const token = await tokens.accessTokenFor(identity);
    if (!token) return { removed: 0 };
    let removed = 0;
    const deposits = (await store.listDeposits({ identityId: identity.id })).filter((d) => d.putCode && d.status === 'synced' && d.desiredState === 'present');
    for (const kind of new Set(deposits.map((d) => d.kind))) {
      const summaries = await client.listSummaries(kind, orcid, token);
      // Ours and still there: our client is its source and its self external id is on the record.
      const gone = deposits.filter((x) => x.kind === kind && findOwnItemByExternalId(summaries, { type: x.externalIdType, value: x.externalIdValue }, settings.clientId) === null);
      for (const d of gone) {
        await store.markDepositRemoved(d.key, now());
        await store.appendHistory({ at: now(), event: 'item.removed-by-researcher', orcid, identityId: identity.id, submissionId: d.submissionId, depositKey: d.key, detail: { putCode: d.putCode, via: 'webhook' } });
        removed++;
      }
    }
    if (identity.scopes.includes('/read-limited')) {
      const person = parsePersonForPrefill(await client.readPerson(orcid, token));
      const name = person.creditName ?? ([person.givenNames, person.familyName].filter(Boolean).join(' ') || null);
      if (name && name !== identity.name) await store.updateIdentityName(identity.id, name, now());
    }
    return { removed };
  }

  function close() {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  }

  return { register, unregister, notify, reconcile, callbackUrl, close };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
