/**
 * Secrets outside the emulator. The development defaults are public (they are in this package and
 * its README), so a deployment that runs on one of them is open to anyone: a known session key
 * forges session cookies, a known invitation secret forges invitation links, a known token key
 * opens the sealed tokens of a stolen database. Production and sandbox refuse them, and refuse
 * values too weak to be secret; the emulator runs on them with a start-up warning.
 */
import type { ConfigProblem } from './errors.js';

/** Dev-only values, public by design (they are in this file): never acceptable outside the emulator. */
export const DEV_ONLY_DEFAULTS = {
  'orcid.clientId': 'APP-DEMO000000000000',
  'orcid.clientSecret': 'demo-secret',
  tokenKey: 'ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=',
  sessionKeys: ['dev-only-session-key-change-me'],
  invitationSecret: 'dev-only-invitation-secret',
  /** The secret of the README's and tests' webhook examples. */
  'webhooks.secret': 'hook-secret-0123456789',
} as const;

/** Stable code of the start-up warning logged while any development default is in use. */
export const DEV_DEFAULTS_IN_USE = 'ORCID_DEV_DEFAULTS_IN_USE';

const GENERATE = 'generate a secret (openssl rand -base64 32)';
/** Words that mark a placeholder someone forgot to replace. */
const PLACEHOLDER = /dev-only|change-?me|do-not-use|example|secret-?here|password/i;
const PUBLIC_TEXT = new Set<string>([DEV_ONLY_DEFAULTS.tokenKey, ...DEV_ONLY_DEFAULTS.sessionKeys, DEV_ONLY_DEFAULTS.invitationSecret, DEV_ONLY_DEFAULTS['webhooks.secret'], DEV_ONLY_DEFAULTS['orcid.clientSecret']]);

export interface SecretSettings {
  tokenKey?: string;
  previousTokenKeys?: string[];
  sessionKeys?: string[];
  invitationSecret?: string;
  webhooks?: { enabled?: boolean; secret?: string };
}

/**
 * A 32-byte key is weak when it has few distinct byte values (all zero, a repeated pattern) or is
 * printable text (a password, not random bytes). 32 random bytes have about 30 distinct values,
 * and are all printable ASCII with probability (95/256)^32 ≈ 2e-14.
 */
export function isWeakKey(key: Buffer): boolean {
  if (new Set(key).size < 16) return true;
  return key.every((b) => b >= 0x20 && b < 0x7f);
}

/** A text secret is weak when it repeats a few characters or contains a placeholder word. */
export function isWeakText(secret: string): boolean {
  return new Set(secret).size < 8 || PLACEHOLDER.test(secret);
}

function decodeKey(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  return key.length === 32 ? key : null;
}

/** Problems of the secrets in production and sandbox (the caller checks the environment). */
export function secretProblems(s: SecretSettings): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const judge = (setting: string, value: string | undefined, kind: 'key' | 'text', item?: number) => {
    if (typeof value !== 'string') return;
    const what = item === undefined ? '' : `item ${item} `;
    if (PUBLIC_TEXT.has(value)) return out.push({ setting, problem: `${what}is the public development value; ${GENERATE}` });
    const key = kind === 'key' ? decodeKey(value) : null;
    if (kind === 'key' && key && isWeakKey(key)) {
      return out.push({ setting, problem: `${what}is not random enough (32 random bytes have many distinct values and are not text); generate one with: openssl rand -base64 32` });
    }
    if (kind === 'text' && isWeakText(value)) {
      return out.push({ setting, problem: `${what}is too weak to be a secret (few distinct characters, or a placeholder word); ${GENERATE}` });
    }
    return undefined;
  };
  judge('tokenKey', s.tokenKey, 'key');
  (s.previousTokenKeys ?? []).forEach((k, i) => judge('previousTokenKeys', k, 'key', i));
  (s.sessionKeys ?? []).forEach((k, i) => judge('sessionKeys', k, 'text', i));
  judge('invitationSecret', s.invitationSecret, 'text');
  if (s.webhooks?.enabled) judge('webhooks.secret', s.webhooks.secret, 'text');
  // One problem per setting is enough to act on (the first bad item of a list).
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(p.setting) && !!seen.add(p.setting));
}

/** Which settings hold a public development value (for the start-up warning in the emulator). */
export function devValuesInUse(s: SecretSettings & { orcid?: { clientId?: string; clientSecret?: string } }): string[] {
  const out: string[] = [];
  if (s.orcid?.clientId === DEV_ONLY_DEFAULTS['orcid.clientId']) out.push('orcid.clientId');
  if (s.orcid?.clientSecret === DEV_ONLY_DEFAULTS['orcid.clientSecret']) out.push('orcid.clientSecret');
  if (s.tokenKey === DEV_ONLY_DEFAULTS.tokenKey || (s.previousTokenKeys ?? []).includes(DEV_ONLY_DEFAULTS.tokenKey)) out.push('tokenKey');
  if ((s.sessionKeys ?? []).some((k) => PUBLIC_TEXT.has(k))) out.push('sessionKeys');
  if (s.invitationSecret === DEV_ONLY_DEFAULTS.invitationSecret) out.push('invitationSecret');
  if (s.webhooks?.enabled && s.webhooks.secret && PUBLIC_TEXT.has(s.webhooks.secret)) out.push('webhooks.secret');
  return out;
}
