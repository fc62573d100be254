import type Router from '@koa/router';
import type { Context } from 'koa';
import { requireClientScope } from './api-auth.js';
import { validIssn } from './checks.js';
import { validateCached, type EmulatorCore } from './core.js';
import { badRequest, conflict, ERR, notFound } from './errors.js';
import { bodyIsJson, readBody, sendOrcid } from './http.js';
import { ItemParseError, assertWellFormed, parseGroupId } from './items.js';
import { groupIdJson, groupIdXml } from './render.js';
import type { GroupIdRecord } from './state.js';

/**
 * Peer-review group ids (`/v3.0/group-id-record`), as ORCID keeps them
 * (../shared/orcid-model/README.md, "Peer-review groups"): an `issn:` group needs no set-up (a
 * peer review or a search creates it); other groups must be created first with
 * `/group-id-record/update` (duplicate → 409, 9025); a search needs `/group-id-record/read` and
 * answers 200 with an empty record, not 404, for an unknown non-ISSN group.
 */

const NS = 'xmlns:group-id="http://www.orcid.org/ns/group-id" xmlns:common="http://www.orcid.org/ns/common"';
const READ = ['/group-id-record/read', '/group-id-record/update'];
const PUT_CODE = /^\d+$/;

export type GroupLookup = { ok: true; group: GroupIdRecord | null } | { ok: false; code: number; message: string };

/**
 * The group named `groupId`, creating an `issn:` group on first use as ORCID does (keyed by the
 * ISSN given, normalized; ORCID names it after the ISSN portal's title, which the emulator cannot
 * reach, so it is named after the ISSN). A malformed ISSN → 9053.
 */
export function findOrCreateGroup(core: EmulatorCore, groupId: string): GroupLookup {
  if (!groupId.startsWith('issn:')) return { ok: true, group: core.state.data.groups.find((g) => g.groupId === groupId) ?? null };
  const issn = validIssn(groupId.slice(5));
  if (!issn) return { ok: false, code: ERR.invalidIssn, message: `Invalid ISSN: ${groupId.slice(5)}` };
  const key = `issn:${issn}`;
  const found = core.state.data.groups.find((g) => g.groupId === key);
  if (found) return { ok: true, group: found };
  const group: GroupIdRecord = { putCode: core.state.nextPutCode(), name: `ISSN ${issn}`, groupId: key, description: `Peer reviews for the journal with ISSN ${issn}`, type: 'journal', sourceClientId: 'ORCID' };
  core.state.data.groups.push(group);
  core.state.changed();
  return { ok: true, group };
}

const one = (ctx: Context, g: GroupIdRecord | null) =>
  sendOrcid(
    ctx,
    200,
    () => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${g ? groupIdXml(g) : `<group-id:group-id-record ${NS}/>`}`,
    () => (g ? groupIdJson(g) : { name: null, 'group-id': null, description: null, type: null }),
  );

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
          const v = await validateCached(body, 'group-id-record');
          if (!v.valid) return badRequest(ctx, `Invalid incoming message: ${v.errors.map((e) => e.message.trim()).join('; ')}`);
        }
      }
      g = parseGroupId(body, json);
    } catch (e) {
      if (e instanceof ItemParseError || e instanceof SyntaxError) return badRequest(ctx, `Invalid incoming message: ${e.message}`);
      throw e;
    }
    if (!g.name || !g.groupId || !g.description || !g.type) return badRequest(ctx, 'name, group-id, description and type are required', ERR.invalidMessage);
    if (g.putCode) return badRequest(ctx, 'Put-code must not be present when creating a group-id-record', ERR.putCodeOnPost);
    const existing = core.state.data.groups.find((x) => x.groupId === g.groupId);
    if (existing) return conflict(ctx, `The group-id-record ${g.groupId} already exists with put-code ${existing.putCode}`, ERR.groupExists);
    const putCode = core.state.nextPutCode();
    core.state.data.groups.push({ name: g.name, groupId: g.groupId, description: g.description, type: g.type, putCode, sourceClientId: t.clientId });
    core.state.changed();
    ctx.status = 201;
    ctx.set('Location', `${core.baseUrl}/v3.0/group-id-record/${putCode}`);
    ctx.body = '';
  });

  router.get('/v3.0/group-id-record', (ctx) => {
    if (!requireClientScope(core, ctx, ...READ)) return;
    const q = (k: string) => (typeof ctx.query[k] === 'string' ? (ctx.query[k] as string) : undefined);
    const groupId = q('group-id');
    if (groupId !== undefined) {
      const found = findOrCreateGroup(core, groupId);
      if (!found.ok) return badRequest(ctx, found.message, found.code);
      return one(ctx, found.group);
    }
    const groups = core.state.data.groups;
    const name = q('name')?.toLowerCase();
    const page = Math.max(1, Number(q('page') ?? 1) || 1);
    const size = Math.min(1000, Math.max(1, Number(q('page-size') ?? 100) || 100));
    const hits = groups.filter((g) => name === undefined || g.name.toLowerCase().includes(name));
    const slice = hits.slice((page - 1) * size, page * size);
    sendOrcid(
      ctx,
      200,
      () => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<group-id:group-id-records ${NS}><group-id:total>${hits.length}</group-id:total><group-id:page>${page}</group-id:page><group-id:page-size>${size}</group-id:page-size>${slice.map(groupIdXml).join('')}</group-id:group-id-records>`,
      () => ({ total: hits.length, page, 'page-size': size, 'group-id-record': slice.map(groupIdJson) }),
    );
  });

  router.get('/v3.0/group-id-record/:putCode', (ctx) => {
    if (!requireClientScope(core, ctx, ...READ)) return;
    if (!PUT_CODE.test(ctx.params.putCode)) return badRequest(ctx, `Put-code ${ctx.params.putCode} is not a number`, ERR.putCodeNotNumber);
    const g = core.state.data.groups.find((x) => x.putCode === ctx.params.putCode);
    if (!g) return notFound(ctx, `group-id-record ${ctx.params.putCode} not found`);
    one(ctx, g);
  });
}
