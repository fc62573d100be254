import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { TokenCipher, parseTokenKey } from '../../src/store/token-cipher.js';
import { ConfigError, OrcidPluginError } from '../../src/errors.js';

const tokens = { access_token: 'f5af9f51-07e6-4332-8f1a-c0c11c1e3728', refresh_token: 'f725f747-3a65-49f6-a231-3e8944ce464d', scope: '/activities/update', expires_in: 631138518 };
const key = (fill: number) => Buffer.alloc(32, fill);

function failure(fn: () => unknown): OrcidPluginError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(OrcidPluginError);
    return e as OrcidPluginError;
  }
  return expect.fail('expected an error');
}

describe('TokenCipher', () => {
  it('fromKeys: a set sealed before a rotation opens after a newer key is put first', () => {
    const before = TokenCipher.fromKeys([key(1)]).seal(tokens);
    const after = TokenCipher.fromKeys([key(2), key(1)]);
    expect(after.open(before)).to.deep.equal(tokens);
    expect(after.seal(tokens).split('.')[1]).to.equal(TokenCipher.keyId(key(2)));
    expect(before.split('.')[1]).to.equal(TokenCipher.keyId(key(1)));
  });

  it('fromKeys: a key id comes from the key itself, not from its place in the list (issue 13, finding 4)', () => {
    expect(TokenCipher.keyId(key(1))).to.match(/^h[0-9a-f]{16}$/);
    expect(TokenCipher.keyId(key(1))).to.not.equal(TokenCipher.keyId(key(2)));
    // Sealed under B while A was still listed, then A dropped: [B, A] → [B].
    const sealed = TokenCipher.fromKeys([key(2), key(1)]).seal(tokens);
    expect(TokenCipher.fromKeys([key(2)]).open(sealed)).to.deep.equal(tokens);
  });

  it('rotation: seal under A, rotate to B, re-seal, drop A: every set still opens', () => {
    const A = randomBytes(32);
    const B = randomBytes(32);
    const stored = Array.from({ length: 20 }, (_, i) => TokenCipher.fromKeys([A]).seal({ ...tokens, n: i }));
    const rotated = TokenCipher.fromKeys([B, A]);
    // Half re-sealed by the time the background pass is interrupted; the rest still open under A.
    const midway = stored.map((s, i) => (i % 2 === 0 ? rotated.reseal(s) : s));
    midway.forEach((s, i) => expect(rotated.open<{ n: number }>(s).n).to.equal(i));
    const done = midway.map((s) => rotated.reseal(s));
    expect(new Set(done.map((s) => s.split('.')[1]))).to.deep.equal(new Set([TokenCipher.keyId(B)]));
    expect(done.filter((s, i) => s !== midway[i]).length, 're-seals only what needs it').to.equal(10);
    const onlyB = TokenCipher.fromKeys([B]);
    done.forEach((s, i) => expect(onlyB.open<{ n: number }>(s).n).to.equal(i));
    expect(failure(() => onlyB.open(stored[1]!)).code).to.equal('TOKEN_DECRYPT_FAILED');
  });

  it('migration: sets sealed under the old position-based ids (k1, k2, …) still open, and re-seal to the new id', () => {
    const A = randomBytes(32);
    const B = randomBytes(32);
    // What fromKeys wrote before: ids counted up from the oldest key.
    const legacyA = new TokenCipher([{ id: 'k1', key: A }]).seal(tokens);
    const legacyB = new TokenCipher([{ id: 'k2', key: B }, { id: 'k1', key: A }]).seal(tokens);
    for (const cipher of [TokenCipher.fromKeys([B, A]), TokenCipher.fromKeys([A, B])]) {
      expect(cipher.open(legacyA)).to.deep.equal(tokens);
      expect(cipher.open(legacyB)).to.deep.equal(tokens);
    }
    expect(TokenCipher.fromKeys([B]).open(legacyB)).to.deep.equal(tokens);
    expect(failure(() => TokenCipher.fromKeys([B]).open(legacyA)).code).to.equal('TOKEN_DECRYPT_FAILED');
    const resealed = TokenCipher.fromKeys([B, A]).reseal(legacyA);
    expect(resealed.split('.')[1]).to.equal(TokenCipher.keyId(B));
    expect(TokenCipher.fromKeys([B]).open(resealed)).to.deep.equal(tokens);
  });

  it('round-trips a token set and never shows the tokens in the sealed text', () => {
    const cipher = new TokenCipher([{ id: 'k1', key: randomBytes(32) }]);
    const sealed = cipher.seal(tokens);
    expect(sealed).to.match(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.to.include('f5af9f51');
    expect(cipher.open(sealed)).to.deep.equal(tokens);
    expect(cipher.seal(tokens)).not.to.equal(sealed); // a fresh IV every time
  });

  it('rotates keys: the new first key seals, the old key still opens what it sealed', () => {
    const old = new TokenCipher([{ id: '2025', key: key(1) }]);
    const sealedBefore = old.seal(tokens);
    const rotated = new TokenCipher([{ id: '2026', key: key(2) }, { id: '2025', key: key(1) }]);
    expect(rotated.open(sealedBefore)).to.deep.equal(tokens);
    const sealedAfter = rotated.seal(tokens);
    expect(sealedAfter.startsWith('v1.2026.')).to.equal(true);
    const err = failure(() => old.open(sealedAfter));
    expect(err.code).to.equal('TOKEN_DECRYPT_FAILED');
    expect(err.message).to.equal('Sealed token set uses key "2026", which is not configured: add it back to the token keys');
  });

  it('detects tampering with the ciphertext, the tag, or the key label', () => {
    const cipher = new TokenCipher([{ id: 'a', key: key(1) }, { id: 'b', key: key(1) }]);
    const sealed = cipher.seal(tokens);
    const parts = sealed.split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const bad of [
      [...parts.slice(0, 4), flip(parts[4])].join('.'),
      [...parts.slice(0, 3), flip(parts[3]), parts[4]].join('.'),
      ['v1', 'b', ...parts.slice(2)].join('.'), // same key bytes, other label: the AAD catches it
    ]) {
      const err = failure(() => cipher.open(bad));
      expect(err.code).to.equal('TOKEN_DECRYPT_FAILED');
      expect(err.message).to.match(/^Sealed token set could not be opened with key "[ab]" \(wrong key or tampered value\)$/);
    }
  });

  it('refuses a value sealed with a different key under the same id', () => {
    const sealed = new TokenCipher([{ id: 'k', key: key(1) }]).seal(tokens);
    expect(failure(() => new TokenCipher([{ id: 'k', key: key(9) }]).open(sealed)).code).to.equal('TOKEN_DECRYPT_FAILED');
  });

  it('refuses malformed sealed text', () => {
    const cipher = new TokenCipher([{ id: 'k', key: key(1) }]);
    for (const bad of ['', 'plain-token', 'v2.k.a.b.c', 'v1.k.AAAA.BBBB.CCCC']) {
      expect(failure(() => cipher.open(bad)).code).to.equal('TOKEN_DECRYPT_FAILED');
    }
  });

  it('refuses bad key configurations with every problem named', () => {
    const err = failure(() => new TokenCipher([{ id: 'a.b', key: Buffer.alloc(16) }, { id: 'a.b', key: key(1) }]));
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).problems).to.deep.equal([
      { setting: 'tokenKeys[0].id', problem: 'must be 1-64 letters, digits, "_" or "-"' },
      { setting: 'tokenKeys[0].key', problem: 'must be 32 bytes (got 16)' },
      { setting: 'tokenKeys[1].id', problem: 'must be 1-64 letters, digits, "_" or "-"' },
      { setting: 'tokenKeys', problem: 'key ids must be unique' },
    ]);
    expect((failure(() => new TokenCipher([])) as ConfigError).problems).to.deep.equal([{ setting: 'tokenKeys', problem: 'at least one key is required' }]);
  });
});

describe('parseTokenKey', () => {
  it('decodes 32 bytes of base64 or base64url', () => {
    const raw = randomBytes(32);
    expect(parseTokenKey(raw.toString('base64')).equals(raw)).to.equal(true);
    expect(parseTokenKey(raw.toString('base64url')).equals(raw)).to.equal(true);
    expect(parseTokenKey(` ${raw.toString('base64')}\n`).equals(raw)).to.equal(true);
  });

  it('names the setting and the size when the key is not 32 bytes', () => {
    const short = failure(() => parseTokenKey(randomBytes(16).toString('base64'), 'TOKEN_KEY')) as ConfigError;
    expect(short.problems).to.deep.equal([{ setting: 'TOKEN_KEY', problem: 'must be 32 bytes encoded in base64 (got 16 bytes); create one with: openssl rand -base64 32' }]);
    const notBase64 = failure(() => parseTokenKey('not base64 at all!')) as ConfigError;
    expect(notBase64.problems[0]).to.deep.equal({ setting: 'encryptionKey', problem: 'must be 32 bytes encoded in base64 (got text that is not base64); create one with: openssl rand -base64 32' });
  });
});
