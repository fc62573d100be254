import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('koa-orcid-connect journals / status --journal', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'orcid-journals-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  it('journals --help prints its usage and examples, exits 0 and opens no store', () => {
    const r = cli(['journals', '--help'], { STORE_URL: 'sqlite:/dev/null/cannot/orcid.db' });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Usage: koa-orcid-connect journals /);
    expect(r.stdout).to.include('Examples:');
    expect(r.stderr).to.equal('');
  });

  it('refuses a bad journal file with each problem\'s path and exit code 2, before opening the store', () => {
    const bad = file('bad.json', { id: 'jex', title: '', issn: '0317-8472', credentialsId: 'default', colour: 'red' });
    const r = cli(['journals', 'upsert', '--file', bad], { STORE_URL: 'sqlite:/dev/null/cannot/orcid.db' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('JOURNAL_INVALID');
    for (const path of ['journal.title', 'journal.colour']) expect(r.stderr).to.include(`- ${path}:`);
    expect(r.stderr).to.not.include('STORE_UNAVAILABLE');
    const notJson = cli(['journals', 'upsert', '--file', file('broken.json', '{"id": ')], {});
    expect(notJson.code).to.equal(2);
    expect(notJson.stderr).to.include('is not JSON');
  });

  it('stores journals and credentials from a file, never printing a secret, and status --journal knows them', () => {
    const store = `sqlite:${join(dir, 'orcid.db')}`;
    const good = file('publisher.json', {
      orcidCredentials: [{ id: 'pub-a', env: 'emulator', clientId: 'APP-AAAAAAAAAAAAAAAA', clientSecret: 'secret-of-publisher-a' }],
      journals: [{ id: 'jex', title: 'Journal of Examples', issn: '0317-8471', credentialsId: 'pub-a' }],
    });
    const r = cli(['journals', 'upsert', '--file', good], { STORE_URL: store });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('jex\tJournal of Examples\tcredentials pub-a\ncredentials pub-a\tAPP-AAAAAAAAAAAAAAAA\n');
    expect(r.stdout + r.stderr).to.not.include('secret-of-publisher-a');

    const status = cli(['status', '--journal', 'jex', '--json'], { STORE_URL: store });
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.have.keys('queued', 'leased', 'parked', 'done');
    const unknown = cli(['status', '--journal', 'nope'], { STORE_URL: store });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('JOURNAL_UNKNOWN');
  });

  it('refuses a journal naming credentials the store does not have (exit 2, nothing stored)', () => {
    const store = `sqlite:${join(dir, 'orphan.db')}`;
    const r = cli(['journals', 'upsert', '--file', file('orphan.json', { id: 'j2', title: 'J2', credentialsId: 'pub-z' })], { STORE_URL: store });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('journal.credentialsId: names no credentials record ("pub-z")');
    const status = cli(['status', '--journal', 'j2'], { STORE_URL: store });
    expect(status.code).to.equal(2);
  });
});
