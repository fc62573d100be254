import { emailKey, type DocName } from './names.js';
import { hasPrefix, localName, prefixOf, scanXml, type ScanCursor, type ScanHandlers, type ScanTag } from './scan.js';
import { whitespaceAt, type ExistingOrcid, type Target } from './edits.js';
import type { Candidate } from './match.js';
import { readPlainName } from './plain-name.js';

/**
 * Reading a JATS article for embedding: which `<contrib>`s count, who they are (names, emails,
 * corresp notes), where their iD goes, and which iD they already carry.
 *
 * Cost model (bench/embed.ts): the handlers run for every tag of the document, and only two kinds
 * of subtree hold anything we read: `<contrib-group>` and `<corresp id>`. Outside them ("cold",
 * `depth === 0`) a tag costs a name comparison; we keep only the few context elements
 * (article-meta, front-stub, sub-article, response, body, back, contrib-group) that decide whether
 * a contrib counts and what its scope is called. Inside ("hot") every tag is looked at, with
 * `depth` counting the elements opened since the subtree began.
 */

/** The empty list contribs share until they get an entry (frozen: a push to it would be a bug). */
const NONE = Object.freeze([]) as unknown as never[];

interface ContribScan {
  cand: Candidate;
  target: Target;
  depth: number;
  rids: string[];
  name: (DocName & { depth: number; structured: boolean }) | null;
}

/** Text being collected for the element at `depth`, handed to `done` when it closes. */
interface Sink {
  depth: number;
  text: string;
  done(text: string): void;
}

/** An element that decides whether a contrib counts and which scope it belongs to. */
interface ContextEntry {
  tag: ScanTag;
  local: string;
}

/**
 * Candidates (who each contrib is) and targets (where its iD goes), index-aligned.
 * `fastNames: false` reads every name through the tag handlers (tests compare the two ways).
 */
export function scanJats(xml: string, options: { fastNames?: boolean } = {}): { candidates: Candidate[]; targets: Target[] } {
  let scanner: JatsScanner | undefined;
  scanXml(xml, (at) => (scanner = new JatsScanner(xml, at, options.fastNames ?? true)));
  return scanner!.result();
}

/**
 * article-meta, front-stub, sub-article, response, body, back, contrib-group. A switch on the
 * length first: a Set lookup hashes every tag name (fresh strings from saxes), ~12% of a parse.
 */
function isContext(local: string): boolean {
  switch (local.length) {
    case 4:
      return local === 'body' || local === 'back';
    case 8:
      return local === 'response';
    case 10:
      return local === 'front-stub';
    case 11:
      return local === 'sub-article';
    case 12:
      return local === 'article-meta';
    case 13:
      return local === 'contrib-group';
  }
  return false;
}

/**
 * A contrib counts when it sits in a contrib-group of article-meta (article or sub-article front)
 * or a front-stub. `context` holds only the elements this decision reads, outermost first.
 */
function inScope(context: readonly ContextEntry[]): boolean {
  for (let i = context.length - 1; i >= 0; i--) {
    const s = context[i].local;
    if (s === 'article-meta' || s === 'front-stub') {
      for (let j = i + 1; j < context.length; j++) if (context[j].local === 'contrib-group') return true;
      return false;
    }
    if (s === 'sub-article' || s === 'response' || s === 'body' || s === 'back') return false;
  }
  return false;
}

// Handlers are arrow-function fields: saxes calls them with itself as `this`.
class JatsScanner implements ScanHandlers {
  private readonly context: ContextEntry[] = [];
  /** inScope(context), kept up to date as context elements open and close (they are few). */
  private contribsCount = false;
  private depth = 0;
  private readonly scopes: string[] = ['article'];
  private scopeCount = 0;
  // Each contrib-group is its own matching scope: one person may rightly appear in several lists
  // (author and collab member, editor and senior editor, author of the response), never twice in one.
  private readonly groups: string[] = [];
  private readonly groupCounts = new Map<string, number>();
  private readonly candidates: Candidate[] = [];
  private readonly targets: Target[] = [];
  /** The contribs with corresp xrefs, resolved once every corresp note is known. */
  private readonly withRids: ContribScan[] = [];
  /** The last indentation read, reused while contribs are indented alike (one string, not one each). */
  private indent = '';
  /** Contribs whose element is open, innermost last. */
  private readonly openContribs: ContribScan[] = [];
  private readonly sinks: Sink[] = [];
  private readonly corresp = new Map<string, string[]>();
  private correspOpen: { id: string; depth: number } | null = null;
  private pendingOrcid: { existing: ExistingOrcid; depth: number } | null = null;

