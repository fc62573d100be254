import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embedOrcidInCrossref } from '../../src/metadata/crossref.js';
import { SHARED } from './validate.js';

const EXAMPLES = join(SHARED, 'crossref-schema', 'examples');
// The Crossref examples, stripped of ORCIDs and given XSD-valid names, are our two deposits.
const journal = readFileSync(join(EXAMPLES, 'journal.article5.3.1.xml'), 'utf8')
  .replace('<given_name>$7Minerva7</given_name>', '<given_name>Minerva</given_name>')
  .replace('<surname>@arg???</surname>', '<surname>Housecat</surname>')
  .replace(/\s*<ORCID[^>]*>[^<]*<\/ORCID>/g, '');
const review = readFileSync(join(EXAMPLES, 'peer_review_orcid_5.3.1.xml'), 'utf8').replace(/\s*<ORCID[^>]*>[^<]*<\/ORCID>/g, '');

const ORCID = '<ORCID authenticated="true">https://orcid.org/0000-0002-1825-0097</ORCID>';

// Schema validation of embedded deposits, every version: crossref-schemas.test.ts.
describe('embedOrcidInCrossref', () => {
  it('returns the very same string when there is nothing to embed', () => {
    expect(embedOrcidInCrossref(journal, []).xml).to.equal(journal);
  });

  it('puts ORCID after affiliations in a peer-review deposit, indented like its siblings', () => {
    const { xml, report } = embedOrcidInCrossref(review, [
      { givenNames: 'Wilson', familyName: 'Smith', orcid: 'https://orcid.org/0000-0002-1825-0097', authenticated: true },
    ]);
    expect(xml).to.equal(review.replace('</affiliations>', `</affiliations>\n                    ${ORCID}`));
    expect(report.inserted.map((e) => [e.scope, e.line, e.via])).to.deep.equal([['peer_review[1]', 19, 'name']]);
  });

  it('puts ORCID after surname when there are no affiliations, and replaces a different one', () => {
    const { xml, report } = embedOrcidInCrossref(journal, [
      { givenNames: 'Kukpi7 Wayne', familyName: 'Christian', orcid: '0000-0002-1825-0097', authenticated: true },
      { givenNames: 'M.', familyName: 'Housecat', orcid: '0000-0001-5109-3700', authenticated: false },
    ]);
    expect(xml).to.contain(`<surname>Christian</surname>\n                        ${ORCID}\n`);
    expect(report.inserted.map((e) => e.via)).to.deep.equal(['initials', 'name']);
    const again = embedOrcidInCrossref(xml, [{ givenNames: 'Kukpi7 Wayne', familyName: 'Christian', orcid: '0000-0001-5109-3700', authenticated: true }]);
    expect(again.report.replaced.map((r) => r.previous)).to.deep.equal(['https://orcid.org/0000-0002-1825-0097']);
    expect(again.xml).to.equal(xml.replace(ORCID, ORCID.replace('0000-0002-1825-0097', '0000-0001-5109-3700')));
  });
});
