import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  ORCID_ERROR_CODES,
  duplicatePutCode,
  keptErrorInWords,
  orcidErrorCode,
  orcidErrorInWords,
  parseOrcidError,
  type OrcidErrorOutcome,
} from '../../src/orcid/orcid-error.js';

const SAMPLE = '../shared/orcid-model/samples/read/error-3.0.xml';

describe('parseOrcidError', () => {
  // README "Error responses": the official error sample, XML.
  it('reads the official v3.0 error sample', () => {
    expect(parseOrcidError(readFileSync(SAMPLE, 'utf8'))).to.deep.equal({
      responseCode: 0, developerMessage: 'error:developer-message', userMessage: 'error:user-message', errorCode: 0, moreInfo: 'http://tempuri.org',
    });
  });

  it('reads the unprefixed XML form and decodes entities', () => {
    const xml = '<error xmlns="http://www.orcid.org/ns/error"><response-code>409</response-code><developer-message>409 Conflict: You have already added this activity &amp; it has put-code 1234 &lt;see&gt;</developer-message><error-code>9021</error-code></error>';
    expect(parseOrcidError(xml)).to.deep.equal({ responseCode: 409, developerMessage: '409 Conflict: You have already added this activity & it has put-code 1234 <see>', errorCode: 9021 });
  });

  // README "Error responses": JSON keys from OrcidError.java.
  it('reads the JSON form', () => {
    expect(parseOrcidError('{"response-code":404,"developer-message":"404 Not Found: The resource was not found.","user-message":"The resource was not found.","error-code":9016,"more-info":"https://members.orcid.org/api/resources/troubleshooting"}')).to.deep.equal({
      responseCode: 404, developerMessage: '404 Not Found: The resource was not found.', userMessage: 'The resource was not found.', errorCode: 9016,
      moreInfo: 'https://members.orcid.org/api/resources/troubleshooting',
    });
  });

  it('is null for OAuth errors, HTML pages and nothing', () => {
    expect(parseOrcidError('{"error":"invalid_token","error_description":"Invalid access token"}')).to.equal(null);
    expect(parseOrcidError('<html><body>Service Unavailable</body></html>')).to.equal(null);
    expect(parseOrcidError('')).to.equal(null);
    expect(parseOrcidError('{not json')).to.equal(null);
  });
});

describe('ORCID_ERROR_CODES', () => {
  // Every code of the facts file (README "Error responses", "Payload rules", "Other facts") and the
  // outcome it gets. A code added to the README must be added here and there.
  const table: Array<[number, OrcidErrorOutcome]> = [
    [9001, 'payload-rejected'], [9006, 'payload-rejected'], [9007, 'record-unavailable'], [9008, 'server-error'],
    [9010, 'not-source'], [9012, 'payload-rejected'], [9013, 'forbidden'], [9016, 'not-found'], [9017, 'identity-mismatch'],
    [9018, 'record-unavailable'], [9019, 'payload-rejected'], [9020, 'payload-rejected'], [9021, 'duplicate'],
    [9022, 'payload-rejected'], [9023, 'payload-rejected'], [9024, 'payload-rejected'], [9025, 'group-exists'],
    [9026, 'payload-rejected'], [9028, 'webhook-not-registered'], [9034, 'payload-rejected'], [9035, 'forbidden'],
    [9036, 'record-unavailable'], [9037, 'payload-rejected'], [9038, 'reconnect'], [9044, 'record-unavailable'],
    [9045, 'payload-rejected'], [9048, 'record-unavailable'], [9050, 'payload-rejected'], [9051, 'payload-rejected'],
    [9053, 'payload-rejected'], [9055, 'payload-rejected'], [9058, 'payload-rejected'], [9062, 'payload-rejected'],
  ];
  for (const [code, outcome] of table) {
    it(`${code} → ${outcome}`, () => {
      expect(orcidErrorCode({ errorCode: code })?.outcome).to.equal(outcome);
    });
  }

  it('covers every code the facts file names, and no other', () => {
    const readme = readFileSync('../shared/orcid-model/README.md', 'utf8');
    const named = [...new Set([...readme.matchAll(/\b(90\d\d)\b/g)].map((m) => Number(m[1])))].sort();
    expect(Object.keys(ORCID_ERROR_CODES).map(Number).sort()).to.deep.equal(named);
    expect(table.map(([c]) => c).sort()).to.deep.equal(named);
  });

  it('has no entry for an unknown code', () => {
    expect(orcidErrorCode({ errorCode: 9999 })).to.equal(null);
    expect(orcidErrorCode(null)).to.equal(null);
  });
});

describe('orcidErrorInWords', () => {
  it('says what the code means, then ORCID\'s user and developer messages', () => {
    expect(orcidErrorInWords({
      errorCode: 9058, userMessage: 'The client application sent a bad request to ORCID.',
      developerMessage: '404 Bad Request: Invalid contributor role. Full validation error: writer',
    }, 400)).to.equal(
      'a contributor role is not one ORCID allows (ORCID error 9058). ORCID says: The client application sent a bad request to ORCID. ' +
        'Details: 404 Bad Request: Invalid contributor role. Full validation error: writer.',
    );
  });

  it('falls back to the status when there is no known code', () => {
    expect(orcidErrorInWords({ developerMessage: 'Something' }, 400)).to.equal('ORCID answered 400. Details: Something.');
  });
});

describe('duplicatePutCode', () => {
  // README "Error responses": 409/9021's developer-message names the existing put-code.
  it('reads the put-code from a 9021 developer message', () => {
    expect(duplicatePutCode({ developerMessage: '409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code 1234. If you are trying to edit the item, please use PUT instead of POST.' })).to.equal('1234');
    expect(duplicatePutCode({ developerMessage: '409 Conflict' })).to.equal(null);
    expect(duplicatePutCode(null)).to.equal(null);
  });
});

describe('keptErrorInWords', () => {
  it('replaces a raw ORCID XML body kept in an error by its words', () => {
    const kept = 'ORCID_BAD_REQUEST 400: <?xml version="1.0" encoding="UTF-8"?><error xmlns="http://www.orcid.org/ns/error"><response-code>400</response-code>' +
      '<developer-message>At least one identifier with \'self\' relationship is required</developer-message><user-message>Invalid external id</user-message><error-code>9023</error-code></error>';
    expect(keptErrorInWords(kept)).to.equal(
      "ORCID_BAD_REQUEST 400: an identifier is invalid or none identifies the item itself (ORCID error 9023). ORCID says: Invalid external id. Details: At least one identifier with 'self' relationship is required.",
    );
  });

  it('replaces a kept JSON body, and leaves plain text alone', () => {
    expect(keptErrorInWords('ORCID_FORBIDDEN 403: {"error-code":9013,"user-message":"Private item"}')).to.equal(
      'ORCID_FORBIDDEN 403: the item is private to another source (ORCID error 9013). ORCID says: Private item.',
    );
    expect(keptErrorInWords('ORCID_NETWORK_ERROR: GET works: no answer from ORCID within 15000 ms')).to.equal('ORCID_NETWORK_ERROR: GET works: no answer from ORCID within 15000 ms');
    expect(keptErrorInWords(null)).to.equal('');
  });

  it('never returns ORCID markup, even from a body that was cut short', () => {
    const out = keptErrorInWords('ORCID_BAD_REQUEST 400: <error xmlns="http://www.orcid.org/ns/error"><error-code>9051</error-code><developer-message>Invalid enum val');
    expect(out).to.equal('ORCID_BAD_REQUEST 400: a value is not one ORCID allows (for example a role or a type) (ORCID error 9051).');
    expect(out).to.not.match(/</);
  });
});
