import type { EmbedContributor } from '../types.js';
import { InvalidInputError } from '../errors.js';
import { applyEdits, planEdits, type Edit, type Render, type Target } from './edits.js';
import { decodeXml, spliceBytes, type DecodedXml, type XmlEncoding } from './encoding.js';
import {
  assign,
  emptyReport,
  prepareContributors,
  selectContributors,
  type Candidate,
  type EmbedOptions,
  type EmbedReport,
  type EmbedResult,
} from './match.js';

/**
 * The one pipeline both embedders run: prepare contributors, scan, match, plan edits; then apply
 * the edits to the input string, or splice them into the input bytes in the input's own encoding.
 */

/** What an embedder returns for a byte input: bytes in the input's encoding, and which that was. */
export interface EmbedBytesResult {
  xml: Buffer;
  report: EmbedReport;
  encoding: XmlEncoding;
}

export type Scan = (xml: string) => { candidates: Candidate[]; targets: Target[] };

const POLICIES = new Set(['replace', 'keep-and-report', 'error']);

/** `text` is called once, after the contributors are checked: an invalid iD throws before anything else. */
function plan(text: () => string, contributors: readonly EmbedContributor[], options: EmbedOptions, scan: Scan, render: Render): { report: EmbedReport; edits: Edit[] } {
  if (options.onConflict !== undefined && !POLICIES.has(options.onConflict)) {
    throw new InvalidInputError('options.onConflict', `must be 'replace', 'keep-and-report' or 'error', not ${JSON.stringify(options.onConflict)}`);
  }
  const report = emptyReport();
  const prepared = selectContributors(prepareContributors(contributors), options, report);
  const xml = text();
  const { candidates, targets } = scan(xml);
  if (prepared.length === 0) return { report, edits: [] };
  const claims = assign(prepared, candidates, report);
  return { report, edits: planEdits(xml, claims, targets, render, report, options) };
}

export function embed(input: string, contributors: readonly EmbedContributor[], options: EmbedOptions, scan: Scan, render: Render): EmbedResult;
export function embed(input: Uint8Array, contributors: readonly EmbedContributor[], options: EmbedOptions, scan: Scan, render: Render): EmbedBytesResult;
export function embed(input: string | Uint8Array, contributors: readonly EmbedContributor[], options: EmbedOptions, scan: Scan, render: Render): EmbedResult | EmbedBytesResult;
export function embed(
  input: string | Uint8Array,
  contributors: readonly EmbedContributor[],
  options: EmbedOptions,
  scan: Scan,
  render: Render,
): EmbedResult | EmbedBytesResult {
  if (typeof input === 'string') {
    const { report, edits } = plan(() => input, contributors, options, scan, render);
    return { xml: applyEdits(input, edits), report };
  }
  if (!(input instanceof Uint8Array)) throw new InvalidInputError('xml', 'must be a string or a Buffer');
  let decoded: DecodedXml | undefined;
  const { report, edits } = plan(() => (decoded = decodeXml(input)).text, contributors, options, scan, render);
  return { xml: spliceBytes(input, decoded!, edits), report, encoding: decoded!.encoding };
}
