import { isUtf8 } from 'node:buffer';
import { XmlError, XML_ENCODING_UNSUPPORTED, XML_MALFORMED } from '../errors.js';
import type { Edit } from './edits.js';

/**
 * Byte input for the embedders: find the document's encoding, decode it for the scan, and write
 * the edits back into the original bytes in that same encoding. Only the inserted text is ever
 * encoded; every byte outside the edits is copied from the input, BOM and declaration included.
 *
 * Detection follows XML 1.0 (Fifth Edition), Appendix F "Autodetection of Character Encodings":
 * the byte order mark first, then the first four bytes of `<?xm` (UTF-16 without a BOM), then the
 * `encoding` of the XML declaration; no BOM and no declaration means UTF-8 (§4.3.3).
 */
export type XmlEncoding = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'ISO-8859-1' | 'US-ASCII';

export interface DecodedXml {
  text: string;
  encoding: XmlEncoding;
  /** Bytes of the byte order mark (0, 2 or 3); `text` starts after it. */
  bom: number;
}

/** IANA names and the aliases libxml2 and Xerces accept, lower-cased. */
const NAMES: Record<string, XmlEncoding | 'UTF-16'> = {
  'utf-8': 'UTF-8',
  utf8: 'UTF-8',
  'utf-16': 'UTF-16',
  utf16: 'UTF-16',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'iso-8859-1': 'ISO-8859-1',
  iso_8859_1: 'ISO-8859-1',
  'iso_8859-1': 'ISO-8859-1',
  'iso8859-1': 'ISO-8859-1',
  latin1: 'ISO-8859-1',
  l1: 'ISO-8859-1',
  'iso-ir-100': 'ISO-8859-1',
  cp819: 'ISO-8859-1',
  ibm819: 'ISO-8859-1',
  'us-ascii': 'US-ASCII',
  ascii: 'US-ASCII',
  'iso646-us': 'US-ASCII',
  'ansi_x3.4-1968': 'US-ASCII',
  'iso-ir-6': 'US-ASCII',
  us: 'US-ASCII',
  cp367: 'US-ASCII',
  ibm367: 'US-ASCII',
};

function fail(code: string, message: string): never {
  throw new XmlError(code, message, { line: 1, column: 1 });
}

/** The `encoding` pseudo-attribute of an XML declaration at the start of `head`, or null. */
function declaredEncoding(head: string): string | null {
  const m = /^<\?xml\s[^?>]*?\bencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/.exec(head);
  return m ? m[2] : null;
}

function byName(declared: string): XmlEncoding | 'UTF-16' {
  const e = NAMES[declared.toLowerCase()];
  if (!e) fail(XML_ENCODING_UNSUPPORTED, `Unsupported encoding "${declared}": the embedders read UTF-8, UTF-16, ISO-8859-1 and US-ASCII`);
  return e;
}

