/**
 * The identity lifecycle — linking, unlinking, revoking — in one place, called by the routes (a
 * person connects or unlinks) and by the worker (ORCID refused a token, an unlink's deletes are
 * done, ORCID confirmed a revocation). Business rules, below the routes (STYLE rule 17).
 */
import type { Directory, Ledger } from '../store/ports.js';
import type { Contributor, Deposit, Identity } from '../store/store.js';
import { isItemKind } from '../store/store.js';
import type { RuntimeSettings } from '../context.js';
import type { Logger } from '../log.js';
import type { TokenSet } from '../orcid/oauth.js';
import { coerceError } from '../errors.js';
import type { Connect } from './connect.js';
import { tasks } from './tasks.js';

export interface LifecycleDeps {
  ledger: Ledger;
  directory: Directory;
  connect: Pick<Connect, 'backfill' | 'unlinkDeposits'>;
  settings: Pick<RuntimeSettings, 'webhooks'>;
  now: () => Date;
  logger: Logger;
  /** The webhook URL of a record, when Premium webhooks are enabled. */
  webhookUrl: ((orcid: string) => string) | null;
  /** Ask a person whose token ORCID refused to connect again (an email). */
  reinvite(contributor: Contributor): Promise<boolean>;
}

export interface LinkInput {
  /** With the credentials record whose client obtained it (absent: `default`). */
  tokens: TokenSet & { credentialsId?: string };
  /** The token set sealed for the store. */
  sealedTokens: string;
  orcid: string;
  /** The contributor slot being connected (null: the signed-in user connects for themselves). */
  contributor: Contributor | null;
  /** The owner of the identity; undefined keeps the stored owner. */
  hostUserId: string | undefined;
}

export function createLifecycle(deps: LifecycleDeps) {
  const { ledger, directory, connect, now, logger } = deps;

  /** A person connected their iD: store it, link the slot, and queue what they are owed. */
  async function link(input: LinkInput): Promise<Identity> {
    const { tokens, contributor } = input;
    // The iD this host user connected before: read before the new link makes the new one the latest.
    const previous = input.hostUserId ? await directory.findIdentityByHostUser(input.hostUserId) : null;
    const identity = await directory.linkIdentity(
      // The token is kept as its client's: another client's token of the same iD stays (issue 19).
      { orcid: input.orcid, hostUserId: input.hostUserId, name: tokens.name, sealedTokens: input.sealedTokens, scopes: tokens.scope, tokenExpiresAt: tokens.expiresAt, authenticated: true,
        ...(tokens.credentialsId ? { credentialsId: tokens.credentialsId } : {}) },
      now(),
    );
    if (contributor) {
      await directory.linkContributor(contributor.id, identity.id, now());
      await directory.setInvitationState(contributor.id, 'used', now());
    }
    await ledger.appendHistory({ at: now(), event: 'identity.linked', orcid: identity.orcid, identityId: identity.id, submissionId: contributor?.submissionId ?? null,
      detail: { contributorId: contributor?.id ?? null, scopes: tokens.scope } });
    if (previous && previous.id !== identity.id && previous.status === 'linked') await release(previous, identity);
    await ledger.unparkJobs({ identityId: identity.id }, now());
    await connect.backfill(identity);
    const follow = [];
    if (deps.webhookUrl) follow.push(tasks.registerWebhook(identity, deps.webhookUrl(identity.orcid)));
    if (identity.scopes.includes('/read-limited')) follow.push(tasks.readPrefill(identity, now()));
    await ledger.desireDeposits(follow, now());
    return identity;
  }

  /**
   * The person chose another iD: their slots move to it (the backfill then queues their items there),
   * and the first iD is unlinked as if they had unlinked it — our items removed by policy, its token
   * revoked at ORCID — so that no token is kept for an iD nobody uses here any more.
   */
  async function release(previous: Identity, next: Identity): Promise<void> {
    for (const c of await directory.listContributorsByIdentity(previous.id)) await directory.linkContributor(c.id, next.id, now());
    await ledger.appendHistory({ at: now(), event: 'identity.replaced', orcid: previous.orcid, identityId: previous.id, detail: { by: next.orcid } });
    await unlink(previous.id);
  }

  /**
   * Unlinking: contributors lose the link at once; items are deleted (or kept) by policy; the token
   * is revoked at ORCID once the deletes are done (they need it), or at once when there are none.
   * Everything is queued: the caller answers at once, the worker does the calls.
   */
  async function unlink(identityId: string): Promise<void> {
    const identity = await directory.getIdentity(identityId);
    if (!identity || identity.status !== 'linked') return;
    await directory.markIdentityUnlinking(identity.id, now());
    await directory.unlinkContributorsOf(identity.id, now());
    const queued = await connect.unlinkDeposits(identity);
    await ledger.appendHistory({ at: now(), event: 'identity.unlink-requested', orcid: identity.orcid, identityId: identity.id, detail: { deletesQueued: queued } });
    const follow = deps.webhookUrl ? [tasks.unregisterWebhook(identity)] : [];
    if (queued === 0) follow.push(tasks.revokeToken(identity, now()));
    await ledger.desireDeposits(follow, now());
  }

  /** After an item job settled: the last delete of an unlink queues the revocation. */
  async function itemSettled(deposit: Deposit): Promise<void> {
    // Only an unlink's deletes can finish an unlink: skip the reads for everything else.
    if (!isItemKind(deposit.kind) || deposit.desiredState !== 'absent') return;
    const identity = await directory.getIdentity(deposit.identityId);
    if (identity?.status !== 'unlinking') return;
    if ((await ledger.countActiveItemJobs(identity.id)) > 0) return;
    await ledger.desireDeposit(tasks.revokeToken(identity, now()), now());
  }

  /** ORCID confirmed the revocation of an unlinked researcher's token: delete it. */
  async function revoked(identity: Identity): Promise<void> {
    await directory.revokeIdentity(identity.id, now());
    await ledger.appendHistory({ at: now(), event: 'identity.revoked', orcid: identity.orcid, identityId: identity.id, detail: { by: 'researcher' } });
  }

  /**
   * ORCID refused the token (revoked by the researcher at ORCID, or expired for good): that token
   * is deleted — the identity is revoked with its last one, and then its webhook removed — and the
   * person asked once to connect again. `credentialsId`: the client whose token it was (absent: all).
   */
  async function tokenRevoked(identity: Identity, credentialsId?: string): Promise<void> {
    await directory.revokeIdentity(identity.id, now(), credentialsId);
    const stillLinked = credentialsId !== undefined && (identity.tokenClients ?? []).some((c) => c !== credentialsId);
    if (deps.webhookUrl && !stillLinked) await ledger.desireDeposit(tasks.unregisterWebhook(identity), now());
    // One re-invitation per revocation, to the first of their contributor slots with an email.
    for (const c of await directory.listContributorsByIdentity(identity.id)) {
      if (!c.email) continue;
      await deps.reinvite(c).catch((e) => logger.warn({ err: coerceError(e) }, 're-invitation failed'));
      break;
    }
  }

  return { link, unlink, itemSettled, revoked, tokenRevoked };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
