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
    const r = cli(['status'], { STORE_URL: 'mysql://db/orcid' });
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/STORE_URL_UNSUPPORTED/);
    expect(r.stderr).to.include('sqlite:');
    expect(r.stderr).to.not.match(/\n\s+at /);
  });

  it('prints queue counts for a fresh store as a table, and as one JSON line with --json', () => {
    const table = cli(['status'], { STORE_URL: 'sqlite::memory:' });
    expect(table.code).to.equal(0);
    expect(table.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).to.deep.equal(['queued 0', 'leased 0', 'parked 0', 'done 0', '']);
    const json = cli(['status', '--json'], { STORE_URL: 'sqlite::memory:' });
    expect(json.code).to.equal(0);
    expect(JSON.parse(json.stdout)).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 0 });
  });

  it('names the unknown command, prints usage and exits 2', () => {
    const r = cli(['frobnicate'], {});
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include("unknown command 'frobnicate'");
    expect(r.stderr).to.match(/^usage: koa-orcid-connect/m);
  });

  describe('--help', () => {
    // A store URL that cannot be opened: a command that touched the store would fail.
    const unopenable = { STORE_URL: 'sqlite:/dev/null/cannot/orcid.db' };
    for (const command of ['demo', 'emulator', 'worker', 'status', 'embed-jats', 'embed-crossref']) {
      it(`${command} --help prints its usage and examples, exits 0 and opens no store`, () => {
        const r = cli([command, '--help'], unopenable);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^Usage: koa-orcid-connect ${command} `));
        expect(r.stdout).to.include('Examples:');
        expect(r.stderr).to.equal('');
      });
    }

    it('with no command lists every command', () => {
      const r = cli([], {});
      expect(r.code).to.equal(0);
      for (const command of ['demo', 'emulator', 'worker', 'embed-jats', 'embed-crossref', 'status']) expect(r.stdout).to.include(`  ${command} `);
    });
  });

  it('names a missing input file with a code and exits 2, without a stack trace', () => {
    const r = cli(['embed-jats', 'no-such-article.xml', '--contributors', 'package.json'], {});
    expect(r.code).to.equal(2);
    expect(JSON.parse(r.stderr.trim())).to.deep.equal({ error: { code: 'INPUT_FILE_NOT_FOUND', message: 'no-such-article.xml: no such file', path: 'no-such-article.xml' } });
  });
});
