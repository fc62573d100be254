import { expect } from 'chai';
import { compareFigures, figuresOf } from '../../bench/figures.js';
import { compareTable } from '../../bench/compare.js';
import type { BenchResult } from '../../bench/common.js';

const run = (ratio: number, interval: [number, number], rps: number): BenchResult[] => [
  {
    name: 'route-overhead',
    rounds: 7,
    contributorsApi: { rps: { with: [1, 2], without: [1, 2], ratio: { median: ratio, min: interval[0], max: interval[1], interval, rounds: 7 } } },
    checks: [{ what: 'c', value: ratio, op: '>=', target: 0.95 }],
    notes: ['not a figure'],
  },
  { name: 'embed', rows: [{ input: 'a.xml', mb: 1, ratio: { median: 1.2, min: 1.1, max: 1.3, interval: [1.15, 1.25], rounds: 9 } }], bareRps: rps, checks: [] },
];

describe('benchmark figures', () => {
  it('flattens numeric leaves by path, a spread as its median, rows by their input, without raw rounds, notes or checks', () => {
    const f = figuresOf(run(0.94, [0.93, 0.95], 100));
    expect([...f.keys()]).to.deep.equal(['route-overhead.rounds', 'route-overhead.contributorsApi.rps.ratio', 'embed.rows[a.xml].mb', 'embed.rows[a.xml].ratio', 'embed.bareRps']);
    expect(f.get('route-overhead.contributorsApi.rps.ratio')).to.deep.equal({ value: 0.94, interval: [0.93, 0.95] });
  });

  it('marks a figure that moved beyond its interval, and one that stayed within it', () => {
    const rows = compareFigures(figuresOf(run(0.94, [0.93, 0.95], 100)), figuresOf(run(0.99, [0.98, 1.0], 100)));
    const byName = new Map(rows.map((r) => [r.figure, r]));
    expect(byName.get('route-overhead.contributorsApi.rps.ratio')!.verdict).to.equal('moved');
    expect(byName.get('route-overhead.rounds')!.verdict).to.equal('same');
    const small = compareFigures(figuresOf(run(0.94, [0.9, 0.98], 100)), figuresOf(run(0.95, [0.91, 0.99], 100)));
    expect(small.find((r) => r.figure.endsWith('rps.ratio'))!.verdict).to.equal('noise');
  });

  it('takes the noise of a figure without an interval from repeated runs of the same commit', () => {
    const repeated = [figuresOf(run(0.94, [0.93, 0.95], 100)), figuresOf(run(0.94, [0.93, 0.95], 110))];
    const a = figuresOf(run(0.94, [0.93, 0.95], 100));
    expect(compareFigures(a, figuresOf(run(0.94, [0.93, 0.95], 104)), repeated).find((r) => r.figure === 'embed.bareRps')!.verdict).to.equal('noise');
    expect(compareFigures(a, figuresOf(run(0.94, [0.93, 0.95], 130)), repeated).find((r) => r.figure === 'embed.bareRps')!.verdict).to.equal('moved');
    expect(compareFigures(a, figuresOf(run(0.94, [0.93, 0.95], 130))).find((r) => r.figure === 'embed.bareRps')!.verdict).to.equal('unknown');
  });

  it('prints the changed figures as a table with their ratio and mark', () => {
    const rows = compareFigures(figuresOf(run(0.94, [0.93, 0.95], 100)), figuresOf(run(0.99, [0.98, 1.0], 100)));
    const table = compareTable(rows, false).split('\n');
    expect(table[0]).to.equal('| figure | A | B | B/A | noise | |');
    expect(table).to.include('| route-overhead.contributorsApi.rps.ratio | 0.94 | 0.99 | 1.053 | ±1.1% | MOVED |');
    expect(table.some((l) => l.startsWith('| route-overhead.rounds'))).to.equal(false);
  });
});
