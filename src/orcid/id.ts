import { InvalidOrcidIdError } from '../errors.js';

/** An ORCID iD in its two canonical forms. */
export interface OrcidId {
  /** `0000-0002-1825-0097` */
  id: string;
  /** `https://orcid.org/0000-0002-1825-0097` (or `https://sandbox.orcid.org/…` when the input was a sandbox URI) */
  uri: string;
}

export interface ParseOrcidIdOptions {
  /** Host for the returned URI; default: `sandbox.orcid.org` when the input named it, else `orcid.org`. */
  host?: 'orcid.org' | 'sandbox.orcid.org';
}

const URI_PREFIX = /^(?:https?:\/\/)?(?:www\.)?(sandbox\.)?orcid\.org\//i;

/**
 * ISO 7064 MOD 11-2 check character over the first 15 digits of an iD.
 * https://support.orcid.org/hc/en-us/articles/360006897674
 * @example
 * orcidCheckDigit('000000021825009'); // '7' (0000-0002-1825-0097)
 */
export function orcidCheckDigit(baseDigits: string): string {
  let total = 0;
  for (const ch of baseDigits) total = (total + Number(ch)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

/**
 * Parse an ORCID iD in any form people paste: bare (with or without hyphens), as an
 * `https://orcid.org/…`, `http://…` or `sandbox.orcid.org` URI, lowercase `x`, surrounding spaces.
 * @throws InvalidOrcidIdError for anything else, or a wrong check digit.
 * @example parseOrcidId(' https://orcid.org/0000-0002-1825-0097 ') // { id: '0000-0002-1825-0097', uri: 'https://orcid.org/0000-0002-1825-0097' }
 */
export function parseOrcidId(input: unknown, options: ParseOrcidIdOptions = {}): OrcidId {
  if (typeof input !== 'string') throw new InvalidOrcidIdError(String(input), 'not a string');
  let s = input.trim();
  let sandbox = false;
  const prefix = URI_PREFIX.exec(s);
  if (prefix) {
    sandbox = prefix[1] !== undefined;
    s = s.slice(prefix[0].length).replace(/\/$/, '');
  } else if (/[/:]/.test(s)) {
    throw new InvalidOrcidIdError(input, 'not an orcid.org address');
  }
  const compact = s.replace(/-/g, '').toUpperCase();
  if (!/^\d{15}[\dX]$/.test(compact)) throw new InvalidOrcidIdError(input, 'expected 16 digits, the last may be X');
  if (s.includes('-') && !/^\d{4}-\d{4}-\d{4}-\d{3}[\dXx]$/.test(s)) {
    throw new InvalidOrcidIdError(input, 'hyphens must separate groups of four');
  }
  const expected = orcidCheckDigit(compact.slice(0, 15));
  if (compact[15] !== expected) throw new InvalidOrcidIdError(input, 'check digit does not match');
  const id = compact.match(/.{4}/g)!.join('-');
  const host = options.host ?? (sandbox ? 'sandbox.orcid.org' : 'orcid.org');
  return { id, uri: `https://${host}/${id}` };
}

/**
 * Whether `input` is an ORCID iD in any accepted form.
 * @example
 * isOrcidId('https://orcid.org/0000-0002-1825-0097'); // true
 * isOrcidId('0000-0002-1825-0098'); // false (check digit)
 */
export function isOrcidId(input: unknown): boolean {
  try {
    parseOrcidId(input);
    return true;
  } catch {
    return false;
  }
}
