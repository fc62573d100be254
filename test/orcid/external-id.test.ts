import { expect } from 'chai';
import { normalizeExternalId, sameExternalId } from '../../src/orcid/external-id.js';

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
