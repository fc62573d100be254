import type Router from '@koa/router';
import type { Context } from 'koa';
import { requireClientScope } from './api-auth.js';
import type { EmulatorCore } from './core.js';
import { badRequest, ERR, forbidden, notFound } from './errors.js';

/**
 * Premium webhooks: `PUT|DELETE /{orcid}/webhook/{url-encoded callback}` on the API host, without
 * the version segment (../shared/orcid-model/README.md, "Webhooks (Premium)"): 201 + Location when
 * new, 204 when already registered; DELETE → 204, or 404 (9028) when not registered, 403 when
 * another client registered it.
 */
export function webhookRoutes(router: Router, core: EmulatorCore): void {
  const check = (ctx: Context) => {
    const t = requireClientScope(core, ctx, '/webhook');
    if (!t) return null;
    if (!core.state.client(t.clientId)?.premium) return forbidden(ctx, 'Webhooks are available to Premium members only.', ERR.scope);
    if (!core.state.researcher(ctx.params.orcid)) return notFound(ctx, `ORCID iD ${ctx.params.orcid} not found`);
    const url = ctx.params.callback;
    if (!/^https?:\/\//.test(url)) return badRequest(ctx, `Invalid callback URL: ${url}`);
    return { t, url };
  };
  const find = (orcid: string, url: string) => core.state.data.webhooks.findIndex((h) => h.orcid === orcid && h.url === url);

  router.put('/:orcid/webhook/:callback', (ctx) => {
    const c = check(ctx);
    if (!c) return;
    const at = find(ctx.params.orcid, c.url);
    if (at >= 0) {
      if (core.state.data.webhooks[at].clientId !== c.t.clientId) return forbidden(ctx, 'This webhook was registered by another client.', ERR.notSource);
      ctx.status = 204;
      return;
    }
    core.state.data.webhooks.push({ orcid: ctx.params.orcid, url: c.url, clientId: c.t.clientId });
    core.state.changed();
    ctx.status = 201;
    ctx.set('Location', `${core.baseUrl}/${ctx.params.orcid}/webhook/${encodeURIComponent(c.url)}`);
    ctx.body = '';
  });

  router.delete('/:orcid/webhook/:callback', (ctx) => {
    const c = check(ctx);
    if (!c) return;
    const at = find(ctx.params.orcid, c.url);
    if (at < 0) return notFound(ctx, `No webhook ${c.url} is registered for ${ctx.params.orcid}`, ERR.webhookNotFound);
    if (core.state.data.webhooks[at].clientId !== c.t.clientId) return forbidden(ctx, 'This webhook was registered by another client.', ERR.notSource);
    core.state.data.webhooks.splice(at, 1);
    core.state.changed();
    ctx.status = 204;
  });
}
