/**
 * Durable tasks: side effects at ORCID that used to run as unawaited promises and in-memory timers
 * (webhook registration and removal, token revocation, the prefill read, the reconcile debounce)
 * and were lost on a crash. Each is now a ledger entry with a desired state and an outbox job, so
 * the worker runs it, retries it by the same rules as items, and a crash only delays it.
 */
import type { Directory } from '../store/ports.js';
import type { ClaimedJob, DesireDepositInput, Identity, TaskKind } from '../store/store.js';
import type { OrcidClient } from '../orcid/client.js';
import { OrcidOAuthError, type OrcidOAuth } from '../orcid/oauth.js';
import type { TokenCipher } from '../store/token-cipher.js';
import { OrcidApiError, TokenRevokedError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { openTokenSet } from './tokens.js';
import { readPrefill } from './prefill.js';
import type { TokenSource } from './worker.js';

/** A task's entry in the ledger. `seed` makes each request a new version (each unlink, each link, each notice). */
function task(kind: TaskKind, identity: Pick<Identity, 'id' | 'orcid'>, present: boolean, payload: string | null, seed: string, runAt?: Date): DesireDepositInput {
  return {
    key: `${kind}:${identity.orcid}`, kind, identityId: identity.id, orcid: identity.orcid, sourceId: identity.orcid, submissionId: null,
    externalIdType: 'task', externalIdValue: kind, desiredState: present ? 'present' : 'absent',
    payload: present ? payload : null, payloadHash: present ? `${kind}:${seed}` : null, ...(runAt ? { runAt } : {}),
  };
}

export const tasks = {
  /** Our webhook on the record, registered at `callbackUrl`. */
  registerWebhook: (identity: Identity, callbackUrl: string) => task('webhook', identity, true, callbackUrl, callbackUrl),
  /** No webhook of ours on the record (unlink, revoked token); ORCID's 404/9028 counts as done. */
  unregisterWebhook: (identity: Identity) => task('webhook', identity, false, null, ''),
  /** The token revoked at ORCID once the unlink's deletes are done; retried until ORCID confirms. */
  revokeToken: (identity: Identity, now: Date) => task('revocation', identity, true, null, String(now.getTime())),
  /** The record read once for the host's forms (each link reads it again). */
  readPrefill: (identity: Identity, now: Date) => task('prefill', identity, true, null, String(now.getTime())),
  /** The record compared with our items, `debounceMs` after a notice: a burst of notices is one reconciliation. */
  reconcile: (identity: Identity, now: Date, debounceMs: number) => task('reconcile', identity, true, null, String(now.getTime()), new Date(now.getTime() + debounceMs)),
};

export interface TaskDeps {
  directory: Directory;
  client: Pick<OrcidClient, 'registerWebhook' | 'unregisterWebhook' | 'readPerson' | 'readEmployments'>;
  oauth: Pick<OrcidOAuth, 'clientCredentials' | 'revoke'>;
  /** The OAuth client of the credentials that obtained a token, to revoke it there (default: `oauth`). */
  oauthFor?: (credentialsId: string | undefined) => Promise<Pick<OrcidOAuth, 'revoke'>>;
  cipher: TokenCipher;
  tokens: TokenSource;
  now: () => Date;
  logger: Logger;
  /** Reads the record and marks what the researcher removed (`webhooks.ts`). */
  reconcile(orcid: string): Promise<unknown>;
  /** The identity is revoked for good, after ORCID confirmed (`lifecycle.ts`). */
  revoked(identity: Identity): Promise<void>;
}

/** Run one claimed task; returns what completes it (the put-code column: a marker, or null once absent). */
export function createTaskRunner(deps: TaskDeps) {
  const { directory, client, oauth, now } = deps;

  async function webhook(claimed: ClaimedJob, checkLease: () => void): Promise<string | null> {
    const { deposit } = claimed;
    checkLease();
    const token = await oauth.clientCredentials(['/webhook']);
    if (deposit.desiredState === 'present') {
      checkLease();
      await client.registerWebhook(deposit.orcid, deposit.payload!, token.accessToken);
      await directory.upsertWebhook({ orcid: deposit.orcid, callbackUrl: deposit.payload!, registeredAt: now() });
      return deposit.payload;
    }
    const url = (await directory.getWebhook(deposit.orcid))?.callbackUrl ?? deposit.putCode;
    if (url) {
      try {
        checkLease();
        await client.unregisterWebhook(deposit.orcid, url, token.accessToken);
      } catch (e) {
        // 404 (ORCID error 9028): not registered, which is what we want.
        if (!(e instanceof OrcidApiError && e.statusCode === 404)) throw e;
      }
    }
    await directory.deleteWebhook(deposit.orcid);
    return null;
  }

  async function revocation(claimed: ClaimedJob, checkLease: () => void): Promise<string> {
    const identity = await directory.getIdentity(claimed.deposit.identityId);
    // Linked again since the unlink: the new token is theirs to keep.
    if (!identity || identity.status !== 'unlinking') return 'skipped';
    // Every client's token, each revoked with the client that obtained it (issue 19); a token is
    // deleted once ORCID confirmed, so a retry revokes only those left.
    for (const token of await directory.listIdentityTokens(identity.id)) {
      try {
        checkLease();
        const tokens = openTokenSet(deps.cipher, token.sealedTokens);
        await (deps.oauthFor ? await deps.oauthFor(token.credentialsId) : oauth).revoke(tokens.accessToken);
      } catch (e) {
        // The job is retried by the usual rules until ORCID confirms; the token is kept until then.
        deps.logger.warn({ err: coerceError(e), orcid: identity.orcid, credentialsId: token.credentialsId }, 'revoking the token at ORCID failed; will retry');
        // ORCID failing (5xx) at the OAuth endpoint is the same outage as at the API: say so in the
        // API's terms, which the retry policy knows.
        if (e instanceof OrcidOAuthError && e.statusCode >= 500) throw new OrcidApiError(e.message, { statusCode: e.statusCode, body: e.body });
        throw e;
      }
      await directory.revokeIdentity(identity.id, now(), token.credentialsId);
    }
    await deps.revoked(identity);
    return 'revoked';
  }

  async function prefill(claimed: ClaimedJob, checkLease: () => void): Promise<string> {
    const identity = await directory.getIdentity(claimed.deposit.identityId);
    if (!identity || identity.status !== 'linked') return 'skipped';
    checkLease();
    try {
      return (await readPrefill({ directory, client, tokens: deps.tokens, identity, now })) ? 'read' : 'skipped';
    } catch (e) {
      // The items' own jobs notice a revoked token and act on it; a form prefill is not worth more.
      if (e instanceof TokenRevokedError) return 'skipped';
      throw e;
    }
  }

  return {
    /** `checkLease` throws LEASE_LOST once the lease is gone: called before each call to ORCID. */
    async run(claimed: ClaimedJob, checkLease: () => void = () => undefined): Promise<string | null> {
      switch (claimed.deposit.kind as TaskKind) {
        case 'webhook': return webhook(claimed, checkLease);
        case 'revocation': return revocation(claimed, checkLease);
        case 'prefill': return prefill(claimed, checkLease);
        case 'reconcile':
          checkLease();
          await deps.reconcile(claimed.deposit.orcid);
          return 'reconciled';
      }
    },
  };
}

export type TaskRunner = ReturnType<typeof createTaskRunner>;
