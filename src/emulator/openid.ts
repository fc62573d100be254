import type Router from '@koa/router';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { requireToken } from './api-auth.js';
import type { EmulatorCore } from './core.js';
import { sendOAuthError } from './http.js';
import { THREE_LEGGED_SCOPES, TWO_LEGGED_SCOPES } from './oauth.js';
import { displayName } from './render.js';

/**
 * ORCID's OpenID Connect: discovery at `/.well-known/openid-configuration`, keys at `/oauth/jwks`,
 * `/oauth/userinfo`, and an RS256 `id_token` (claims `aud, sub, auth_time, amr, iss, exp, iat,
 * nonce, jti`) in the token response when the `openid` scope was granted
 * (../shared/orcid-model/README.md, "Hosts" OpenID row and "OAuth"; ORCID's OpenID guide).
 * Only the authorization-code flow is implemented, and discovery says so.
 */

/** The emulator's signing key: a fresh RSA key per start (clients fetch it from the JWKS). */
export class OpenIdKeys {
  readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  /** A compact JWS (RS256) of `claims`. */
  sign(claims: Record<string, unknown>): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: this.kid })}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.privateKey).toString('base64url')}`;
  }
}

/** ORCID's implicit-flow id tokens live 10 minutes; the emulator gives code-flow id tokens the same. */
const ID_TOKEN_SECONDS = 600;

export function idToken(core: EmulatorCore, p: { clientId: string; orcid: string; nonce?: string; authTime: number }): string {
  const r = core.state.researcher(p.orcid);
  const iat = Math.floor(core.now().getTime() / 1000);
  return core.keys.sign({
    aud: p.clientId,
    sub: p.orcid,
    auth_time: Math.floor(p.authTime / 1000),
    amr: 'pwd',
    iss: core.baseUrl,
    exp: iat + ID_TOKEN_SECONDS,
    iat,
    ...(p.nonce === undefined ? {} : { nonce: p.nonce }),
    jti: randomUUID(),
    given_name: r?.givenNames,
    family_name: r?.familyName,
  });
}

export function openIdRoutes(router: Router, core: EmulatorCore): void {
  router.get('/.well-known/openid-configuration', (ctx) => {
    const base = core.baseUrl;
    ctx.body = {
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      userinfo_endpoint: `${base}/oauth/userinfo`,
      jwks_uri: `${base}/oauth/jwks`,
      revocation_endpoint: `${base}/oauth/revoke`,
      scopes_supported: [...THREE_LEGGED_SCOPES, ...TWO_LEGGED_SCOPES],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: ['family_name', 'given_name', 'name', 'auth_time', 'iss', 'sub'],
    };
  });

  router.get('/oauth/jwks', (ctx) => {
    ctx.body = { keys: [core.keys.publicJwk] };
  });

  router.get('/oauth/userinfo', (ctx) => {
    const t = requireToken(core, ctx);
    if (!t) return;
    if (!t.orcid || !t.scope.includes('openid')) return sendOAuthError(ctx, 403, 'insufficient_scope', 'The openid scope is required');
    const r = core.state.researcher(t.orcid);
    if (!r) return sendOAuthError(ctx, 401, 'invalid_token', 'The record of this token no longer exists');
    ctx.body = { id: `https://${core.orcidHost}/${r.orcid}`, sub: r.orcid, name: displayName(r), family_name: r.familyName, given_name: r.givenNames };
  });
}
