import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Invitation links: `<random>.<hmac>`. The HMAC lets us refuse forged or truncated tokens without
 * touching the store; the store keeps only the SHA-256 of the token and marks it used atomically,
 * so a link works once and only until it expires.
 */
export interface InvitationToken {
  token: string;
  tokenHash: string;
}

export function mintInvitationToken(secret: string): InvitationToken {
  const random = randomBytes(24).toString('base64url');
  const token = `${random}.${sign(random, secret)}`;
  return { token, tokenHash: hashInvitationToken(token) };
}

/** Whether the token is one we signed (format and HMAC); says nothing about use or expiry. */
export function verifyInvitationSignature(token: unknown, secret: string): token is string {
  if (typeof token !== 'string' || token.length > 200) return false;
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]{32}$/.test(parts[0]!)) return false;
  const expected = Buffer.from(sign(parts[0]!, secret));
  const given = Buffer.from(parts[1]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sign(value: string, secret: string): string {
  return createHmac('sha256', secret).update(`invitation:${value}`).digest('base64url');
}
