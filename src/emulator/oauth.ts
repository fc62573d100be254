import type Router from '@koa/router';
import type { Context } from 'koa';
import { randomBytes } from 'node:crypto';
import { addResearcher, issueToken, type EmulatorCore } from './core.js';
import { idToken } from './openid.js';
import { htmlEscape, readForm, sendOAuthError } from './http.js';
import { authorizePage, errorPage } from './pages.js';
import type { ClientRegistration } from './state.js';

/**
 * ORCID's OAuth 2.0 endpoints: authorize (3-legged, with a consent page), token
 * (authorization_code, refresh_token, client_credentials) and revoke
 * (../shared/orcid-model/README.md, "OAuth" and "Scopes").
 *
 * What the emulator does not implement it refuses, so a client never believes a feature works:
 * ORCID scopes without emulated endpoints (`/person/update`, `/premium-notification`), unknown
 * parameters, and PKCE (`code_challenge`, `code_verifier`), which the facts file does not list.
 */

export const THREE_LEGGED_SCOPES = ['/authenticate', '/read-limited', '/activities/update', 'openid'];
export const TWO_LEGGED_SCOPES = ['/read-public', '/webhook', '/group-id-record/update', '/group-id-record/read'];
/** Real ORCID scopes whose endpoints the emulator lacks. */
const NOT_EMULATED = new Set(['/person/update', '/premium-notification']);
const MEMBER_ONLY = new Set(['/read-limited', '/activities/update', '/webhook', '/group-id-record/update', '/group-id-record/read']);
const CODE_TTL_MS = 10 * 60 * 1000;
const AUTHORIZE_PARAMS = new Set(['client_id', 'response_type', 'scope', 'redirect_uri', 'state', 'nonce', 'family_names', 'given_names', 'email', 'lang', 'show_login']);
const TOKEN_PARAMS = new Set(['client_id', 'client_secret', 'grant_type', 'code', 'redirect_uri', 'refresh_token', 'revoke_old', 'scope', 'expires_in']);

export function parseScope(s: string | undefined): string[] {
  return [...new Set((s ?? '').split(/[\s+]+/).filter(Boolean))];
}

/**
 * Whether `uri` is one of the client's redirect URIs, compared as parsed URLs. A registered URI
 * ending in `*` (an emulator convenience) admits the same scheme and host, any port when it names
 * none, and any path under its own; `http://localhost*` admits `http://localhost:3000/cb` but not
 * `http://localhost.evil.example/` nor `http://localhost@evil.example/`.
 */
export function redirectMatches(client: ClientRegistration, uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  if (u.username || u.password || u.hash) return false;
  return client.redirectUris.some((r) => {
    const wildcard = r.endsWith('*');
    let reg: URL;
    try {
      reg = new URL(wildcard ? r.slice(0, -1) : r);
    } catch {
      return false;
    }
    if (!wildcard) return reg.href === u.href;
    const base = reg.pathname.endsWith('/') ? reg.pathname : `${reg.pathname}/`;
    return reg.protocol === u.protocol && reg.hostname === u.hostname && (reg.port === '' || reg.port === u.port) && (reg.pathname === '/' || u.pathname === reg.pathname || u.pathname.startsWith(base));
  });
}

function scopeProblem(client: ClientRegistration, scopes: string[], allowed: string[]): string | null {
  if (!scopes.length) return 'a scope is required';
  const unemulated = scopes.find((s) => NOT_EMULATED.has(s));
  if (unemulated) return `Invalid scope: ${unemulated} (an ORCID scope the emulator does not implement)`;
  const bad = scopes.find((s) => !allowed.includes(s) || (MEMBER_ONLY.has(s) && client.member === false) || (s === '/webhook' && !client.premium));
  return bad ? `Invalid scope: ${bad}` : null;
}

/** The first parameter outside `known`, described for an `invalid_request`; PKCE gets its own words. */
function unsupportedParam(params: Record<string, string>, known: Set<string>): string | null {
  const bad = Object.keys(params).find((k) => !known.has(k));
  if (bad === undefined) return null;
  return /^code_(challenge|challenge_method|verifier)$/.test(bad) ? `PKCE (${bad}) is not supported` : `Unsupported parameter: ${bad}`;
}

