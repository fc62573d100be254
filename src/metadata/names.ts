/**
 * Person-name matching between what the journal system knows (given names + family name) and
 * what an XML document carries (structured `<surname>`/`<given-names>`, or a free `<string-name>`).
 *
 * Rules (documented in docs/embedding.md):
 * - compare after folding case and diacritics (NFD, combining marks stripped, ø/ł/ß/æ… spelled out),
 *   treating hyphens, dots and commas as spaces and dropping apostrophes;
 * - the family names must be equal after folding — a different surname never matches;
 * - given names match exactly ({@link NAME_EXACT}) or by initials ({@link NAME_INITIALS}):
 *   "J. R." / "JR" / "John" are compatible with "John Ronald", a missing middle name is tolerated;
 * - a `<string-name>` has no parts, so both orders ("Given Family" / "Family Given") are tried.
 */

export const NAME_EXACT = 50;
export const NAME_INITIALS = 30;

/** A name as found in a document. `full` is set only for an unstructured `<string-name>`. */
export interface DocName {
  surname: string;
  given: string;
  full?: string;
}

export interface PersonName {
  givenNames: string;
  familyName: string;
}

const ASCII = /^[\x20-\x7e\t\r\n]*$/;

const SPELLED: Record<string, string> = {
  ø: 'o', đ: 'd', ð: 'd', ł: 'l', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th', ı: 'i', ħ: 'h', ŋ: 'n',
};

/** Folded form used for comparisons: lowercase, no diacritics, single spaces. */
export function foldName(s: string): string {
  // Fast paths: plain ASCII needs no Unicode normalization (most names in most documents), and a
  // name that is only words and single spaces ("Surname", "Mary Ann") only needs lowercasing.
  if (ASCII.test(s)) return isPlainWords(s) ? s.toLowerCase() : s.toLowerCase().replace(/['`]/g, '').replace(/[\s.,\-_]+/g, ' ').trim();
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øđðłßæœþıħŋ]/g, (c) => SPELLED[c] ?? c)
    .replace(/['’‘`ʼ]/g, '')
    .replace(/[\s.,\-‐‑‒–—_]+/g, ' ')
    .trim();
}

/**
 * Given-name tokens. A short all-capitals token is a run of initials (PubMed style "JR"), so it
 * is split into letters — unless the whole name is in capitals and the token has a vowel ("ZOE").
 */
export function givenTokens(s: string): string[] {
  if (ASCII.test(s)) return asciiGivenTokens(s);
  const out: string[] = [];
  const shouting = !/\p{Ll}/u.test(s);
  for (const raw of s.normalize('NFC').split(/[\s.,\-‐‑‒–—_]+/)) {
    if (raw === '') continue;
    if (/^\p{Lu}{2,3}$/u.test(raw) && (!shouting || !/[AEIOUY]/.test(raw))) for (const ch of raw) out.push(foldName(ch));
    else {
      const f = foldName(raw);
      if (f !== '') out.push(...f.split(' '));
    }
  }
  return out;
}

/**
 * {@link givenTokens} for printable ASCII, without regular expressions: it runs once per name in
 * the document and per contributor, and the Unicode-aware version was ~0.7 µs a name — a third of
 * the matching time for a 2,000-author article (bench/embed.ts).
 */
function asciiGivenTokens(s: string): string[] {
  let shouting = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      shouting = false;
      break;
    }
  }
  // Tokens are sliced from the lowercased name (one string for the whole name, not one per
  // character), gathered in a reused array and copied out at their exact count: an empty array
  // grown by push reserves 17 slots. This runs for every author of a 5,000-author article twice.
  let lowered: string | null = null;
  let n = 0;
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isAsciiSeparator(s.charCodeAt(i))) i++;
    const from = i;
    let upper = 0;
    let vowel = false;
    let quotes = 0;
    while (i < s.length && !isAsciiSeparator(s.charCodeAt(i))) {
      const c = s.charCodeAt(i);
      if (c >= 65 && c <= 90) {
        upper++;
        if (c === 65 || c === 69 || c === 73 || c === 79 || c === 85 || c === 89) vowel = true;
      } else if (c === 39 || c === 96) quotes++;
      i++;
    }
    const length = i - from;
    if (length === 0) continue;
    if (upper > 0) lowered ??= s.toLowerCase();
    let token = (upper > 0 ? lowered! : s).slice(from, i);
    // Apostrophes and backticks are dropped, as foldName does.
    if (quotes > 0) token = token.replace(/['`]/g, '');
    if ((length === 2 || length === 3) && upper === length && (!shouting || !vowel)) for (const ch of token) scratch[n++] = ch;
    else if (token !== '') scratch[n++] = token;
  }
  const out = new Array<string>(n);
  for (let k = 0; k < n; k++) out[k] = scratch[k];
  return out;
}

