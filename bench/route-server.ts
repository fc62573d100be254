/**
 * The server of route-overhead, in its own process: two Koa apps on two ports over one SQLite
 * store — `with` mounts the plugin, `without` does not — serving the same host route, plus, for
 * the JSON API comparison, a plain handler (on `without`) reading the same rows the plugin's
 * contributors API reads. Prints `{ with, without, submissionId }` (ports) and serves until killed.
 */
import Koa from 'koa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orcidConnect } from '../src/plugin.js';

const orcid = await orcidConnect({ currentUser: () => ({ id: 'editor-1', roles: ['editor'] }) });
const store = orcid.store;
const submissionId = process.env.BENCH_SUBMISSION!;

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
process.stdout.write(`${JSON.stringify({ with: await listen(withPlugin), without: await listen(without), submissionId })}\n`);
// SIGUSR2: print this process's CPU time so far (µs), so the benchmark can charge CPU per request to each app.
process.on('SIGUSR2', () => {
  const u = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: u.user + u.system })}\n`);
});
