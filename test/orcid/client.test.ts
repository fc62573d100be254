import { expect } from 'chai';
import nock from 'nock';
import {
  createOrcidClient,
  parseRetryAfter,
  ORCID_BAD_REQUEST,
  ORCID_CONFLICT,
  ORCID_FORBIDDEN,
  ORCID_NOT_FOUND,
  ORCID_SERVER_ERROR,
  ORCID_UNEXPECTED_RESPONSE,
  ORCID_UNAUTHORIZED,
  type ResponseEvent,
} from '../../src/orcid/client.js';
import { createRateLimiter } from '../../src/orcid/rate-limiter.js';
import {
  NetworkError,
  OrcidApiError,
  RateLimitedError,
  TokenRevokedError,
  ORCID_NETWORK_ERROR,
  ORCID_RATE_LIMITED,
  ORCID_TOKEN_REVOKED,
} from '../../src/errors.js';
import {
  IdentityMismatchError, NotSourceError, OrcidRefusalError, RecordUnavailableError, ScopeMissingError,
  ORCID_IDENTITY_MISMATCH, ORCID_NOT_SOURCE, ORCID_RECORD_UNAVAILABLE, ORCID_SCOPE_MISSING,
} from '../../src/orcid/api-errors.js';

const API = 'https://api.sandbox.orcid.org';
const ORCID = '0000-0001-2345-6789';
const TOKEN = 'f5af9f51-07e6-4332-8f1a-c0c11c1e3728';
const NOW = new Date('2026-03-01T12:00:00.000Z');
const WORK_XML = '<work:work xmlns:work="http://www.orcid.org/ns/work"/>';
const XML = 'application/vnd.orcid+xml';

function makeClient(extra: Partial<Parameters<typeof createOrcidClient>[0]> = {}) {
  const events: ResponseEvent[] = [];
  const client = createOrcidClient({
    apiBase: `${API}/v3.0`,
    now: () => NOW,
    userAgent: 'koa-orcid-connect/test',
    onResponse: (e) => events.push(e),
    ...extra,
  });
  return { client, events };
}

