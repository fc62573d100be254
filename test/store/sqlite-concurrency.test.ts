import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite.js';
import { TokenCipher } from '../../src/store/token-cipher.js';

const workerScript = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));

function runWorker(file: string, workerId: string): Promise<{ workerId: string; completed: string[]; lost: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript, file, workerId, '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker ${workerId} exited ${code}: ${err}`))));
  });
}

describe('SqliteStore across processes', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'orcid-conc-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('two worker processes complete 10,000 jobs, each exactly once, none lost', async () => {
    const file = join(dir, 'outbox.db');
    const store = new SqliteStore({ path: file });
    await store.init();
    const now = new Date(Date.now() - 1000);
    for (let i = 0; i < 10_000; i++) {
      await store.desireDeposit(
        { key: `work:a${i}:0000-0002-1825-0097`, kind: 'work', identityId: 'idn', orcid: '0000-0002-1825-0097', sourceId: `a${i}`, externalIdType: 'doi', externalIdValue: `10.5555/${i}`, desiredState: 'present', payload: `<w>${i}</w>`, payloadHash: `h${i}` },
        now,
      );
    }
    const [a, b] = await Promise.all([runWorker(file, 'w-a'), runWorker(file, 'w-b')]);

    const all = [...a.completed, ...b.completed];
    const inBoth = a.completed.filter((id) => new Set(b.completed).has(id));
    expect({ lostA: a.lost.length, lostB: b.lost.length, inBoth: inBoth.length, total: all.length, distinct: new Set(all).size }).to.deep.equal({
      lostA: 0, lostB: 0, inBoth: 0, total: 10_000, distinct: 10_000,
    });
    expect(a.completed.length).to.be.above(0);
    expect(b.completed.length).to.be.above(0);
    expect(await store.countJobs()).to.deep.equal({ queued: 0, leased: 0, parked: 0, done: 10_000 });
    const jobs = await store.listJobs({ status: 'done', limit: 10_000 });
    expect(jobs.filter((c) => c.job.attempts !== 1)).to.deep.equal([]);
    expect(jobs.filter((c) => c.deposit.putCode !== `pc-${c.deposit.key}` || c.deposit.status !== 'synced')).to.deep.equal([]);
    await store.close();
  });

  it('keeps tokens sealed on disk: neither token appears in the database files, WAL included', async () => {
    const file = join(dir, 'tokens.db');
    const store = new SqliteStore({ path: file });
    await store.init();
    const cipher = new TokenCipher([{ id: 'k1', key: Buffer.alloc(32, 7) }]);
    const access = 'a1b2c3d4-access-0000-token-plaintext';
    const refresh = 'e5f6a7b8-refresh-0000-token-plaintext';
    const sealed = cipher.seal({ access_token: access, refresh_token: refresh, scope: '/activities/update' });
    const idn = await store.linkIdentity({ orcid: '0000-0002-1825-0097', sealedTokens: sealed, scopes: ['/activities/update'], tokenExpiresAt: null }, new Date());
    // Read it back while the store is open, so the write is still (at least) in the -wal file.
    expect(cipher.open<{ access_token: string }>((await store.getIdentity(idn.id))!.sealedTokens!).access_token).to.equal(access);
    const files = readdirSync(dir).filter((f) => f.startsWith('tokens.db'));
    expect(files).to.include('tokens.db-wal');
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    expect(bytes.includes(Buffer.from(sealed.split('.')[4].slice(0, 20)))).to.equal(true); // the sealed value is there…
    expect(bytes.includes(Buffer.from(access))).to.equal(false); // …the tokens are not
    expect(bytes.includes(Buffer.from(refresh))).to.equal(false);
    await store.close();
  });
});
