/**
 * Cross-site request forgery defence for every state-changing route (issue 13, finding 2).
 *
 * Three checks, each enough to stop a cross-site form on its own, all required:
 * 1. the request comes from our own origin: `Origin` equals the origin of `publicUrl`, or, when a
 *    browser sends no `Origin`, `Sec-Fetch-Site: same-origin`; a request with neither is refused
 *    (every current browser sends one of them on a POST; other clients can set `Origin`);
 * 2. JSON routes (`<mount>/api/…`) take only `application/json`, which a cross-site form cannot send;
 * 3. a CSRF token, in the `x-csrf-token` header or the `_csrf` form field.
 *
 * The token is an HMAC of a random per-browser cookie under the session keys ("signed double
 * submit", OWASP CSRF cheat sheet), so it needs no server state; a host with its own CSRF tokens
 * passes `csrf: { token, verify }` and the plugin uses those instead.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { OrcidPluginError } from '../errors.js';
import { originOf } from './origin.js';

export const CSRF_REJECTED = 'CSRF_REJECTED';
export const UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE';
export const CSRF_COOKIE = 'koa-orcid.csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/** A host's own CSRF tokens: what to put in forms, and how to check what comes back. */
export interface HostCsrf {
  token(ctx: Context): string | Promise<string>;
  verify(ctx: Context, token: string): boolean | Promise<boolean>;
}

export interface Csrf extends HostCsrf {
  /** Throws a 403 (or 415) unless the request passes the origin, media-type and token checks. */
  check(ctx: Context, options: { json: boolean }): Promise<void>;
  /** The media-type and origin checks alone (run before the body is parsed). */
  checkRequest(ctx: Context, options: { json: boolean }): void;
}

export class CsrfError extends OrcidPluginError {
  constructor(message: string) {
    super(CSRF_REJECTED, message, { status: 403 });
  }
}

export function createCsrf(options: { keys: readonly string[]; publicUrl: string; secure: boolean; host?: HostCsrf }): Csrf {
  const publicOrigin = originOf(options.publicUrl);
  const sign = (key: string, nonce: string) => createHmac('sha256', key).update(`csrf:${nonce}`).digest('base64url');

  const own: HostCsrf = {
    token(ctx) {
      let nonce = ctx.cookies.get(CSRF_COOKIE);
      if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
        nonce = randomBytes(32).toString('base64url');
        // Lax: a cross-site POST does not even carry it. httpOnly: pages get the token, never the nonce.
        ctx.cookies.set(CSRF_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: options.secure, signed: false, overwrite: true });
      }
      return sign(options.keys[0]!, nonce);
    },
    verify(ctx, token) {
      const nonce = ctx.cookies.get(CSRF_COOKIE);
      if (!nonce) return false;
      const given = Buffer.from(token);
      // Every session key, so a rotation does not invalidate open pages.
      return options.keys.some((key) => {
        const expected = Buffer.from(sign(key, nonce));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
    },
  };
  const tokens = options.host ?? own;

  function checkRequest(ctx: Context, { json }: { json: boolean }): void {
    const origin = ctx.get('origin');
    if (origin) {
      if (originOf(origin) !== publicOrigin) throw new CsrfError('Cross-site request refused (Origin is not this site).');
    } else {
      const site = ctx.get('sec-fetch-site');
      if (site !== 'same-origin') throw new CsrfError('Cross-site request refused (send Origin or Sec-Fetch-Site: same-origin).');
    }
    if (json && !ctx.is('application/json')) {
      throw new OrcidPluginError(UNSUPPORTED_MEDIA_TYPE, 'This route accepts only application/json.', { status: 415 });
    }
  }

  return {
    token: (ctx) => tokens.token(ctx),
    verify: (ctx, token) => tokens.verify(ctx, token),
    checkRequest,
    async check(ctx, opts) {
      checkRequest(ctx, opts);
      const body = (ctx.request as unknown as { body?: Record<string, unknown> }).body;
      const field = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
      const token = ctx.get(CSRF_HEADER) || (typeof field === 'string' ? field : '');
      if (!token || token.length > 512 || !(await tokens.verify(ctx, token))) throw new CsrfError('Missing or invalid CSRF token; reload the page and try again.');
    },
  };
}
