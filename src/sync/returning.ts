/**
 * Returning researchers: someone who already connected their iD under the same host account is
 * recognised on their next submission, review or editorial role, without a second OAuth round trip.
 *
 * Why this is allowed: ORCID's token is issued to the member client (the journal) for the scopes the
 * researcher approved, for about 20 years unless revoked — not to one manuscript
 * (`../shared/orcid-model/README.md`, "OAuth"; docs/returning-researchers.md). What is reused is exactly the stored
 * token and the iD; nothing is reused across host accounts, and a token that is revoked, expired
 * without a working refresh, or lacks `/activities/update` is never reused: the person is asked again.
 */
import type { Directory, Ledger } from '../store/ports.js';
import type { Contributor, Identity } from '../store/store.js';
import type { TokenSource } from './worker.js';
import { coerceError } from '../errors.js';
import type { Logger } from '../log.js';
import { mayPost } from './connect.js';

export interface ReturningDeps {
  directory: Pick<Directory, 'findIdentityByHostUser' | 'linkContributor'>;
  ledger: Pick<Ledger, 'appendHistory'>;
  tokens: TokenSource;
  now: () => Date;
  logger: Logger;
  /**
   * Whether the identity's token was obtained by the ORCID client of the contributor's journal:
   * tokens belong to that client, so a researcher is recognised among the journals sharing it and
   * never across clients (issue 19). Default: always (one client).
   */
  sameClient?: (identity: Identity, contributor: Contributor) => Promise<boolean>;
  /** The credentials record of a contributor's journal, whose own token must work (default: the last connected client's). */
  credentialsOf?: (contributor: Contributor) => Promise<string>;
}

export function createReturning({ directory, ledger, tokens, now, logger, sameClient, credentialsOf }: ReturningDeps) {
  /**
   * The iD a host user connected, if it may still be used for them: linked, granted
   * `/activities/update`, and with a token that works now (an expired one is refreshed here; a
   * failed refresh means asking again).
   */
  async function usableIdentityOf(hostUserId: string | null | undefined, credentialsId?: string): Promise<Identity | null> {
    if (!hostUserId) return null;
    const identity = await directory.findIdentityByHostUser(hostUserId);
    if (!mayPost(identity) || !identity.sealedTokens) return null;
    try {
      return (await tokens.accessTokenFor(identity, credentialsId ? { credentialsId } : {})) ? identity : null;
    } catch (e) {
      logger.info({ err: coerceError(e), identityId: identity.id }, 'a returning researcher\'s token could not be refreshed; they will be asked again');
      return null;
    }
  }

  /** Link a new contributor slot of a returning researcher to their iD; true when recognised. */
  async function recognise(contributor: Contributor): Promise<boolean> {
    if (contributor.identityId) return false;
    const identity = await usableIdentityOf(contributor.hostUserId, credentialsOf ? await credentialsOf(contributor) : undefined);
    if (!identity || (sameClient && !(await sameClient(identity, contributor)))) return false;
    await directory.linkContributor(contributor.id, identity.id, now());
    await ledger.appendHistory({ at: now(), event: 'identity.recognised', orcid: identity.orcid, identityId: identity.id,
      submissionId: contributor.submissionId, detail: { contributorId: contributor.id } });
    return true;
  }

  return { usableIdentityOf, recognise };
}

export type Returning = ReturnType<typeof createReturning>;
