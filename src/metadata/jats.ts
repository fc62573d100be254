import type { EmbedContributor } from '../types.js';
import { scanJats } from './jats-scan.js';
import { escapeText } from './edits.js';
import { embed, type EmbedBytesResult } from './embed.js';
import type { EmbedOptions, EmbedResult, PreparedContributor } from './match.js';

/**
 * Embed ORCID iDs in a JATS article: every `<contrib>` of the article's front matter and of its
 * peer-review `<sub-article>`s / `<response>`s gets
 * `<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/…</contrib-id>`
 * as its first child (the position JATS Publishing 1.3 requires and Archiving allows), indented
 * like the document. Everything else is kept byte for byte; the document is never re-serialized.
 *
 * Contributors are found by email (in the contrib, or via its corresp xref), else by name.
 * An element that already holds the same iD only gets `authenticated="true"` added (see
 * {@link EmbedOptions.normalizeIdForm}); one that holds a different iD follows `onConflict`.
 *
 * A string comes back as a string. A Buffer is read in the encoding its BOM or XML declaration
 * names (UTF-8, UTF-16 LE/BE, ISO-8859-1, US-ASCII) and comes back as bytes in that encoding.
 * @throws InvalidOrcidIdError for an invalid iD (before anything is done), XmlError XML_MALFORMED
 *   or XML_ENCODING_UNSUPPORTED, EmbedConflictError under `onConflict: 'error'`.
 * @example
 * const { xml, report } = embedOrcidInJats(articleXml, [
 *   { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true },
 * ]);
 */
export function embedOrcidInJats(xml: string, contributors: readonly EmbedContributor[], options?: EmbedOptions): EmbedResult;
export function embedOrcidInJats(xml: Uint8Array, contributors: readonly EmbedContributor[], options?: EmbedOptions): EmbedBytesResult;
export function embedOrcidInJats(xml: string | Uint8Array, contributors: readonly EmbedContributor[], options?: EmbedOptions): EmbedResult | EmbedBytesResult;
export function embedOrcidInJats(xml: string | Uint8Array, contributors: readonly EmbedContributor[], options: EmbedOptions = {}): EmbedResult | EmbedBytesResult {
  return embed(xml, contributors, options, scanJats, renderContribId);
}

function renderContribId(c: PreparedContributor, prefix: string): string {
  const auth = c.input.authenticated ? ' authenticated="true"' : '';
  // Without a prefix (nearly always) the tags are constants: three strings joined per contributor,
  // not the dozen pieces of the template.
  if (prefix === '') return (auth ? OPEN_AUTHENTICATED : OPEN) + escapeText(c.uri) + CLOSE;
  return `<${prefix}contrib-id contrib-id-type="orcid"${auth}>${escapeText(c.uri)}</${prefix}contrib-id>`;
}

const OPEN = '<contrib-id contrib-id-type="orcid">';
const OPEN_AUTHENTICATED = '<contrib-id contrib-id-type="orcid" authenticated="true">';
const CLOSE = '</contrib-id>';

export { scanJats };
