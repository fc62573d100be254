/**
 * ORCID OAuth 2.0: the sign-in URL, code exchange, refresh, client credentials and revocation.
 * https://info.orcid.org/documentation/api-tutorials/api-tutorial-get-and-authenticated-orcid-id/
 *
 * The grants go through simple-oauth2 (its own HTTP client, @hapi/wreck — so `fetch` is not used for
 * them; nock intercepts both). Its parsed answer is handed to the pure {@link processTokenResponse},
 * which reads ORCID's extra `orcid` and `name` fields and dates expiry with our injected clock
 * (simple-oauth2 uses Date.now()). Revocation uses `fetch`, see {@link OrcidOAuth.revoke}.
 */
import { AuthorizationCode, ClientCredentials, type ModuleOptions } from 'simple-oauth2';
import { NetworkError, OAuthError, OAUTH_ERROR } from '../errors.js';
import type { OrcidHosts } from './hosts.js';
import { redact } from './http.js';

export { OAUTH_ERROR };
// The error class and its codes live apart from simple-oauth2, so the package root can export them cheaply.
export { OrcidOAuthError, OAUTH_INVALID_GRANT, OAUTH_INVALID_CLIENT, OAUTH_SERVER_ERROR } from './oauth-error.js';
import { OrcidOAuthError, OAUTH_INVALID_GRANT, OAUTH_INVALID_CLIENT, OAUTH_SERVER_ERROR } from './oauth-error.js';

/** A token response from ORCID, in our shape. */
export interface TokenSet {
  accessToken: string;
  /** null for client-credentials tokens. */
  refreshToken: string | null;
  /** `bearer` */
  tokenType: string;
  /** e.g. `['/activities/update', '/read-limited']` */
  scope: string[];
  expiresAt: Date;
  /** The authenticated iD (`0000-0001-2345-6789`); null for client-credentials tokens. */
  orcid: string | null;
  /** The researcher's published name, if they made it visible; else null. */
  name: string | null;
}


export interface AuthorizeUrlParams {
  redirectUri: string;
  /** e.g. `['/authenticate']` or `['/activities/update', '/read-limited']` */
  scope: string[];
  state: string;
  /** Pre-fills ORCID's registration form for people who have no iD yet. */
  prefill?: { givenNames?: string; familyNames?: string; email?: string; lang?: string };
  /** true: show the sign-in form first; false: the registration form (ORCID's `show_login`). */
  showLogin?: boolean;
}

export interface OrcidOAuthOptions {
  clientId: string;
  clientSecret: string;
  hosts: Pick<OrcidHosts, 'authorizeUrl' | 'tokenUrl' | 'revokeUrl'>;
  /** Used for revocation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Default `() => new Date()`. */
  now?: () => Date;
  /** Per request. Default 15000. */
  timeoutMs?: number;
}

export interface OrcidOAuth {
  authorizeUrl(params: AuthorizeUrlParams): string;
  /** @throws OrcidOAuthError `OAUTH_INVALID_GRANT` for a replayed or expired code */
  exchangeCode(code: string, redirectUri: string): Promise<TokenSet>;
  /** A fresh token set; fields ORCID leaves out (refresh token, iD, name) are kept from `tokenSet`. */
  refresh(tokenSet: TokenSet): Promise<TokenSet>;
  /**
   * Revoke an access token at ORCID (POST /oauth/revoke with `client_id`, `client_secret`, `token`).
   * Plain fetch: simple-oauth2 only revokes through an AccessToken object and adds
   * `token_type_hint`, while ORCID documents exactly these three fields.
   */
  revoke(accessToken: string): Promise<void>;
  /** A two-legged token, e.g. `['/group-id-record/update']` or `['/webhook']`. */
  clientCredentials(scope: string[]): Promise<TokenSet>;
}

/**
 * Pure: ORCID's answer to a token request → a {@link TokenSet}, or the typed error.
 * `secrets` are redacted from any body kept on the error (ORCID echoes codes and tokens).
 * @example processTokenResponse(200, { access_token: 'a', token_type: 'bearer', expires_in: 3600, scope: '/authenticate', orcid: '0000-0001-2345-6789', name: 'Sofia Garcia' }, now)
 */
