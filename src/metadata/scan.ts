import { SaxesParser } from 'saxes';
import { XmlError, XML_MALFORMED } from '../errors.js';

/**
 * A streaming scan of an XML string that reports element boundaries as offsets into that same
 * string, so callers can splice edits in without ever re-serializing the document.
 *
 * Why saxes: it never expands external entities, does not read the internal DTD subset (so entity
 * bombs are inert), and its `position` is a plain index into the JavaScript string it was fed —
 * UTF-16 code units, counting both characters of a CRLF pair even though it reports text with `\n`.
 * We feed the whole string in one `write`, so `position` is an offset into `xml` directly.
 *
 * Cost model (bench/embed.ts): the handlers run for every tag of the document, and most tags
 * (the body) are of no interest. So nothing is allocated per tag here — handlers get saxes' own
 * tag object and one shared {@link ScanCursor} whose positions are computed only when asked.
 * Allocating a position object per tag made the scan ~1.5× a bare parse on its own.
 */

/** A tag as saxes reports it; the same object is passed to `open` and to its `close`. */
export interface ScanTag {
  /** Qualified name as written (`jats:contrib`). */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly isSelfClosing: boolean;
}

/** Where the parser is; valid only during the handler call that received it. */
export interface ScanCursor {
  /** Offset just after the current tag's `>`. */
  end(): number;
  /** Offset of the current tag's `<`. */
  start(): number;
  /** 1-based line and column (UTF-16 units) of the current tag's `<`. */
  line(): number;
  column(): number;
  /**
   * The text content of the element just opened when it is plain characters up to its own end tag
   * (no child element, comment, CDATA, entity or CR to decode) — else null, and the caller listens.
   * Most names and emails are plain, and reading them straight from the input spares switching
   * saxes' text events on and off around each of them.
   */
  plainContent(): string | null;
  /**
   * Deliver character data to `text` from now on (true) or stop (false). saxes does not even
   * build text strings while nobody listens, so callers listen only while they capture.
   */
  listen(on: boolean): void;
}

/** Called for every tag of the document: keep them cheap, and do not rely on `this`. */
export interface ScanHandlers {
  open(tag: ScanTag): void;
  close(tag: ScanTag): void;
  /** Decoded character data (text and CDATA), while listening. */
  text(text: string): void;
}

/**
 * Whether a qualified name has a prefix. A loop, not indexOf: names are short, and indexOf on
 * every tag of the document was ~5% of a parse (a runtime call each time).
 */
export function hasPrefix(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 58) return true;
  return false;
}

/** `contrib` for `jats:contrib`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** `jats:` for `jats:contrib`, `` without a prefix — ready to prepend to new element names. */
export function prefixOf(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? '' : name.slice(0, colon + 1);
}

class Cursor implements ScanCursor {
  private listening = false;
  /** The handlers' `text`, set once they exist. */
  onText: (t: string) => void = () => undefined;
  constructor(
    private readonly xml: string,
    private readonly parser: SaxesParser,
  ) {}
  end(): number {
    return this.parser.position;
  }
  start(): number {
    this.locate();
    return this.startOffset;
  }
  line(): number {
    this.locate();
    return this.startLine;
  }
  column(): number {
    this.locate();
    return this.startColumn;
  }

  // Where the current tag starts, worked out once per tag and only when asked.
  private locatedEnd = -1;
  private startOffset = 0;
  private startLine = 0;
  private startColumn = 0;
  private locate(): void {
    const parser = this.parser;
    const end = parser.position;
    if (end === this.locatedEnd) return;
    this.locatedEnd = end;
    // Attribute values cannot contain `<`, so the last `<` before the tag's end is its start.
    // A loop rather than lastIndexOf: tags are short, and lastIndexOf is a slow runtime call.
    const xml = this.xml;
    let start = end - 1;
    while (start >= 0 && xml.charCodeAt(start) !== 60) start--;
    this.startOffset = start;
    const lineStart = end - parser.columnIndex;
    if (start >= lineStart) {
      // The usual case: the whole tag is on one line.
      this.startLine = parser.line;
      this.startColumn = start - lineStart + 1;
    } else {
      this.startLine = parser.line - countNewlines(xml, start, end);
      this.startColumn = columnOf(xml, start);
    }
  }
  plainContent(): string | null {
    const xml = this.xml;
    const from = this.parser.position;
    const lt = xml.indexOf('<', from);
    if (lt < 0 || xml.charCodeAt(lt + 1) !== 47) return null;
    for (let i = from; i < lt; i++) {
      const c = xml.charCodeAt(i);
      if (c === 38 || c === 13) return null;
    }
    return xml.slice(from, lt);
  }
  listen(on: boolean): void {
    if (on === this.listening) return;
    this.listening = on;
    if (on) this.parser.on('text', this.onText);
    else this.parser.off('text');
  }
  get isListening(): boolean {
    return this.listening;
  }
}

/**
 * Run the handlers made by `makeHandlers` over `xml`; they get the cursor once, up front, so
 * that saxes can call them directly (a forwarding closure per event was ~6% of a parse).
 * @throws {@link XmlError} `XML_MALFORMED` with line and column.
 */
export function scanXml(xml: string, makeHandlers: (at: ScanCursor) => ScanHandlers): void {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const cursor = new Cursor(xml, parser);
  const handlers = makeHandlers(cursor);
  cursor.onText = handlers.text;
  let sawDoctype = false;

  parser.on('doctype', () => {
    sawDoctype = true;
  });
  parser.on('error', (err) => {
    // An entity reference that is not one of XML's five is legal when the document has a DTD
    // (it would be declared there). We never read the DTD — that is what keeps XXE and
    // billion-laughs inert — so saxes leaves `&name;` as written and we carry on.
    if (sawDoctype && err.message.endsWith('undefined entity.')) return;
    throw toXmlError(err, parser.line, parser.column);
  });
  parser.on('opentag', handlers.open);
  parser.on('closetag', handlers.close);
  parser.on('cdata', (t) => {
    if (cursor.isListening) handlers.text(t);
  });

  // saxes reports malformed input through the error handler above, which throws XmlError; anything
  // else thrown from here is a bug in a handler and must not be passed off as malformed XML.
  parser.write(xml).close();
}

function toXmlError(e: unknown, line: number, column: number): XmlError {
  const raw = e instanceof Error ? e.message : String(e);
  // saxes prefixes "line:column: "; we carry those as fields instead.
  const message = raw.replace(/^\d+:\d+: /, '');
  return new XmlError(XML_MALFORMED, `Malformed XML: ${message}`, { line, column }, e);
}

/** Line breaks in xml[from, to): CRLF counts once, a lone CR once (as XML treats them). */
export function countNewlines(xml: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = xml.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && xml.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/** 1-based column (UTF-16 code units) of `offset`. */
export function columnOf(xml: string, offset: number): number {
  const nl = Math.max(xml.lastIndexOf('\n', offset - 1), xml.lastIndexOf('\r', offset - 1));
  return offset - nl;
}
