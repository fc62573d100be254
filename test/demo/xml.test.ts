import { expect } from 'chai';
import { buildCrossref, buildJats, esc, type ArticleXmlInput } from '../../src/demo/xml.js';
import { embedOrcidInCrossref } from '../../src/metadata/crossref.js';
import { embedOrcidInJats } from '../../src/metadata/jats.js';
import { inJatsNamespace, validateMany } from '../metadata/validate.js';

const input: ArticleXmlInput = {
  doi: '10.5555/demo.ms-1a2b3c',
  title: 'Na<sup>+</sup> & "K" \u0001channels',
  abstract: 'First <paragraph> & more.\n\nSecond one.',
  url: 'http://127.0.0.1:3000/articles/MS-1A2B3C?x=1&y=2',
  publishedAt: '2026-11-25',
  journal: { title: 'Journal of Emulated Research', issn: '0000-0000' },
  volume: '1', issue: '1', elocation: 'MS-1A2B3C',
  authors: [
    { givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah.carberry@example.edu' },
    { givenNames: 'Fang', familyName: 'Wang' },
    { givenNames: '', familyName: "O'Brien" },
  ],
  batchId: 'demo-MS-1A2B3C-1',
  now: new Date('2026-11-25T15:04:05.678Z'),
};

describe('esc', () => {
  it('escapes the five XML specials and drops characters XML 1.0 forbids', () => {
    expect(esc(`<a href="x">&'\u0000\u001F\tok</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\tok&lt;/a&gt;');
  });
});

describe('buildJats', () => {
  const xml = buildJats(input);

  it('writes the front matter and one contrib per author, in order, with text escaped', () => {
    expect(xml).to.contain('<article-title>Na&lt;sup&gt;+&lt;/sup&gt; &amp; &quot;K&quot; channels</article-title>');
    expect(xml).to.contain('<name><surname>Carberry</surname><given-names>Josiah</given-names></name>\n          <email>josiah.carberry@example.edu</email>');
    expect(xml).to.contain('<name><surname>O&apos;Brien</surname></name>');
    expect(xml).to.contain('<abstract><p>First &lt;paragraph&gt; &amp; more.</p><p>Second one.</p></abstract>');
    expect(xml).to.contain('<pub-date publication-format="electronic" date-type="pub"><day>25</day><month>11</month><year>2026</year></pub-date>');
    expect(xml).to.contain('<self-uri xlink:href="http://127.0.0.1:3000/articles/MS-1A2B3C?x=1&amp;y=2"/>');
  });

  it('takes an authenticated iD from the plugin in the first author\'s contrib', () => {
    const { xml: out } = embedOrcidInJats(xml, [{ givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true }]);
    expect(out).to.contain('<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097</contrib-id>');
  });
});

describe('buildCrossref', () => {
  const xml = buildCrossref(input);

  it('writes a 5.3.1 deposit with escaped titles, sequence and a timestamp from the clock', () => {
    expect(xml).to.contain('<timestamp>20261125150405</timestamp>');
    expect(xml).to.contain('<title>Na&lt;sup&gt;+&lt;/sup&gt; &amp; &quot;K&quot; channels</title>');
    expect(xml).to.contain('<person_name sequence="first" contributor_role="author"><given_name>Josiah</given_name><surname>Carberry</surname></person_name>');
    expect(xml).to.contain('<person_name sequence="additional" contributor_role="author"><surname>O&apos;Brien</surname></person_name>');
    expect(xml).to.contain('<doi_data><doi>10.5555/demo.ms-1a2b3c</doi><resource>http://127.0.0.1:3000/articles/MS-1A2B3C?x=1&amp;y=2</resource></doi_data>');
  });

  it('refuses a publication date that is not YYYY-MM-DD', () => {
    expect(() => buildCrossref({ ...input, publishedAt: '25/11/2026' })).to.throw('publishedAt must be YYYY-MM-DD, got "25/11/2026"');
  });
});

describe('demo XML against the schemas', function () {
  this.timeout(120_000); // XSD validation in WebAssembly: CPU-bound, slow on a loaded 2-core machine

  it('is valid JATS 1.3 and Crossref 5.3.1, before and after the plugin embeds iDs', async () => {
    // The only JATS XSD here is the 1.3d2 draft, which does not list the final "1.3" as a dtd-version.
    const asDraft = (xml: string) => inJatsNamespace(xml.replace('dtd-version="1.3"', 'dtd-version="1.3d2"'));
    const ids = [{ givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true }];
    const jats = buildJats(input);
    const crossref = buildCrossref(input);
    const [jatsErrors, crossrefErrors] = await Promise.all([
      validateMany('jats-publishing-1.3d2', [
        { name: 'jats.xml', xml: asDraft(jats) },
        { name: 'jats-ids.xml', xml: asDraft(embedOrcidInJats(jats, ids).xml) },
      ]),
      validateMany('crossref-5.3.1', [
        { name: 'crossref.xml', xml: crossref },
        { name: 'crossref-ids.xml', xml: embedOrcidInCrossref(crossref, ids).xml },
      ]),
    ]);
    expect(Object.fromEntries([...jatsErrors, ...crossrefErrors])).to.deep.equal({ 'jats.xml': [], 'jats-ids.xml': [], 'crossref.xml': [], 'crossref-ids.xml': [] });
  });
});
