import { importOptional } from '../optional-import.js';
import Router from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { addResearcher, emptyStats, ORCID_TOKEN_LIFETIME_SECONDS, type EmulatorCore } from './core.js';
import { decideFault, latencyFor, NO_FAULTS, seededRandom } from './faults.js';
import { groupIdRoutes } from './group-ids.js';
import { webhookRoutes } from './webhook-routes.js';
import { sendOrcidError } from './http.js';
import { memberApiRoutes, renderContext } from './member-api.js';
import { oauthRoutes } from './oauth.js';
import { controlGuard, controlRoutes } from './control.js';
import { ERR } from './errors.js';
import { negotiation } from './negotiate.js';
import { openIdRoutes, OpenIdKeys } from './openid.js';
import { recordPage } from './pages.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitSettings, type TakeResult } from './rate-limit.js';
import { EmulatorState, type ClientRegistration, type ResearcherInput } from './state.js';
import { WebhookNotifier, type WebhookOptions } from './webhooks.js';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** default `127.0.0.1` */
  host?: string;
  /** extra API clients; the demo client `APP-DEMO000000000000` always exists */
  clients?: ClientRegistration[];
  /** researchers to create at start (skipped when the state file already has researchers) */
  researchers?: ResearcherInput[];
  /** JSON file that keeps the state across restarts; written (debounced) on change and on close */
  stateFile?: string;
  /** default `{ perSecond: 24, burst: 40 }` (ORCID's: delay, then 503 past the burst); false switches it off */
  rateLimit?: RateLimitSettings | false;
  /** validate incoming XML against the ORCID XSDs (~120 ms a new payload); default true; needs the package `xmllint-wasm` */
  validateXml?: boolean;
  now?: () => Date;
  /** seed of the generator behind faults and new iDs; default random */
  seed?: number;
  /** lifetime of issued tokens in seconds; default 631138518 (ORCID's ~20 years) */
  tokenLifetimeSeconds?: number;
  webhooks?: WebhookOptions;
  /** host named in source URIs (`https://{host}/client/APP-…`), which ORCID's XSD requires to end in orcid.org; default `sandbox.orcid.org` */
  orcidHost?: string;
  logger?: { info: (obj: Record<string, unknown>, msg?: string) => void };
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:51234` — use it as both the ORCID site and the API base */
  url: string;
  port: number;
  state: EmulatorState;
  /** shared internals (stats, faults, webhook notifier) for tests */
  core: EmulatorCore;
  close(): Promise<void>;
}

/** Paths that get faults and (for the API) the rate limit: everything ORCID serves, not `/_emulator/`. */
const API_PATH = /^\/(v3\.0\/|\d{4}-\d{4}-\d{4}-\d{3}[\dX]\/webhook\/)/;
const FAULT_PATH = /^\/(v3\.0\/|oauth\/(token|revoke)|\d{4}-\d{4}-\d{4}-\d{3}[\dX]\/webhook\/)/;

/**
 * Start an ORCID emulator: OAuth, member API v3.0, webhooks, and the `/_emulator/` control API.
 * @example const orcid = await startEmulator({ validateXml: false }); … await orcid.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  // Say at start, not at the first POST, that validation needs a package that is not installed.
  if (options.validateXml ?? true) await importOptional(() => import('xmllint-wasm'), 'xmllint-wasm', 'The emulator\'s XML validation (validateXml; or start it with validateXml: false, --no-validate)');
  const now = options.now ?? (() => new Date());
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const rateLimit = options.rateLimit === false ? null : (options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const state = new EmulatorState(options.stateFile);
  const log = (msg: string, data: Record<string, unknown> = {}) => options.logger?.info(data, msg);
  const core: EmulatorCore = {
    state,
    now,
    random,
    baseUrl: '',
    validateXml: options.validateXml ?? true,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? ORCID_TOKEN_LIFETIME_SECONDS,
    limiter: new RateLimiter(rateLimit),
    faults: { ...NO_FAULTS },
    notifier: new WebhookNotifier({ now, ...options.webhooks }),
    stats: emptyStats(),
    initialClients: options.clients ?? [],
    initialRateLimit: rateLimit,
    orcidHost: options.orcidHost ?? 'sandbox.orcid.org',
    keys: new OpenIdKeys(),
    log,
  };
  for (const c of core.initialClients) if (!state.client(c.clientId)) state.data.clients.push({ member: true, premium: false, ...c });
  if (!state.data.researchers.length) for (const r of options.researchers ?? []) addResearcher(core, r);

  const app = new Koa();
  const router = new Router();
  app.use(stats(core));
  app.use(errors(core));
  app.use(controlGuard(core));
  app.use(faultsAndLimits(core));
  app.use((ctx, next) => (API_PATH.test(ctx.path) ? negotiation()(ctx, next) : next()));
  controlRoutes(router, core);
  oauthRoutes(router, core);
  openIdRoutes(router, core);
  groupIdRoutes(router, core);
  memberApiRoutes(router, core);
  webhookRoutes(router, core);
  router.get('/:orcid', (ctx, next) => {
    const r = state.researcher(ctx.params.orcid);
    if (!r) return next();
    ctx.type = 'html';
    ctx.body = recordPage(r, state.items(r.orcid), renderContext(core).clientName);
  });
  app.use(router.routes());
  app.use(router.allowedMethods());

  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  core.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log('ORCID emulator listening', { url: core.baseUrl });
  let closed = false;
  return {
    url: core.baseUrl,
    port,
    state,
    core,
    async close() {
      if (closed) return;
      closed = true;
      await core.notifier.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      state.flush();
    },
  };
}

/** Count requests by route and status (a destroyed socket counts as status `reset`). */
function stats(core: EmulatorCore) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } finally {
      const route = `${ctx.method} ${(ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched'}`;
      const status = ctx.state.reset ? 'reset' : String(ctx.status);
      const byStatus = (core.stats.requests[route] ??= {});
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (ctx.state.rateLimited) core.stats.rateLimited += 1;
    }
  };
}

