import { expect } from 'chai';
import { decideRetry } from '../../src/orcid/retry-policy.js';
import { NetworkError, OrcidApiError, RateLimitedError, TokenRevokedError } from '../../src/errors.js';

const api = (statusCode: number, body = '') => new OrcidApiError(`ORCID answered ${statusCode}`, { statusCode, body });
const limited = (retryAfterMs?: number) => new RateLimitedError({ statusCode: 429, body: '' }, retryAfterMs);
const ORCID_400_BODY =
  '<error xmlns="http://www.orcid.org/ns/error"><response-code>400</response-code>' +
  '<developer-message>Invalid incoming message: cvc-complex-type.2.4.a: Invalid content was found starting with element title</developer-message></error>';

describe('decideRetry', () => {
  const half = { random: () => 0.5 };
  const cases: Array<[string, unknown, number, object, ReturnType<typeof decideRetry>]> = [
    ['429 waits what Retry-After said and does not count', limited(7000), 3, half, { action: 'retry', delayMs: 7000, countsAsAttempt: false }],
    ['429 without Retry-After waits the base delay', limited(), 1, half, { action: 'retry', delayMs: 1000, countsAsAttempt: false }],
    ['429 never waits longer than maxMs', limited(3_600_000), 1, half, { action: 'retry', delayMs: 900_000, countsAsAttempt: false }],
    ['429 still parks after maxRateLimitedAttempts', limited(1000), 50, half, { action: 'park', reason: 'still rate limited after 50 attempts' }],
    ['429 is retried even past maxAttempts', limited(1000), 8, half, { action: 'retry', delayMs: 1000, countsAsAttempt: false }],
    ['a reset connection backs off from the base', new NetworkError('connection to ORCID failed (ECONNRESET)'), 1, half, { action: 'retry', delayMs: 500, countsAsAttempt: true }],
    ['a 503 doubles the ceiling per attempt', api(503), 4, half, { action: 'retry', delayMs: 4000, countsAsAttempt: true }],
    ['a 500 with jitter 0 retries at once', api(500), 2, { random: () => 0 }, { action: 'retry', delayMs: 0, countsAsAttempt: true }],
    ['the ceiling stops at maxMs', api(502), 7, { random: () => 0.999, baseMs: 60_000 }, { action: 'retry', delayMs: 899_100, countsAsAttempt: true }],
    ['a 500 on the last attempt parks', api(500), 8, half, { action: 'park', reason: 'gave up after 8 attempts: ORCID answered 500' }],
    ['maxAttempts is configurable', new NetworkError('timeout'), 3, { ...half, maxAttempts: 3 }, { action: 'park', reason: 'gave up after 3 attempts: timeout' }],
    ['a 400 parks with ORCID\'s developer message', api(400, ORCID_400_BODY), 1, half, {
      action: 'park',
      reason: 'ORCID rejected the payload (400): Invalid incoming message: cvc-complex-type.2.4.a: Invalid content was found starting with element title',
    }],
    ['a 403 parks', api(403, '{"developer-message":"Insufficient scope"}'), 1, half, { action: 'park', reason: 'ORCID refused access (403): Insufficient scope' }],
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
});