/** Find the encoding of `bytes` and decode them. @throws XmlError (unsupported or inconsistent encoding, invalid bytes) */
export function decodeXml(bytes: Uint8Array): DecodedXml {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [b0, b1, b2, b3] = buf;
  if ((b0 === 0 && b1 === 0) || (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0)) fail(XML_ENCODING_UNSUPPORTED, 'Unsupported encoding: UTF-32');
  if (b0 === 0x4c && b1 === 0x6f && b2 === 0xa7 && b3 === 0x94) fail(XML_ENCODING_UNSUPPORTED, 'Unsupported encoding: EBCDIC');
  if (b0 === 0xff && b1 === 0xfe) return utf16(buf, 'UTF-16LE', 2);
  if (b0 === 0xfe && b1 === 0xff) return utf16(buf, 'UTF-16BE', 2);
  if (b0 === 0x3c && b1 === 0 && b2 === 0x3f && b3 === 0) return utf16(buf, 'UTF-16LE', 0);
  if (b0 === 0 && b1 === 0x3c && b2 === 0 && b3 === 0x3f) return utf16(buf, 'UTF-16BE', 0);

  const bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? 3 : 0;
  const declared = declaredEncoding(buf.toString('latin1', bom, Math.min(buf.length, bom + 256)));
  const named = declared === null ? 'UTF-8' : byName(declared);
  if (named === 'UTF-16' || named === 'UTF-16LE' || named === 'UTF-16BE') fail(XML_MALFORMED, `Malformed XML: declared ${declared} but written in a single-byte encoding`);
  if (bom && named !== 'UTF-8') fail(XML_MALFORMED, `Malformed XML: a UTF-8 byte order mark but declared ${declared}`);
  if (named === 'UTF-8') {
    if (!isUtf8(buf)) fail(XML_MALFORMED, 'Malformed XML: not valid UTF-8');
    return { text: buf.toString('utf8', bom), encoding: 'UTF-8', bom };
  }
  if (named === 'US-ASCII') {
    const high = buf.findIndex((b) => b > 0x7f);
    if (high >= 0) fail(XML_MALFORMED, `Malformed XML: byte 0x${buf[high].toString(16)} at offset ${high} is not US-ASCII`);
  }
  // ISO-8859-1 is Node's 'latin1' (byte n is U+00n); TextDecoder's 'latin1' would be windows-1252.
  return { text: buf.toString('latin1'), encoding: named, bom: 0 };
}

function utf16(buf: Buffer, encoding: 'UTF-16LE' | 'UTF-16BE', bom: number): DecodedXml {
  if ((buf.length - bom) % 2 !== 0) fail(XML_MALFORMED, `Malformed XML: ${encoding} input of an odd number of bytes`);
  const body = Buffer.from(buf.subarray(bom));
  if (encoding === 'UTF-16BE') body.swap16();
  const text = body.toString('utf16le');
  const declared = declaredEncoding(text);
  if (declared !== null) {
    const named = byName(declared);
    if (named !== 'UTF-16' && named !== encoding) fail(XML_MALFORMED, `Malformed XML: written in ${encoding} but declared ${declared}`);
  }
  return { text, encoding, bom };
}

/**
 * `text` in `encoding`; a character the encoding cannot hold becomes a character reference
 * (`&#xE9;`). What we insert is markup we write plus whitespace and prefixes copied from the
 * document, so names are always representable and references land only in text.
 */
export function encodeText(text: string, encoding: XmlEncoding): Buffer {
  if (encoding === 'UTF-8') return Buffer.from(text, 'utf8');
  if (encoding === 'UTF-16LE') return Buffer.from(text, 'utf16le');
  if (encoding === 'UTF-16BE') return Buffer.from(text, 'utf16le').swap16();
  const max = encoding === 'US-ASCII' ? 0x7f : 0xff;
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp <= max ? ch : `&#x${cp.toString(16).toUpperCase()};`;
  }
  return Buffer.from(out, 'latin1');
}

/**
 * The input bytes with `edits` (offsets into `decoded.text`, in document order, not overlapping)
 * applied: bytes between edits are copied, only edit texts are encoded. With no edits, the input
 * itself comes back.
 */
export function spliceBytes(bytes: Uint8Array, decoded: DecodedXml, edits: readonly Edit[]): Buffer {
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (edits.length === 0) return input;
  const { text, encoding, bom } = decoded;
  const unit = encoding === 'UTF-16LE' || encoding === 'UTF-16BE' ? 2 : 1;
  // UTF-8 offsets are counted edit by edit from the previous one, so the document is measured once.
  let charAt = 0;
  let byteAt = bom;
  const byteOffset = (offset: number): number => {
    if (encoding !== 'UTF-8') return bom + offset * unit;
    byteAt += Buffer.byteLength(text.slice(charAt, offset), 'utf8');
    charAt = offset;
    return byteAt;
  };
  const parts: Buffer[] = [];
  let copied = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const start = byteOffset(e.start);
    parts.push(input.subarray(copied, start), encodeText(e.text, encoding));
    copied = byteOffset(e.end);
  }
  parts.push(input.subarray(copied));
  return Buffer.concat(parts);
}
