import { expect } from 'chai';
import nock from 'nock';
import { createOAuth, processTokenResponse, OrcidOAuthError, OAUTH_INVALID_GRANT, OAUTH_INVALID_CLIENT, OAUTH_SERVER_ERROR, type TokenSet } from '../../src/orcid/oauth.js';
import { orcidHosts } from '../../src/orcid/hosts.js';
import { NetworkError, ORCID_NETWORK_ERROR } from '../../src/errors.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const hosts = orcidHosts('sandbox');
const oauth = createOAuth({ clientId: 'APP-ABCDEFGHIJKLMNOP', clientSecret: 'secret-123456', hosts, now: () => NOW });

// ORCID's exact answer to a code exchange (tutorial "Get an authenticated ORCID iD").
const ORCID_TOKEN_BODY = {
  access_token: 'f5af9f51-07e6-4332-8f1a-c0c11c1e3728',
  token_type: 'bearer',
  refresh_token: 'f725f747-3a65-49f6-a231-3e8944ce464d',
  expires_in: 631138518,
  scope: '/activities/update /read-limited',
  name: 'Sofia Garcia',
  orcid: '0000-0001-2345-6789',
};
const SOFIA: TokenSet = {
  accessToken: 'f5af9f51-07e6-4332-8f1a-c0c11c1e3728',
  refreshToken: 'f725f747-3a65-49f6-a231-3e8944ce464d',
  tokenType: 'bearer',
  scope: ['/activities/update', '/read-limited'],
  expiresAt: new Date(NOW.getTime() + 631138518 * 1000),
  orcid: '0000-0001-2345-6789',
  name: 'Sofia Garcia',
};

describe('orcidHosts', () => {
  it('names the production and sandbox endpoints', () => {
    expect(orcidHosts('production')).to.deep.equal({
      authorizeUrl: 'https://orcid.org/oauth/authorize',
      tokenUrl: 'https://orcid.org/oauth/token',
      revokeUrl: 'https://orcid.org/oauth/revoke',
      apiBase: 'https://api.orcid.org/v3.0',
      publicApiBase: 'https://pub.orcid.org/v3.0',
      recordBase: 'https://orcid.org',
    });
    expect(orcidHosts('sandbox').tokenUrl).to.equal('https://sandbox.orcid.org/oauth/token');
    expect(orcidHosts('sandbox').apiBase).to.equal('https://api.sandbox.orcid.org/v3.0');
  });

  it('serves everything from one host for the emulator, and a base URL overrides any env', () => {
    expect(orcidHosts('emulator')).to.deep.equal({
      authorizeUrl: 'http://127.0.0.1:8787/oauth/authorize',
      tokenUrl: 'http://127.0.0.1:8787/oauth/token',
      revokeUrl: 'http://127.0.0.1:8787/oauth/revoke',
      apiBase: 'http://127.0.0.1:8787/v3.0',
      publicApiBase: 'http://127.0.0.1:8787/v3.0',
      recordBase: 'http://127.0.0.1:8787',
    });
    expect(orcidHosts('production', 'http://localhost:9000/').apiBase).to.equal('http://localhost:9000/v3.0');
    expect(() => orcidHosts('emulator', 'ftp://x')).to.throw(TypeError, '"baseUrl" must be an absolute http(s) URL; got "ftp://x"');
  });
});

