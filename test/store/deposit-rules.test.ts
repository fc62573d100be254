import { expect } from 'chai';
import { OPEN_JOB_RANGE, OPEN_JOB_STATUSES, isOpenStatus } from '../../src/store/deposit-rules.js';
import type { JobStatus } from '../../src/store/store.js';

describe('OPEN_JOB_RANGE', () => {
  it('selects exactly the open statuses (MongoDB compares strings by their bytes, as here)', () => {
    const all: JobStatus[] = ['queued', 'leased', 'parked', 'done'];
    const inRange = all.filter((s) => s > OPEN_JOB_RANGE.$gt);
    expect(inRange).to.deep.equal(all.filter(isOpenStatus));
    expect([...inRange].sort()).to.deep.equal([...OPEN_JOB_STATUSES].sort());
  });
});
