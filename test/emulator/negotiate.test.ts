import { expect } from 'chai';
import { acceptedFormat } from '../../src/emulator/negotiate.js';
import { orcidXmlToJson } from '../../src/emulator/xml-json.js';

/** orcid-model README, "Activities endpoints", Content types: ORCID's six media types; any other Accept → 406. */
describe('acceptedFormat (emulator content negotiation)', () => {
  const cases: [string, 'xml' | 'json' | null][] = [
    ['', 'xml'],
    ['*/*', 'xml'],
    ['application/vnd.orcid+xml', 'xml'],
    ['application/orcid+json', 'json'],
    ['application/json; charset=UTF-8', 'json'],
    ['text/html', null],
    ['text/html, application/xhtml+xml', null],
    ['text/html;q=0.9, application/vnd.orcid+json;q=0.5', 'json'],
    ['application/orcid+json;q=0, application/xml', 'xml'],
    ['application/vnd.orcid+xml;q=0.2, application/vnd.orcid+json', 'json'],
  ];
  for (const [accept, format] of cases) {
    it(`${JSON.stringify(accept)} → ${format ?? '406'}`, () => expect(acceptedFormat(accept)).to.equal(format));
  }
});

/** ORCID JSON keys are the XML element names; value classes are {"value": …}; lists are arrays (samples/read/record-full-3.0.json). */
describe('orcidXmlToJson (emulator)', () => {
  it('converts a work the way ORCID writes it in JSON', () => {
    const xml = `<work:work xmlns:work="http://www.orcid.org/ns/work" xmlns:common="http://www.orcid.org/ns/common" put-code="7"><work:title><common:title>T</common:title><common:translated-title language-code="fr">Le T</common:translated-title></work:title><work:type>journal-article</work:type><common:publication-date><common:year>2020</common:year></common:publication-date><common:external-ids><common:external-id><common:external-id-type>doi</common:external-id-type><common:external-id-value>10.1/x</common:external-id-value><common:external-id-url>https://doi.org/10.1/x</common:external-id-url><common:external-id-relationship>self</common:external-id-relationship></common:external-id></common:external-ids></work:work>`;
    expect(orcidXmlToJson(xml)).to.deep.equal({
      'put-code': 7,
      title: { title: { value: 'T' }, 'translated-title': { value: 'Le T', 'language-code': 'fr' } },
      type: 'journal-article',
      'publication-date': { year: { value: '2020' } },
      'external-ids': { 'external-id': [{ 'external-id-type': 'doi', 'external-id-value': '10.1/x', 'external-id-url': { value: 'https://doi.org/10.1/x' }, 'external-id-relationship': 'self' }] },
    });
  });
});
