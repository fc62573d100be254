import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRecord, latestRun, machineFacts, previousWallSeconds, readRecord, recordFiles } from '../../bench/record.js';

describe('benchmark records', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'koc-record-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends runs of one commit and day to one file, a header line with the machine and then one line per benchmark', () => {
    const m1 = { ...machineFacts(new Date('2026-11-29T10:00:00Z')), commit: 'abc1234567' };
    const m2 = { ...m1, date: '2026-11-29T11:00:00.000Z' };
    const file = appendRecord(m1, [{ name: 'embed', wallSeconds: 12, checks: [] }], dir);
    expect(appendRecord(m2, [{ name: 'embed', wallSeconds: 14, checks: [] }], dir)).to.equal(file);
    const lines = readFileSync(join(dir, '2026-11-29-abc1234567.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).to.deep.equal(['run', 'bench', 'run', 'bench']);
    expect(lines[0]).to.include.keys('cpuModel', 'cores', 'node', 'loadAverage', 'commit', 'date');
    const runs = readRecord(join(dir, '2026-11-29-abc1234567.jsonl'));
    expect(runs.map((r) => r.results[0].wallSeconds)).to.deep.equal([12, 14]);
  });

  it('finds the newest run by date across files, and its wall times for the ETA', () => {
    appendRecord({ ...machineFacts(new Date('2026-11-30T09:00:00Z')), commit: 'bbb' }, [{ name: 'embed', wallSeconds: 20, checks: [] }], dir);
    appendRecord({ ...machineFacts(new Date('2026-11-28T09:00:00Z')), commit: 'aaa' }, [{ name: 'embed', wallSeconds: 10, checks: [] }], dir);
    expect(recordFiles(dir).map((f) => f.slice(dir.length + 1))).to.deep.equal(['2026-11-28-aaa.jsonl', '2026-11-30-bbb.jsonl']);
    expect(latestRun(dir)!.machine.commit).to.equal('bbb');
    expect(previousWallSeconds(dir)).to.deep.equal({ embed: 20 });
  });

  it('has nothing to say before the first record', () => {
    expect(latestRun(join(dir, 'absent'))).to.equal(null);
    expect(previousWallSeconds(join(dir, 'absent'))).to.deep.equal({});
  });
});