describe('createOAuth', () => {
  // Scoped to this block: root-level hooks would run around every other suite's tests too.
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  describe('authorizeUrl', () => {
    it('builds the ORCID sign-in URL with scope, state and prefill parameters', () => {
      const url = oauth.authorizeUrl({
        redirectUri: 'https://journal.example/orcid/callback',
        scope: ['/activities/update', '/read-limited'],
        state: 'st4te',
        prefill: { givenNames: 'Sofia', familyNames: 'García', email: 'sofia@example.org', lang: 'es' },
        showLogin: false,
      });
      expect(url).to.equal(
        'https://sandbox.orcid.org/oauth/authorize?response_type=code&client_id=APP-ABCDEFGHIJKLMNOP' +
          '&redirect_uri=https%3A%2F%2Fjournal.example%2Forcid%2Fcallback&scope=%2Factivities%2Fupdate+%2Fread-limited' +
          '&state=st4te&given_names=Sofia&family_names=Garc%C3%ADa&email=sofia%40example.org&lang=es&show_login=false',
      );
    });

    it('leaves out prefill parameters that were not given', () => {
      const url = new URL(oauth.authorizeUrl({ redirectUri: 'https://j.example/cb', scope: ['/authenticate'], state: 's' }));
      expect([...url.searchParams.keys()]).to.deep.equal(['response_type', 'client_id', 'redirect_uri', 'scope', 'state']);
    });
  });

  describe('exchangeCode', () => {
    it("parses ORCID's exact token response", async () => {
      const scope = nock('https://sandbox.orcid.org')
        .post('/oauth/token', {
          grant_type: 'authorization_code',
          code: 'Q8xT2n',
          redirect_uri: 'https://journal.example/orcid/callback',
          client_id: 'APP-ABCDEFGHIJKLMNOP',
          client_secret: 'secret-123456',
        })
        .matchHeader('accept', 'application/json')
        .reply(200, ORCID_TOKEN_BODY);
      expect(await oauth.exchangeCode('Q8xT2n', 'https://journal.example/orcid/callback')).to.deep.equal(SOFIA);
      scope.done();
    });

    it('throws OAUTH_INVALID_GRANT for a replayed code, without the code in the message or body', async () => {
      nock('https://sandbox.orcid.org')
        .post('/oauth/token')
        .reply(400, { error: 'invalid_grant', error_description: 'Reused authorization code: Q8xT2n' });
      const err = await oauth.exchangeCode('Q8xT2n', 'https://journal.example/cb').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(OrcidOAuthError);
      const e = err as OrcidOAuthError;
      expect([e.code, e.status, e.statusCode, e.oauthError]).to.deep.equal([OAUTH_INVALID_GRANT, 400, 400, 'invalid_grant']);
      expect(e.message).to.equal('ORCID refused the token request: 400 invalid_grant');
      expect(e.body).to.equal('{"error":"invalid_grant","error_description":"Reused authorization code: [REDACTED]"}');
    });

    it('throws OAUTH_INVALID_CLIENT when ORCID does not know our credentials', async () => {
      nock('https://sandbox.orcid.org')
        .post('/oauth/token')
        .reply(401, { error: 'invalid_client', error_description: 'Client not found: APP-ABCDEFGHIJKLMNOP' });
      const err = (await oauth.exchangeCode('abc', 'https://j.example/cb').catch((e: unknown) => e)) as OrcidOAuthError;
      expect([err.code, err.status, err.statusCode]).to.deep.equal([OAUTH_INVALID_CLIENT, 502, 401]);
    });

    it('turns an ORCID 500 into a 502 OAuth error that keeps the HTML body', async () => {
      nock('https://sandbox.orcid.org')
        .post('/oauth/token')
        .reply(500, '<html><body>Internal Server Error</body></html>', { 'Content-Type': 'text/html' });
      const err = (await oauth.exchangeCode('abc', 'https://j.example/cb').catch((e: unknown) => e)) as OrcidOAuthError;
      expect(err).to.be.instanceOf(OrcidOAuthError);
      expect([err.code, err.status, err.statusCode]).to.deep.equal([OAUTH_SERVER_ERROR, 502, 500]);
      expect(err.body).to.equal('<html><body>Internal Server Error</body></html>');
      expect(err.expose).to.equal(false);
    });

    it('throws NetworkError when the connection is reset', async () => {
      // An Error instance: wreck (under simple-oauth2) ignores nock's plain-object errors and waits for its timeout.
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      nock('https://sandbox.orcid.org').post('/oauth/token').replyWithError(reset);
      const err = await oauth.exchangeCode('abc', 'https://j.example/cb').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(NetworkError);
      expect([(err as NetworkError).code, (err as NetworkError).message]).to.deep.equal([
        ORCID_NETWORK_ERROR,
        'Token request: no answer from ORCID (ECONNRESET)',
      ]);
    });
  });

  describe('refresh', () => {
    it('sends the refresh token and keeps the iD and name when ORCID leaves them out', async () => {
      const later = new Date('2026-03-02T00:00:00.000Z');
      const o = createOAuth({ clientId: 'APP-ABCDEFGHIJKLMNOP', clientSecret: 'secret-123456', hosts, now: () => later });
      const scope = nock('https://sandbox.orcid.org')
        .post('/oauth/token', {
          grant_type: 'refresh_token',
          refresh_token: SOFIA.refreshToken!,
          client_id: 'APP-ABCDEFGHIJKLMNOP',
          client_secret: 'secret-123456',
        })
        .reply(200, { access_token: 'new-access-0001', token_type: 'bearer', refresh_token: 'new-refresh-0001', expires_in: 3600, scope: '/activities/update /read-limited' });
      expect(await o.refresh(SOFIA)).to.deep.equal({
        ...SOFIA,
        accessToken: 'new-access-0001',
        refreshToken: 'new-refresh-0001',
        expiresAt: new Date('2026-03-02T01:00:00.000Z'),
      });
      scope.done();
    });
  });

  describe('clientCredentials', () => {
    it('gets a two-legged token with no iD', async () => {
      const scope = nock('https://sandbox.orcid.org')
        .post('/oauth/token', { grant_type: 'client_credentials', scope: '/group-id-record/update', client_id: 'APP-ABCDEFGHIJKLMNOP', client_secret: 'secret-123456' })
        .reply(200, { access_token: 'a9bae4e9-fdf4-4f18-beaa-08e7629a5ec0', token_type: 'bearer', expires_in: 631138518, scope: '/group-id-record/update', orcid: null });
      const set = await oauth.clientCredentials(['/group-id-record/update']);
      expect(set).to.deep.equal({
        accessToken: 'a9bae4e9-fdf4-4f18-beaa-08e7629a5ec0',
        refreshToken: null,
        tokenType: 'bearer',
        scope: ['/group-id-record/update'],
        expiresAt: new Date(NOW.getTime() + 631138518 * 1000),
        orcid: null,
        name: null,
      });
      scope.done();
    });
  });

  describe('revoke', () => {
    it('posts client_id, client_secret and token as a form', async () => {
      const scope = nock('https://sandbox.orcid.org')
        .post('/oauth/revoke', 'client_id=APP-ABCDEFGHIJKLMNOP&client_secret=secret-123456&token=f5af9f51-07e6-4332-8f1a-c0c11c1e3728')
        .matchHeader('content-type', 'application/x-www-form-urlencoded')
        .reply(200, '');
      await oauth.revoke(SOFIA.accessToken);
      scope.done();
    });

    it('throws a redacted OAuth error when ORCID refuses', async () => {
      nock('https://sandbox.orcid.org')
        .post('/oauth/revoke')
        .reply(401, { error: 'invalid_client', error_description: 'Bad client secret-123456 for token f5af9f51-07e6-4332-8f1a-c0c11c1e3728' });
      const err = (await oauth.revoke(SOFIA.accessToken).catch((e: unknown) => e)) as OrcidOAuthError;
      expect([err.code, err.message]).to.deep.equal([OAUTH_INVALID_CLIENT, 'ORCID refused the token revocation: 401 invalid_client']);
      expect(err.body).to.equal('{"error":"invalid_client","error_description":"Bad client [REDACTED] for token [REDACTED]"}');
    });
  });

  describe('processTokenResponse', () => {
    it('rejects a 200 without an access token', () => {
      expect(() => processTokenResponse(200, { token_type: 'bearer' }, NOW)).to.throw(OrcidOAuthError, 'ORCID token endpoint answered 200 without an access_token');
    });
  });
});
