import type Router from '@koa/router';
import type { Context } from 'koa';
import { selfIdKeys } from '../orcid/external-id.js';
import { requireRead, requireWrite } from './api-auth.js';
import { checkModel } from './checks.js';
import { recordChanged, validateCached, type EmulatorCore } from './core.js';
import { badRequest, ERR, forbidden, notFound, orcidError } from './errors.js';
import { findOrCreateGroup } from './group-ids.js';
import { bodyIsJson, readBody, sendOrcid } from './http.js';
import { ItemParseError, assertWellFormed, parseItemJson, parseItemXml, splitBulkXml, type ParsedItem } from './items.js';
import { employmentsJson, employmentsXml, personJson, personXml, recordJson, recordXml, sectionJson, sectionXml } from './record-views.js';
import { errorJson, errorXml, itemJson, itemXml, type RenderContext } from './render.js';
import type { Section, StoredItem } from './state.js';

/**
 * ORCID member API v3.0 activities: work, peer-review, service (POST, GET/PUT/DELETE by
 * put-code), bulk works, and the read views (works, peer-reviews, services, employments,
 * person, record). Sources: ../shared/orcid-model/README.md, "Activities endpoints",
 * "Payload rules that the XSD does not enforce", "Error responses".
 */

const SECTIONS: Section[] = ['work', 'peer-review', 'service'];
const ORCID_RE = /^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/;
const PUT_CODE = /^\d+$/;
const BULK_MAX = 100;

export function renderContext(core: EmulatorCore): RenderContext {
  return { baseUrl: core.baseUrl, orcidHost: core.orcidHost, clientName: (id) => core.state.client(id)?.name ?? id };
}

type Failure = { ok: false; status: number; message: string; code: number };
type Checked = { ok: true; parsed: ParsedItem } | Failure;

/**
 * Parse + (optionally) XSD-validate one incoming item, then apply ORCID's rules in its order:
 * put-code on a POST (9024), the server-side checks, the peer-review group (an `issn:` group is
 * created on first use; another unknown group → 9020), duplicates of this client's own items (9021).
 */
async function checkItem(core: EmulatorCore, section: Section, body: string, json: boolean, orcid: string, clientId: string, exceptPutCode?: string): Promise<Checked> {
  let parsed: ParsedItem;
  try {
    if (json) parsed = parseItemJson(section, body);
    else {
      assertWellFormed(body);
      if (core.validateXml) {
        const v = await validateCached(body, section);
        if (!v.valid) return { ok: false, status: 400, code: ERR.badRequest, message: `Invalid incoming message: ${v.errors.map((e) => e.message.trim()).join('; ')}` };
      }
      parsed = parseItemXml(section, body);
    }
  } catch (e) {
    if (e instanceof ItemParseError) return { ok: false, status: 400, code: ERR.badRequest, message: `Invalid incoming message: ${e.message}` };
    throw e;
  }
  if (exceptPutCode === undefined && parsed.putCode) return { ok: false, status: 400, code: ERR.putCodeOnPost, message: 'Put-code must not be present when creating an item' };
  const problem = checkModel(section, parsed.model);
  if (problem) return { ok: false, ...problem };
  if (section === 'peer-review') {
    const groupId = parsed.model.groupId ?? '';
    const g = findOrCreateGroup(core, groupId);
    if (!g.ok) return { ok: false, status: 400, code: g.code, message: g.message };
    if (!g.group) return { ok: false, status: 400, code: ERR.invalidMessage, message: `Invalid incoming message: The given group id does not exist in our records: ${groupId}` };
  }
  const dup = core.state.itemWithSelfId(orcid, section, clientId, selfIdKeys(parsed.model.externalIds), exceptPutCode);
  if (dup) {
    return {
      ok: false,
      status: 409,
      code: ERR.duplicate,
      message: `You have already added this activity (matched by external identifiers), please see element with put-code ${dup.putCode}. If you are trying to edit the item, please use PUT instead of POST.`,
    };
  }
  return { ok: true, parsed };
}

function store(core: EmulatorCore, orcid: string, clientId: string, parsed: ParsedItem, body: string, json: boolean): StoredItem {
  const at = core.now().toISOString();
  const m = parsed.model;
  const item: StoredItem = {
    putCode: core.state.nextPutCode(),
    section: parsed.section,
    orcid,
    sourceClientId: clientId,
    createdAt: at,
    modifiedAt: at,
    body,
    format: json ? 'json' : 'xml',
    externalIds: m.externalIds,
    title: m.title,
    type: m.type,
    groupId: m.groupId,
    model: m,
  };
  core.state.addItem(item);
  return item;
}

function fail(ctx: Context, c: Failure): void {
  orcidError(ctx, c.status, c.code, c.message);
}

function sectionOf(ctx: Context): Section | null {
  const s = ctx.params.section as Section;
  return SECTIONS.includes(s) ? s : null;
}

