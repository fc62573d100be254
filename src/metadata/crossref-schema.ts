import { prefixOf, type ScanTag } from './scan.js';

/**
 * Where `<ORCID>` goes in a Crossref `<person_name>`, by the deposit's schema version. Each
 * version's `person_name` is an xsd:sequence, and ORCID comes right after the last of the children
 * listed here (and before `alt-name`):
 *
 * | versions | sequence | source |
 * | --- | --- | --- |
 * | 4.x | given_name?, surname, suffix?, affiliation{0,5}, ORCID?, alt-name? | crossref4.8.0.xsd / common4.4.2.xsd, element person_name |
 * | 5.0–5.2 | given_name?, surname, suffix?, affiliation{0,5}, ORCID?, alt-name? | crossref5.1.0.xsd, crossref5.2.0.xsd |
 * | 5.3 | given_name?, surname, suffix?, affiliations?, ORCID?, alt-name? | crossref5.3.1.xsd |
 * | 5.4+ | given_name?, surname, suffix?, role*, affiliations?, ORCID?, alt-name? | crossref5.5.0.xsd (near line 1541) |
 *
 * The version is read once, from the root element: its namespace (`http://www.crossref.org/schema/5.5.0`)
 * or else its `version` attribute. A deposit that names no version gets the union of all lists,
 * which puts ORCID after everything any version allows before it.
 */
export type CrossrefSchemaFamily = '4.x' | '5.0-5.3' | '5.4+' | 'unknown';

const BEFORE_ORCID: Record<CrossrefSchemaFamily, ReadonlySet<string>> = {
  '4.x': new Set(['given_name', 'surname', 'suffix', 'affiliation']),
  // 5.0–5.2 spell it `affiliation`, 5.3 `affiliations`.
  '5.0-5.3': new Set(['given_name', 'surname', 'suffix', 'affiliation', 'affiliations']),
  '5.4+': new Set(['given_name', 'surname', 'suffix', 'role', 'affiliations']),
  unknown: new Set(['given_name', 'surname', 'suffix', 'role', 'affiliation', 'affiliations']),
};

/** The children of `person_name` that precede `ORCID` in a deposit of this family. */
export function beforeOrcid(family: CrossrefSchemaFamily): ReadonlySet<string> {
  return BEFORE_ORCID[family];
}

/** The schema family of a deposit whose root element is `root`. */
export function crossrefSchemaFamily(root: ScanTag): CrossrefSchemaFamily {
  const prefix = prefixOf(root.name);
  const ns = root.attributes[prefix === '' ? 'xmlns' : `xmlns:${prefix.slice(0, -1)}`] ?? '';
  const m = /^https?:\/\/www\.crossref\.org\/schema\/(\d+)\.(\d+)/.exec(ns.trim()) ?? /^\s*(\d+)\.(\d+)/.exec(root.attributes.version ?? '');
  if (!m) return 'unknown';
  return familyOf(Number(m[1]), Number(m[2]));
}

export function familyOf(major: number, minor: number): CrossrefSchemaFamily {
  if (major === 4) return '4.x';
  if (major === 5 && minor <= 3) return '5.0-5.3';
  if (major > 5 || (major === 5 && minor >= 4)) return '5.4+';
  return 'unknown';
}
