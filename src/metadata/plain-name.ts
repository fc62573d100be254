import type { DocName } from './names.js';

/**
 * The fast path for the name of nearly every contrib: `<name>` holding only `<surname>` and
 * `<given-names>` elements (any order, any number, whitespace between), each written exactly so —
 * no attribute, the name's own prefix — with plain text (no `<`, `&` or CR), up to `</name>`.
 * Such a name reads exactly as the tag handlers read it (jats-scan.ts): parts of one kind joined,
 * a missing part empty. Anything else — attributes, comments, entities, CDATA, other elements,
 * `</name >` — returns null, and the handlers read the name.
 *
 * `from` is the offset just after `<name>`. saxes parses these bytes too and throws on malformed
 * input before the result is used, so the pattern needs no well-formedness checks of its own.
 * test/metadata/plain-name.test.ts holds it to the handlers on every fixture and on generated names.
 */
export function readPlainName(xml: string, from: number, prefix: string): DocName | null {
  const tags = prefix === '' ? PLAIN : prefixed(prefix);
  let surname = '';
  let given = '';
  let i = from;
  for (;;) {
    while (isSpace(xml.charCodeAt(i))) i++;
    if (xml.charCodeAt(i) !== 60) return null;
    let isSurname: boolean;
    if (xml.startsWith(tags.surname, i)) {
      isSurname = true;
      i += tags.surname.length;
    } else if (xml.startsWith(tags.given, i)) {
      isSurname = false;
      i += tags.given.length;
    } else if (xml.startsWith(tags.end, i)) return { surname, given };
    else return null;
    const lt = xml.indexOf('<', i);
    if (lt < 0) return null;
    for (let k = i; k < lt; k++) {
      const c = xml.charCodeAt(k);
      if (c === 38 || c === 13) return null;
    }
    const close = isSurname ? tags.surnameEnd : tags.givenEnd;
    if (!xml.startsWith(close, lt)) return null;
    const text = xml.slice(i, lt);
    if (isSurname) surname += text;
    else given += text;
    i = lt + close.length;
  }
}

interface Tags {
  surname: string;
  surnameEnd: string;
  given: string;
  givenEnd: string;
  end: string;
}

const PLAIN: Tags = prefixed('');

function prefixed(p: string): Tags {
  return { surname: `<${p}surname>`, surnameEnd: `</${p}surname>`, given: `<${p}given-names>`, givenEnd: `</${p}given-names>`, end: `</${p}name>` };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
