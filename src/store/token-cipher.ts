/**
 * AES-256-GCM sealing of ORCID token sets before they reach the store.
 *
 * A sealed value names the key that sealed it, so keys can rotate: configure the new key first
 * (it seals from then on) and keep the old ones after it until every token was refreshed or
 * re-sealed. The version and key id are bound to the ciphertext as additional authenticated data,
 * so a sealed value cannot be relabelled to another key.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (iv, tag and ciphertext in base64url).
 *
 * Configured keys get an id derived from the key itself ({@link TokenCipher.keyId}), so a key keeps
 * its id whatever else is in the list and the oldest key can be dropped (issue 13, finding 4). Sets
 * sealed before under position-based ids (`k1`, `k2`, … counted from the oldest key) still open:
 * such an id is tried against every configured key, and GCM's tag tells which one sealed it.
 * `reseal` moves a set to the current key, so a background pass can empty an old key before it goes.
 *
 * @example
 * const cipher = new TokenCipher([{ id: '2026-11', key: parseTokenKey(process.env.TOKEN_KEY!) }]);
 * const sealed = cipher.seal({ access_token: '…', refresh_token: '…' });
 * const tokens = cipher.open<{ access_token: string }>(sealed);
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConfigError, OrcidPluginError, TOKEN_DECRYPT_FAILED } from '../errors.js';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
/** The ids `fromKeys` gave keys by list position before ids came from the keys. */
const LEGACY_POSITION_ID = /^k\d{1,4}$/;

export interface TokenKey {
  /** Short label stored with each sealed value (letters, digits, `_`, `-`). */
  id: string;
  /** 32 random bytes. */
  key: Buffer;
}

export class TokenDecryptError extends OrcidPluginError {
  constructor(message: string, cause?: unknown) {
    super(TOKEN_DECRYPT_FAILED, message, { status: 500, cause });
  }
}

export class TokenCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly sealingKey: TokenKey;

  /** The first key seals; every key opens what it sealed. */
  constructor(keys: TokenKey[]) {
    const problems = keys.length === 0 ? [{ setting: 'tokenKeys', problem: 'at least one key is required' }] : [];
    keys.forEach((k, i) => {
      if (!KEY_ID.test(k.id)) problems.push({ setting: `tokenKeys[${i}].id`, problem: 'must be 1-64 letters, digits, "_" or "-"' });
      if (k.key.length !== KEY_BYTES) problems.push({ setting: `tokenKeys[${i}].key`, problem: `must be ${KEY_BYTES} bytes (got ${k.key.length})` });
    });
    const ids = keys.map((k) => k.id);
    if (new Set(ids).size !== ids.length) problems.push({ setting: 'tokenKeys', problem: 'key ids must be unique' });
    if (problems.length > 0) throw new ConfigError(problems);
    this.keys = new Map(keys.map((k) => [k.id, Buffer.from(k.key)]));
    this.sealingKey = keys[0];
  }

  /**
   * A cipher over configured keys, newest first (`ORCID_TOKEN_KEY`, then `ORCID_TOKEN_KEYS_PREVIOUS`).
   * Each key's id is {@link TokenCipher.keyId}: the same key has the same id in any list.
   */
  static fromKeys(keys: readonly Buffer[]): TokenCipher {
    return new TokenCipher(keys.map((key) => ({ id: TokenCipher.keyId(key), key })));
  }

  /**
   * `h` and 16 hex digits of SHA-256 over a label and the key: stable for a key, different across
   * keys, and telling nothing about the key (a hash prefix of 256 random bits).
   */
  static keyId(key: Buffer): string {
    return `h${createHash('sha256').update('koa-orcid-connect token key id\0').update(key).digest('hex').slice(0, 16)}`;
  }

  /** Whether `sealed` was sealed under another key than the current one (a re-seal would move it). */
  needsReseal(sealed: string): boolean {
    return typeof sealed !== 'string' || sealed.split('.')[1] !== this.sealingKey.id;
  }

  /** `sealed` under the current key; returned unchanged when it already is. */
  reseal(sealed: string): string {
    return this.needsReseal(sealed) ? this.seal(this.open(sealed)) : sealed;
  }

  seal(obj: unknown): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.sealingKey.id)!, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.sealingKey.id}`));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(obj) ?? 'null', 'utf8'), cipher.final()]);
    const parts = [VERSION, this.sealingKey.id, b64url(iv), b64url(cipher.getAuthTag()), b64url(ciphertext)];
    return parts.join('.');
  }

  open<T>(sealed: string): T {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new TokenDecryptError(`Sealed token set is malformed (expected "${VERSION}.<keyId>.<iv>.<tag>.<ciphertext>")`);
    }
    const [, keyId, ivText, tagText, ciphertextText] = parts;
    const key = this.keys.get(keyId);
    const legacy = !key && LEGACY_POSITION_ID.test(keyId);
    if (!key && !legacy) {
      throw new TokenDecryptError(`Sealed token set uses key "${keyId}", which is not configured: add it back to the token keys`);
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new TokenDecryptError('Sealed token set is malformed (bad iv or tag length)');
    const ciphertext = Buffer.from(ciphertextText, 'base64url');
    let cause: unknown;
    for (const candidate of key ? [key] : this.keys.values()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', candidate, iv);
        decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
        decipher.setAuthTag(tag);
        const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as T;
      } catch (e) {
        cause = e;
      }
    }
    const which = legacy ? `any configured key (old position-based id "${keyId}")` : `key "${keyId}"`;
    throw new TokenDecryptError(`Sealed token set could not be opened with ${which} (wrong key or tampered value)`, cause);
  }
}

/**
 * Decode a base64 (or base64url) token key and check it is 32 bytes.
 * @param setting names the configuration setting in the error message.
 * @example
 * const key = parseTokenKey(process.env.ORCID_TOKEN_KEY!, 'tokenKey'); // from `openssl rand -base64 32`
 */
export function parseTokenKey(base64: string, setting = 'encryptionKey'): Buffer {
  const text = typeof base64 === 'string' ? base64.trim() : '';
  const key = BASE64.test(text) ? Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new ConfigError([
      {
        setting,
        problem: `must be ${KEY_BYTES} bytes encoded in base64 (got ${BASE64.test(text) ? `${key.length} bytes` : 'text that is not base64'}); create one with: openssl rand -base64 32`,
      },
    ]);
  }
  return key;
}

function b64url(b: Buffer): string {
  return b.toString('base64url');
}
