import { expect } from 'chai';
import { checkOf, holds, median, pairedRatios, spread, undecided } from '../../bench/stats.js';

describe('bench statistics', () => {
  describe('spread', () => {
    it('reports the median, the min–max and a bootstrap interval inside the min–max', () => {
      const s = spread([0.91, 0.95, 0.93, 0.97, 0.92, 0.94, 0.96]);
      expect(s.median).to.equal(0.94);
      expect([s.min, s.max]).to.deep.equal([0.91, 0.97]);
      expect(s.rounds).to.equal(7);
      expect(s.interval[0]).to.be.at.least(s.min).and.at.most(s.median);
      expect(s.interval[1]).to.be.at.most(s.max).and.at.least(s.median);
    });

    it('gives the same interval for the same rounds (seeded resampling)', () => {
      const rounds = [1.2, 1.4, 1.1, 1.3, 1.25];
      expect(spread(rounds)).to.deep.equal(spread(rounds));
    });

    it('collapses to the value when every round agrees', () => {
      expect(spread([2, 2, 2])).to.deep.equal({ median: 2, min: 2, max: 2, interval: [2, 2], rounds: 3 });
    });

    it('refuses no rounds at all', () => {
      expect(() => spread([])).to.throw(RangeError);
    });
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  it('pairs ratios round by round, and refuses series of different lengths', () => {
    expect(pairedRatios([2, 3], [4, 3])).to.deep.equal([0.5, 1]);
    expect(() => pairedRatios([1], [1, 2])).to.throw(/1 rounds against 2/);
  });

  describe('a check holds only when its whole interval does', () => {
    const table: { interval: [number, number]; op: '>=' | '<='; target: number; held: boolean; undecided: boolean }[] = [
      { interval: [0.96, 0.99], op: '>=', target: 0.95, held: true, undecided: false },
      { interval: [0.94, 0.97], op: '>=', target: 0.95, held: false, undecided: true },
      { interval: [0.90, 0.93], op: '>=', target: 0.95, held: false, undecided: false },
      { interval: [1.2, 1.4], op: '<=', target: 1.5, held: true, undecided: false },
      { interval: [1.45, 1.6], op: '<=', target: 1.5, held: false, undecided: true },
    ];
    for (const row of table) {
      it(`[${row.interval.join(', ')}] ${row.op} ${row.target}: ${row.held ? 'held' : row.undecided ? 'undecided' : 'missed'}`, () => {
        const c = { what: 'x', value: (row.interval[0] + row.interval[1]) / 2, op: row.op, target: row.target, interval: row.interval, rounds: 5 };
        expect(holds(c)).to.equal(row.held);
        expect(undecided(c)).to.equal(row.undecided);
      });
    }

    it('a check without an interval is judged on its value', () => {
      expect(holds({ what: 'x', value: 0, op: '<=', target: 0 })).to.equal(true);
      expect(holds({ what: 'x', value: 1, op: '<', target: 1 })).to.equal(false);
    });

    it('checkOf takes the median as the value and keeps the interval and rounds', () => {
      const c = checkOf('ratio', spread([1, 1.1, 1.2]), '<=', 1.5);
      expect(c).to.deep.include({ what: 'ratio', value: 1.1, op: '<=', target: 1.5, rounds: 3 });
      expect(c.interval).to.have.length(2);
    });
  });
});
