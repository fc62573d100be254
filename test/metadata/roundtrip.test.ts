import { expect } from 'chai';
import fc from 'fast-check';
import { embedOrcidInJats } from '../../src/metadata/jats.js';
import { removeInserted, testOrcid } from './helpers.js';

const filler = fc.constantFrom(
  '<!-- c <contrib> -->', '<![CDATA[ <surname>X</surname> & ]]>', '<?pi data?>', '\r\n', '\n  ', ' ', '&amp;', '&#x1F600;', '😀', 'text',
);
const fill = fc.array(filler, { maxLength: 4 }).map((a) => a.join(''));
const ws = fc.constantFrom('', '\n    ', '\r\n\t', ' ');

describe('embedOrcidInJats on generated documents', () => {
  it('output minus the inserted elements is the input, byte for byte (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(ws, fill, fc.boolean()), { minLength: 1, maxLength: 6 }), fill, (people, head) => {
        const contribs = people
          .map(([w, f, q], i) => `<contrib${q ? " a='1'" : ''}>${w}${f}<name><surname>Surname${String.fromCharCode(65 + i)}</surname><given-names>Ann</given-names></name>${f}</contrib>`)
          .join(head.replace(/&#x1F600;|&amp;|text|😀/g, ''));
        const xml = `<?xml version="1.0"?>\r\n<!-- ${head.replace(/--/g, '')} -->\r\n<article><front><article-meta>${head}<contrib-group>${contribs}</contrib-group></article-meta></front></article>\r\n`;
        const ids = people.map((_, i) => testOrcid(100 + i));
        const contributors = people.map((_, i) => ({ givenNames: 'A.', familyName: `Surname${String.fromCharCode(65 + i)}`, orcid: ids[i], authenticated: i % 2 === 0 }));
        const { xml: out, report } = embedOrcidInJats(xml, contributors);
        expect(report.inserted).to.have.length(people.length);
        expect(removeInserted(out, ids)).to.equal(xml);
        people.forEach((_, i) => expect(out).to.contain(`<contrib-id contrib-id-type="orcid"${i % 2 === 0 ? ' authenticated="true"' : ''}>https://orcid.org/${ids[i]}</contrib-id>`));
      }),
      { numRuns: 200 },
    );
  });
});