export function processTokenResponse(status: number, body: unknown, now: Date, secrets: Array<string | undefined> = []): TokenSet {
  const text = redact(bodyText(body), secrets);
  const json = asObject(body);
  if (status >= 200 && status < 300) {
    const accessToken = json?.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      throw new OrcidOAuthError(OAUTH_ERROR, `ORCID token endpoint answered ${status} without an access_token`, { statusCode: status, body: redact(text, [typeof accessToken === 'string' ? accessToken : undefined]) }, 502);
    }
    const expiresIn = Number(json!.expires_in);
    return {
      accessToken,
      refreshToken: typeof json!.refresh_token === 'string' && json!.refresh_token !== '' ? json!.refresh_token : null,
      tokenType: typeof json!.token_type === 'string' ? json!.token_type : 'bearer',
      scope: typeof json!.scope === 'string' ? json!.scope.split(/\s+/).filter(Boolean) : [],
      // No expires_in would be a protocol violation; treat such a token as expiring at once.
      expiresAt: new Date(now.getTime() + (Number.isFinite(expiresIn) ? expiresIn * 1000 : 0)),
      orcid: typeof json!.orcid === 'string' && json!.orcid !== '' ? json!.orcid : null,
      name: typeof json!.name === 'string' && json!.name !== '' ? json!.name : null,
    };
  }
  throw oauthErrorFromResponse(status, json, text, 'token request');
}

function oauthErrorFromResponse(status: number, json: Record<string, unknown> | undefined, text: string, what: string): OrcidOAuthError {
  const oauthError = typeof json?.error === 'string' ? json.error : undefined;
  const response = { statusCode: status, body: text, oauthError };
  // The message names the status and the RFC 6749 error only: ORCID's error_description may quote the code.
  const message = `ORCID refused the ${what}: ${status}${oauthError ? ` ${oauthError}` : ''}`;
  if (status >= 500) return new OrcidOAuthError(OAUTH_SERVER_ERROR, message, response, 502);
  // A used, expired or foreign code: the person can simply connect again.
  if (oauthError === 'invalid_grant') return new OrcidOAuthError(OAUTH_INVALID_GRANT, message, response, 400);
  // Our credentials are wrong: a configuration problem, not the person's.
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || status === 401) {
    return new OrcidOAuthError(OAUTH_INVALID_CLIENT, message, response, 502);
  }
  return new OrcidOAuthError(OAUTH_ERROR, message, response, 502);
}

/**
 * @example
 * const oauth = createOAuth({ clientId, clientSecret, hosts: orcidHosts('sandbox') });
 * ctx.redirect(oauth.authorizeUrl({ redirectUri, scope: ['/authenticate'], state }));
 */
