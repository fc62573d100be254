import { expect } from 'chai';
import { embedOrcidInJats } from '../../src/metadata/jats.js';
import { embedOrcidInCrossref } from '../../src/metadata/crossref.js';
import { XmlError, XML_MALFORMED } from '../../src/errors.js';
import { removeInserted, testOrcid } from './helpers.js';

const JOSIAH = { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true };
const META = (inner: string) => `<article><front><article-meta><contrib-group>${inner}</contrib-group></article-meta></front></article>`;

function thrown(fn: () => unknown): XmlError {
  try {
    fn();
  } catch (e) {
    return e as XmlError;
  }
  throw new Error('did not throw');
}

describe('embedding: bad and hostile input', () => {
  it('rejects malformed XML with XML_MALFORMED, line and column', () => {
    const err = thrown(() => embedOrcidInJats('<article>\n  <front>\n</article>', [JOSIAH]));
    expect(err).to.be.instanceOf(XmlError);
    expect(err.code).to.equal(XML_MALFORMED);
    expect([err.line, err.column]).to.deep.equal([3, 10]);
    expect(err.message).to.equal('Malformed XML: unexpected close tag. (line 3, column 10)');
    expect(thrown(() => embedOrcidInCrossref('<doi_batch><a></doi_batch>', [])).code).to.equal(XML_MALFORMED);
  });

  it('rejects an undefined entity when there is no DTD to declare it', () => {
    expect(thrown(() => embedOrcidInJats('<article>&nope;</article>', [])).code).to.equal(XML_MALFORMED);
  });

  it('never resolves external entities (XXE): the reference is kept as written', () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${META(
      '<contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name><role>&xxe;</role></contrib>',
    )}`;
    const { xml: out, report } = embedOrcidInJats(xml, [JOSIAH]);
    expect(report.inserted).to.have.length(1);
    expect(removeInserted(out, ['0000-0002-1825-0097'])).to.equal(xml);
    expect(out).not.to.contain('root:');
  });

  it('does not expand a billion-laughs bomb, and returns quickly', () => {
    const decl = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i ? i : ''};`.repeat(10)}">`)].join('\n');
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE article [\n${decl}\n]>\n${META(
      '<contrib><name><surname>&lol9;</surname><given-names>Josiah</given-names></name></contrib>',
    )}`;
    const t0 = performance.now();
    const { xml: out, report } = embedOrcidInJats(xml, [JOSIAH]);
    expect(performance.now() - t0).to.be.lessThan(200);
    expect(out).to.equal(xml);
    expect(report.unmatched).to.have.length(1);
  });

  it('handles a large generated article in bounded memory (no DOM)', function () {
    this.timeout(60000);
    const mb = process.env.RELIABILITY_FULL ? 50 : 10;
    const para = `<p>${'Lorem ipsum dolor sit amet, &amp; <italic>consectetur</italic> adipiscing. '.repeat(13)}</p>\n`;
    const body = para.repeat(Math.ceil((mb * 1024 * 1024) / para.length));
    const authors = Array.from({ length: 200 }, (_, i) => `<contrib><name><surname>Author${i}</surname><given-names>Ann</given-names></name></contrib>\n`).join('');
    const xml = `<article><front><article-meta><contrib-group>\n${authors}</contrib-group></article-meta></front><body>\n${body}</body></article>`;
    const contributors = Array.from({ length: 200 }, (_, i) => ({ givenNames: 'Ann', familyName: `Author${i}`, orcid: testOrcid(i + 1), authenticated: true }));
    global.gc?.();
    const before = process.memoryUsage();
    const t0 = performance.now();
    const { xml: out, report } = embedOrcidInJats(xml, contributors);
    const ms = performance.now() - t0;
    const after = process.memoryUsage();
    const deltaMb = (after.heapUsed + after.external - before.heapUsed - before.external) / 1024 / 1024;
    const inputMb = xml.length / 1024 / 1024;
    console.log(`      ${inputMb.toFixed(1)} MB in ${ms.toFixed(0)} ms (${(inputMb / (ms / 1000)).toFixed(1)} MB/s), heap+external delta ${deltaMb.toFixed(1)} MB`);
    expect(report.inserted).to.have.length(200);
    expect(out.length).to.be.greaterThan(xml.length);
    // The output string is about the input's size (UTF-16: 2 bytes per char); allow that plus slack, not a DOM.
    expect(deltaMb).to.be.lessThan(inputMb * 2 * 1.5 + 64);
  });
});
