import type { Context } from 'koa';
import type { EmulatorCore } from './core.js';
import { ERR, forbidden, notFound, orcidError } from './errors.js';
import { bearer, sendOAuthError } from './http.js';
import type { TokenRecord } from './state.js';

/**
 * Access-token checks of the member API, in ORCID's order
 * (../shared/orcid-model/README.md, "Error responses": `checkClientAccessAndScopes → isMyToken`
 * (401, 9017) then `checkScopes` (403, 9038)). Unknown, revoked or expired tokens get OAuth JSON
 * `invalid_token` (401) whatever the Accept header.
 */

/** The token of the request, or null after answering 401. */
export function requireToken(core: EmulatorCore, ctx: Context): TokenRecord | null {
  const value = bearer(ctx);
  if (!value) {
    sendOAuthError(ctx, 401, 'unauthorized', 'Full authentication is required to access this resource');
    return null;
  }
  const t = core.state.token(value);
  if (!t || t.revoked) {
    sendOAuthError(ctx, 401, 'invalid_token', `Invalid access token: ${value}`);
    return null;
  }
  if (t.expiresAt <= core.now().getTime()) {
    sendOAuthError(ctx, 401, 'invalid_token', `Access token expired: ${value}`);
    return null;
  }
  return t;
}

const missingScope = (ctx: Context, scope: string): null => forbidden(ctx, `Insufficient or wrong scope [${scope}]`, ERR.scope);

/** A write needs a 3-legged token of that very iD (401, 9017) with /activities/update (403, 9038). */
export function requireWrite(core: EmulatorCore, ctx: Context, orcid: string): TokenRecord | null {
  const t = requireToken(core, ctx);
  if (!t) return null;
  if (!core.state.researcher(orcid)) return notFound(ctx, `ORCID iD ${orcid} not found`);
  if (t.orcid !== orcid) return orcidError(ctx, 401, ERR.wrongRecord, 'Access token is for a different record');
  if (!t.scope.includes('/activities/update')) return missingScope(ctx, '/activities/update');
  return t;
}

/**
 * Reads: any valid token reads public data (every item the emulator stores is public);
 * `limited` (e-mails) needs /read-limited from that iD's own token.
 */
export function requireRead(core: EmulatorCore, ctx: Context, orcid: string): { token: TokenRecord; limited: boolean } | null {
  const t = requireToken(core, ctx);
  if (!t) return null;
  if (!core.state.researcher(orcid)) return notFound(ctx, `ORCID iD ${orcid} not found`);
  return { token: t, limited: t.orcid === orcid && t.scope.includes('/read-limited') };
}

/** A client-credentials token with one of `scopes` (the first is named in the 403, 9038). */
export function requireClientScope(core: EmulatorCore, ctx: Context, ...scopes: string[]): TokenRecord | null {
  const t = requireToken(core, ctx);
  if (!t) return null;
  if (t.orcid !== null || !scopes.some((s) => t.scope.includes(s))) return missingScope(ctx, scopes[0]);
  return t;
}
