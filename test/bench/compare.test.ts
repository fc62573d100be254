import { expect } from 'chai';
import { compareTable, unmatchedBenchmarks } from '../../bench/compare.js';
import { compareFigures, figuresOf } from '../../bench/figures.js';
import { machineFacts, type RecordedRun } from '../../bench/record.js';

const run = (commit: string, results: RecordedRun['results']): RecordedRun => ({ machine: { ...machineFacts(new Date('2026-11-30T09:00:00Z')), commit }, results });

describe('bench:compare', () => {
  it('names the benchmarks only one of the two runs holds, instead of comparing nothing in silence', () => {
    const a = run('aaa', [{ name: 'embed', worstRatio: 1.9, checks: [] }, { name: 'route-overhead', rounds: 7, checks: [] }]);
    const b = run('bbb', [{ name: 'embed', worstRatio: 1.8, checks: [] }, { name: 'root-import', rounds: 9, checks: [] }]);
    expect(unmatchedBenchmarks(a, b)).to.deep.equal({ onlyA: ['route-overhead'], onlyB: ['root-import'] });
    const rows = compareFigures(figuresOf(a.results), figuresOf(b.results));
    expect(rows.map((r) => r.figure)).to.deep.equal(['embed.worstRatio']);
    expect(compareTable(rows, true)).to.contain('| embed.worstRatio | 1.9 | 1.8 | 0.947 |');
  });
});
