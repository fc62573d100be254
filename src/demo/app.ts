import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { bodyParser } from '../web/body-parser.js';
import type { OrcidConnect } from '../plugin.js';
import { createRenderer, resolveLocale } from '../web/templates.js';
import { coerceError, ForbiddenError, OrcidPluginError } from '../errors.js';
import { DemoData } from './data.js';
import type { DemoDeps } from './deps.js';
import { createView } from './view.js';
import { worded, wordsOf } from './page-error.js';
import { DEMO_CSS } from './css.js';
import { currentDemoUser, demoLocale, DEMO_RESEARCHERS, DEMO_USERS } from './people.js';
import { journalRoutes } from './routes-journal.js';
import { demoJournalId, demoJournalLocale, ZH_JOURNAL } from './journals.js';
import { publishRoutes } from './routes-publish.js';

export interface DemoAppOptions {
  orcid: OrcidConnect;
  publicUrl: string;
  now: () => Date;
  /** Called with errors behind a 5xx page (default: stderr). */
  onError?: (err: Error) => void;
  /** Reachable from the network: a banner, no act-as switcher, no mailbox; everyone is the author. */
  exposed?: boolean;
}

/** The demo journal as a Koa app, with the plugin mounted under its mount path. */
export function createDemoApp({ orcid, publicUrl, now, onError, exposed = false }: DemoAppOptions): Koa {
  const config = orcid.config;
  const renderer = createRenderer({ orcidBaseUrl: config.orcid.baseUrl, defaultLocale: config.locale });
  const render = createView({
    journal: config.journal, demoUsers: DEMO_USERS, researchers: DEMO_RESEARCHERS,
    orcidBase: config.orcid.baseUrl, orcidEnv: config.orcid.env, mountPath: config.mountPath,
  });
  const demoJournals = [{ id: 'default', title: config.journal.title }, { id: ZH_JOURNAL.id, title: ZH_JOURNAL.title }];
  const deps: DemoDeps = { orcid, data: new DemoData(orcid.store), renderer, render, now, publicUrl, mountPath: config.mountPath };

  const app = new Koa();
  app.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (e) {
      const err = coerceError(e);
      const status = err instanceof OrcidPluginError ? err.status : ((e as { status?: number }).status ?? 500);
      if (status >= 500) (onError ?? ((x: Error) => process.stderr.write(`demo: ${x.stack ?? x.message}\n`)))(err);
      ctx.status = status;
      // The server's own words for a 5xx (the page's language); a 4xx says what the route said.
      render(ctx, 'error.njk', { status, message: status < 500 ? err.message : null, serverError: status >= 500, ...(status < 500 ? wordsOf(e) : {}) });
    }
  });
  app.use(async (ctx, next) => {
    // Before the plugin: its currentUser (currentDemoUser) reads this too.
    ctx.state.demoExposed = exposed;
    if (exposed && (ctx.path === '/act-as' || ctx.path === '/mailbox' || ctx.path.startsWith('/mailbox/'))) {
      throw worded(new ForbiddenError('This demo is reachable from the network: the act-as switcher and the mailbox are turned off.'), 'exposed-off');
    }
    await next();
  });
  app.use(orcid.routes());
  app.use(async (ctx, next) => {
    // The demo's own pages speak the switcher's language, else the chosen journal's (the Chinese journal's is zh-Hans), else the browser's.
    const locale = demoLocale(ctx) ?? demoJournalLocale(ctx) ?? resolveLocale(ctx.get('accept-language'), config.locale);
    // The journal chosen with the switcher: the header names it, lists show its manuscripts and articles.
    const journalId = demoJournalId(ctx);
    Object.assign(ctx.state, {
      user: currentDemoUser(ctx), currentPath: ctx.path, mailCount: orcid.mailer.outbox().length, locale,
      journalId, journal: journalId === ZH_JOURNAL.id ? ZH_JOURNAL : config.journal, demoJournals,
    });
    await next();
  });
  app.use(bodyParser({ types: ['form', 'json'], limit: '64kb' }));
  const router = new Router();
  router.get('/demo.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'max-age=300');
    ctx.body = DEMO_CSS;
  });
  journalRoutes(router, deps);
  publishRoutes(router, deps);
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.use((ctx) => {
    ctx.status = 404;
    render(ctx, 'error.njk', { status: 404, missingPath: ctx.path });
  });
  return app;
}
