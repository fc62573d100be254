import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orcidConnect, type OrcidConnect } from '../../src/plugin.js';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import { article } from '../sync/helpers.js';

/**
 * Issue 13, finding 4, end to end on one SQLite file: connect under key A, rotate to B (A kept as a
 * previous key), re-seal every stored set, drop A. The token still works: the work reaches ORCID.
 */
describe('token key rotation across restarts', function () {
  this.timeout(60_000);
  const A = createHash('sha256').update('rotation key A').digest('base64');
  const B = createHash('sha256').update('rotation key B').digest('base64');
  let dir: string;
  let h: Harness;
  const open: OrcidConnect[] = [];
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seal under A, rotate to B, re-seal, drop A: the token still opens and the work is posted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'orcid-rotation-'));
    const storeUrl = `sqlite:${join(dir, 'orcid.db')}`;
    h = await startHarness({ storeUrl, tokenKey: A });
    await h.orcid.submissionCreated({ id: 's1', title: 'Rotated', contributors: [{ contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' }] });
    const b = new Browser({ 'x-user': 'u1' });
    expect((await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!)).status).to.equal(302);
    const restart = async (tokenKey: string, previousTokenKeys: string[]) => {
      const p = await orcidConnect({ storeUrl, tokenKey, previousTokenKeys, publicUrl: h.url, logLevel: 'silent', env: {}, orcid: { env: 'emulator', baseUrl: h.emulator.url } });
      open.push(p);
      return p;
    };

    // Rotate: B seals from now on, A still opens; a background pass re-seals what A sealed.
    const rotated = await restart(B, [A]);
    const cipher = TokenCipher.fromKeys(rotated.config.tokenKeys);
    const identity = (await rotated.store.findIdentityByOrcid(h.researchers.author!))!;
    expect(identity.sealedTokens!.split('.')[1]).to.equal(TokenCipher.keyId(Buffer.from(A, 'base64')));
    await rotated.store.updateIdentityTokens(identity.id, cipher.reseal(identity.sealedTokens!), identity.scopes, identity.tokenExpiresAt, new Date());
    await rotated.close();
    open.pop();

    // Drop A.
    const onlyB = await restart(B, []);
    await onlyB.articlePublished(article({ authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] }));
    await onlyB.worker.drain();
    const deposits = await onlyB.store.listDeposits({ submissionId: 's1' });
    expect(deposits.map((d) => d.status)).to.deep.equal(['synced']);
    expect((await h.record(h.researchers.author!)).items.map((i) => i.type)).to.deep.equal(['work']);
  });
});
