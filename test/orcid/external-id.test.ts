import { expect } from 'chai';
import { externalIdKey, normalizeExternalId, sameExternalId, selfIdKeys } from '../../src/orcid/external-id.js';

// README "Payload rules that the XSD does not enforce", Duplicates: ORCID normalises per identifier
// type before its 409 check (DOIs lower-cased, resolver prefix removed).
describe('normalizeExternalId', () => {
  const table: Array<[string, string, string]> = [
    ['doi', '10.1234/ABC.def', '10.1234/abc.def'],
    ['doi', 'https://doi.org/10.1234/ABC', '10.1234/abc'],
    ['doi', 'http://dx.doi.org/10.1234/abc', '10.1234/abc'],
    ['doi', 'doi:10.1234/abc', '10.1234/abc'],
    ['doi', ' 10.1234/abc ', '10.1234/abc'],
    ['DOI', '10.1234/a&amp;b', '10.1234/a'],
    ['doi', 'not a doi', 'not a doi'],
    ['issn', '1234567x', '1234-567X'],
    ['issn', '1234 - 567X', '1234-567X'],
    ['isbn', '978-3-16-148410-X', '978-3-16-148410-x'],
    ['source-work-id', ' issn:1234-5679:A-1 ', 'issn:1234-5679:A-1'],
    ['source-work-id', 'ojs:Article/12', 'ojs:Article/12'],
  ];
  for (const [type, value, expected] of table) {
    it(`${type} ${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => {
      expect(normalizeExternalId(type, value)).to.equal(expected);
    });
  }
});

describe('sameExternalId', () => {
  it('compares type case-insensitively and values as ORCID does', () => {
    expect(sameExternalId({ type: 'DOI', value: 'https://doi.org/10.5555/X' }, { type: 'doi', value: '10.5555/x' })).to.equal(true);
    expect(sameExternalId({ type: 'doi', value: '10.5555/x' }, { type: 'source-work-id', value: '10.5555/x' })).to.equal(false);
    expect(sameExternalId({ type: 'source-work-id', value: 'A' }, { type: 'source-work-id', value: 'a' })).to.equal(false);
    expect(sameExternalId({ type: 'doi', value: 'junk one' }, { type: 'doi', value: 'junk two' })).to.equal(false);
  });
});


/** orcid-model README, "Payload rules that the XSD does not enforce", Duplicates: ids compare by type + normalized value. */
describe('externalIdKey and selfIdKeys: external ids as ORCID compares them', () => {
  const cases: [string, string, string, string][] = [
    ['a DOI’s case', 'doi', '10.1234/ABC.Def', '10.1234/abc.def'],
    ['the https://doi.org/ prefix', 'doi', 'https://doi.org/10.1234/x', '10.1234/x'],
    ['the dx.doi.org resolver', 'doi', 'http://dx.doi.org/10.1234/x', '10.1234/x'],
    ['a doi: prefix and spaces', 'doi', '  doi:10.1234/X ', '10.1234/x'],
    ['an ISSN without hyphen, lower-case x (written upper-case)', 'issn', '1234567x', '1234-567X'],
    ['a PMC id without its prefix', 'pmc', '12345', 'pmc12345'],
    ['a source-work-id, compared as written', 'source-work-id', ' Sub-42 ', 'Sub-42'],
  ];
  for (const [what, type, value, expected] of cases) {
    it(`normalizes ${what}`, () => expect(normalizeExternalId(type, value)).to.equal(expected));
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
