/**
 * Host text → the text ORCID stores: markup flattened, entities decoded, characters XML cannot
 * carry dropped, lengths kept to the XSD's limits. Ids are never cut: a cut id could name two
 * things. Pure.
 */
import { InvalidInputError } from '../errors.js';

export const ID_TOO_LONG = 'ID_TOO_LONG';

/** An id (or a part of one) longer than we may write: refused, because two cut ids could collide. */
export class IdTooLongError extends InvalidInputError {
  readonly max: number;
  readonly length: number;
  constructor(path: string, length: number, max: number) {
    super(path, `is ${length} characters long; ids may have at most ${max} and are never cut (two cut ids could name the same item)`);
    // InvalidInputError's code says "bad input"; this one says which.
    (this as { code: string }).code = ID_TOO_LONG;
    this.max = max;
    this.length = length;
  }
}

// XML 1.0 `Char` minus controls other than tab/newline; lone surrogates are dropped too.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const TAG = /<\/?([A-Za-z][\w:.-]*)(?:\s[^<>]*)?\/?>/g;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
/**
 * Elements (JATS, HTML) that separate words: they become a space. Every other tag is inline
 * (`sub`, `sup`, `italic`, `b`, `span`, `inline-formula`, MathML …) and is removed without one,
 * so `H<sub>2</sub>O` stays `H2O`.
 */
const BLOCK = new Set([
  'p', 'br', 'div', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'tr', 'td', 'th', 'table', 'thead', 'tbody', 'caption', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'hr', 'blockquote', 'section', 'article', 'header', 'footer', 'pre', 'sec', 'title', 'label', 'list', 'list-item',
  'def-list', 'def-item', 'term', 'def', 'disp-quote', 'disp-formula', 'break', 'abstract', 'trans-abstract', 'boxed-text', 'fig',
  'table-wrap', 'fn', 'attrib', 'speech', 'verse-group', 'verse-line', 'statement',
]);

/** Text with markup (JATS/HTML tags) removed, entities decoded, whitespace collapsed. */
export function plainText(input: string): string {
  return input
    .replace(TAG, (_whole, name: string) => (BLOCK.has(name.toLowerCase().replace(/^[\w.-]+:/, '')) ? ' ' : ''))
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
      // Own keys only: `&constructor;` must not decode to Object.prototype.constructor (issue 13, finding 11).
      if (ref[0] !== '#') return Object.hasOwn(NAMED_ENTITIES, ref.toLowerCase()) ? NAMED_ENTITIES[ref.toLowerCase()]! : whole;
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    })
    .replace(NOT_XML_CHAR, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * `s` cut to at most `max` UTF-16 units (ORCID checks lengths in Java, which counts the same way;
 * it is never more than the code points the XSD counts), ending in `…` when cut, never splitting
 * a surrogate pair. For text only, never for ids (see {@link requiredId}).
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/** `plainText` + `truncate`, or `undefined` when nothing is left. */
export function cleanOptional(input: string | undefined | null, max: number): string | undefined {
  if (typeof input !== 'string') return undefined;
  const s = truncate(plainText(input), max);
  return s === '' ? undefined : s;
}

/** Like `cleanOptional`, but a missing or blank value is an `InvalidInputError` naming `path`. */
export function cleanRequired(input: unknown, max: number, path: string): string {
  const s = cleanOptional(typeof input === 'string' ? input : undefined, max);
  if (s === undefined) throw new InvalidInputError(path, 'is required');
  return s;
}

/**
 * A host id as it goes into an external id: cleaned like text, but refused when longer than `max`.
 * @throws InvalidInputError when missing; IdTooLongError (ID_TOO_LONG) when too long.
 */
export function requiredId(input: unknown, max: number, path: string): string {
  const s = typeof input === 'string' ? plainText(input) : '';
  if (s === '') throw new InvalidInputError(path, 'is required');
  if (s.length > max) throw new IdTooLongError(path, s.length, max);
  return s;
}