export function memberApiRoutes(router: Router, core: EmulatorCore): void {
  const rc = () => renderContext(core);
  const orcidOk = (ctx: Context) => ORCID_RE.test(ctx.params.orcid) || notFound(ctx, `ORCID iD ${ctx.params.orcid} not found`);

  router.post('/v3.0/:orcid/works', async (ctx) => {
    if (!orcidOk(ctx)) return;
    const t = requireWrite(core, ctx, ctx.params.orcid);
    if (!t) return;
    await bulk(core, ctx, ctx.params.orcid, t.clientId, rc());
  });

  // GET /works/{pc1},{pc2},… (≤ 100): each work, or a 404 (9016) error in its place.
  router.get('/v3.0/:orcid/works/:putCodes', (ctx) => {
    if (!orcidOk(ctx) || !requireRead(core, ctx, ctx.params.orcid)) return;
    const codes = ctx.params.putCodes.split(',');
    if (codes.length > BULK_MAX) return badRequest(ctx, `A bulk request may name at most ${BULK_MAX} works, got ${codes.length}`);
    if (!codes.every((c) => PUT_CODE.test(c))) return badRequest(ctx, `Put-codes must be numbers: ${ctx.params.putCodes}`, ERR.putCodeNotNumber);
    const works = core.state.items(ctx.params.orcid, 'work');
    const results: BulkResult[] = codes.map((c) => {
      const item = works.find((w) => w.putCode === c);
      return item ? { item } : { error: { status: 404, developerMessage: `404 Not Found: No work with put-code ${c} on ${ctx.params.orcid}`, userMessage: 'The resource was not found.', errorCode: ERR.notFound } };
    });
    sendBulk(ctx, results, rc());
  });

  router.post('/v3.0/:orcid/:section', async (ctx, next) => {
    const section = sectionOf(ctx);
    if (!section) return next();
    if (!orcidOk(ctx)) return;
    const orcid = ctx.params.orcid;
    const t = requireWrite(core, ctx, orcid);
    if (!t) return;
    const body = await readBody(ctx);
    const json = bodyIsJson(ctx);
    const c = await checkItem(core, section, body, json, orcid, t.clientId);
    if (!c.ok) return fail(ctx, c);
    const item = store(core, orcid, t.clientId, c.parsed, body, json);
    recordChanged(core, orcid);
    ctx.status = 201;
    ctx.set('Location', `${core.baseUrl}/v3.0/${orcid}/${section}/${item.putCode}`);
    ctx.body = '';
  });

  const find = (ctx: Context, section: Section): StoredItem | null => {
    if (!PUT_CODE.test(ctx.params.putCode)) return badRequest(ctx, `Put-code ${ctx.params.putCode} is not a number`, ERR.putCodeNotNumber);
    const item = core.state.items(ctx.params.orcid, section).find((i) => i.putCode === ctx.params.putCode);
    return item ?? notFound(ctx, `No ${section} with put-code ${ctx.params.putCode} on ${ctx.params.orcid}`);
  };

  router.get('/v3.0/:orcid/:section/:putCode', (ctx, next) => {
    const section = sectionOf(ctx);
    if (!section) return next();
    if (!orcidOk(ctx) || !requireRead(core, ctx, ctx.params.orcid)) return;
    const item = find(ctx, section);
    if (item) sendOrcid(ctx, 200, () => itemXml(item, rc()), () => itemJson(item, rc()));
  });

  router.put('/v3.0/:orcid/:section/:putCode', async (ctx, next) => {
    const section = sectionOf(ctx);
    if (!section) return next();
    if (!orcidOk(ctx)) return;
    const orcid = ctx.params.orcid;
    const t = requireWrite(core, ctx, orcid);
    if (!t) return;
    const item = find(ctx, section);
    if (!item) return;
    if (item.sourceClientId !== t.clientId) return forbidden(ctx, `You are not the source of the ${section}, so you are not allowed to update it.`, ERR.notSource);
    const body = await readBody(ctx);
    const json = bodyIsJson(ctx);
    const c = await checkItem(core, section, body, json, orcid, t.clientId, item.putCode);
    if (!c.ok) return fail(ctx, c);
    if (c.parsed.putCode !== item.putCode) return badRequest(ctx, `The put-code in the body (${c.parsed.putCode ?? 'none'}) must match the one in the URL (${item.putCode})`, ERR.putCodeMismatch);
    const m = c.parsed.model;
    core.state.updateItem(item, { body, format: json ? 'json' : 'xml', externalIds: m.externalIds, title: m.title, type: m.type, groupId: m.groupId, model: m, modifiedAt: core.now().toISOString() });
    recordChanged(core, orcid);
    sendOrcid(ctx, 200, () => itemXml(item, rc()), () => itemJson(item, rc()));
  });

  router.delete('/v3.0/:orcid/:section/:putCode', (ctx, next) => {
    const section = sectionOf(ctx);
    if (!section) return next();
    if (!orcidOk(ctx)) return;
    const t = requireWrite(core, ctx, ctx.params.orcid);
    if (!t) return;
    const item = find(ctx, section);
    if (!item) return;
    if (item.sourceClientId !== t.clientId) return forbidden(ctx, `You are not the source of the ${section}, so you are not allowed to delete it.`, ERR.notSource);
    core.state.removeItem(item);
    recordChanged(core, ctx.params.orcid);
    ctx.status = 204;
  });

  const views: Record<string, (orcid: string, limited: boolean) => [() => string, () => unknown]> = {
    works: (o) => [() => sectionXml('work', o, core.state.items(o, 'work'), rc()), () => sectionJson('work', o, core.state.items(o, 'work'), rc())],
    'peer-reviews': (o) => [() => sectionXml('peer-review', o, core.state.items(o, 'peer-review'), rc()), () => sectionJson('peer-review', o, core.state.items(o, 'peer-review'), rc())],
    services: (o) => [() => sectionXml('service', o, core.state.items(o, 'service'), rc()), () => sectionJson('service', o, core.state.items(o, 'service'), rc())],
    employments: (o) => [() => employmentsXml(core.state.researcher(o)!), () => employmentsJson(core.state.researcher(o)!)],
    person: (o, l) => [() => personXml(core.state.researcher(o)!, l), () => personJson(core.state.researcher(o)!, l)],
    record: (o, l) => [() => recordXml(core.state.researcher(o)!, core.state.items(o), l, rc()), () => recordJson(core.state.researcher(o)!, core.state.items(o), l, rc())],
  };

  router.get('/v3.0/:orcid/:view', (ctx, next) => {
    const view = views[ctx.params.view];
    if (!view || !Object.hasOwn(views, ctx.params.view)) return next();
    if (!orcidOk(ctx)) return;
    const r = requireRead(core, ctx, ctx.params.orcid);
    if (!r) return;
    const [xml, json] = view(ctx.params.orcid, r.limited);
    sendOrcid(ctx, 200, xml, json);
  });
}

