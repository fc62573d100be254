import { domRoot, elements, type El } from './items.js';

/**
 * ORCID XML → ORCID JSON for an item posted as XML and read as JSON. ORCID's JSON keys are the
 * XML element names; texts that are JAXB value classes are `{"value": …}`, enums and identifiers
 * are plain strings, lists are arrays (../shared/orcid-model/README.md, "Activities endpoints",
 * Content types; `samples/read/record-full-3.0.json`).
 */

/** Elements whose text ORCID JSON wraps as `{"value": …}`. */
const VALUE_WRAPPED = new Set(['title', 'subtitle', 'translated-title', 'journal-title', 'short-description', 'url', 'external-id-url', 'year', 'month', 'day', 'credit-name', 'contributor-email', 'review-url', 'subject-container-name', 'subject-url', 'source-name']);
/** Elements that are JSON arrays even when they occur once. */
const ALWAYS_ARRAY = new Set(['external-id', 'contributor']);
const NUMERIC_ATTRS = new Set(['put-code']);

function textOf(el: El): string {
  return ((el as unknown as { textContent: string | null }).textContent ?? '').trim();
}

function attrsOf(el: El): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of Array.from(el.attributes)) {
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    const name = a.name.replace(/^.*:/, '');
    out[name] = NUMERIC_ATTRS.has(name) ? Number(a.value) : a.value;
  }
  return out;
}

function convert(el: El): unknown {
  const kids = elements(el);
  const attrs = attrsOf(el);
  if (kids.length === 0) {
    const t = textOf(el);
    if (Object.keys(attrs).length) return { value: t, ...attrs };
    return VALUE_WRAPPED.has(el.localName) ? { value: t } : t;
  }
  const out: Record<string, unknown> = { ...attrs };
  for (const k of kids) {
    const value = convert(k);
    const key = k.localName;
    if (ALWAYS_ARRAY.has(key)) ((out[key] ??= []) as unknown[]).push(value);
    else if (key in out) out[key] = Array.isArray(out[key]) ? [...(out[key] as unknown[]), value] : [out[key], value];
    else out[key] = value;
  }
  return out;
}

/** The root element of `xml` as ORCID JSON. */
export function orcidXmlToJson(xml: string): Record<string, unknown> {
  return convert(domRoot(xml)) as Record<string, unknown>;
}
