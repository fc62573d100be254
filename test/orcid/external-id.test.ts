import { expect } from 'chai';
import { externalIdKey, normalizeExternalIdValue, sameExternalId, selfIdKeys } from '../../src/orcid/external-id.js';

/** orcid-model README, "Payload rules that the XSD does not enforce", Duplicates: ids compare by type + normalized value. */
describe('external ids as ORCID compares them', () => {
  const cases: [string, string, string, string][] = [
    ['a DOI’s case', 'doi', '10.1234/ABC.Def', '10.1234/abc.def'],
    ['the https://doi.org/ prefix', 'doi', 'https://doi.org/10.1234/x', '10.1234/x'],
    ['the dx.doi.org resolver', 'doi', 'http://dx.doi.org/10.1234/x', '10.1234/x'],
    ['a doi: prefix and spaces', 'doi', '  doi:10.1234/X ', '10.1234/x'],
    ['an ISSN without hyphen, lower-case x', 'issn', '1234567x', '1234-567x'],
    ['a PMC id without its prefix', 'pmc', '12345', 'pmc12345'],
    ['a source-work-id, compared as written', 'source-work-id', ' Sub-42 ', 'Sub-42'],
  ];
  for (const [what, type, value, expected] of cases) {
    it(`normalizes ${what}`, () => expect(normalizeExternalIdValue(type, value)).to.equal(expected));
  }

  it('keys on the lower-cased type and normalized value', () => {
    expect(externalIdKey({ type: 'DOI', value: 'https://doi.org/10.1/A' })).to.equal('doi:10.1/a');
    expect(sameExternalId({ type: 'doi', value: '10.1/A' }, { type: 'doi', value: 'https://doi.org/10.1/a' })).to.equal(true);
    expect(sameExternalId({ type: 'source-work-id', value: 'a' }, { type: 'source-work-id', value: 'A' })).to.equal(false);
  });

  it('takes only self ids, a missing relationship counting as self', () => {
    expect(selfIdKeys([{ type: 'doi', value: '10.1/X', relationship: 'self' }, { type: 'issn', value: '1234-5679', relationship: 'part-of' }, { type: 'source-work-id', value: 'w1' }])).to.deep.equal(['doi:10.1/x', 'source-work-id:w1']);
  });
});
