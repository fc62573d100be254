import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML, memoryPages } from 'xmllint-wasm';

/**
 * Test helpers: validate JATS with the JATS 1.3 DTDs and Crossref deposits with the 5.3.1 XSDs,
 * through xmllint compiled to WebAssembly (no native xmllint here). Files come from /work/shared.
 */
export const SHARED = process.env.KOC_SHARED_DIR ?? '/work/shared';
const CROSSREF_DIR = join(SHARED, 'crossref-schema');

type File = { fileName: string; contents: string };
let crossrefFiles: File[] | null = null;

function walk(dir: string, virtual: string, out: File[], keep: (f: string) => boolean): File[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, `${virtual}/${name}`, out, keep);
    else if (keep(name)) out.push({ fileName: `${virtual}/${name}`, contents: readFileSync(p, 'utf8') });
  }
  return out;
}

export type Schema = 'jats-publishing-1.3d2' | 'crossref-5.3.1';

const ROOTS: Record<Schema, string> = {
  'jats-publishing-1.3d2': '/crossref/JATS-journalpublishing1-3d2-mathml3.xsd',
  'crossref-5.3.1': '/crossref/crossref5.3.1.xsd',
};

/**
 * Validate several documents in one xmllint run (parsing these XSDs takes ~2.5 s, so we do it once).
 * Returns each document's validity errors (schema-parser warnings left out), by name.
 *
 * JATS: the only JATS XSD in /work/shared is Journal Publishing 1.3d2 (+MathML3), shipped with the
 * Crossref bundle in the `http://www.ncbi.nlm.nih.gov/JATS1` namespace. xmllint-wasm is built
 * without DTD validation (`--valid`/`--dtdvalid` are unknown options), so the DTDs in jats-schema
 * cannot be used; callers put the article in that namespace with {@link inJatsNamespace}.
 */
export async function validateMany(schema: Schema, docs: { name: string; xml: string }[]): Promise<Map<string, string[]>> {
  crossrefFiles ??= walk(CROSSREF_DIR, '/crossref', [], (f) => f.endsWith('.xsd'));
  const root = crossrefFiles.find((f) => f.fileName === ROOTS[schema])!;
  const result = await validateXML({
    xml: docs.map((d) => ({ fileName: `/doc/${d.name}`, contents: d.xml })),
    schema: [root],
    preload: crossrefFiles.filter((f) => f !== root),
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
