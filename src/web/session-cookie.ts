/**
 * The plugin's session cookie, signed with the plugin's own `sessionKeys` (issue 20).
 *
 * Koa's signed cookies use the host's `app.keys` as they were when the host's first middleware
 * touched a cookie: the plugin cannot rely on them. So the cookie is written unsigned as far as Koa
 * is concerned, and carries its own HMAC: `<payload>.<mac>`, the
 * payload base64url JSON, the mac HMAC-SHA256 of `koa-orcid.sess=<payload>` under the newest key.
 * Any listed key verifies, so a rotation does not end open sessions. A cookie that fails to verify
 * throws, and the session middleware starts a fresh session.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'koa-orcid.sess';

export interface SessionCodec {
  encode(data: object): string;
  decode(cookie: string): Record<string, unknown>;
}

export function sessionCodec(keys: readonly string[]): SessionCodec {
  if (keys.length === 0) throw new Error('sessionKeys must hold at least one key');
  const mac = (key: string, payload: string) => createHmac('sha256', key).update(`${SESSION_COOKIE}=${payload}`).digest('base64url');
  return {
    encode(data) {
      const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
      return `${payload}.${mac(keys[0]!, payload)}`;
    },
    decode(cookie) {
      const dot = cookie.lastIndexOf('.');
      const payload = cookie.slice(0, dot);
      const given = Buffer.from(cookie.slice(dot + 1));
      const valid = dot > 0 && keys.some((key) => {
        const expected = Buffer.from(mac(key, payload));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
      if (!valid) throw new SyntaxError('session cookie signature does not verify');
      const data: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SyntaxError('session cookie is not an object');
      return data as Record<string, unknown>;
    },
  };
}
