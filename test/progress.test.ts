import { expect } from 'chai';
import { formatProgress } from '../src/progress.js';

describe('formatProgress (worker --drain)', () => {
  it('draws a bar with count, percentage, rate and ETA on a terminal', () => {
    expect(formatProgress({ done: 1200, total: 5000, elapsedMs: 60_000, width: 20 })).to.equal('[====>               ] 1200/5000 24% 20.0/s ETA 3m10s');
  });

  it('prints a plain line without a bar when the output is not a terminal', () => {
    expect(formatProgress({ done: 10, total: 40, elapsedMs: 5_000, width: 0 })).to.equal('10/40 25% 2.0/s ETA 15s');
  });

  it('says the ETA is unknown before anything was done, and is full when done', () => {
    expect(formatProgress({ done: 0, total: 10, elapsedMs: 0, width: 4 })).to.equal('[    ] 0/10 0% 0.0/s ETA ?');
    expect(formatProgress({ done: 10, total: 10, elapsedMs: 1000, width: 4 })).to.equal('[===>] 10/10 100% 10.0/s ETA 0s');
  });
});
