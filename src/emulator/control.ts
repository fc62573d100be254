import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { randomBytes } from 'node:crypto';
import { isOrcidId } from '../orcid/id.js';
import { addResearcher, emptyStats, issueToken, recordChanged, resetFaults, type EmulatorCore } from './core.js';
import { checkFaults } from './faults.js';
import { readJson } from './http.js';
import { parseScope } from './oauth.js';
import type { Affiliation } from './state.js';

/**
 * The control API under `/_emulator/` (JSON in, JSON out): what tests, the demo and the
 * benchmarks use to set the stage without a browser. Not part of ORCID.
 */

/**
 * Only scripts may drive the control API, never a web page the developer happens to visit: a
 * request that carries a foreign `Origin` (or `Sec-Fetch-Site: cross-site`) is refused, and so is a
 * write that is not `application/json` — a type no cross-site form or no-cors fetch can send.
 */
export function controlGuard(core: EmulatorCore) {
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith('/_emulator/')) return next();
    const origin = ctx.get('origin');
    if ((origin !== '' && origin !== new URL(core.baseUrl).origin) || ctx.get('sec-fetch-site') === 'cross-site') {
      return problem(ctx, 403, 'the control API refuses cross-origin requests');
    }
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method);
    if (write && ctx.get('content-type').split(';')[0].trim().toLowerCase() !== 'application/json') {
      return problem(ctx, 415, 'the control API takes application/json only');
    }
    return next();
  };
}

function problem(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { error: message };
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

export function controlRoutes(router: Router, core: EmulatorCore): void {
  router.post('/_emulator/clients', async (ctx) => {
    const b = await readJson(ctx);
    if (!isStr(b.name)) return problem(ctx, 400, 'name must be a non-empty string');
    if (!Array.isArray(b.redirectUris) || !b.redirectUris.every(isStr)) return problem(ctx, 400, 'redirectUris must be an array of strings');
    const clientId = `APP-${randomBytes(12).toString('hex').toUpperCase().slice(0, 16)}`;
    const clientSecret = randomBytes(16).toString('hex');
    core.state.data.clients.push({ clientId, clientSecret, name: b.name, redirectUris: b.redirectUris as string[], member: b.member !== false, premium: b.premium === true });
    core.state.changed();
    ctx.status = 201;
    ctx.body = { clientId, clientSecret };
  });

  router.post('/_emulator/researchers', async (ctx) => {
    const b = await readJson(ctx);
    if (!isStr(b.givenNames) || !isStr(b.familyName)) return problem(ctx, 400, 'givenNames and familyName must be non-empty strings');
    if (b.orcid !== undefined && (!isOrcidId(b.orcid) || !/^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/.test(b.orcid as string))) return problem(ctx, 400, 'orcid must be a hyphenated ORCID iD with a valid check digit');
    if (b.orcid !== undefined && core.state.researcher(b.orcid as string)) return problem(ctx, 409, `researcher ${b.orcid as string} exists`);
    const r = addResearcher(core, {
      orcid: b.orcid as string | undefined,
      givenNames: b.givenNames,
      familyName: b.familyName,
      email: isStr(b.email) ? b.email : undefined,
      affiliations: Array.isArray(b.affiliations) ? (b.affiliations as Affiliation[]) : [],
    });
    ctx.status = 201;
    ctx.body = { orcid: r.orcid };
  });

  router.get('/_emulator/researchers', (ctx) => {
    ctx.body = core.state.data.researchers;
  });

  router.post('/_emulator/tokens', async (ctx) => {
    const b = await readJson(ctx);
    const client = core.state.client(b.clientId as string);
    if (!client) return problem(ctx, 400, `unknown clientId ${String(b.clientId)}`);
    const orcid = b.orcid === undefined || b.orcid === null ? null : String(b.orcid);
    if (orcid && !core.state.researcher(orcid)) return problem(ctx, 400, `unknown orcid ${orcid}`);
    const scope = Array.isArray(b.scope) ? (b.scope as string[]) : parseScope(b.scope as string | undefined);
    if (!scope.length) return problem(ctx, 400, 'scope is required');
    ctx.body = issueToken(core, client.clientId, orcid, scope);
  });

  const tokenAction = (apply: (t: NonNullable<ReturnType<typeof core.state.token>>) => void) => async (ctx: Context) => {
    const b = await readJson(ctx);
    const t = core.state.token(String(b.accessToken));
    if (!t) return problem(ctx, 404, 'unknown accessToken');
    apply(t);
    core.state.changed();
    ctx.body = { ok: true };
  };
  router.post('/_emulator/revoke', tokenAction((t) => (t.revoked = true)));
  router.post('/_emulator/expire', tokenAction((t) => (t.expiresAt = core.now().getTime() - 1000)));

  router.get('/_emulator/records/:orcid', (ctx) => {
    const r = core.state.researcher(ctx.params.orcid);
    if (!r) return problem(ctx, 404, 'unknown orcid');
    ctx.body = {
      ...r,
      items: core.state.items(r.orcid).map((i) => ({
        putCode: i.putCode,
        type: i.section,
        itemType: i.type,
        title: i.title,
        sourceClientId: i.sourceClientId,
        externalIds: i.externalIds,
        groupId: i.groupId,
        createdAt: i.createdAt,
        modifiedAt: i.modifiedAt,
        format: i.format,
        xml: i.format === 'xml' ? i.body : undefined,
        json: i.format === 'json' ? i.body : undefined,
      })),
      webhooks: core.state.data.webhooks.filter((w) => w.orcid === r.orcid),
    };
  });

  router.post('/_emulator/records/:orcid/edit', async (ctx) => {
    const r = core.state.researcher(ctx.params.orcid);
    if (!r) return problem(ctx, 404, 'unknown orcid');
    const b = await readJson(ctx);
    if (b.action === 'delete-item') {
      const item = core.state.items(r.orcid).find((x) => x.putCode === String(b.putCode));
      if (!item) return problem(ctx, 404, `no item with put-code ${String(b.putCode)}`);
      core.state.removeItem(item);
    } else if (b.action === 'rename') {
      if (!isStr(b.givenNames) || !isStr(b.familyName)) return problem(ctx, 400, 'givenNames and familyName must be non-empty strings');
      r.givenNames = b.givenNames;
      r.familyName = b.familyName;
      r.modifiedAt = core.now().toISOString();
    } else return problem(ctx, 400, "action must be 'delete-item' or 'rename'");
    recordChanged(core, r.orcid);
    ctx.body = { ok: true };
  });

  router.put('/_emulator/faults', async (ctx) => {
    const { faults, problems } = checkFaults(await readJson(ctx));
    if (problems.length) return problem(ctx, 400, problems.join('; '));
    core.faults = faults;
    if (faults.rateLimit !== undefined) core.limiter.set(faults.rateLimit);
    ctx.body = faults;
  });

  router.get('/_emulator/stats', (ctx) => {
    ctx.body = { ...core.stats, webhookDeliveries: core.notifier.deliveries };
  });

  router.post('/_emulator/reset', (ctx) => {
    core.state.reset(core.initialClients);
    core.stats = emptyStats();
    resetFaults(core);
    core.limiter.set(core.initialRateLimit);
    core.notifier.deliveries.length = 0;
    ctx.body = { ok: true };
  });
}
