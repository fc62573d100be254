import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embedOrcidInJats } from '../../src/metadata/jats.js';
import { embedOrcidInCrossref } from '../../src/metadata/crossref.js';
import { decodeXml, encodeText, type XmlEncoding } from '../../src/metadata/encoding.js';
import { XmlError, XML_ENCODING_UNSUPPORTED, XML_MALFORMED } from '../../src/errors.js';

/*
 * Byte input (issue 18): the encoding is detected as XML 1.0 Appendix F says (BOM, the bytes of
 * `<?xm`, then the declaration), and the output is the input's bytes with the new elements spliced
 * in, encoded like the rest of the document.
 */

const JOSIAH = { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true };
const MULLER = { givenNames: 'Jürgen', familyName: 'Müller', orcid: '0000-0001-5109-3700', authenticated: true };
const ID = '<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097</contrib-id>';
const MID = ID.replace('0000-0002-1825-0097', '0000-0001-5109-3700');

const article = (decl: string, muller: string) =>
  `${decl}<article>\r\n  <front><article-meta><contrib-group>\r\n    <contrib>\r\n      <name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib>\r\n` +
  `    <contrib>\r\n      <name><surname>${muller}</surname><given-names>J.</given-names></name><aff>Zürich — 東京</aff></contrib>\r\n` +
  '  </contrib-group></article-meta></front></article>\r\n';

/** The document's bytes in `encoding` (characters it cannot hold written as references). */
function bytesOf(text: string, encoding: XmlEncoding, bom: boolean): Buffer {
  const body = encodeText(text, encoding);
  const mark = !bom ? '' : encoding === 'UTF-8' ? '\ufeff' : encoding.startsWith('UTF-16') ? '\ufeff' : '';
  return Buffer.concat([encodeText(mark, encoding), body]);
}

const CASES: { name: string; encoding: XmlEncoding; bom: boolean; decl: string }[] = [
  { name: 'UTF-8, no BOM, no declaration', encoding: 'UTF-8', bom: false, decl: '' },
  { name: 'UTF-8 with BOM', encoding: 'UTF-8', bom: true, decl: '<?xml version="1.0" encoding="utf-8"?>\r\n' },
  { name: 'UTF-16LE with BOM', encoding: 'UTF-16LE', bom: true, decl: '<?xml version="1.0" encoding="UTF-16"?>\r\n' },
  { name: 'UTF-16BE with BOM', encoding: 'UTF-16BE', bom: true, decl: '<?xml version="1.0" encoding="UTF-16"?>\r\n' },
  { name: 'UTF-16LE without BOM', encoding: 'UTF-16LE', bom: false, decl: "<?xml version='1.0' encoding='UTF-16LE'?>\r\n" },
  { name: 'UTF-16BE without BOM', encoding: 'UTF-16BE', bom: false, decl: '<?xml version="1.0" encoding="utf-16"?>\r\n' },
  { name: 'ISO-8859-1', encoding: 'ISO-8859-1', bom: false, decl: '<?xml version="1.0" encoding="ISO-8859-1"?>\r\n' },
  { name: 'latin1 (an alias)', encoding: 'ISO-8859-1', bom: false, decl: '<?xml version="1.0" encoding="latin1" standalone="yes"?>\r\n' },
  { name: 'US-ASCII', encoding: 'US-ASCII', bom: false, decl: '<?xml version="1.0" encoding="US-ASCII"?>\r\n' },
];

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(XmlError);
    return (e as XmlError).code;
  }
  throw new Error('did not throw');
}