/** One place that turns thrown errors into answers; 5xx details are logged, not shown. */
function errors(core: EmulatorCore) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (e) {
      const err = e as { status?: number; expose?: boolean; message?: string };
      const status = err.status ?? 500;
      if (status >= 500) core.log('emulator error', { err: String(e) });
      const message = status < 500 && err.expose !== false ? (err.message ?? 'Bad request') : 'Internal error';
      sendOrcidError(ctx, { status, developerMessage: `${status}: ${message}`, userMessage: message, errorCode: status >= 500 ? ERR.serverError : ERR.badRequest });
    }
  };
}

function faultsAndLimits(core: EmulatorCore) {
  return async (ctx: Context, next: Next) => {
    if (!FAULT_PATH.test(ctx.path)) return next();
    const delay = latencyFor(core.faults, core.random);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const d = decideFault(core.faults, core.random);
    if (d.kind === 'reset') {
      core.stats.faults.resets += 1;
      ctx.state.reset = true;
      ctx.req.socket.destroy();
      ctx.respond = false;
      return;
    }
    if (d.kind === 'error') {
      core.stats.faults.errors += 1;
      return sendOrcidError(ctx, { status: d.status, developerMessage: `${d.status}: injected fault`, userMessage: 'Something went wrong.', errorCode: ERR.serverError });
    }
    if (d.kind === '429') core.stats.faults.forced429 += 1;
    if (d.kind === '503') core.stats.faults.forced503 += 1;
    if (API_PATH.test(ctx.path)) {
      const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      const key = (token && core.state.token(token)?.clientId) ?? `ip:${ctx.ip}`;
      const taken: TakeResult = d.kind === '429' ? { ok: false, status: 429, retryAfterSeconds: 1 } : d.kind === '503' ? { ok: false, status: 503 } : core.limiter.take(key);
      if (!taken.ok) return throttled(ctx, taken);
      // ORCID queues a request beyond the rate instead of refusing it: hold it until its turn.
      if (taken.delayMs > 0) await new Promise((r) => setTimeout(r, taken.delayMs));
    }
    return next();
  };
}

/**
 * A refused request. 503: ORCID's answer past the burst, no Retry-After; its body is not documented,
 * so the emulator sends the plain page a queueing proxy sends. 429 (test option): ORCID's error body
 * with Retry-After.
 */
function throttled(ctx: Context, t: Exclude<TakeResult, { ok: true }>): void {
  ctx.state.rateLimited = true;
  if (t.status === 503) {
    ctx.status = 503;
    ctx.type = 'text/html';
    ctx.body = '<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n';
    return;
  }
  ctx.set('Retry-After', String(t.retryAfterSeconds));
  sendOrcidError(ctx, { status: 429, developerMessage: '429 Too Many Requests: rate limit exceeded', userMessage: 'Too many requests, slow down.', errorCode: ERR.badRequest });
}
