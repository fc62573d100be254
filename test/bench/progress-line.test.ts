import { expect } from 'chai';
import { ProgressLine, formatSeconds } from '../../bench/progress-line.js';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { out: { isTTY, write: (s: string) => lines.push(s) }, lines };
}

describe('benchmark progress line', () => {
  it('names the benchmark, how far it is, its ETA and the whole run\'s from the last record', () => {
    let now = 0;
    const { out } = sink(false);
    const line = new ProgressLine(['a', 'b', 'c'], { b: 30, c: 60 }, out, () => now);
    line.start('b');
    now = 10_000;
    expect(line.line({ what: 'works posted', done: 5000, total: 20000 })).to.equal('[2/3 b] works posted 5,000/20,000 (25%), ETA 30 s, whole run ~1 min 30 s');
  });

  it('falls back to the last record before the first update, and leaves the whole run out when a later benchmark has no record', () => {
    let now = 0;
    const line = new ProgressLine(['a', 'b'], { a: 50 }, sink(false).out, () => now);
    line.start('a');
    now = 20_000;
    expect(line.line({ what: 'rounds', done: 0, total: 4 })).to.equal('[1/2 a] rounds 0/4 (0%), ETA 30 s');
  });

  it('prints at most one line per 15 s when stderr is not a terminal', () => {
    let now = 0;
    const { out, lines } = sink(false);
    const line = new ProgressLine(['a'], {}, out, () => now);
    line.start('a');
    for (let s = 0; s <= 30; s++) {
      now = s * 1000;
      line.update({ what: 'x', done: s, total: 30 });
    }
    line.finish();
    expect(lines.filter((l) => l.includes(' x '))).to.have.length(2);
    expect(lines.at(-1)).to.equal('[1/1 a] done in 30 s\n');
  });

  it('formats durations for people', () => {
    expect([formatSeconds(12.4), formatSeconds(125), formatSeconds(NaN)]).to.deep.equal(['12 s', '2 min 05 s', '?']);
  });
});
