import { expect } from 'chai';
import { spawnSync } from 'node:child_process';

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('koa-orcid-connect CLI', function () {
  this.timeout(60_000);

  it('exits 2 with one message listing every configuration problem', () => {
    const r = cli(['status'], { ORCID_ENV: 'production', PUBLIC_URL: 'http://journal.example', JOURNAL_ISSN: 'ABCD' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^Invalid koa-orcid-connect configuration:/);
    for (const setting of ['orcid.clientId', 'orcid.clientSecret', 'publicUrl', 'tokenKey', 'journal.issn']) {
      expect(r.stderr, setting).to.include(`- ${setting}:`);
    }
    expect(r.stderr).to.not.match(/\n\s+at /); // no stack trace
  });

  it('names an unsupported store URL and what works instead', () => {
    const r = cli(['status'], { STORE_URL: 'postgres://db/orcid' });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/STORE_URL_UNSUPPORTED/);
    expect(r.stderr).to.include('sqlite:');
    expect(r.stderr).to.not.match(/\n\s+at /);
  });

  it('prints queue counts for a fresh store', () => {
    const r = cli(['status'], { STORE_URL: 'sqlite::memory:' });
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 0 });
  });

  it('prints usage and exits 2 for an unknown command', () => {
    const r = cli(['frobnicate'], {});
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^usage: koa-orcid-connect/);
  });
});
