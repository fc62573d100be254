import { expect } from 'chai';
import * as client from 'openid-client';
import { api, clientToken, needs, openGuardedTarget, releaseNetwork, type Target } from './target.js';

/**
 * Conformance: ../shared/orcid-model/README.md, sections "Hosts", "OAuth" and "Scopes".
 * Each test title names its fact.
 */
describe('conformance: OAuth and OpenID Connect', function () {
  this.timeout(60000);
  let t: Target;
  before(async () => {
    t = await openGuardedTarget();
  });
  after(async () => {
    await t.close();
    releaseNetwork();
  });

  /** Sign in through the emulator's consent form (a browser's part; emulator only). */
  async function signIn(params: Record<string, string>): Promise<URL> {
    const res = await fetch(`${t.site}/oauth/authorize`, { method: 'POST', body: new URLSearchParams({ ...params, orcid: t.orcid, decision: 'authorize' }), redirect: 'manual' });
    expect(res.status, await res.clone().text()).to.equal(302);
    return new URL(res.headers.get('location')!);
  }

  it('Hosts (OpenID row): discovery at /.well-known/openid-configuration names /oauth/jwks and /oauth/userinfo', async () => {
    const res = await fetch(`${t.site}/.well-known/openid-configuration`);
    expect(res.status).to.equal(200);
    const d = (await res.json()) as Record<string, unknown>;
    expect(d.jwks_uri).to.equal(`${t.site}/oauth/jwks`);
    expect(d.userinfo_endpoint).to.equal(`${t.site}/oauth/userinfo`);
    expect(d.id_token_signing_alg_values_supported).to.include('RS256');
    const jwks = (await (await fetch(String(d.jwks_uri))).json()) as { keys: { kty: string }[] };
    expect(jwks.keys.some((k) => k.kty === 'RSA')).to.equal(true);
  });

  it('OAuth (2-legged): a client-credentials token has "orcid": null and no name key', async () => {
    const { status, body } = await clientToken(t, '/read-public');
    expect(status).to.equal(200);
    expect(body).to.include({ token_type: 'bearer', orcid: null, scope: '/read-public' });
    expect(body).to.not.have.property('name');
    expect(body.expires_in).to.be.a('number');
  });

  it('OAuth (errors): bad client credentials → 401 OAuth JSON; an invalid code → 400', async () => {
    const bad = await fetch(`${t.site}/oauth/token`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ client_id: t.clientId, client_secret: 'wrong', grant_type: 'client_credentials', scope: '/read-public' }) });
    expect(bad.status).to.equal(401);
    expect(((await bad.json()) as { error: string }).error).to.be.a('string');
    const code = await fetch(`${t.site}/oauth/token`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ client_id: t.clientId, client_secret: t.clientSecret, grant_type: 'authorization_code', code: 'Zz9Zz9', redirect_uri: t.redirectUri ?? '' }) });
    expect(code.status).to.equal(400);
    expect(((await code.json()) as { error: string }).error).to.equal('invalid_grant');
  });

  it('OAuth (errors): an unknown access token on the API → 401 invalid_token, as OAuth JSON', async () => {
    const res = await api(t, 'GET', `/v3.0/${t.orcid}/works`, '00000000-0000-0000-0000-000000000000');
    expect(res.status).to.equal(401);
    expect(((await res.json()) as { error: string }).error).to.equal('invalid_token');
  });

  it('OAuth (3-legged): the token response carries name and orcid and lives ~20 years (expires_in 631138518)', async function () {
    needs(this, t.emulator, 'a 3-legged sign-in needs a person in a browser at ORCID');
    const back = await signIn({ client_id: t.clientId, response_type: 'code', scope: '/activities/update /read-limited', redirect_uri: t.redirectUri!, state: 'st' });
    expect(back.searchParams.get('code')).to.have.length(6);
    const res = await fetch(`${t.site}/oauth/token`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ client_id: t.clientId, client_secret: t.clientSecret, grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: t.redirectUri! }) });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).to.deep.equal(['access_token', 'token_type', 'refresh_token', 'expires_in', 'scope', 'name', 'orcid']);
    expect(body).to.include({ token_type: 'bearer', name: 'Sofia Garcia', orcid: t.orcid });
    expect(body.expires_in).to.be.within(631138000, 631138519);
  });

  it('OAuth (openid): an RS256 id_token with the nonce, which a standard client (openid-client) verifies, and userinfo', async function () {
    needs(this, t.emulator, 'a 3-legged sign-in needs a person in a browser at ORCID');
    const config = await client.discovery(new URL(t.site), t.clientId, t.clientSecret, undefined, { execute: [client.allowInsecureRequests] });
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: t.redirectUri!, scope: 'openid', nonce, state });
    const back = await signIn(Object.fromEntries(url.searchParams));
    const tokens = await client.authorizationCodeGrant(config, back, { expectedNonce: nonce, expectedState: state });
    const claims = tokens.claims()!;
    expect(claims).to.include({ sub: t.orcid, aud: t.clientId, iss: t.site, nonce });
    expect(claims.auth_time).to.be.a('number');
    expect(JSON.parse(Buffer.from(tokens.id_token!.split('.')[0], 'base64url').toString()).alg).to.equal('RS256');
    const info = await client.fetchUserInfo(config, tokens.access_token, t.orcid);
    expect(info).to.include({ sub: t.orcid, given_name: 'Sofia', family_name: 'Garcia' });
  });

  it('OAuth (refresh): expires_in is honoured; the old token stays valid unless revoke_old=true', async function () {
    needs(this, t.emulator, 'needs a refresh token, which only a browser sign-in gives');
    const back = await signIn({ client_id: t.clientId, response_type: 'code', scope: '/read-limited', redirect_uri: t.redirectUri!, state: 's' });
    const tokenCall = (form: Record<string, string>) => fetch(`${t.site}/oauth/token`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ client_id: t.clientId, client_secret: t.clientSecret, ...form }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));
    const first = (await tokenCall({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: t.redirectUri! })).body;
    const short = await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token, expires_in: '3600' });
    expect(short.status).to.equal(200);
    expect(short.body.expires_in).to.be.within(3590, 3600);
    expect((await api(t, 'GET', `/v3.0/${t.orcid}/works`, first.access_token)).status).to.equal(200);
    await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token, revoke_old: 'true' });
    expect((await api(t, 'GET', `/v3.0/${t.orcid}/works`, first.access_token)).status).to.equal(401);
  });

  it('OAuth (revoke): POST /oauth/revoke → 200, and the revoked token gets 401 invalid_token', async () => {
    const { body } = await clientToken(t, '/read-public');
    const token = String(body.access_token);
    expect((await api(t, 'GET', `/v3.0/${t.orcid}/works`, token)).status).to.equal(200);
    const res = await fetch(`${t.site}/oauth/revoke`, { method: 'POST', body: new URLSearchParams({ client_id: t.clientId, client_secret: t.clientSecret, token }) });
    expect(res.status).to.equal(200);
    const after = await api(t, 'GET', `/v3.0/${t.orcid}/works`, token);
    expect(after.status).to.equal(401);
    expect(((await after.json()) as { error: string }).error).to.equal('invalid_token');
  });

  it('OAuth (authorize): a redirect URI that merely starts like a registered one is refused without redirecting', async function () {
    needs(this, t.redirectUri, 'set ORCID_CONFORMANCE_REDIRECT_URI to a redirect URI registered for the client');
    const registered = new URL(t.redirectUri!);
    const lookalike = `${registered.protocol}//${registered.hostname}.evil.example${registered.pathname}`;
    const q = new URLSearchParams({ client_id: t.clientId, response_type: 'code', scope: '/authenticate', redirect_uri: lookalike });
    const res = await fetch(`${t.site}/oauth/authorize?${q}`, { redirect: 'manual' });
    expect(res.headers.get('location') ?? '').to.not.contain('evil.example');
  });

  it('Scopes: /webhook and /group-id-record/* are 2-legged scopes, granted by client credentials', async function () {
    needs(this, t.premium, 'set ORCID_CONFORMANCE_PREMIUM=1 for a Premium client');
    for (const scope of ['/webhook', '/group-id-record/read']) {
      const { status, body } = await clientToken(t, scope);
      expect(status, scope).to.equal(200);
      expect(body).to.include({ scope, orcid: null });
    }
  });
});
