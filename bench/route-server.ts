/**
 * The server of route-overhead, in its own process: two Koa apps on two ports over one SQLite
 * store — `with` mounts the plugin, `without` does not — serving the same host route, plus, for
 * the JSON API comparison, a plain handler (on `without`) reading the same rows the plugin's
 * contributors API reads. Prints `{ with, without, submissionId }` (ports) and serves until killed.
 *
 * For the per-layer breakdown, `without` also serves the plain handler with the plugin's layers
 * added one at a time, built here from the plugin's own modules (nothing is switched off in src/):
 * - `/layers/json/…`: the same rows as the plugin's JSON, byte for byte (the plain handler leaves
 *   out `uri`, `status` and `invitedAt`): the payload's cost;
 * - `/layers/scoped/…`: that, behind the plugin's role scoping (`viewerOf`, `visibleContributors`:
 *   sign-in check, the viewer's roles, the 404 for outsiders, the reviewer filter).
 * The plugin's route is that plus its mount dispatch, error middleware, CSRF and body layers (a GET
 * passes them) and its router.
 */
import Koa from 'koa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orcidConnect } from '../src/plugin.js';
import { personName } from '../src/person-name.js';
import { viewerOf, visibleContributors } from '../src/web/submission-access.js';
import type { PluginContext } from '../src/context.js';
import type { Contributor } from '../src/store/store.js';

const currentUser = () => ({ id: 'editor-1', roles: ['editor'] });
const orcid = await orcidConnect({ currentUser });
const store = orcid.store;
const submissionId = process.env.BENCH_SUBMISSION!;
/** What the plugin's `viewerOf` reads of its context: the host's user, the store, no roles hook, no `journalOf` (the default). */
const accessContext = { currentUser, store, journalOf: () => null } as unknown as PluginContext;
const recordBase = (process.env.ORCID_BASE_URL ?? '').replace(/\/+$/, '');
const locale = process.env.ORCID_LOCALE ?? 'en';

/** The plugin's JSON for one contributor (src/web/api-routes.ts, `view`), for the same rows. */
async function pluginView(contributors: Contributor[]) {
  const out = [];
  for (const c of contributors) {
    const identity = c.identityId ? await store.getIdentity(c.identityId) : null;
    const linked = identity?.status === 'linked' && c.identityId === identity.id;
    const orcidId = linked ? identity!.orcid : null;
    const status = linked ? 'linked' : identity?.status === 'revoked' && c.identityId === identity.id ? 'revoked' : c.deniedAt ? 'denied' : c.invitationState === 'none' ? 'not-connected' : 'invited';
    out.push({
      contributorId: c.id, name: personName(c, locale), role: c.role, orcid: orcidId, uri: orcidId ? `${recordBase}/${orcidId}` : null,
      authenticated: linked, scopes: linked ? identity!.scopes : [], status, invitedAt: c.invitedAt?.toISOString() ?? null,
    });
  }
  return out;
}

function hostRoutes(app: Koa) {
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/articles/')) {
      ctx.body = { id: ctx.path.slice('/articles/'.length), title: 'An article of the host', authors: ['A. Author', 'B. Author'] };
      return;
    }
    if (ctx.path === `/plain/submissions/${submissionId}/contributors`) {
      const out = [];
      for (const c of await store.listContributors(submissionId)) {
        const identity = c.identityId ? await store.getIdentity(c.identityId) : null;
        const linked = identity?.status === 'linked';
        out.push({ contributorId: c.id, name: `${c.givenNames} ${c.familyName}`, role: c.role, orcid: linked ? identity!.orcid : null, authenticated: linked, scopes: linked ? identity!.scopes : [] });
      }
      ctx.body = out;
      return;
    }
    if (ctx.path === `/layers/json/submissions/${submissionId}/contributors`) {
      ctx.body = await pluginView(await store.listContributors(submissionId));
      return;
    }
    if (ctx.path === `/layers/scoped/submissions/${submissionId}/contributors`) {
      const { user, roles, contributors } = await viewerOf(accessContext, ctx, submissionId);
      ctx.body = await pluginView(visibleContributors(contributors, roles, user.id));
      return;
    }
    return next();
  });
}

async function listen(app: Koa): Promise<number> {
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const withPlugin = new Koa();
withPlugin.use(orcid.routes());
hostRoutes(withPlugin);
const without = new Koa();
hostRoutes(without);
// SIGUSR2: print this process's CPU time so far (µs), so the benchmark can charge CPU per request to each app.
// Listening before the ports are printed: the benchmark signals as soon as it reads them, and a
// SIGUSR2 with no listener ends the process (the benchmark then waited for an answer forever).
process.on('SIGUSR2', () => {
  const u = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: u.user + u.system })}\n`);
});
process.stdout.write(`${JSON.stringify({ with: await listen(withPlugin), without: await listen(without), submissionId })}\n`);
