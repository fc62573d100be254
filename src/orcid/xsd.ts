import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importOptional } from '../optional-import.js';

/**
 * Validation of ORCID v3.0 messages against the official XSDs (vendored from ORCID/orcid-model,
 * MIT, in `vendor/orcid-model`). Used by the emulator on every incoming write and by the tests.
 * xmllint runs as WebAssembly, so nothing needs installing on the machine; `xmllint-wasm` is an
 * optional peer dependency, loaded on the first validation.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** `vendor/orcid-model` from both `src/orcid` (tsx) and `dist/orcid` (built). */
export const ORCID_MODEL_DIR = join(here, '..', '..', 'vendor', 'orcid-model');

/** Root schema for each item kind the plugin or emulator handles. */
export const ORCID_SCHEMAS = {
  work: 'record_3.0/work-3.0.xsd',
  works: 'record_3.0/bulk-3.0.xsd',
  'peer-review': 'record_3.0/peer-review-3.0.xsd',
  service: 'record_3.0/service-3.0.xsd',
  'group-id-record': 'group-id-3.0/group-id-3.0.xsd',
  record: 'record_3.0/record-3.0.xsd',
  error: 'record_3.0/error-3.0.xsd',
} as const;
export type OrcidSchemaName = keyof typeof ORCID_SCHEMAS;

export interface XsdValidationResult {
  valid: boolean;
  errors: { message: string; line: number | null }[];
}

let preloadCache: { fileName: string; contents: string }[] | null = null;

/** Every .xsd of the vendored model, under a virtual root so relative imports resolve. */
function preload(): { fileName: string; contents: string }[] {
  if (preloadCache) return preloadCache;
  const files: { fileName: string; contents: string }[] = [];
  for (const dir of readdirSync(ORCID_MODEL_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(ORCID_MODEL_DIR, dir.name))) {
      if (f.endsWith('.xsd')) {
        files.push({ fileName: `/orcid/${dir.name}/${f}`, contents: readFileSync(join(ORCID_MODEL_DIR, dir.name, f), 'utf8') });
      }
    }
  }
  preloadCache = files;
  return files;
}

/** Validate `xml` against the ORCID v3.0 schema for `schema`. */
export async function validateOrcidXml(xml: string, schema: OrcidSchemaName): Promise<XsdValidationResult> {
  const all = preload();
  const rootName = `/orcid/${ORCID_SCHEMAS[schema]}`;
  const root = all.find((f) => f.fileName === rootName)!;
  const { validateXML } = await importOptional(() => import('xmllint-wasm'), 'xmllint-wasm', 'Validating ORCID XML against its schemas (the emulator\'s validateXml)');
  const result = await validateXML({
    xml: [{ fileName: '/doc/message.xml', contents: xml }],
    schema: [root],
    preload: all.filter((f) => f !== root),
  });
  return {
    valid: result.valid,
    errors: result.errors.map((e) => ({ message: e.message, line: e.loc?.lineNumber ?? null })),
  };
}
