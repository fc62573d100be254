import { expect } from 'chai';
import { createKeyedRateLimiter } from '../../src/web/request-limit.js';

describe('createKeyedRateLimiter', () => {
  const clock = new Date('2026-11-01T10:00:00Z');
  const now = () => clock;

  it('counts each source on its own: one noisy source does not use up another\'s allowance', () => {
    const limit = createKeyedRateLimiter({ perSecond: 1, burst: 3, now });
    expect([1, 2, 3, 4].map(() => limit.tryTake('203.0.113.9'))).to.deep.equal([true, true, true, false]);
    expect(limit.tryTake('198.51.100.7')).to.equal(true);
  });

  it('keeps at most maxSources buckets, forgetting the least recently used', () => {
    const limit = createKeyedRateLimiter({ perSecond: 1, burst: 1, now, maxSources: 2 });
    expect([limit.tryTake('a'), limit.tryTake('b'), limit.tryTake('a')]).to.deep.equal([true, true, false]);
    expect(limit.tryTake('c')).to.equal(true); // evicts b, the least recently used
    expect(limit.tryTake('a')).to.equal(false); // a was kept
    expect(limit.tryTake('b')).to.equal(true); // b starts afresh
  });
});
