import type Router from '@koa/router';
import { badRequest, forbidden, notFound, requireClientScope, requireToken } from './api-auth.js';
import { validateCached, type EmulatorCore } from './core.js';
import { bodyIsJson, readBody, sendOrcid, sendOrcidError } from './http.js';
import { ItemParseError, assertWellFormed, parseGroupId } from './items.js';
import { groupIdJson, groupIdXml } from './render.js';

/**
 * Peer-review group ids (`/v3.0/group-id-record`) and Premium webhooks
 * (`PUT|DELETE /{orcid}/webhook/{url-encoded callback}`).
 * https://info.orcid.org/documentation/api-tutorials/api-tutorial-peer-review/
 */

const NS = 'xmlns:group-id="http://www.orcid.org/ns/group-id" xmlns:common="http://www.orcid.org/ns/common"';

export function groupIdRoutes(router: Router, core: EmulatorCore): void {
  router.post('/v3.0/group-id-record', async (ctx) => {
    const t = requireClientScope(core, ctx, '/group-id-record/update');
    if (!t) return;
    const body = await readBody(ctx);
    const json = bodyIsJson(ctx);
    let g: ReturnType<typeof parseGroupId>;
    try {
      if (!json) {
        assertWellFormed(body);
        if (core.validateXml) {
          // The vendored group-id-3.0.xsd imports common_2.1, which is not vendored, so xmllint may
          // fail to compile it; then only the structural checks below apply.
          const v = await validateCached(body, 'group-id-record').catch(() => null);
          if (v && !v.valid) return badRequest(ctx, `Invalid incoming message: ${v.errors.map((e) => e.message.trim()).join('; ')}`);
        }
      }
      g = parseGroupId(body, json);
    } catch (e) {
      if (e instanceof ItemParseError || e instanceof SyntaxError) return badRequest(ctx, `Invalid incoming message: ${e.message}`);
      throw e;
    }
    if (!g.name || !g.groupId || !g.description || !g.type) return badRequest(ctx, 'name, group-id, description and type are required');
    const existing = core.state.data.groups.find((x) => x.groupId === g.groupId);
    if (existing) {
      return sendOrcidError(ctx, { status: 409, developerMessage: `409 Conflict: The group-id ${g.groupId} already exists with put-code ${existing.putCode}`, userMessage: 'This group id already exists.', errorCode: 9021 });
    }
    const putCode = core.state.nextPutCode();
    core.state.data.groups.push({ ...g, putCode, sourceClientId: t.clientId });
    core.state.changed();
    ctx.status = 201;
    ctx.set('Location', `${core.baseUrl}/v3.0/group-id-record/${putCode}`);
    ctx.body = '';
  });

  router.get('/v3.0/group-id-record', (ctx) => {
    if (!requireToken(core, ctx)) return;
    const groups = core.state.data.groups;
    const q = (k: string) => (typeof ctx.query[k] === 'string' ? (ctx.query[k] as string) : undefined);
    const groupId = q('group-id');
    if (groupId !== undefined) {
      const g = groups.find((x) => x.groupId === groupId);
      if (!g) return notFound(ctx, `group-id ${groupId} not found`);
      return sendOrcid(ctx, 200, () => `<?xml version="1.0" encoding="UTF-8"?>\n${groupIdXml(g)}`, () => groupIdJson(g));
    }
    const name = q('name')?.toLowerCase();
    const page = Math.max(1, Number(q('page') ?? 1) || 1);
    const size = Math.min(1000, Math.max(1, Number(q('page-size') ?? 100) || 100));
    const hits = groups.filter((g) => name === undefined || g.name.toLowerCase().includes(name));
    const slice = hits.slice((page - 1) * size, page * size);
    sendOrcid(
      ctx,
      200,
      () => `<?xml version="1.0" encoding="UTF-8"?>\n<group-id:group-id-records ${NS}><group-id:total>${hits.length}</group-id:total><group-id:page>${page}</group-id:page><group-id:page-size>${size}</group-id:page-size>${slice.map(groupIdXml).join('')}</group-id:group-id-records>`,
      () => ({ total: hits.length, page, 'page-size': size, 'group-id-record': slice.map(groupIdJson) }),
    );
  });

  router.get('/v3.0/group-id-record/:putCode', (ctx) => {
    if (!requireToken(core, ctx)) return;
    const g = core.state.data.groups.find((x) => x.putCode === ctx.params.putCode);
    if (!g) return notFound(ctx, `group-id-record ${ctx.params.putCode} not found`);
    sendOrcid(ctx, 200, () => `<?xml version="1.0" encoding="UTF-8"?>\n${groupIdXml(g)}`, () => groupIdJson(g));
  });
}

export function webhookRoutes(router: Router, core: EmulatorCore): void {
  const check = (ctx: Parameters<Parameters<Router['put']>[1]>[0]) => {
    const t = requireClientScope(core, ctx, '/webhook');
    if (!t) return null;
    if (!core.state.client(t.clientId)?.premium) return forbidden(ctx, 'Webhooks are available to Premium members only.');
    if (!core.state.researcher(ctx.params.orcid)) return notFound(ctx, `ORCID iD ${ctx.params.orcid} not found`);
    const url = ctx.params.callback;
    if (!/^https?:\/\//.test(url)) return badRequest(ctx, `Invalid callback URL: ${url}`);
    return { t, url };
  };

  router.put('/:orcid/webhook/:callback', (ctx) => {
    const c = check(ctx);
    if (!c) return;
    const hooks = core.state.data.webhooks;
    if (hooks.some((h) => h.orcid === ctx.params.orcid && h.url === c.url)) {
      ctx.status = 204;
      return;
    }
    hooks.push({ orcid: ctx.params.orcid, url: c.url, clientId: c.t.clientId });
    core.state.changed();
    ctx.status = 201;
    ctx.body = '';
  });

  router.delete('/:orcid/webhook/:callback', (ctx) => {
    const c = check(ctx);
    if (!c) return;
    const hooks = core.state.data.webhooks;
    const i = hooks.findIndex((h) => h.orcid === ctx.params.orcid && h.url === c.url);
    if (i >= 0) hooks.splice(i, 1);
    core.state.changed();
    ctx.status = 204;
  });
}