function redirect(ctx: Context, base: string, params: Record<string, string | undefined>): void {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  ctx.redirect(u.toString());
}

/** Checks shared by GET and POST authorize; answers with ORCID's error page when the redirect can't be trusted. */
function checkAuthorize(core: EmulatorCore, ctx: Context, q: Record<string, string>): { client: ClientRegistration; scopes: string[] } | null {
  const client = core.state.client(q.client_id);
  const page = (status: number, msg: string) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = errorPage(status, msg);
    return null;
  };
  if (!client) return page(400, `Client not found: ${q.client_id ?? ''}`);
  if (!q.redirect_uri || !redirectMatches(client, q.redirect_uri)) return page(400, 'Redirect URI doesn\'t match your registered redirect URIs.');
  const unsupported = unsupportedParam(q, AUTHORIZE_PARAMS);
  if (unsupported) {
    redirect(ctx, q.redirect_uri, { error: 'invalid_request', error_description: unsupported, state: q.state });
    return null;
  }
  if (q.response_type !== 'code') {
    redirect(ctx, q.redirect_uri, { error: 'unsupported_response_type', error_description: 'Only response_type=code is supported', state: q.state });
    return null;
  }
  const scopes = parseScope(q.scope);
  const problem = scopeProblem(client, scopes, THREE_LEGGED_SCOPES);
  if (problem) {
    redirect(ctx, q.redirect_uri, { error: 'invalid_scope', error_description: problem, state: q.state });
    return null;
  }
  return { client, scopes };
}

const OAUTH_PARAMS = [...AUTHORIZE_PARAMS];
const CONSENT_FIELDS = new Set(['decision', 'orcid', 'new_given_names', 'new_family_name', 'new_email']);