  /** A `<name>` read at once by readPlainName: its inner tags are skipped until its end tag. */
  private skipping: ScanTag | null = null;

  constructor(
    private readonly xml: string,
    private readonly at: ScanCursor,
    private readonly fastNames: boolean,
  ) {}

  result(): { candidates: Candidate[]; targets: Target[] } {
    for (const c of this.withRids) {
      for (const rid of c.rids) {
        const emails = this.corresp.get(rid);
        if (emails) c.cand.correspEmails = [...c.cand.correspEmails, ...emails];
      }
    }
    return { candidates: this.candidates, targets: this.targets };
  }

  text = (t: string): void => {
    for (const s of this.sinks) s.text += t;
  };

  open = (tag: ScanTag): void => {
    // Inside a name read at once (see inContribChild): nothing to do.
    if (this.skipping !== null) return;
    const name = tag.name;
    const local = hasPrefix(name) ? localName(name) : name;
    // Cold: only a contrib-group or a corresp note with an id starts a subtree worth reading.
    if (this.depth === 0 && local !== 'contrib-group' && (local !== 'corresp' || !tag.attributes.id)) {
      this.enterContext(tag, local);
      return;
    }
    const depth = this.depth;
    if (this.enterContext(tag, local)) {
      // sub-article, response, contrib-group, …: bookkeeping only.
    } else if (local === 'contrib' && !tag.isSelfClosing && this.contribsCount) {
      this.openContrib(tag);
    } else if (this.openContribs.length > 0) {
      this.inContribChild(tag, local, this.openContribs[this.openContribs.length - 1]);
    }
    if (local === 'corresp' && tag.attributes.id) this.correspOpen = { id: tag.attributes.id, depth };
    else if (local === 'email' && this.correspOpen) {
      const id = this.correspOpen.id;
      this.sink(tag, (t) => {
        const list = this.corresp.get(id) ?? [];
        list.push(emailKey(t));
        this.corresp.set(id, list);
      });
    }
    this.depth++;
    this.at.listen(this.sinks.length > 0);
  };

  close = (tag: ScanTag): void => {
    if (this.skipping !== null) {
      if (tag !== this.skipping) return;
      this.skipping = null;
    }
    if (this.depth === 0) {
      this.leaveContext(tag);
      return;
    }
    const depth = --this.depth;
    const sinks = this.sinks;
    while (sinks.length > 0 && sinks[sinks.length - 1].depth === depth) {
      const s = sinks.pop()!;
      s.done(s.text);
    }
    if (this.pendingOrcid && this.pendingOrcid.depth === depth) {
      this.pendingOrcid.existing.contentEnd = this.at.start();
      this.pendingOrcid.existing.end = this.at.end();
      const target = this.openContribs[this.openContribs.length - 1].target;
      target.existing = [...target.existing, this.pendingOrcid.existing];
      this.pendingOrcid = null;
    }
    if (this.correspOpen && this.correspOpen.depth === depth) this.correspOpen = null;
    this.leaveContext(tag);
    this.at.listen(sinks.length > 0);
    const c = this.openContribs[this.openContribs.length - 1];
    if (!c) return;
    if (c.name && c.name.depth === depth) {
      const { surname, given, full, structured } = c.name;
      this.addName(c, structured ? { surname, given } : { surname: '', given: '', full: full ?? '' });
      c.name = null;
    }
    if (c.depth === depth) this.openContribs.pop();
  };

  private addName(c: ContribScan, name: DocName): void {
    // A list of one for the one name most contribs have (an empty list grown by push reserves 17 slots).
    if (c.cand.names.length === 0) c.cand.names = [name];
    else c.cand.names.push(name);
  }

  /** Collect the text of `tag`, being opened (at the current depth); `done` gets it by the time it closes. */
  private sink(tag: ScanTag, done: (text: string) => void): void {
    const plain = this.plain(tag);
    if (plain !== null) done(plain);
    else this.sinks.push({ depth: this.depth, text: '', done });
  }

  /** The text of `tag`, being opened, when it is plain characters (see ScanCursor.plainContent); else null. */
  private plain(tag: ScanTag): string | null {
    return tag.isSelfClosing ? '' : this.at.plainContent();
  }

  /** Keep the context stack; true for a context element. */
  private enterContext(tag: ScanTag, local: string): boolean {
    if (!isContext(local)) return false;
    this.context.push({ tag, local });
    this.contribsCount = inScope(this.context);
    if (local === 'sub-article' || local === 'response') {
      this.scopeCount++;
      this.scopes.push(tag.attributes.id ? `${local}#${tag.attributes.id}` : `${local}[${this.scopeCount}]`);
    } else if (local === 'contrib-group') {
      const outer = this.scopes[this.scopes.length - 1];
      const n = (this.groupCounts.get(outer) ?? 0) + 1;
      this.groupCounts.set(outer, n);
      this.groups.push(`${outer}/contrib-group[${n}]`);
    }
    return true;
  }