/** Bulk works (max 100): each work is created or answered with its own error, like ORCID's bulk endpoint. */
async function bulk(core: EmulatorCore, ctx: Context, orcid: string, clientId: string, rc: RenderContext): Promise<void> {
  const body = await readBody(ctx);
  const json = bodyIsJson(ctx);
  let works: string[];
  try {
    if (json) {
      const list = (JSON.parse(body) as { bulk?: { work?: unknown }[] }).bulk;
      if (!Array.isArray(list)) throw new ItemParseError('expected {"bulk": [{"work": …}]}');
      works = list.map((b) => JSON.stringify(b.work ?? {}));
    } else {
      works = splitBulkXml(body);
      // One validation of the whole bulk when it is valid; per-work validation only to find the bad ones.
      if (core.validateXml && !(await validateCached(body, 'works')).valid) {
        const v = await Promise.all(works.map((w) => validateCached(w, 'work')));
        if (v.every((r) => r.valid)) return void badRequest(ctx, 'Invalid incoming message: the bulk element is not valid');
      }
    }
  } catch (e) {
    if (e instanceof ItemParseError || e instanceof SyntaxError) return void badRequest(ctx, `Invalid incoming message: ${e.message}`);
    throw e;
  }
  if (works.length > BULK_MAX) return void badRequest(ctx, `A bulk request may hold at most ${BULK_MAX} works, got ${works.length}`);
  const results: BulkResult[] = [];
  for (const w of works) {
    const c = await checkItem(core, 'work', w, json, orcid, clientId);
    if (c.ok) results.push({ item: store(core, orcid, clientId, c.parsed, w, json) });
    else results.push({ error: { status: c.status, developerMessage: `${c.status} ${c.status === 409 ? 'Conflict' : 'Bad Request'}: ${c.message}`, userMessage: 'The item could not be saved.', errorCode: c.code } });
  }
  if (results.some((r) => 'item' in r)) recordChanged(core, orcid);
  sendBulk(ctx, results, rc);
}

type BulkResult = { item: StoredItem } | { error: { status: number; developerMessage: string; userMessage: string; errorCode: number } };

/** A `<bulk:bulk>` answer: per work, the item or its `<error:error>` (sample `read/bulk-work-err.xml`). */
function sendBulk(ctx: Context, results: BulkResult[], rc: RenderContext): void {
  sendOrcid(
    ctx,
    200,
    () =>
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<bulk:bulk xmlns:bulk="http://www.orcid.org/ns/bulk">${results
        .map((r) => ('item' in r ? itemXml(r.item, rc) : errorXml(r.error)).replace(/^<\?xml[^>]*\?>\s*/, ''))
        .join('')}</bulk:bulk>`,
    () => ({ bulk: results.map((r) => ('item' in r ? { work: itemJson(r.item, rc) } : { error: errorJson(r.error) })) }),
  );
}
