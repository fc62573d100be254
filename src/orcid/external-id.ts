/**
 * External ids as ORCID compares them when it looks for duplicates (409, 9021): by type and
 * *normalized* value. Pure; shared by the emulator's duplicate check and the plugin's adoption
 * lookup, so both find the same item.
 *
 * ORCID normalizes per identifier type (../shared/orcid-model/README.md, "Payload rules that the
 * XSD does not enforce", Duplicates; ORCID-Source `orcid-core/.../utils/v3/identifiers/normalizers/`,
 * derived): a DOI loses its resolver prefix and is lower-cased; case-insensitive types are
 * lower-cased. Which types count as case-insensitive is our reading of those normalizers; every
 * other type is compared as written, trimmed.
 */

export interface ExternalIdLike {
  type: string;
  value: string;
  relationship?: string;
}

/** Types whose values ORCID compares without regard to case (beyond `doi`, handled apart). */
const CASE_INSENSITIVE = new Set(['arxiv', 'eid', 'isbn', 'issn', 'pmc', 'pmid', 'wosuid', 'handle', 'ark']);

const DOI_PREFIX = /^(?:https?:\/\/)?(?:dx\.|www\.)?doi\.org\//i;

/** The value ORCID compares for an id of `type` (type is matched without regard to case). */
export function normalizeExternalIdValue(type: string, value: string): string {
  const t = type.trim().toLowerCase();
  let v = value.trim();
  if (t === 'doi') return v.replace(DOI_PREFIX, '').replace(/^doi:\s*/i, '').toLowerCase();
  if (t === 'issn') v = v.replace(/^(\d{4})-?(\d{3}[\dXx])$/, '$1-$2');
  if (t === 'pmc') v = v.replace(/^(?!pmc)/i, 'PMC');
  return CASE_INSENSITIVE.has(t) ? v.toLowerCase() : v;
}

/** `type:normalized value`, the key two ids share exactly when ORCID sees them as the same. */
export function externalIdKey(id: ExternalIdLike): string {
  return `${id.type.trim().toLowerCase()}:${normalizeExternalIdValue(id.type, id.value)}`;
}

/** Whether ORCID would see `a` and `b` as the same identifier. */
export function sameExternalId(a: ExternalIdLike, b: ExternalIdLike): boolean {
  return externalIdKey(a) === externalIdKey(b);
}

/** Keys of the `self` ids among `ids` (a missing relationship counts as `self`, as on ORCID's reads). */
export function selfIdKeys(ids: readonly ExternalIdLike[]): string[] {
  return ids.filter((e) => (e.relationship ?? 'self') === 'self').map(externalIdKey);
}
