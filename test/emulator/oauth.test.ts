import { expect } from 'chai';
import nock from 'nock';
import { DEMO, harness, type Harness } from './helpers.js';

/** The whole 3-legged dance over real HTTP, as a browser and a plugin would do it. */
describe('emulator: OAuth', () => {
  let h: Harness;
  let orcid: string;
  const redirect = 'http://localhost:3000/orcid/callback';
  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    h = await harness();
    orcid = await h.researcher('Grace', 'Hopper');
  });
  after(async () => {
    await h.emu.close();
    nock.enableNetConnect();
  });

  const authorizeQuery = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ client_id: DEMO.id, response_type: 'code', scope: '/authenticate /activities/update /read-limited', redirect_uri: redirect, state: 's t&8', ...extra });

  async function consent(decision: 'authorize' | 'deny', extra: Record<string, string> = {}): Promise<URL> {
    const form = new URLSearchParams({ ...Object.fromEntries(authorizeQuery()), orcid, decision, ...extra });
    const res = await fetch(`${h.url}/oauth/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).to.equal(302);
    return new URL(res.headers.get('location')!);
  }

  async function exchange(code: string, redirectUri = redirect): Promise<{ status: number; body: any }> {
    const res = await fetch(`${h.url}/oauth/token`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ client_id: DEMO.id, client_secret: DEMO.secret, grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    });
    return { status: res.status, body: await res.json() };
  }

  it('renders the consent page listing researchers, prefilled and escaped', async () => {
    const res = await fetch(`${h.url}/oauth/authorize?${authorizeQuery({ family_names: 'Hopper', given_names: '<b>G</b>' })}`);
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.contain(`value="${orcid}" checked`);
    expect(html).to.contain('Grace Hopper');
    expect(html).to.contain('value="&lt;b&gt;G&lt;/b&gt;"');
    expect(html).to.contain('<input type="hidden" name="state" value="s t&amp;8">');
    expect(html).to.contain('<code>/activities/update</code>');
  });

  it('authorize → code → token in ORCID’s exact shape', async () => {
    const back = await consent('authorize');
    expect(`${back.origin}${back.pathname}`).to.equal(redirect);
    expect(back.searchParams.get('state')).to.equal('s t&8');
    const code = back.searchParams.get('code')!;
    expect(code).to.have.length(6);
    const { status, body } = await exchange(code);
    expect(status).to.equal(200);
    expect(Object.keys(body)).to.deep.equal(['access_token', 'token_type', 'refresh_token', 'expires_in', 'scope', 'name', 'orcid']);
    expect(body).to.include({ token_type: 'bearer', scope: '/authenticate /activities/update /read-limited', name: 'Grace Hopper', orcid });
    expect(body.expires_in).to.be.within(631138000, 631138518);
  });

  it('refuses a reused code with invalid_grant', async () => {
    const code = (await consent('authorize')).searchParams.get('code')!;
    expect((await exchange(code)).status).to.equal(200);
    const again = await exchange(code);
    expect(again).to.deep.equal({ status: 400, body: { error: 'invalid_grant', error_description: `Invalid authorization code: ${code}` } });
  });

  it('refuses a code exchanged with another redirect URI', async () => {
    const code = (await consent('authorize')).searchParams.get('code')!;
    expect(await exchange(code, 'http://localhost:3000/other')).to.deep.equal({ status: 400, body: { error: 'invalid_grant', error_description: 'Redirect URI mismatch.' } });
  });

  it('deny → access_denied with the state', async () => {
    const back = await consent('deny');
    expect(back.searchParams.get('error')).to.equal('access_denied');
    expect(back.searchParams.get('error_description')).to.equal('User denied access');
    expect(back.searchParams.get('state')).to.equal('s t&8');
    expect(back.searchParams.has('code')).to.equal(false);
  });

  it('shows an error page, without redirecting, for an unregistered redirect URI', async () => {
    const res = await fetch(`${h.url}/oauth/authorize?${authorizeQuery({ redirect_uri: 'https://evil.example/cb' })}`, { redirect: 'manual' });
    expect(res.status).to.equal(400);
    expect(res.headers.get('location')).to.equal(null);
    expect(await res.text()).to.contain("Redirect URI doesn&#39;t match your registered redirect URIs.");
  });

  // The demo client's `http://localhost*` is matched as a parsed URL (scheme, host, any port), never as a string prefix.
  for (const uri of ['http://localhost.evil.example/cb', 'http://localhost@evil.example/cb', 'https://localhost/cb', 'http://127.0.0.1.nip.io/cb']) {
    it(`refuses the look-alike redirect URI ${uri} without redirecting`, async () => {
      const res = await fetch(`${h.url}/oauth/authorize?${authorizeQuery({ redirect_uri: uri })}`, { redirect: 'manual' });
      expect(res.status).to.equal(400);
      expect(res.headers.get('location')).to.equal(null);
    });
  }

  it('accepts any port and path on the demo client’s registered hosts', async () => {
    for (const uri of ['http://localhost:8080/orcid/callback', 'http://127.0.0.1/cb']) {
      const res = await fetch(`${h.url}/oauth/authorize?${authorizeQuery({ redirect_uri: uri })}`, { redirect: 'manual' });
      expect(res.status, uri).to.equal(200);
    }
  });

  // What the emulator does not implement it refuses, so no client believes a feature works (README, "The ORCID emulator").
  const refusals: [string, Record<string, string>, string, RegExp][] = [
    ['a PKCE challenge', { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }, 'invalid_request', /PKCE/],
    ['an unknown parameter', { prompt: 'none' }, 'invalid_request', /Unsupported parameter: prompt/],
    ['a scope the emulator has no endpoints for', { scope: '/person/update' }, 'invalid_scope', /does not implement/],
    ['an unknown scope', { scope: '/authenticate /everything' }, 'invalid_scope', /Invalid scope: \/everything/],
  ];
  for (const [what, extra, error, description] of refusals) {
    it(`refuses ${what} at authorize with ${error}`, async () => {
      const res = await fetch(`${h.url}/oauth/authorize?${authorizeQuery(extra)}`, { redirect: 'manual' });
      expect(res.status).to.equal(302);
      const back = new URL(res.headers.get('location')!);
      expect(back.searchParams.get('error')).to.equal(error);
      expect(back.searchParams.get('error_description')).to.match(description);
    });
  }

  it('refuses a PKCE code_verifier and unknown parameters at the token endpoint', async () => {
    const code = (await consent('authorize')).searchParams.get('code')!;
    const res = await fetch(`${h.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: DEMO.id, client_secret: DEMO.secret, grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: 'x'.repeat(43) }),
    });
    expect(res.status).to.equal(400);
    expect(await res.json()).to.deep.equal({ error: 'invalid_request', error_description: 'PKCE (code_verifier) is not supported' });
  });

  it('refuses a refresh expires_in that is not a positive number', async () => {
    const { body } = await exchange((await consent('authorize')).searchParams.get('code')!);
    const res = await fetch(`${h.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ client_id: DEMO.id, client_secret: DEMO.secret, grant_type: 'refresh_token', refresh_token: body.refresh_token, expires_in: '-5' }) });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: string }).error).to.equal('invalid_request');
  });

  it('registers a new researcher from the consent page', async () => {
    const back = await consent('authorize', { orcid: '', new_given_names: 'Katherine', new_family_name: 'Johnson' });
    const { body } = await exchange(back.searchParams.get('code')!);
    expect(body.name).to.equal('Katherine Johnson');
    expect(body.orcid).to.match(/^0000-000[1-3]-\d{4}-\d{3}[\dX]$/);
  });

  it('refreshes a token, and revoking it makes the API answer 401', async () => {
    const { body: first } = await exchange((await consent('authorize')).searchParams.get('code')!);
    const basic = `Basic ${Buffer.from(`${DEMO.id}:${DEMO.secret}`).toString('base64')}`;
    const res = await fetch(`${h.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token, revoke_old: 'true' }),
    });
    const refreshed = (await res.json()) as any;
    expect(res.status).to.equal(200);
    expect(refreshed.access_token).to.not.equal(first.access_token);
    expect(refreshed.orcid).to.equal(orcid);
    expect((await h.api('GET', `/v3.0/${orcid}/works`, first.access_token)).status).to.equal(401);
    expect((await h.api('GET', `/v3.0/${orcid}/works`, refreshed.access_token)).status).to.equal(200);
    const revoke = await fetch(`${h.url}/oauth/revoke`, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ token: refreshed.access_token }) });
    expect(revoke.status).to.equal(200);
    const after = await h.api('GET', `/v3.0/${orcid}/works`, refreshed.access_token);
    expect(after.status).to.equal(401);
    expect(await after.json()).to.deep.equal({ error: 'invalid_token', error_description: `Invalid access token: ${refreshed.access_token}` });
  });

  it('issues client-credentials tokens without an iD', async () => {
    const res = await fetch(`${h.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ client_id: DEMO.id, client_secret: DEMO.secret, grant_type: 'client_credentials', scope: '/read-public' }) });
    const body = (await res.json()) as any;
    // orcid-model README, "OAuth": 2-legged tokens have "orcid": null and no `name` key.
    expect(body).to.include({ token_type: 'bearer', scope: '/read-public', orcid: null });
    expect(body).to.not.have.property('name');
  });

  it('answers 401 invalid_client for a wrong secret or an unknown client', async () => {
    const bad = await fetch(`${h.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ client_id: DEMO.id, client_secret: 'nope', grant_type: 'client_credentials', scope: '/read-public' }) });
    expect(bad.status).to.equal(401);
    expect(await bad.json()).to.deep.equal({ error: 'invalid_client', error_description: 'Bad client credentials' });
    const unknown = await fetch(`${h.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ client_id: 'APP-NOPE', client_secret: 'x', grant_type: 'client_credentials' }) });
    expect(unknown.status).to.equal(401);
    expect(((await unknown.json()) as any).error).to.equal('invalid_client');
  });
});
