/**
 * External ids compared the way ORCID compares them when it looks for duplicates. Pure.
 *
 * ORCID normalises each `self` id per identifier type before its duplicate check (409, 9021):
 * DOIs are lower-cased with the resolver prefix removed, ISSNs written `NNNN-NNNX`, and types
 * ORCID marks case-insensitive lower-cased (../shared/orcid-model/README.md "Payload rules that
 * the XSD does not enforce", Duplicates; [S] `orcid-core/.../utils/v3/identifiers/normalizers/`).
 * Our 409 adoption must find the item ORCID found, and the emulator's duplicate check must find
 * what ORCID's finds, so both compare through this module. Which types count as case-insensitive
 * is our reading of those normalizers.
 */

export interface ExternalIdLike {
  type: string;
  value: string;
  relationship?: string;
}

// The DOI inside any wrapping: `https://doi.org/…`, `http://dx.doi.org/…`, `doi:…`, spaces.
const DOI = /(10(?:\.[0-9a-z]+)+\/(?:(?!["&'])\S)+)/i;
const ISSN = /(?:^|\D)(\d{4}) ?[-–]? ?(\d{3}[\dX])(?:$|[^-\d])/i;
// Identifier types whose values differ only in letter case when they name the same thing.
const CASE_INSENSITIVE = new Set(['doi', 'isbn', 'issn', 'arxiv', 'eid', 'pmc', 'pmid', 'wosuid', 'handle', 'ark']);

/**
 * The value ORCID compares for an external id of `type`; the type itself compares lower-cased.
 * A value that does not parse as its type is compared trimmed (and lower-cased for
 * case-insensitive types), never reduced to nothing: two bad values must not match each other.
 * @example normalizeExternalId('doi', 'https://doi.org/10.1234/ABC') // '10.1234/abc'
 * @example normalizeExternalId('issn', '1234567x') // '1234-567X'
 */
export function normalizeExternalId(type: string, value: string): string {
  const t = normalizeExternalIdType(type);
  const v = decodeEntities(String(value)).trim();
  if (t === 'doi') {
    const m = DOI.exec(v);
    return (m ? m[1]! : v).toLowerCase();
  }
  if (t === 'issn') {
    const m = ISSN.exec(v);
    return m ? `${m[1]}-${m[2]!.toUpperCase()}` : v.toUpperCase();
  }
  // A PMC id is the same with or without its `PMC` prefix.
  const out = t === 'pmc' ? v.replace(/^(?!pmc)/i, 'PMC') : v;
  return CASE_INSENSITIVE.has(t) ? out.toLowerCase() : out;
}

/** `DOI ` → `doi`: ORCID's identifier type names are lower case. */
export function normalizeExternalIdType(type: string): string {
  return String(type).trim().toLowerCase();
}

/** Whether two external ids name the same thing for ORCID. */
export function sameExternalId(a: { type: string; value: string }, b: { type: string; value: string }): boolean {
  const type = normalizeExternalIdType(a.type);
  return type === normalizeExternalIdType(b.type) && normalizeExternalId(type, a.value) === normalizeExternalId(type, b.value);
}

// ORCID unescapes DOIs that arrive HTML-escaped (even more than once); so do we, for the five XML entities.
function decodeEntities(s: string): string {
  let out = s;
  for (let i = 0; i < 3 && /&(?:amp|lt|gt|quot|apos);/.test(out); i++) {
    out = out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  }
  return out;
}

/** `type:normalized value`: the key two ids share exactly when ORCID sees them as the same. */
export function externalIdKey(id: ExternalIdLike): string {
  const type = normalizeExternalIdType(id.type);
  return `${type}:${normalizeExternalId(type, id.value)}`;
}

/** Keys of the `self` ids among `ids` (a missing relationship counts as `self`, as on ORCID's reads). */
export function selfIdKeys(ids: readonly ExternalIdLike[]): string[] {
  return ids.filter((e) => (e.relationship ?? 'self') === 'self').map(externalIdKey);
}
