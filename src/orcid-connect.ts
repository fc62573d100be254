/**
 * The package root's `orcidConnect`: the plugin's runtime (router, sessions, templates, mail, the
 * ORCID client, the worker) is loaded when a host creates the plugin, not when it imports the
 * package, so `import('koa-orcid-connect')` stays cheap (bench/root-import.ts) for a host that only
 * uses the pure helpers, and for the CLI's `--help`.
 */
import type { OrcidConnect, OrcidConnectOptions } from './plugin.js';

/**
 * Create the plugin: validate the configuration, open the store, and return the routes, the host
 * events and the worker.
 * @throws {ConfigError} listing every configuration problem at once.
 * @example
 * import Koa from 'koa';
 * import { orcidConnect } from 'koa-orcid-connect';
 *
 * const app = new Koa();
 * const orcid = await orcidConnect({
 *   currentUser: (ctx) => (ctx.state.user ? { id: ctx.state.user.id, roles: ctx.state.user.roles } : null),
 * });
 * app.use(orcid.routes());
 * orcid.worker.start();
 */
export async function orcidConnect(options: OrcidConnectOptions = {}): Promise<OrcidConnect> {
  const plugin = await import('./plugin.js');
  return plugin.orcidConnect(options);
}