export function oauthRoutes(router: Router, core: EmulatorCore): void {
  router.get('/oauth/authorize', (ctx) => {
    const q = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : (v ?? '')])) as Record<string, string>;
    const ok = checkAuthorize(core, ctx, q);
    if (!ok) return;
    ctx.type = 'html';
    ctx.body = authorizePage({
      client: ok.client,
      scopes: ok.scopes,
      query: Object.fromEntries(OAUTH_PARAMS.filter((k) => q[k] !== undefined).map((k) => [k, q[k]])),
      researchers: core.state.data.researchers,
      prefill: { givenNames: q.given_names, familyNames: q.family_names, email: q.email, showLogin: q.show_login === 'true' },
    });
  });

  router.post('/oauth/authorize', async (ctx) => {
    const f = await readForm(ctx);
    // The consent form adds its own fields to the original query's.
    const query = Object.fromEntries(Object.entries(f).filter(([k]) => !CONSENT_FIELDS.has(k)));
    const ok = checkAuthorize(core, ctx, query);
    if (!ok) return;
    if (f.decision !== 'authorize') {
      redirect(ctx, f.redirect_uri, { error: 'access_denied', error_description: 'User denied access', state: f.state });
      return;
    }
    let orcid = f.orcid;
    if (!orcid && f.new_given_names && f.new_family_name) {
      orcid = addResearcher(core, { givenNames: f.new_given_names, familyName: f.new_family_name, email: f.new_email || undefined }).orcid;
    }
    if (!orcid || !core.state.researcher(orcid)) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage(400, `Choose a researcher to sign in as${orcid ? ` (unknown iD ${htmlEscape(orcid)})` : ''}.`);
      return;
    }
    // ORCID's codes are six characters; the emulator uses the same alphabet.
    const code = randomBytes(4).toString('base64url').slice(0, 6);
    const authTime = core.now().getTime();
    core.state.data.codes.push({ code, clientId: ok.client.clientId, redirectUri: f.redirect_uri, orcid, scope: ok.scopes, expiresAt: authTime + CODE_TTL_MS, used: false, nonce: f.nonce, authTime });
    core.state.changed();
    redirect(ctx, f.redirect_uri, { code, state: f.state });
  });

  router.post('/oauth/token', async (ctx) => {
    const f = await readForm(ctx);
    const client = authenticateClient(core, ctx, f);
    if (!client) return;
    const unsupported = unsupportedParam(f, TOKEN_PARAMS);
    if (unsupported) return sendOAuthError(ctx, 400, 'invalid_request', unsupported);
    if (f.grant_type === 'authorization_code') {
      const c = core.state.data.codes.find((x) => x.code === f.code);
      if (!c || c.used || c.clientId !== client.clientId || c.expiresAt <= core.now().getTime()) {
        if (c) c.used = true;
        return sendOAuthError(ctx, 400, 'invalid_grant', `Invalid authorization code: ${f.code ?? ''}`);
      }
      c.used = true;
      if (f.redirect_uri !== c.redirectUri) return sendOAuthError(ctx, 400, 'invalid_grant', 'Redirect URI mismatch.');
      const token = issueToken(core, client.clientId, c.orcid, c.scope);
      ctx.body = c.scope.includes('openid') ? { ...token, id_token: idToken(core, { clientId: client.clientId, orcid: c.orcid, nonce: c.nonce, authTime: c.authTime ?? c.expiresAt - CODE_TTL_MS }) } : token;
      return;
    }
    if (f.grant_type === 'refresh_token') {
      const old = core.state.data.tokens.find((t) => t.refreshToken === f.refresh_token && t.clientId === client.clientId && !t.revoked);
      if (!old) return sendOAuthError(ctx, 400, 'invalid_grant', `Invalid refresh token: ${f.refresh_token ?? ''}`);
      const scope = f.scope ? parseScope(f.scope) : old.scope;
      if (scope.some((s) => !old.scope.includes(s))) return sendOAuthError(ctx, 400, 'invalid_scope', 'Refreshed scope must be a subset of the original');
      let lifetime: number | undefined;
      if (f.expires_in !== undefined) {
        lifetime = Number(f.expires_in);
        if (!/^\d+$/.test(f.expires_in) || lifetime <= 0) return sendOAuthError(ctx, 400, 'invalid_request', `expires_in must be a positive number of seconds, got ${f.expires_in}`);
        // A refreshed token cannot outlive the token it replaces.
        lifetime = Math.min(lifetime, Math.floor((old.expiresAt - core.now().getTime()) / 1000));
      }
      // ORCID keeps the old token unless revoke_old=true is sent.
      if (f.revoke_old === 'true') old.revoked = true;
      ctx.body = issueToken(core, client.clientId, old.orcid, scope, lifetime);
      return;
    }
    if (f.grant_type === 'client_credentials') {
      const scopes = parseScope(f.scope);
      const problem = scopeProblem(client, scopes, TWO_LEGGED_SCOPES);
      if (problem) return sendOAuthError(ctx, 400, 'invalid_scope', problem);
      ctx.body = issueToken(core, client.clientId, null, scopes);
      return;
    }
    sendOAuthError(ctx, 400, 'unsupported_grant_type', `Unsupported grant type: ${f.grant_type ?? ''}`);
  });

  router.post('/oauth/revoke', async (ctx) => {
    const f = await readForm(ctx);
    const client = authenticateClient(core, ctx, f);
    if (!client) return;
    const t = core.state.data.tokens.find((x) => (x.accessToken === f.token || x.refreshToken === f.token) && x.clientId === client.clientId);
    if (t) {
      t.revoked = true;
      core.state.changed();
    }
    // RFC 7009: 200 whether or not the token existed.
    ctx.status = 200;
    ctx.body = '';
  });
}

/** Client credentials from the form body or HTTP Basic; 401 invalid_client otherwise. */
function authenticateClient(core: EmulatorCore, ctx: Context, f: Record<string, string>): ClientRegistration | null {
  let id = f.client_id;
  let secret = f.client_secret;
  const basic = /^Basic\s+(\S+)$/i.exec(ctx.get('authorization'));
  if (basic) {
    const [u, p] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    id = decodeURIComponent(u ?? '');
    secret = decodeURIComponent(p ?? '');
  }
  const client = core.state.client(id);
  if (!client) {
    sendOAuthError(ctx, 401, 'invalid_client', `Client not found: ${id ?? ''}`);
    return null;
  }
  if (client.clientSecret !== secret) {
    sendOAuthError(ctx, 401, 'invalid_client', 'Bad client credentials');
    return null;
  }
  return client;
}