export function createOAuth(options: OrcidOAuthOptions): OrcidOAuth {
  const { clientId, clientSecret, hosts } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 15_000;
  const token = new URL(hosts.tokenUrl);
  const authorize = new URL(hosts.authorizeUrl);
  const config: ModuleOptions = {
    client: { id: clientId, secret: clientSecret },
    auth: {
      tokenHost: token.origin,
      tokenPath: token.pathname,
      authorizeHost: authorize.origin,
      authorizePath: authorize.pathname,
    },
    // ORCID's documented form: credentials in the body, not HTTP Basic.
    options: { authorizationMethod: 'body' },
    // json: true (not 'strict') so an HTML 5xx page from ORCID comes back as its body instead of
    // being replaced by wreck's "content-type is not JSON compatible" error.
    http: { json: true, timeout: timeoutMs } as ModuleOptions['http'],
  };
  const { authorizeHost: _h, authorizePath: _p, ...tokenOnly } = config.auth;
  let codeGrant: AuthorizationCode;
  let credentialsGrant: ClientCredentials;
  try {
    codeGrant = new AuthorizationCode(config);
    // simple-oauth2's client-credentials schema refuses the authorize* keys.
    credentialsGrant = new ClientCredentials({ ...config, auth: tokenOnly });
  } catch (e) {
    // Joi's error carries the whole options object (`_original`, with the secret): do not pass it on.
    throw new TypeError(`Invalid OAuth options: ${(e as Error).message}`);
  }

  async function grant(secrets: Array<string | undefined>, run: () => Promise<{ token: Record<string, unknown> }>): Promise<TokenSet> {
    let raw: Record<string, unknown>;
    try {
      raw = (await run()).token;
    } catch (e) {
      throw wreckError(e, secrets, now());
    }
    return processTokenResponse(200, raw, now(), secrets);
  }

  return {
    authorizeUrl(params) {
      const extra: Record<string, string> = {};
      const { prefill = {} } = params;
      if (prefill.givenNames !== undefined) extra.given_names = prefill.givenNames;
      if (prefill.familyNames !== undefined) extra.family_names = prefill.familyNames;
      if (prefill.email !== undefined) extra.email = prefill.email;
      if (prefill.lang !== undefined) extra.lang = prefill.lang;
      if (params.showLogin !== undefined) extra.show_login = String(params.showLogin);
      return codeGrant.authorizeURL({ redirect_uri: params.redirectUri, scope: params.scope, state: params.state, ...extra });
    },
    exchangeCode(code, redirectUri) {
      return grant([code, clientSecret], () => codeGrant.getToken({ code, redirect_uri: redirectUri }));
    },
    async refresh(previous) {
      if (!previous.refreshToken) throw new OAuthError(OAUTH_ERROR, 'This token set has no refresh token', { status: 500 });
      const old = codeGrant.createToken({ access_token: previous.accessToken, refresh_token: previous.refreshToken });
      const next = await grant([previous.refreshToken, previous.accessToken, clientSecret], () => old.refresh());
      return {
        ...next,
        refreshToken: next.refreshToken ?? previous.refreshToken,
        orcid: next.orcid ?? previous.orcid,
        name: next.name ?? previous.name,
      };
    },
    async revoke(accessToken) {
      let res: Response;
      let text: string;
      try {
        res = await doFetch(hosts.revokeUrl, {
          method: 'POST',
          headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, token: accessToken }).toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (e) {
        throw new NetworkError(`Token revocation: no answer from ORCID (${describeNetworkFailure(e)})`, e);
      }
      if (res.ok) return;
      const body = redact(text, [accessToken, clientSecret]);
      throw oauthErrorFromResponse(res.status, asObject(safeJson(text)), body, 'token revocation');
    },
    clientCredentials(scope) {
      return grant([clientSecret], () => credentialsGrant.getToken({ scope }));
    },
  };
}

/** wreck's rejections: an HTTP error answer (Boom with data.isResponseError), or no answer at all. */
function wreckError(e: unknown, secrets: Array<string | undefined>, now: Date): Error {
  const boom = e as { isBoom?: boolean; output?: { statusCode?: number }; data?: unknown; message?: string };
  const data = boom?.data as { isResponseError?: boolean; payload?: unknown } | undefined;
  if (data?.isResponseError) {
    try {
      processTokenResponse(boom.output?.statusCode ?? 500, data.payload, now, secrets);
    } catch (err) {
      return err as Error;
    }
  }
  // A 2xx whose JSON did not parse: wreck attaches the raw payload.
  if (data && data.payload !== undefined) {
    return new OrcidOAuthError(OAUTH_ERROR, 'ORCID token endpoint sent an unreadable answer', { statusCode: 200, body: redact(bodyText(data.payload), secrets) }, 502);
  }
  // Everything else is a request that got no answer: reset, refused, DNS, wreck's timeout (504).
  return new NetworkError(`Token request: no answer from ORCID (${describeNetworkFailure(e)})`, e);
}

function describeNetworkFailure(e: unknown): string {
  const err = e as { name?: string; code?: string; message?: string; data?: { code?: string }; cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || /timeout/i.test(err?.message ?? '')) return 'timeout';
  return err?.code ?? err?.data?.code ?? err?.cause?.code ?? 'connection failed';
}

function bodyText(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
}

function asObject(body: unknown): Record<string, unknown> | undefined {
  if (Buffer.isBuffer(body)) return asObject(safeJson(body.toString('utf8')));
  if (typeof body === 'string') return asObject(safeJson(body));
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
