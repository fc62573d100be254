import type { Identity } from '../store/store.js';
import type { Directory } from '../store/ports.js';
import type { TokenCipher } from '../store/token-cipher.js';
import type { OrcidOAuth, TokenSet } from '../orcid/oauth.js';
import type { TokenSource } from './worker.js';

/**
 * How a token set is sealed: dates as ISO strings inside the AES-GCM envelope, and the ORCID
 * credentials record whose client obtained it (absent in sets sealed before journals: `default`).
 */
type SealedShape = Omit<TokenSet, 'expiresAt'> & { expiresAt: string; credentialsId?: string };

/** A token set and the credentials record of the client that obtained it (issue 19). */
export type ClientTokenSet = TokenSet & { credentialsId?: string };

export function sealTokenSet(cipher: TokenCipher, tokens: ClientTokenSet): string {
  const shape: SealedShape = { ...tokens, expiresAt: tokens.expiresAt.toISOString() };
  return cipher.seal(shape);
}

export function openTokenSet(cipher: TokenCipher, sealed: string): ClientTokenSet {
  const shape = cipher.open<SealedShape>(sealed);
  return { ...shape, expiresAt: new Date(shape.expiresAt) };
}

const DEFAULT_CREDENTIALS = 'default';

/** Refresh a minute before expiry so a request never starts with a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A person's usable access token: decrypts the sealed set and refreshes it when it expired (or
 * when ORCID refused it), storing the new set sealed. Null when there is no way to get one.
 */
export function createTokenSource(deps: {
  directory: Pick<Directory, 'getIdentity' | 'getIdentityToken' | 'updateIdentityTokens'>; cipher: TokenCipher; oauth: OrcidOAuth; now: () => Date;
  /** The OAuth client of the credentials that obtained a token (default: `oauth` for every token). */
  oauthFor?: (credentialsId: string | undefined) => Promise<OrcidOAuth>;
}): TokenSource {
  const { directory: store, cipher, oauth, now } = deps;
  // Opening a sealed set costs an AES-GCM decryption; the worker asks for the same few tokens over
  // and over. Keyed by the sealed value itself, so a refreshed or revoked set is never served stale.
  const opened = new Map<string, ClientTokenSet>();
  function open(sealed: string): ClientTokenSet {
    let tokens = opened.get(sealed);
    if (!tokens) {
      tokens = openTokenSet(cipher, sealed);
      if (opened.size >= 1000) opened.delete(opened.keys().next().value!);
      opened.set(sealed, tokens);
    }
    return tokens;
  }
  /**
   * The sealed token of `client` (issue 19: one per client). The identity's own copy is its last
   * connected client's token, refreshed with it: used as read, without another round trip.
   */
  async function sealedOf(identity: Identity, client: string, reread: boolean): Promise<string | null> {
    const clients = identity.tokenClients ?? [];
    if (!reread && clients.at(-1) === client && identity.sealedTokens) return identity.sealedTokens;
    if (!clients.includes(client)) return null;
    return (await store.getIdentityToken(identity.id, client))?.sealedTokens ?? null;
  }
  return {
    /**
     * `identity` as just read from the store; it is read again only to refresh. `credentialsId`:
     * the client whose token to use (default: the one connected through last).
     */
    async accessTokenFor(identity: Identity, { forceRefresh = false, credentialsId }: { forceRefresh?: boolean; credentialsId?: string } = {}) {
      const fresh = forceRefresh ? await store.getIdentity(identity.id) : identity;
      // An unlinking identity keeps its token for the deletes that remove our items.
      if (!fresh || (fresh.status !== 'linked' && fresh.status !== 'unlinking') || !fresh.sealedTokens) return null;
      const client = credentialsId ?? fresh.tokenClients?.at(-1) ?? DEFAULT_CREDENTIALS;
      const sealed = await sealedOf(fresh, client, forceRefresh);
      if (!sealed) return null;
      const tokens = open(sealed);
      const expired = tokens.expiresAt.getTime() - EXPIRY_MARGIN_MS <= now().getTime();
      if (!forceRefresh && !expired) return tokens.accessToken;
      if (!tokens.refreshToken) return null;
      // Refreshed by the client that obtained it, and still that client's afterwards.
      const oauthClient = deps.oauthFor ? await deps.oauthFor(client) : oauth;
      const next: ClientTokenSet = { ...(await oauthClient.refresh(tokens)), credentialsId: client };
      await store.updateIdentityTokens(fresh.id, sealTokenSet(cipher, next), next.scope, next.expiresAt, now(), client);
      return next.accessToken;
    },
  };
}