/** An interceptor that insists on ORCID's headers. */
const orcid = () =>
  nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}`, accept: XML, 'user-agent': 'koa-orcid-connect/test' } });

async function failure(p: Promise<unknown>): Promise<OrcidApiError & NetworkError> {
  try {
    await p;
  } catch (e) {
    return e as OrcidApiError & NetworkError;
  }
  throw new Error('expected a rejection');
}

describe('createOrcidClient', () => {
  // Scoped to this block: root-level hooks would run around every other suite's tests too.
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  describe('postItem', () => {
    it('posts the XML and reads the put-code from Location', async () => {
      const scope = orcid()
        .matchHeader('content-type', XML)
        .post(`/v3.0/${ORCID}/work`, WORK_XML)
        .reply(201, '', { Location: `${API}/v3.0/${ORCID}/work/733536` });
      const { client, events } = makeClient();
      expect(await client.postItem('work', ORCID, TOKEN, WORK_XML)).to.deep.equal({ putCode: '733536' });
      expect(events).to.deep.equal([{ kind: 'work', method: 'POST', status: 201, ms: 0 }]);
      scope.done();
    });

    it('posts peer-reviews and services to their own paths', async () => {
      const scope = orcid()
        .post(`/v3.0/${ORCID}/peer-review`)
        .reply(201, '', { Location: `${API}/v3.0/${ORCID}/peer-review/1001/` })
        .post(`/v3.0/${ORCID}/service`)
        .reply(201, '', { Location: `${API}/v3.0/${ORCID}/service/1002` });
      const { client } = makeClient();
      expect(await client.postItem('peer-review', ORCID, TOKEN, '<x/>')).to.deep.equal({ putCode: '1001' });
      expect(await client.postItem('service', ORCID, TOKEN, '<x/>')).to.deep.equal({ putCode: '1002' });
      scope.done();
    });

    it('refuses a 201 without a put-code in Location', async () => {
      orcid().post(`/v3.0/${ORCID}/work`).reply(201, '');
      const err = await failure(makeClient().client.postItem('work', ORCID, TOKEN, WORK_XML));
      expect([err.code, err.message]).to.deep.equal([ORCID_UNEXPECTED_RESPONSE, 'ORCID answered 201 without a put-code in Location ("")']);
    });
  });

  describe('put, delete, get and read calls', () => {
    it('use the put-code paths and return the XML bodies', async () => {
      const scope = orcid()
        .put(`/v3.0/${ORCID}/work/733536`, WORK_XML)
        .reply(200, WORK_XML)
        .delete(`/v3.0/${ORCID}/work/733536`)
        .reply(204)
        .get(`/v3.0/${ORCID}/work/733536`)
        .reply(200, '<work/>')
        .get(`/v3.0/${ORCID}/peer-reviews`)
        .reply(200, '<peer-reviews/>')
        .get(`/v3.0/${ORCID}/person`)
        .reply(200, '<person/>')
        .get(`/v3.0/${ORCID}/employments`)
        .reply(200, '<employments/>');
      const { client } = makeClient();
      await client.putItem('work', ORCID, TOKEN, '733536', WORK_XML);
      await client.deleteItem('work', ORCID, TOKEN, '733536');
      expect(await client.getItem('work', ORCID, TOKEN, '733536')).to.equal('<work/>');
      expect(await client.listSummaries('peer-review', ORCID, TOKEN)).to.equal('<peer-reviews/>');
      expect(await client.readPerson(ORCID, TOKEN)).to.equal('<person/>');
      expect(await client.readEmployments(ORCID, TOKEN)).to.equal('<employments/>');
      scope.done();
    });
  });

  describe('group ids and webhooks', () => {
    it('searches a group id, returning null when ORCID has none, and creates one', async () => {
      const scope = orcid()
        .get('/v3.0/group-id-record')
        .query({ 'group-id': 'issn:1234-5678' })
        .reply(200, '<group-id:group-id-record put-code="1200"/>')
        .get('/v3.0/group-id-record')
        .query({ 'group-id': 'issn:0000-0000' })
        .reply(404, '<error/>')
        .post('/v3.0/group-id-record', '<group/>')
        .reply(201, '', { Location: `${API}/v3.0/group-id-record/1201` });
      const { client } = makeClient();
      expect(await client.searchGroupId(TOKEN, { groupId: 'issn:1234-5678' })).to.equal('<group-id:group-id-record put-code="1200"/>');
      expect(await client.searchGroupId(TOKEN, { groupId: 'issn:0000-0000' })).to.equal(null);
      expect(await client.createGroupId(TOKEN, '<group/>')).to.equal('1201');
      scope.done();
    });

    it('registers and removes a webhook outside /v3.0 with the callback URL encoded', async () => {
      const path = `/${ORCID}/webhook/https%3A%2F%2Fjournal.example%2Forcid%2Fwebhook%3Fid%3D${ORCID}`;
      const scope = orcid().put(path).reply(201).delete(path).reply(204);
      const { client } = makeClient();
      await client.registerWebhook(ORCID, `https://journal.example/orcid/webhook?id=${ORCID}`, TOKEN);
      expect(await client.unregisterWebhook(ORCID, `https://journal.example/orcid/webhook?id=${ORCID}`, TOKEN)).to.equal('removed');
      scope.done();
    });

    // README "Webhooks": DELETE of a webhook that is not registered → 404, 9028. Nothing is registered: done.
    it('takes 404/9028 on unregistering a webhook as done', async () => {
      const path = `/${ORCID}/webhook/${encodeURIComponent('https://journal.example/orcid/webhook')}`;
      const body = '<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>404</error:response-code><error:error-code>9028</error:error-code></error:error>';
      const scope = orcid().delete(path).reply(404, body);
      const { client } = makeClient();
      expect(await client.unregisterWebhook(ORCID, 'https://journal.example/orcid/webhook', TOKEN)).to.equal('not-registered');
      scope.done();
    });

    it('still fails an unregistration ORCID refuses (403: registered by another client)', async () => {
      const path = `/${ORCID}/webhook/${encodeURIComponent('https://journal.example/orcid/webhook')}`;
      orcid().delete(path).reply(403, '<error:error xmlns:error="http://www.orcid.org/ns/error"><error:error-code>9013</error:error-code></error:error>');
      const err = await failure(makeClient().client.unregisterWebhook(ORCID, 'https://journal.example/orcid/webhook', TOKEN));
      expect([err.code, err.statusCode]).to.deep.equal([ORCID_FORBIDDEN, 403]);
    });
  });

  describe('error mapping', () => {
    const ERROR_XML = (status: number, msg: string) =>
      `<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>${status}</error:response-code><error:developer-message>${msg}</error:developer-message></error:error>`;
    const table: Array<[number, string, string]> = [
      [400, ORCID_BAD_REQUEST, ERROR_XML(400, 'Invalid incoming message')],
      [403, ORCID_FORBIDDEN, ERROR_XML(403, 'Insufficient or wrong scope')],
      [404, ORCID_NOT_FOUND, ERROR_XML(404, 'No entity found with id 733536')],
      [409, ORCID_CONFLICT, ERROR_XML(409, 'You have already added this activity (matched by external identifiers)')],
      [500, ORCID_SERVER_ERROR, 'Internal Server Error'],
      [502, ORCID_SERVER_ERROR, '<html>Bad Gateway</html>'],
    ];
    for (const [status, code, body] of table) {
      it(`maps ${status} to OrcidApiError ${code} keeping ORCID's body`, async () => {
        orcid().put(`/v3.0/${ORCID}/work/733536`).reply(status, body, { 'Content-Type': XML });
        const err = await failure(makeClient().client.putItem('work', ORCID, TOKEN, '733536', WORK_XML));
        expect(err).to.be.instanceOf(OrcidApiError);
        expect([err.code, err.statusCode, err.body, err.message, err.headers['content-type']]).to.deep.equal([
          code,
          status,
          body,
          `ORCID answered ${status} to PUT work`,
          XML,
        ]);
      });
    }

    it('maps 401 invalid_token to TokenRevokedError without the token in the kept body', async () => {
      orcid().post(`/v3.0/${ORCID}/work`).reply(401, { error: 'invalid_token', error_description: `Invalid access token: ${TOKEN}` });
      const err = await failure(makeClient().client.postItem('work', ORCID, TOKEN, WORK_XML));
      expect(err).to.be.instanceOf(TokenRevokedError);
      expect([err.code, err.statusCode, err.body]).to.deep.equal([
        ORCID_TOKEN_REVOKED,
        401,
        '{"error":"invalid_token","error_description":"Invalid access token: [REDACTED]"}',
      ]);
      expect(err.message).not.to.include(TOKEN);
    });

    it('maps another 401 to OrcidApiError ORCID_UNAUTHORIZED, not to a revoked token', async () => {
      orcid().get(`/v3.0/${ORCID}/person`).reply(401, { error: 'unauthorized', error_description: 'Full authentication is required' });
      const err = await failure(makeClient().client.readPerson(ORCID, TOKEN));
      expect(err).not.to.be.instanceOf(TokenRevokedError);
      expect([err.code, err.statusCode, err.message]).to.deep.equal([ORCID_UNAUTHORIZED, 401, 'ORCID refused GET person: 401']);
    });

    it('maps 429 to RateLimitedError with Retry-After in seconds, and pauses the shared limiter', async () => {
      orcid().get(`/v3.0/${ORCID}/works`).reply(429, 'Too Many Requests', { 'Retry-After': '3' });
      let clock = NOW.getTime();
      const limiter = createRateLimiter({ now: () => new Date(clock), sleep: async (ms) => void (clock += ms) });
      const err = await failure(makeClient({ limiter }).client.listSummaries('work', ORCID, TOKEN));
      expect(err).to.be.instanceOf(RateLimitedError);
      expect([err.code, (err as unknown as RateLimitedError).retryAfterMs]).to.deep.equal([ORCID_RATE_LIMITED, 3000]);
      await limiter.take();
      // The pause, then about one interval of the halved (and recovering) rate, ~1000 / 10.95 ms, not 50.
      expect(clock - NOW.getTime()).to.be.within(3090, 3150);
      expect(limiter.rate).to.be.below(20);
    });

    // README "Rate limits": past the burst, ORCID's member API answers 503 with no Retry-After.
    it('maps 503 to RateLimitedError (throttling), halves the shared limiter and pauses it while ORCID\'s queue drains', async () => {
      orcid().post(`/v3.0/${ORCID}/work`).reply(503, '<html>Service Unavailable</html>');
      let clock = NOW.getTime();
      const limiter = createRateLimiter({ perSecond: 20, now: () => new Date(clock), sleep: async (ms) => void (clock += ms) });
      const err = await failure(makeClient({ limiter, now: () => new Date(clock) }).client.postItem('work', ORCID, TOKEN, WORK_XML));
      expect(err).to.be.instanceOf(RateLimitedError);
      expect([err.code, err.statusCode, err.body, (err as unknown as RateLimitedError).retryAfterMs]).to.deep.equal([
        ORCID_RATE_LIMITED, 503, '<html>Service Unavailable</html>', undefined,
      ]);
      expect(limiter.rate).to.equal(10);
      await limiter.take();
      expect(clock - NOW.getTime()).to.be.at.least(2000);
    });

    // README "Other facts": 301 for deprecated iDs (9007). Never followed: a POST must not become a GET elsewhere.
    it('does not follow ORCID\'s 301 for a deprecated iD, and maps it to RecordUnavailableError', async () => {
      const body = '<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>301</error:response-code><error:developer-message>This account is deprecated. Please refer to account: https://orcid.org/0000-0002-1825-0097</error:developer-message><error:error-code>9007</error:error-code></error:error>';
      orcid().post(`/v3.0/${ORCID}/work`).reply(301, body, { Location: `${API}/v3.0/0000-0002-1825-0097/work` });
      const err = (await failure(makeClient().client.postItem('work', ORCID, TOKEN, WORK_XML))) as unknown as RecordUnavailableError;
      expect(err).to.be.instanceOf(RecordUnavailableError);
      expect([err.code, err.statusCode, err.orcidCode]).to.deep.equal([ORCID_RECORD_UNAVAILABLE, 301, 9007]);
      expect(nock.pendingMocks()).to.deep.equal([]);
    });

    it('honours a Retry-After on a 503', async () => {
      orcid().get(`/v3.0/${ORCID}/works`).reply(503, '', { 'Retry-After': '7' });
      const err = await failure(makeClient().client.listSummaries('work', ORCID, TOKEN));
      expect((err as unknown as RateLimitedError).retryAfterMs).to.equal(7000);
    });

    // README "Error responses": the error code picks the typed error; the body is kept and parsed.
    const ORCID_BODY = (status: number, code: number) =>
      `<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>${status}</error:response-code>` +
      `<error:developer-message>${status}: developer text</error:developer-message><error:user-message>user text</error:user-message>` +
      `<error:error-code>${code}</error:error-code></error:error>`;
    const coded: Array<[number, number, new (...a: never[]) => Error, string]> = [
      [401, 9017, IdentityMismatchError, ORCID_IDENTITY_MISMATCH],
      [403, 9038, ScopeMissingError, ORCID_SCOPE_MISSING],
      [403, 9010, NotSourceError, ORCID_NOT_SOURCE],
      [403, 9013, OrcidRefusalError, ORCID_FORBIDDEN],
      [409, 9021, OrcidRefusalError, ORCID_CONFLICT],
      [409, 9018, RecordUnavailableError, ORCID_RECORD_UNAVAILABLE],
      [409, 9044, RecordUnavailableError, ORCID_RECORD_UNAVAILABLE],
      [409, 9036, RecordUnavailableError, ORCID_RECORD_UNAVAILABLE],
      [409, 9048, RecordUnavailableError, ORCID_RECORD_UNAVAILABLE],
      [400, 9023, OrcidRefusalError, ORCID_BAD_REQUEST],
      [400, 9051, OrcidRefusalError, ORCID_BAD_REQUEST],
      [400, 9058, OrcidRefusalError, ORCID_BAD_REQUEST],
      [404, 9016, OrcidRefusalError, ORCID_NOT_FOUND],
      [500, 9008, OrcidRefusalError, ORCID_SERVER_ERROR],
    ];
    for (const [status, orcidCode, type, code] of coded) {
      it(`maps ${status} with error code ${orcidCode} to ${type.name} ${code}, keeping and parsing ORCID's body`, async () => {
        orcid().put(`/v3.0/${ORCID}/work/1`).reply(status, ORCID_BODY(status, orcidCode), { 'Content-Type': XML });
        const err = (await failure(makeClient().client.putItem('work', ORCID, TOKEN, '1', WORK_XML))) as unknown as OrcidRefusalError;
        expect(err).to.be.instanceOf(type);
        expect([err.code, err.statusCode, err.body, err.orcidCode, err.orcid?.userMessage]).to.deep.equal([
          code, status, ORCID_BODY(status, orcidCode), orcidCode, 'user text',
        ]);
      });
    }

    it('maps 429 with an HTTP-date Retry-After', async () => {
      orcid().get(`/v3.0/${ORCID}/works`).reply(429, '', { 'Retry-After': 'Sun, 01 Mar 2026 12:00:10 GMT' });
      const err = await failure(makeClient().client.listSummaries('work', ORCID, TOKEN));
      expect((err as unknown as RateLimitedError).retryAfterMs).to.equal(10_000);
    });

    it('starts the timeout after the limiter granted the request (our queue is not ORCID being slow)', async () => {
      orcid().get(`/v3.0/${ORCID}/works`).delay(30).reply(200, '<works/>');
      const limiter = createRateLimiter({ perSecond: 10, burst: 1, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
      await limiter.take(); // the next grant waits 100 ms, longer than the timeout
      const body = await makeClient({ limiter, timeoutMs: 80 }).client.listSummaries('work', ORCID, TOKEN);
      expect(body).to.equal('<works/>');
    });

    it('maps a timeout to NetworkError and reports status 0', async () => {
      orcid().get(`/v3.0/${ORCID}/works`).delay(500).reply(200, '<works/>');
      const { client, events } = makeClient({ timeoutMs: 50 });
      const err = await failure(client.listSummaries('work', ORCID, TOKEN));
      expect(err).to.be.instanceOf(NetworkError);
      expect([err.code, err.message]).to.deep.equal([ORCID_NETWORK_ERROR, 'GET works: no answer from ORCID within 50 ms']);
      expect(events).to.deep.equal([{ kind: 'works', method: 'GET', status: 0, ms: 0 }]);
    });

    it('maps a connection reset to NetworkError', async () => {
      orcid().post(`/v3.0/${ORCID}/work`).replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
      const err = await failure(makeClient().client.postItem('work', ORCID, TOKEN, WORK_XML));
      expect(err).to.be.instanceOf(NetworkError);
      expect(err.message).to.equal('POST work: connection to ORCID failed (ECONNRESET)');
    });
  });

  it('takes a token from the limiter before every request', async () => {
    const scope = orcid().get(`/v3.0/${ORCID}/person`).times(3).reply(200, '<person/>');
    let clock = 0;
    const limiter = createRateLimiter({ perSecond: 10, burst: 1, now: () => new Date(clock), sleep: async (ms) => void (clock += ms) });
    const { client } = makeClient({ limiter });
    for (let i = 0; i < 3; i++) await client.readPerson(ORCID, TOKEN);
    expect(clock).to.equal(200);
    scope.done();
  });
});

describe('parseRetryAfter', () => {
  const table: Array<[string | null, number | undefined]> = [
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 01 Mar 2026 12:01:00 GMT', 60_000],
    ['Sun, 01 Mar 2026 11:59:00 GMT', 0],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ];
  for (const [header, expected] of table) {
    it(`${JSON.stringify(header)} → ${expected}`, () => {
      expect(parseRetryAfter(header, NOW)).to.equal(expected);
    });
  }
});