  /** saxes hands `close` the very object it gave `open`, so one identity check per close tag. */
  private leaveContext(tag: ScanTag): void {
    const top = this.context[this.context.length - 1];
    if (top === undefined || top.tag !== tag) return;
    this.context.pop();
    this.contribsCount = inScope(this.context);
    if (top.local === 'sub-article' || top.local === 'response') this.scopes.pop();
    else if (top.local === 'contrib-group') this.groups.pop();
  }

  private openContrib(tag: ScanTag): void {
    const scope = this.groups[this.groups.length - 1] ?? this.scopes[this.scopes.length - 1];
    const line = this.at.line();
    const column = this.at.column();
    const end = this.at.end();
    // Most contribs carry no email, corresp note or iD: those lists start as the one shared empty
    // list and are replaced (never pushed to) when they get an entry. Fewer objects per contrib is
    // fewer for the garbage collector to copy while a 5,000-author scan runs.
    const cand: Candidate = { scope, line, column, names: NONE, directEmails: NONE, correspEmails: NONE };
    const target: Target = { line, column, scope, existing: NONE, insertAt: end, indent: this.indentAt(end), prefix: prefixOf(tag.name) };
    // The ContribScan lives while the contrib is open (and on, only if it has corresp xrefs).
    const c: ContribScan = { cand, target, depth: this.depth, rids: NONE, name: null };
    this.candidates.push(cand);
    this.targets.push(target);
    this.openContribs.push(c);
  }

  /** whitespaceAt(xml, offset), as the same string as last time when it is the same text. */
  private indentAt(offset: number): string {
    const xml = this.xml;
    const last = this.indent;
    // Same text: the same whitespace at `offset`, with no more whitespace after it.
    if (last !== '' && xml.startsWith(last, offset) && !isSpaceCode(xml.charCodeAt(offset + last.length))) return last;
    return (this.indent = whitespaceAt(xml, offset));
  }

  private inContribChild(tag: ScanTag, local: string, c: ContribScan): void {
    const depth = this.depth;
    switch (local) {
      case 'name':
      case 'string-name': {
        if (c.name) return;
        // The common `<name><surname>…</surname><given-names>…</given-names></name>`, plain, read at once
        // from the input (a dozen handler calls and a working object less per contrib); saxes still
        // checks every byte of it. Not while anything else is capturing text.
        if (local === 'name' && this.fastNames && !tag.isSelfClosing && this.sinks.length === 0 && this.pendingOrcid === null && this.correspOpen === null) {
          const read = readPlainName(this.xml, this.at.end(), hasPrefix(tag.name) ? prefixOf(tag.name) : '');
          if (read !== null) {
            this.addName(c, read);
            this.skipping = tag;
            return;
          }
        }
        const n: NonNullable<ContribScan['name']> = { surname: '', given: '', depth, structured: local === 'name' };
        c.name = n;
        if (local === 'string-name') this.sink(tag, (t) => (n.full = t));
        return;
      }
      case 'surname':
      case 'given-names': {
        const n = c.name;
        if (!n) return;
        n.structured = true;
        // Plain text (most names) is read at once, without a closure per name part.
        const plain = this.plain(tag);
        if (plain !== null) {
          if (local === 'surname') n.surname += plain;
          else n.given += plain;
        } else this.sinks.push({ depth, text: '', done: local === 'surname' ? (t) => (n.surname += t) : (t) => (n.given += t) });
        return;
      }
      case 'email':
        this.sink(tag, (t) => (c.cand.directEmails = [...c.cand.directEmails, emailKey(t)]));
        return;
      case 'xref':
        if (tag.attributes['ref-type'] === 'corresp' && tag.attributes.rid) {
          if (c.rids.length === 0) this.withRids.push(c);
          c.rids = [...c.rids, ...tag.attributes.rid.split(/\s+/)];
        }
        return;
      case 'contrib-id':
        if (depth === c.depth + 1 && (tag.attributes['contrib-id-type'] ?? '').toLowerCase() === 'orcid') {
          const tagEnd = this.at.end();
          const existing: ExistingOrcid = { start: this.at.start(), end: tagEnd, tagEnd, contentEnd: tagEnd, value: '', authenticated: tag.attributes.authenticated === 'true' };
          this.pendingOrcid = { existing, depth };
          this.sink(tag, (t) => (existing.value = t));
        }
        return;
    }
  }
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
