import { orcidCheckDigit } from '../../src/orcid/id.js';

/** The n-th test iD (valid check digit), e.g. testOrcid(1) → 0000-0001-0000-0018-ish. */
export function testOrcid(n: number): string {
  const base = `0009${String(n).padStart(11, '0')}`;
  const full = base + orcidCheckDigit(base);
  return full.match(/.{4}/g)!.join('-');
}

/** Remove every element we insert (with the whitespace put before it) for the given iDs. */
export function removeInserted(xml: string, ids: readonly string[], element = 'contrib-id'): string {
  let out = xml;
  for (const id of ids) {
    const re = new RegExp(`[ \\t\\r\\n]*<([\\w.-]+:)?${element}(?: contrib-id-type="orcid")?(?: authenticated="true")?>https://orcid\\.org/${id}</([\\w.-]+:)?${element}>`, 'g');
    out = out.replace(re, '');
  }
  return out;
}
