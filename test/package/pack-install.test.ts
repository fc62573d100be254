import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { footprint, packAndInstall, type Installed } from '../../scripts/pack-install.js';

/**
 * The package as a host installs it: `npm pack`, the tarball installed into an empty folder with
 * koa and better-sqlite3 only, and a quick start run there. Catches a missing `files` entry, a
 * dev-only import, or a hard dependency on an optional driver.
 *
 * It builds, and installs from the package registry (or a warm npm cache): about a minute or two,
 * so it runs only with PACK_INSTALL=1 (CI sets it).
 */
const QUICK_START = `
process.env.LOG_LEVEL = 'silent';
import Koa from 'koa';
import { createServer } from 'node:http';
import { orcidConnect, openStore } from 'koa-orcid-connect';
import { startEmulator } from 'koa-orcid-connect/emulator';

const emulator = await startEmulator({ port: 0, validateXml: false });
const app = new Koa();
const server = createServer();
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const publicUrl = 'http://127.0.0.1:' + server.address().port;
const orcid = await orcidConnect({ storeUrl: 'sqlite:./data/orcid.db', publicUrl, logLevel: 'silent', currentUser: () => ({ id: 'u1' }), orcid: { env: 'emulator', baseUrl: emulator.url } });
app.use(orcid.routes());
server.on('request', app.callback());
const connect = await fetch(publicUrl + '/orcid/connect?role=author', { redirect: 'manual' });
const mongo = await openStore('mongodb://127.0.0.1:1/x').then(() => null, (e) => ({ code: e.code, packageName: e.packageName }));
await orcid.close();
server.close();
await emulator.close();
console.log(JSON.stringify({ status: connect.status, toEmulator: (connect.headers.get('location') ?? '').startsWith(emulator.url), mongo }));
`;

(process.env.PACK_INSTALL ? describe : describe.skip)('the packed package installed in an empty folder (PACK_INSTALL=1)', function () {
  this.timeout(600_000);
  let installed: Installed;
  before(() => {
    installed = packAndInstall();
  });
  after(() => installed && rmSync(dirname(installed.dir), { recursive: true, force: true }));

  it('runs the quick start: mounts, redirects a connect to ORCID, creates the sqlite folder, names a missing driver', () => {
    writeFileSync(join(installed.dir, 'quick-start.mjs'), QUICK_START);
    const out = execFileSync(process.execPath, ['quick-start.mjs'], { cwd: installed.dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(JSON.parse(out.trim().split('\n').pop()!)).to.deep.equal({ status: 302, toEmulator: true, mongo: { code: 'DEPENDENCY_MISSING', packageName: 'mongoose' } });
    expect(existsSync(join(installed.dir, 'data', 'orcid.db'))).to.equal(true);
  });

  it('runs the installed command from dist/: --help without a store, status on the new store', () => {
    const bin = join(installed.dir, 'node_modules', '.bin', 'koa-orcid-connect');
    const env = { PATH: process.env.PATH ?? '', STORE_URL: 'sqlite:./data/orcid.db' };
    expect(execFileSync(bin, ['status', '--help'], { cwd: installed.dir, encoding: 'utf8', env })).to.match(/usage: koa-orcid-connect status/i);
    expect(JSON.parse(execFileSync(bin, ['status', '--json'], { cwd: installed.dir, encoding: 'utf8', env }))).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 0 });
  });

  it('installs none of the optional drivers or development tools', () => {
    for (const name of ['mongoose', 'xmllint-wasm', 'tsx', 'typescript', 'mocha']) expect(existsSync(join(installed.dir, 'node_modules', name)), name).to.equal(false);
    const { packages, megabytes, diskMegabytes } = footprint(installed.dir);
    console.log(`      footprint: ${packages} packages, ${megabytes} MB of files, ${diskMegabytes} MB on disk`);
  });
});
