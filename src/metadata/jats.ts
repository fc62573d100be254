import type { EmbedContributor } from '../types.js';
import { scanJats } from './jats-scan.js';
import { applyEdits, escapeText, planEdits } from './edits.js';
import {
  assign,
  emptyReport,
  prepareContributors,
  selectContributors,
  type EmbedOptions,
  type EmbedResult,
  type PreparedContributor,
} from './match.js';

/**
 * Embed ORCID iDs in a JATS article: every `<contrib>` of the article's front matter and of its
 * peer-review `<sub-article>`s / `<response>`s gets
 * `<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/…</contrib-id>`
 * as its first child (the position JATS Publishing 1.3 requires and Archiving allows), indented
 * like the document. Everything else is kept byte for byte; the document is never re-serialized.
 *
 * Contributors are found by email (in the contrib, or via its corresp xref), else by name.
 * @throws InvalidOrcidIdError for an invalid iD (before anything is done), XmlError XML_MALFORMED.
 * @example
 * const { xml, report } = embedOrcidInJats(articleXml, [
 *   { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true },
 * ]);
 */
export function embedOrcidInJats(xml: string, contributors: readonly EmbedContributor[], options: EmbedOptions = {}): EmbedResult {
  const report = emptyReport();
  const prepared = selectContributors(prepareContributors(contributors), options, report);
  const { candidates, targets } = scanJats(xml);
  if (prepared.length === 0) return { xml, report };
  const claims = assign(prepared, candidates, report);
  const edits = planEdits(claims, targets, renderContribId, report);
  return { xml: applyEdits(xml, edits), report };
}

function renderContribId(c: PreparedContributor, prefix: string): string {
  const auth = c.input.authenticated ? ' authenticated="true"' : '';
  return `<${prefix}contrib-id contrib-id-type="orcid"${auth}>${escapeText(c.uri)}</${prefix}contrib-id>`;
}

export { scanJats };
