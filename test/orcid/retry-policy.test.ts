import { expect } from 'chai';
import { decideRetry } from '../../src/orcid/retry-policy.js';
import { NetworkError, OrcidApiError, RateLimitedError, STORE_UNAVAILABLE, StorageError, TokenRevokedError } from '../../src/errors.js';
import { DEFAULT_PARK_AFTER_MS } from '../../src/orcid/retry-policy.js';
import { processOrcidResponse, ORCID_UNEXPECTED_RESPONSE } from '../../src/orcid/http.js';

/** The typed error the client throws for an answer (nothing of ours is mocked: the real mapping). */
function answered(status: number, body: string, headers: Record<string, string> = {}): unknown {
  try {
    processOrcidResponse({ status, body, headers }, 'POST work', new Date('2026-03-01T12:00:00Z'));
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
const orcidXml = (status: number, code: number, user: string, developer: string) =>
  `<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>${status}</error:response-code>` +
  `<error:developer-message>${developer}</error:developer-message><error:user-message>${user}</error:user-message>` +
  `<error:error-code>${code}</error:error-code><error:more-info>https://members.orcid.org/api/resources/troubleshooting</error:more-info></error:error>`;

const api = (statusCode: number, body = '') => new OrcidApiError(`ORCID answered ${statusCode}`, { statusCode, body });
const limited = (retryAfterMs?: number) => new RateLimitedError({ statusCode: 429, body: '' }, retryAfterMs);
const ORCID_400_BODY =
  '<error xmlns="http://www.orcid.org/ns/error"><response-code>400</response-code>' +
  '<developer-message>Invalid incoming message: cvc-complex-type.2.4.a: Invalid content was found starting with element title</developer-message></error>';

describe('decideRetry', () => {
  const half = { random: () => 0.5 };
  const cases: Array<[string, unknown, number, object, ReturnType<typeof decideRetry>]> = [
    ['429 waits what Retry-After said and does not count', limited(7000), 3, half, { action: 'retry', delayMs: 7000, countsAsAttempt: false }],
    ['429 without Retry-After waits between half and the whole base step', limited(), 1, half, { action: 'retry', delayMs: 750, countsAsAttempt: false }],
    ['429 never waits longer than maxMs', limited(3_600_000), 1, half, { action: 'retry', delayMs: 900_000, countsAsAttempt: false }],
    ['429 is retried even past maxAttempts', limited(1000), 8, half, { action: 'retry', delayMs: 1000, countsAsAttempt: false }],
    ['a reset connection backs off from the base', new NetworkError('connection to ORCID failed (ECONNRESET)'), 1, half, { action: 'retry', delayMs: 500, countsAsAttempt: true }],
    ['a 502 doubles the ceiling per attempt', api(502), 4, half, { action: 'retry', delayMs: 4000, countsAsAttempt: true }],
    ['a 500 with jitter 0 retries at once', api(500), 2, { random: () => 0 }, { action: 'retry', delayMs: 0, countsAsAttempt: true }],
    ['the ceiling stops at maxMs', api(502), 7, { random: () => 0.999, baseMs: 60_000 }, { action: 'retry', delayMs: 899_100, countsAsAttempt: true }],
    // README "Rate limits": ORCID answers 503 without Retry-After past its burst; that is throttling, not a failed attempt.
    ['a 503 is throttling: not counted, at least half the step (equal jitter)', answered(503, ''), 1, { random: () => 0 }, { action: 'retry', delayMs: 500, countsAsAttempt: false }],
    ['a 503 backs off by the failures in a row', answered(503, ''), 1, { random: () => 0.5, failures: 4 }, { action: 'retry', delayMs: 6000, countsAsAttempt: false }],
    ['a 503 with Retry-After waits exactly that', answered(503, '', { 'retry-after': '4' }), 1, half, { action: 'retry', delayMs: 4000, countsAsAttempt: false }],
    ['a 500 on the 8th attempt is still retried (outages park on time, not attempts)', api(500), 8, half, { action: 'retry', delayMs: 64_000, countsAsAttempt: true }],
    ['a 503 after 60 throttled tries is still retried', answered(503, ''), 1, { ...half, failures: 60 }, { action: 'retry', delayMs: 675_000, countsAsAttempt: false }],
    ['throttling parks after parkAfterMs of continuous failure', answered(503, ''), 1, {
      ...half, now: new Date('2026-03-04T12:00:00Z'), failingSince: new Date('2026-03-01T12:00:00Z'),
    }, { action: 'park', reason: 'ORCID throttled or unreachable for 3 days: ORCID is throttling requests (503)' }],
    ['an outage parks after a configured parkAfterMs', new NetworkError('timeout'), 2, {
      ...half, parkAfterMs: 3_600_000, now: new Date('2026-03-01T13:00:00Z'), failingSince: new Date('2026-03-01T12:00:00Z'),
    }, { action: 'park', reason: 'ORCID throttled or unreachable for 1 h: timeout' }],
    ['just under parkAfterMs is retried', new NetworkError('timeout'), 2, {
      ...half, now: new Date(Date.parse('2026-03-01T12:00:00Z') + DEFAULT_PARK_AFTER_MS - 1), failingSince: new Date('2026-03-01T12:00:00Z'),
    }, { action: 'retry', delayMs: 1000, countsAsAttempt: true }],
    // The shared rate limit lives in the store: a store outage on the way to ORCID sent nothing.
    ['our store unreachable on the way to ORCID is retried, not counted', new StorageError(STORE_UNAVAILABLE, 'server restarting'), 8, half, { action: 'retry', delayMs: 96_000, countsAsAttempt: false }],
    ['our store unreachable for longer than parkAfterMs is still retried', new StorageError(STORE_UNAVAILABLE, 'server restarting'), 1, {
      ...half, now: new Date('2026-03-04T12:00:00Z'), failingSince: new Date('2026-03-01T12:00:00Z'),
    }, { action: 'retry', delayMs: 750, countsAsAttempt: false }],
    ['an unexpected answer is retried a bounded number of times', new OrcidApiError('ORCID answered 201 without a put-code', { statusCode: 201, body: '' }, ORCID_UNEXPECTED_RESPONSE), 2, { ...half }, { action: 'retry', delayMs: 1000, countsAsAttempt: true }],
    ['a 400 parks with ORCID\'s developer message in words', api(400, ORCID_400_BODY), 1, half, {
      action: 'park',
      reason: 'ORCID rejected the payload (400): ORCID answered 400. Details: Invalid incoming message: cvc-complex-type.2.4.a: Invalid content was found starting with element title.',
    }],
    ['a 403 parks', api(403, '{"developer-message":"Insufficient scope"}'), 1, half, { action: 'park', reason: 'ORCID refused access (403): ORCID answered 403. Details: Insufficient scope.' }],
    ['a 401 that reached the policy parks (the worker should have handled it)', new TokenRevokedError({ statusCode: 401, body: 'invalid_token' }), 1, half, {
      action: 'park',
      reason: 'not retryable (ORCID_TOKEN_REVOKED, 401): ORCID refused the access token (revoked or invalid)',
    }],
    ['an unknown throwable parks', new TypeError('x is undefined'), 1, half, { action: 'park', reason: 'not retryable: x is undefined' }],
  ];
  for (const [name, error, attempt, options, expected] of cases) {
    it(name, () => {
      expect(decideRetry(error, attempt, options)).to.deep.equal(expected);
    });
  }

  it('spreads retries of jobs that failed together over the whole window (full jitter)', () => {
    const delays = [0, 0.25, 0.5, 0.75].map((r) => decideRetry(api(500), 3, { random: () => r }));
    expect(delays.map((d) => (d.action === 'retry' ? d.delayMs : -1))).to.deep.equal([0, 1000, 2000, 3000]);
  });

  // README "Error responses": the error code, not only the status, decides the outcome.
  describe('by ORCID error code', () => {
    const rows: Array<[number, number, string]> = [
      [401, 9017, 'identity-mismatch: the access token belongs to a different ORCID record (ORCID error 9017). ORCID says: Access token is for a different record. Details: 401 Unauthorized.'],
      [403, 9038, 'scope-missing: the researcher has not granted the permission this needs; they must connect again (ORCID error 9038). ORCID says: Access token is for a different record. Details: 401 Unauthorized.'],
      [403, 9010, 'not-source: the item on the ORCID record was not added by this journal, so it cannot change it (ORCID error 9010). ORCID says: Access token is for a different record. Details: 401 Unauthorized.'],
      [409, 9018, 'record-unavailable: the ORCID record is locked (ORCID error 9018). ORCID says: Access token is for a different record. Details: 401 Unauthorized.'],
      [409, 9048, 'record-unavailable: the ORCID record holds the most works it may (10,000) (ORCID error 9048). ORCID says: Access token is for a different record. Details: 401 Unauthorized.'],
      [400, 9023, 'ORCID rejected the payload (400): an identifier is invalid or none identifies the item itself (ORCID error 9023). ORCID says: Access token is for a different record. Details: 401 Unauthorized.'],
    ];
    for (const [status, code, reason] of rows) {
      it(`${status} with ${code} parks as "${reason.split(':')[0]}"`, () => {
        const e = answered(status, orcidXml(status, code, 'Access token is for a different record.', '401 Unauthorized.'));
        expect(decideRetry(e, 1, half)).to.deep.equal({ action: 'park', reason });
      });
    }
  });
});
