/**
 * The plugin's browser session: a small signed cookie (session-cookie.ts) holding the OAuth round
 * trip in progress and the iD connected in this browser. Its own middleware rather than
 * koa-session, whose dependencies were a sixth of the package's install size, and whose signing
 * would use the host's `app.keys`. A host that runs its own session middleware (`ctx.session`
 * exists) keeps it, and the plugin uses that instead (routes.ts).
 */
import type { Context, Next } from 'koa';
import { SESSION_COOKIE, type SessionCodec } from './session-cookie.js';

/** `ctx.session` while a plugin route runs. */
export type PluginSession = Record<string, unknown> & {
  /** Drop everything in the session (after a sign-in, so a session fixed by an attacker is worth nothing). */
  regenerate(): Promise<void>;
};

export interface SessionOptions {
  codec: SessionCodec;
  /** Secure cookies (behind https). */
  secure: boolean;
  maxAgeMs: number;
  now?: () => number;
}

export function sessionMiddleware(options: SessionOptions) {
  const now = options.now ?? Date.now;
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: options.secure, signed: false, overwrite: true };
  return async (ctx: Context, next: Next) => {
    const raw = ctx.cookies.get(SESSION_COOKIE);
    const stored = raw ? read(options.codec, raw, now()) : {};
    const before = JSON.stringify(stored);
    let regenerated = false;
    const make = (data: Record<string, unknown>): PluginSession => {
      const s = { ...data } as PluginSession;
      Object.defineProperty(s, 'regenerate', {
        enumerable: false,
        value: async () => {
          for (const key of Object.keys(s)) delete s[key];
          regenerated = true;
        },
      });
      return s;
    };
    let session = make(stored);
    Object.defineProperty(ctx, 'session', {
      configurable: true,
      enumerable: true,
      get: () => session,
      set: (value: Record<string, unknown> | null) => {
        session = make(value ?? {});
      },
    });
    await next();
    const after = JSON.stringify(session);
    if (after === before && !regenerated) return;
    if (Object.keys(session).length === 0) {
      if (raw) ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions, expires: new Date(0) });
      return;
    }
    const value = options.codec.encode({ ...session, _expire: now() + options.maxAgeMs, _maxAge: options.maxAgeMs });
    ctx.cookies.set(SESSION_COOKIE, value, { ...cookieOptions, maxAge: options.maxAgeMs });
  };
}

/** The session in a cookie that verifies and has not expired; else a new, empty one. */
function read(codec: SessionCodec, raw: string, now: number): Record<string, unknown> {
  try {
    const { _expire, _maxAge, ...data } = codec.decode(raw);
    return typeof _expire === 'number' && _expire > now ? data : {};
  } catch {
    return {};
  }
}