describe('embedding byte input in its own encoding', () => {
  for (const c of CASES) {
    it(`${c.name}: same encoding out, every input byte kept, inserted elements encoded alike`, () => {
      const text = article(c.decl, 'Müller');
      const input = bytesOf(text, c.encoding, c.bom);
      const { xml, report, encoding } = embedOrcidInJats(input, [JOSIAH, MULLER]);
      expect(encoding).to.equal(c.encoding);
      const l = c.decl ? 1 : 0;
      expect(report.inserted.map((e) => [e.contributor.familyName, e.line])).to.deep.equal([['Carberry', 3 + l], ['Müller', 5 + l]]);
      // Exactly the string API's output, in the input's encoding — BOM, CRLFs and references included.
      const expected = text.replace('<contrib>\r\n      <name><surname>Carberry', `<contrib>\r\n      ${ID}\r\n      <name><surname>Carberry`).replace('<contrib>\r\n      <name><surname>Müller', `<contrib>\r\n      ${MID}\r\n      <name><surname>Müller`);
      expect(xml.equals(bytesOf(expected, c.encoding, c.bom))).to.equal(true);
      // And the input bytes are all there, in order, around the two insertions.
      const ins = (s: string) => encodeText(`\r\n      ${s}`, c.encoding);
      const first = xml.indexOf(ins(ID));
      const second = xml.indexOf(ins(MID));
      const rebuilt = Buffer.concat([xml.subarray(0, first), xml.subarray(first + ins(ID).length, second), xml.subarray(second + ins(MID).length)]);
      expect(rebuilt.equals(input)).to.equal(true);
    });
  }

  it('US-ASCII: a name written as character references matches, and the document keeps them', () => {
    const text = article('<?xml version="1.0" encoding="us-ascii"?>\n', 'M&#xFC;ller');
    const input = Buffer.from(text.replace('Zürich — 東京', 'Z&#252;rich'), 'latin1');
    const { xml } = embedOrcidInJats(input, [MULLER]);
    expect(xml.toString('latin1')).to.equal(input.toString('latin1').replace('<contrib>\r\n      <name><surname>M&#xFC;ller', `<contrib>\r\n      ${MID}\r\n      <name><surname>M&#xFC;ller`));
  });

  it('writes characters the encoding cannot hold as character references', () => {
    expect(encodeText('<a b="é">Zürich → 東京 😀</a>', 'US-ASCII').toString('latin1')).to.equal('<a b="&#xE9;">Z&#xFC;rich &#x2192; &#x6771;&#x4EAC; &#x1F600;</a>');
    expect(encodeText('Zürich → 😀', 'ISO-8859-1')).to.deep.equal(Buffer.from('Zürich &#x2192; &#x1F600;', 'latin1'));
    expect(encodeText('Zürich → 😀', 'UTF-16BE').swap16().toString('utf16le')).to.equal('Zürich → 😀');
  });

  it('works for Crossref deposits too (a UTF-16BE 5.5.0 deposit with roles)', () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crossref');
    const text = readFileSync(join(dir, 'journal_article_roles_5.5.0.xml'), 'utf8').replace('encoding="utf-8"', 'encoding="UTF-16"');
    const input = bytesOf(text, 'UTF-16BE', true);
    const contributors = [{ givenNames: 'Tomáš', familyName: 'Řezník', orcid: '0000-0002-1825-0097', authenticated: true }];
    const { xml, encoding } = embedOrcidInCrossref(input, contributors);
    expect(encoding).to.equal('UTF-16BE');
    expect(xml.equals(bytesOf(embedOrcidInCrossref(text, contributors).xml, 'UTF-16BE', true))).to.equal(true);
  });

  it('returns the input itself when nothing is embedded, and takes a plain Uint8Array', () => {
    const input = bytesOf(article('', 'Müller'), 'UTF-8', false);
    expect(embedOrcidInJats(input, []).xml).to.equal(input);
    const plain = new Uint8Array(input);
    expect(embedOrcidInJats(plain, [JOSIAH]).xml.toString('utf8')).to.contain(ID);
  });

  it('refuses what it cannot read faithfully, with a typed error', () => {
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    expect(code(() => decodeXml(Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x3c])))).to.equal(XML_ENCODING_UNSUPPORTED);
    expect(code(() => decodeXml(utf8('<?xml version="1.0" encoding="Shift_JIS"?><a/>')))).to.equal(XML_ENCODING_UNSUPPORTED);
    expect(code(() => decodeXml(utf8('<?xml version="1.0" encoding="windows-1252"?><a/>')))).to.equal(XML_ENCODING_UNSUPPORTED);
    expect(code(() => decodeXml(utf8('<?xml version="1.0" encoding="UTF-16"?><a/>')))).to.equal(XML_MALFORMED);
    expect(code(() => decodeXml(Buffer.from('<a>M\xfcller</a>', 'latin1')))).to.equal(XML_MALFORMED); // undeclared, so UTF-8: invalid
    expect(code(() => decodeXml(Buffer.from('<?xml version="1.0" encoding="ascii"?><a>M\xfcller</a>', 'latin1')))).to.equal(XML_MALFORMED);
    expect(code(() => decodeXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')])))).to.equal(XML_MALFORMED);
    expect(code(() => decodeXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<?xml version="1.0" encoding="UTF-16BE"?><a/>', 'utf16le')])))).to.equal(XML_MALFORMED);
    expect(code(() => decodeXml(Buffer.from([0xff, 0xfe, 0x3c, 0, 0x61])))).to.equal(XML_MALFORMED);
    // The declaration is only read where it may be: at the very start.
    expect(decodeXml(utf8('<a><?xml version="1.0" encoding="Shift_JIS"?></a>')).encoding).to.equal('UTF-8');
  });
});
