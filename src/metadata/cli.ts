import type { EmbedContributor } from '../types.js';
import { coerceError, EmbedConflictError, InvalidInputError, OrcidPluginError } from '../errors.js';
import { embedOrcidInJats } from './jats.js';
import { embedOrcidInCrossref } from './crossref.js';
import type { EmbedConflictPolicy, EmbedReport } from './match.js';

/**
 * `koa-orcid-connect embed-jats article.xml --contributors contributors.json [--only-authenticated]
 *    [--on-conflict replace|keep-and-report|error] [--normalize-id-form] > out.xml`
 * `koa-orcid-connect embed-crossref deposit.xml --contributors contributors.json [same options] > out.xml`
 *
 * The XML file is read as bytes and its encoding detected (BOM, XML declaration); the XML goes to
 * stdout in that same encoding, the report (one JSON document) to stderr.
 * Exit codes — chosen so a publish pipeline can stop on a problem yet still get the output:
 *   0  every contributor was embedded, or was already there (or skipped by --only-authenticated)
 *   3  the XML was written, but some contributor was unmatched or ambiguous (see the report)
 *   2  bad usage or bad input (unreadable file, malformed XML, unsupported encoding, invalid iD, bad
 *      contributors JSON); nothing is written to stdout, `{ "error": { code, message, … } }` goes to stderr
 *   4  `--on-conflict error` and an element already holds a different iD: nothing is written to
 *      stdout, `{ "error": { code: "EMBED_CONFLICT", message, conflicts: [...] } }` goes to stderr
 */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INCOMPLETE = 3;
export const EXIT_CONFLICT = 4;

export interface EmbedCliIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  /** The file's bytes (a string is taken as UTF-8). */
  readFile(path: string): Promise<Uint8Array | string>;
}

const USAGE = (kind: string) =>
  `usage: koa-orcid-connect embed-${kind} <file.xml> --contributors <contributors.json> [--only-authenticated]` +
  ` [--on-conflict replace|keep-and-report|error] [--normalize-id-form]\n`;

const POLICIES: readonly EmbedConflictPolicy[] = ['replace', 'keep-and-report', 'error'];
const bytes = (data: Uint8Array | string) => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

export async function runEmbedCli(kind: 'jats' | 'crossref', argv: readonly string[], io: EmbedCliIo): Promise<number> {
  let file: string | undefined;
  let contributorsFile: string | undefined;
  let onlyAuthenticated = false;
  let normalizeIdForm = false;
  let onConflict: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--contributors') contributorsFile = argv[++i];
    else if (a.startsWith('--contributors=')) contributorsFile = a.slice('--contributors='.length);
    else if (a === '--only-authenticated') onlyAuthenticated = true;
    else if (a === '--normalize-id-form') normalizeIdForm = true;
    else if (a === '--on-conflict') onConflict = argv[++i];
    else if (a.startsWith('--on-conflict=')) onConflict = a.slice('--on-conflict='.length);
    else if (a === '-h' || a === '--help') {
      io.stderr.write(USAGE(kind));
      return EXIT_OK;
    } else if (!a.startsWith('-') && file === undefined) file = a;
    else return usage(kind, io, `unexpected argument ${JSON.stringify(a)}`);
  }
  if (!file) return usage(kind, io, 'missing the XML file');
  if (!contributorsFile) return usage(kind, io, 'missing --contributors <file.json>');
  if (onConflict !== undefined && !POLICIES.includes(onConflict as EmbedConflictPolicy)) {
    return usage(kind, io, `--on-conflict must be one of ${POLICIES.join(', ')}`);
  }

  try {
    const [xml, json] = await Promise.all([io.readFile(file), io.readFile(contributorsFile)]);
    const contributors = parseContributors(new TextDecoder().decode(bytes(json)));
    const embed = kind === 'jats' ? embedOrcidInJats : embedOrcidInCrossref;
    // Always bytes: the encoding comes from the file itself (BOM, XML declaration), never assumed.
    const { xml: out, report } = embed(bytes(xml), contributors, {
      onlyAuthenticated,
      normalizeIdForm,
      ...(onConflict ? { onConflict: onConflict as EmbedConflictPolicy } : {}),
    });
    io.stdout.write(out);
    io.stderr.write(`${JSON.stringify(report)}\n`);
    return isComplete(report) ? EXIT_OK : EXIT_INCOMPLETE;
  } catch (e) {
    const err = coerceError(e);
    const detail: Record<string, unknown> = { code: err instanceof OrcidPluginError ? err.code : 'ERROR', message: err.message };
    for (const k of ['line', 'column', 'path', 'conflicts'] as const) {
      const v = (err as unknown as Record<string, unknown>)[k];
      if (v !== undefined) detail[k] = v;
    }
    io.stderr.write(`${JSON.stringify({ error: detail })}\n`);
    return err instanceof EmbedConflictError ? EXIT_CONFLICT : EXIT_BAD_INPUT;
  }
}

function usage(kind: string, io: EmbedCliIo, problem: string): number {
  io.stderr.write(`${problem}\n${USAGE(kind)}`);
  return EXIT_BAD_INPUT;
}

function isComplete(report: EmbedReport): boolean {
  return report.unmatched.length === 0 && report.ambiguous.length === 0;
}

/** The contributors file: an array of contributors, or `{ "contributors": [...] }`. */
export function parseContributors(json: string): EmbedContributor[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new InvalidInputError('contributors', `not valid JSON (${coerceError(e).message})`);
  }
  if (data && typeof data === 'object' && !Array.isArray(data) && 'contributors' in data) data = (data as { contributors: unknown }).contributors;
  if (!Array.isArray(data)) throw new InvalidInputError('contributors', 'must be an array');
  return data.map((c: unknown, i) => {
    const path = `contributors[${i}]`;
    if (!c || typeof c !== 'object') throw new InvalidInputError(path, 'must be an object');
    const o = c as Record<string, unknown>;
    for (const k of ['givenNames', 'familyName', 'orcid'] as const) {
      if (typeof o[k] !== 'string') throw new InvalidInputError(`${path}.${k}`, 'must be a string');
    }
    if (o.email !== undefined && typeof o.email !== 'string') throw new InvalidInputError(`${path}.email`, 'must be a string');
    if (o.authenticated !== undefined && typeof o.authenticated !== 'boolean') {
      throw new InvalidInputError(`${path}.authenticated`, 'must be true or false');
    }
    return {
      givenNames: o.givenNames as string,
      familyName: o.familyName as string,
      orcid: o.orcid as string,
      authenticated: o.authenticated === true,
      ...(typeof o.email === 'string' ? { email: o.email } : {}),
    };
  });
}
