import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { END, START, perfBlock } from '../../scripts/perf-table.js';

describe('the performance table in docs/performance.md', () => {
  it('is the table generated from the newest recorded benchmark run (npx tsx scripts/perf-table.ts --write)', () => {
    const block = perfBlock();
    expect(block, 'a recorded run in bench/results (npm run bench -- --record)').to.not.equal(null);
    const readme = readFileSync('docs/performance.md', 'utf8');
    expect(readme.indexOf(START), 'docs/performance.md has the generated block').to.be.greaterThan(-1);
    expect(readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length)).to.equal(block);
  });
});