/** asciiGivenTokens' working array (a name has few tokens; it grows if one ever has more). */
const scratch: string[] = [];

/** Printable ASCII without apostrophes or separators other than single spaces between words. */
function isPlainWords(s: string): boolean {
  if (s.length === 0 || s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 39 || c === 96) return false;
    if (c === 32 ? s.charCodeAt(i + 1) === 32 : isAsciiSeparator(c)) return false;
  }
  return true;
}

/** Whitespace, `.`, `,`, `-`, `_`: what foldName turns into a space. */
function isAsciiSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 46 || c === 44 || c === 45 || c === 95;
}

/** Score of two given-name token lists: exact, by initials, or 0. */
export function givenScore(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? NAME_EXACT : 0;
  let exact = a.length === b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if ((x.length === 1 && y.startsWith(x)) || (y.length === 1 && x.startsWith(y))) {
      exact = false;
      continue;
    }
    return 0;
  }
  return exact ? NAME_EXACT : NAME_INITIALS;
}

/** How well `person` matches `doc`: {@link NAME_EXACT}, {@link NAME_INITIALS} or 0. */
export function nameScore(person: PersonName, doc: DocName): number {
  const family = foldName(person.familyName);
  if (family === '') return 0;
  const given = givenTokens(person.givenNames);
  if (doc.full === undefined) {
    if (foldName(doc.surname) !== family) return 0;
    return givenScore(given, givenTokens(doc.given));
  }
  // Unstructured: try "Given Family" and "Family Given".
  const words = doc.full.normalize('NFC').split(/[\s,]+/).filter((w) => w !== '');
  const fam = family.split(' ');
  let best = 0;
  for (let cut = 0; cut <= words.length; cut++) {
    const head = words.slice(0, cut);
    const tail = words.slice(cut);
    if (foldName(tail.join(' ')) === family && fam.length > 0) best = Math.max(best, givenScore(given, givenTokens(head.join(' '))));
    if (foldName(head.join(' ')) === family) best = Math.max(best, givenScore(given, givenTokens(tail.join(' '))));
  }
  return best;
}

/** A document name reduced to (folded family name, given-name tokens) readings — one, or every split of a string-name. */
export function readings(doc: DocName): { family: string; given: string[] }[] {
  if (doc.full === undefined) return [{ family: foldName(doc.surname), given: givenTokens(doc.given) }];
  const words = doc.full.normalize('NFC').split(/[\s,]+/).filter((w) => w !== '');
  const out: { family: string; given: string[] }[] = [];
  for (let cut = 0; cut <= words.length; cut++) {
    const head = words.slice(0, cut).join(' ');
    const tail = words.slice(cut).join(' ');
    out.push({ family: foldName(tail), given: givenTokens(head) }, { family: foldName(head), given: givenTokens(tail) });
  }
  return out.filter((r) => r.family !== '');
}

/** Best score of `person` against any of a contributor's names (e.g. inside `<name-alternatives>`). */
export function bestNameScore(person: PersonName, names: readonly DocName[]): number {
  let best = 0;
  for (const n of names) best = Math.max(best, nameScore(person, n));
  return best;
}

/** Email comparison key: trimmed, lowercase, without `mailto:`. */
export function emailKey(s: string): string {
  return s.trim().replace(/^mailto:/i, '').toLowerCase();
}
