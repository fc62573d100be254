import Router from '@koa/router';
import { bodyParser } from './body-parser.js';
import compose from 'koa-compose';
import type Koa from 'koa';
import type { Context, Middleware, Next } from 'koa';
import type { PluginContext } from '../context.js';
import type { InviteService } from './invite-service.js';
import { connectRoutes, type SignInHandler } from './connect-routes.js';
import { apiRoutes } from './api-routes.js';
import { errorMiddleware } from './error-middleware.js';
import { webhookRoutes } from './webhook-routes.js';
import { metricsRoute, type MetricsAccess } from './metrics.js';
import type { Csrf } from './csrf.js';
import session from 'koa-session';
import { researcherRoutes } from './researcher-routes.js';
import { statusPageRoutes } from './status-page.js';
import { platformPageRoutes } from './platform-page.js';
import { createPages, type PageLayout } from './pages.js';
import { SESSION_COOKIE, sessionCodec } from './session-cookie.js';

export interface RoutesOptions {
  onSignIn?: SignInHandler;
  sessionKeys: string[];
  /** Guards every state-changing route (see csrf.ts). */
  csrf: Csrf;
  /** Who may read `<mount>/metrics`; default: anyone (protect it at the proxy). */
  metricsAccess?: MetricsAccess;
  /** The host's layout around the plugin's pages (see pages.ts); default: the plugin's own `layout.njk`. */
  layout?: PageLayout;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);


/**
 * Everything under the mount path. A host that already runs a session middleware (`ctx.session`,
 * e.g. koa-session) keeps its own and we use `ctx.session.orcid`; otherwise koa-session, installed
 * lazily with the host's app (it needs it), whose cookie carries its own signature under
 * `sessionKeys` (session-cookie.ts): neither the host's `app.keys` nor the order of its middleware
 * matters, and the plugin never touches `app.keys`.
 */
export function createRoutes(pc: PluginContext, invites: InviteService, options: RoutesOptions): Middleware {
  const { settings, logger, renderer } = pc;
  const router = new Router({ prefix: settings.mountPath });
  const pages = createPages(renderer, pc.localeFor, options.layout);
  connectRoutes(router, pc, { onSignIn: options.onSignIn, pages });
  researcherRoutes(router, pc, { csrf: options.csrf, pages });
  apiRoutes(router, pc, invites, options.csrf);
  statusPageRoutes(router, pc, options.csrf, pages);
  platformPageRoutes(router, pc, pages);
  webhookRoutes(router, pc);
  metricsRoute(router, pc, options.metricsAccess);
  const handleErrors = errorMiddleware({
    logger,
    renderPage: (ctx, status, message) => pages.html(ctx, status, 'connect-result.njk', { outcome: 'error', status, reason: message, mountPath: settings.mountPath, journalTitle: settings.journal.title }),
  });
  const parseBody = bodyParser({ types: ['json', 'form'], limit: '100kb' });
  const webhookPrefix = `${settings.mountPath}/webhook/`;
  const jsonPrefix = `${settings.mountPath}/api/`;
  // Every state-changing route but ORCID's webhook (no cookies; its secret is the credential).
  const guarded = (ctx: Context) => !SAFE_METHODS.has(ctx.method) && !ctx.path.startsWith(webhookPrefix);
  // Error handling, CSRF checks and body parsing wrap the router rather than being router layers:
  // the router then matches and composes fewer layers on every request.
  const routes = compose([
    handleErrors,
    (ctx: Context, next: Next) => {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') return next();
      // Origin and media type before the body is read: a forged request costs no parsing.
      if (guarded(ctx)) options.csrf.checkRequest(ctx, { json: ctx.path.startsWith(jsonPrefix) });
      return parseBody(ctx, next);
    },
    // Not async: a GET passes without an extra promise.
    (ctx: Context, next: Next) => (guarded(ctx) ? options.csrf.check(ctx, { json: ctx.path.startsWith(jsonPrefix) }).then(() => next()) : next()),
    router.routes() as unknown as Middleware,
    router.allowedMethods() as unknown as Middleware,
  ]);

  const codec = sessionCodec(options.sessionKeys);
  const sessionOptions = {
    key: SESSION_COOKIE, httpOnly: true, sameSite: 'lax' as const, secure: settings.secureCookies, maxAge: 86_400_000, renew: false,
    // Koa's own signing (`signed: true`) would use app.keys as they were when the host first touched a cookie.
    signed: false, encode: (data: object) => codec.encode(data), decode: (cookie: string) => codec.decode(cookie),
  };
  const sessions = new WeakMap<Koa, Middleware>();
  function sessionFor(app: Koa): Middleware {
    let mw = sessions.get(app);
    if (!mw) {
      if ('session' in app.context) {
        mw = (_ctx, next) => next();
      } else {
        mw = session(sessionOptions, app) as unknown as Middleware;
      }
      sessions.set(app, mw);
    }
    return mw;
  }

  const prefix = `${settings.mountPath}/`;
  // Only the browser flows keep state in the session; the JSON API, webhooks and metrics skip it.
  const SESSION_FREE = ['api/submissions/', 'api/jobs/', 'api/deposits/', 'api/csrf-token', 'webhook/', 'metrics'].map((p) => prefix + p);
  // Not async: a request for the host's own pages passes through without an extra promise.
  return (ctx: Context, next: Next) => {
    const path = ctx.path;
    if (path !== settings.mountPath && !path.startsWith(prefix)) return next();
    if (SESSION_FREE.some((p) => path.startsWith(p))) return routes(ctx, next);
    return sessionFor(ctx.app)(ctx, () => routes(ctx, next));
  };
}
