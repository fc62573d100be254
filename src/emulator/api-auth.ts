import type { Context } from 'koa';
import type { EmulatorCore } from './core.js';
import { bearer, sendOAuthError, sendOrcidError } from './http.js';
import type { TokenRecord } from './state.js';

/**
 * Access-token checks of the member API, answering the way ORCID does: 401 `invalid_token`
 * (JSON, whatever the Accept header) for unknown, revoked or expired tokens; 403 with ORCID's
 * error body for a missing scope or a token of another iD.
 */

/** ORCID error codes the emulator uses (see the README, "The ORCID emulator" for which are assumed). */
export const ERR = {
  badRequest: 9001,
  notSource: 9010,
  notFound: 9016,
  forbidden: 9017,
  duplicate: 9021,
  invalidGroup: 9030,
  putCode: 9034,
  workType: 9037,
  rateLimited: 9050,
  serverError: 9008,
} as const;

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

export function forbidden(ctx: Context, message: string, code: number = ERR.forbidden): null {
  sendOrcidError(ctx, { status: 403, developerMessage: `403 Forbidden: ${message}`, userMessage: 'Access denied.', errorCode: code });
  return null;
}

export function notFound(ctx: Context, message: string): null {
  sendOrcidError(ctx, { status: 404, developerMessage: `404 Not Found: ${message}`, userMessage: 'The resource was not found.', errorCode: ERR.notFound });
  return null;
}

export function badRequest(ctx: Context, message: string, code: number = ERR.badRequest): null {
  sendOrcidError(ctx, { status: 400, developerMessage: `400 Bad Request: ${message}`, userMessage: 'The client application sent a bad request to ORCID.', errorCode: code });
  return null;
}

/** A write needs a 3-legged token of that very iD with /activities/update. */
export function requireWrite(core: EmulatorCore, ctx: Context, orcid: string): TokenRecord | null {
  const t = requireToken(core, ctx);
  if (!t) return null;
  if (!core.state.researcher(orcid)) return notFound(ctx, `ORCID iD ${orcid} not found`);
  if (t.orcid !== orcid) return forbidden(ctx, 'The access token was issued for another ORCID iD.');
  if (!t.scope.includes('/activities/update')) return forbidden(ctx, 'Insufficient or wrong scope: /activities/update is required.');
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

/** 2-legged token with `scope`. */
export function requireClientScope(core: EmulatorCore, ctx: Context, scope: string): TokenRecord | null {
  const t = requireToken(core, ctx);
  if (!t) return null;
  if (t.orcid !== null || !t.scope.includes(scope)) return forbidden(ctx, `Insufficient or wrong scope: a client-credentials token with ${scope} is required.`);
  return t;
}
