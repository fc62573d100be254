import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML, memoryPages } from 'xmllint-wasm';

/**
 * Test helpers: validate JATS with the JATS 1.3 XSD and Crossref deposits with the XSD of their own
 * version, through xmllint compiled to WebAssembly (no native xmllint here).
 *
 * - 5.3.1: /work/shared/crossref-schema (the official bundle 0.3.1).
 * - 5.5.0: /work/shared/crossref-schema/5.5.0, with its XSD 1.1 `<xsd:assert>`s removed in memory,
 *   as its README says (libxml2 cannot compile them; they only constrain `role/@type` values and
 *   require `contributor_role` or a `role` on a person — our fixtures satisfy both by hand).
 * - 4.8.0: test/metadata/schemas/crossref-4.8.0 (crossref4.8.0.xsd + common4.8.0.xsd from the same
 *   bundle 0.3.1, see SOURCE.md there); it imports the very same JATS/fundref/… files as 5.3.1.
 */
// ../shared beside the repository (as CI lays it out), wherever the clone is.
export const SHARED = process.env.KOC_SHARED_DIR ?? fileURLToPath(new URL('../../../shared', import.meta.url));
const CROSSREF_DIR = join(SHARED, 'crossref-schema');
const HERE = dirname(fileURLToPath(import.meta.url));

type File = { fileName: string; contents: string };
const loaded = new Map<Schema, File[]>();

function walk(dir: string, virtual: string, out: File[], keep: (f: string, path: string) => boolean, edit = (s: string) => s): File[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, `${virtual}/${name}`, out, keep, edit);
    else if (keep(name, p)) out.push({ fileName: `${virtual}/${name}`, contents: edit(readFileSync(p, 'utf8')) });
  }
  return out;
}

export type Schema = 'jats-publishing-1.3d2' | 'crossref-4.8.0' | 'crossref-5.3.1' | 'crossref-5.5.0';

const ROOTS: Record<Schema, string> = {
  'jats-publishing-1.3d2': '/crossref/JATS-journalpublishing1-3d2-mathml3.xsd',
  'crossref-4.8.0': '/crossref/crossref4.8.0.xsd',
  'crossref-5.3.1': '/crossref/crossref5.3.1.xsd',
  'crossref-5.5.0': '/crossref/crossref5.5.0.xsd',
};

/** `<xsd:assert …/>` and `<xsd:assert …>…</xsd:assert>` (XSD 1.1, which libxml2 does not know). */
const stripAsserts = (s: string) => s.replace(/<xsd:assert\b[^>]*?\/>/g, '').replace(/<xsd:assert\b[^>]*?>[\s\S]*?<\/xsd:assert>/g, '');

function schemaFiles(schema: Schema): File[] {
  let files = loaded.get(schema);
  if (files) return files;
  const xsd = (f: string) => f.endsWith('.xsd');
  if (schema === 'crossref-5.5.0') files = walk(join(CROSSREF_DIR, '5.5.0'), '/crossref', [], xsd, stripAsserts);
  else {
    // The 5.3.1 bundle without its 5.5.0 subfolder; 4.8.0 adds its two files beside it.
    files = walk(CROSSREF_DIR, '/crossref', [], (f, p) => xsd(f) && !p.includes('/5.5.0/'));
    if (schema === 'crossref-4.8.0') walk(join(HERE, 'schemas', 'crossref-4.8.0'), '/crossref', files, xsd);
  }
  loaded.set(schema, files);
  return files;
}

/** The schema a Crossref deposit declares, from its root's namespace (tests only). */
export function crossrefSchemaOf(xml: string): Schema {
  const v = /xmlns(?::\w+)?="http:\/\/www\.crossref\.org\/schema\/(\d+\.\d+\.\d+)"/.exec(xml)?.[1];
  const schema = `crossref-${v}` as Schema;
  if (!(schema in ROOTS)) throw new Error(`no schema here for Crossref ${v}`);
  return schema;
}

/**
 * Validate several documents in one xmllint run (parsing these XSDs takes seconds, so we do it once).
 * Returns each document's validity errors (schema-parser warnings left out), by name.
 *
 * JATS: the only JATS XSD in ../shared is Journal Publishing 1.3d2 (+MathML3), shipped with the
 * Crossref bundle in the `http://www.ncbi.nlm.nih.gov/JATS1` namespace. xmllint-wasm is built
 * without DTD validation (`--valid`/`--dtdvalid` are unknown options), so the DTDs in jats-schema
 * cannot be used; callers put the article in that namespace with {@link inJatsNamespace}.
 */
export async function validateMany(schema: Schema, docs: { name: string; xml: string }[]): Promise<Map<string, string[]>> {
  const files = schemaFiles(schema);
  const root = files.find((f) => f.fileName === ROOTS[schema])!;
  const result = await validateXML({
    xml: docs.map((d) => ({ fileName: `/doc/${d.name}`, contents: d.xml })),
    schema: [root],
    preload: files.filter((f) => f !== root),
    maxMemoryPages: memoryPages.GiB,
  });
  const out = new Map<string, string[]>(docs.map((d) => [d.name, []]));
  for (const e of result.errors) {
    if (!e.loc || !/validity error/.test(e.message)) continue;
    out.get(e.loc.fileName.replace(/^\/doc\//, ''))?.push(e.message);
  }
  return out;
}

/** Put a JATS article's elements in the namespace of the Crossref-bundled JATS XSD (tests only). */
export function inJatsNamespace(xml: string): string {
  return xml.replace(/<article(?=[\s>])/, '<article xmlns="http://www.ncbi.nlm.nih.gov/JATS1"');
}
