import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanJats } from '../../src/metadata/jats.js';
import { readPlainName } from '../../src/metadata/plain-name.js';

/*
 * A plain `<name>` is read at once from the input (plain-name.ts) instead of through the tag
 * handlers. Both ways must give the same candidates and targets for every document.
 */

const FIXTURES = join(process.env.KOC_SHARED_DIR ?? join(process.cwd(), '..', 'shared'), 'fixtures', 'jats');

function bothWays(xml: string) {
  return { fast: scanJats(xml), handlers: scanJats(xml, { fastNames: false }) };
}

const part = fc.constantFrom(
  '<surname>Carberry</surname>', '<given-names>Josiah S.</given-names>', '<surname>Ng</surname>', '<given-names>Mary Ann</given-names>',
  '<surname>O&apos;Brien</surname>', '<given-names>Jo&#x73;iah</given-names>', '<surname>Van\r\nDyke</surname>', '<given-names/>', '<surname/>',
  '<surname><!-- née -->Ng</surname>', '<given-names><![CDATA[A <b>]]></given-names>', '<surname a="1">Ng</surname>', '<prefix>Dr</prefix>',
  '<given-names>Jo > Ann</given-names>', '<surname>王</surname>', '<surname>😀</surname>', 'text', '<!-- c -->', '<?pi x?>',
);
const space = fc.constantFrom('', ' ', '\n        ', '\r\n\t', '\t');

describe('reading a plain <name> at once', () => {
  it('gives the same candidates and targets as the tag handlers on every shared fixture, and is taken there', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));
    expect(files.length).to.be.greaterThan(3);
    let plainNames = 0;
    for (const f of files) {
      const xml = readFileSync(join(FIXTURES, f), 'utf8');
      const { fast, handlers } = bothWays(xml);
      expect(fast, f).to.deep.equal(handlers);
      plainNames += (xml.match(/<name>\s*<surname>[^<&\r]*<\/surname>\s*<given-names>[^<&\r]*<\/given-names>\s*<\/name>/g) ?? []).length;
    }
    expect(plainNames, 'the fixtures hold plain names, so the fast path ran').to.be.greaterThan(10);
  });

  it('gives the same candidates and targets as the tag handlers on generated names (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.tuple(space, part), { maxLength: 4 }), space, fc.constantFrom('', 'jats:'), fc.constantFrom('</name>', '</name >', '</name>')), { minLength: 1, maxLength: 5 }),
        (contribs) => {
          const body = contribs
            .map(([parts, tail, p, end]) => {
              const inner = parts.map(([s, x]) => s + x.replace(/<(\/?)(surname|given-names|prefix)/g, `<$1${p}$2`)).join('') + tail;
              return `<${p}contrib><${p}name>${inner}${end.replace('name', `${p}name`)}<email>a@b.org</email></${p}contrib>`;
            })
            .join('\n');
          const xml = `<!DOCTYPE article><article xmlns:jats="urn:x"><front><article-meta><contrib-group>${body}</contrib-group></article-meta></front></article>`;
          const { fast, handlers } = bothWays(xml);
          expect(fast).to.deep.equal(handlers);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('reads exactly the plain forms and declines the rest', () => {
    const read = (inner: string, prefix = '') => readPlainName(`<${prefix}name>${inner}`, prefix.length + 6, prefix);
    expect(read('<surname>Carberry</surname><given-names>Josiah</given-names></name>')).to.deep.equal({ surname: 'Carberry', given: 'Josiah' });
    expect(read('\n  <given-names>Jo</given-names>\n  <surname>Ng</surname>\n</name>')).to.deep.equal({ surname: 'Ng', given: 'Jo' });
    expect(read('<surname>Ng</surname></name>')).to.deep.equal({ surname: 'Ng', given: '' });
    expect(read('</name>')).to.deep.equal({ surname: '', given: '' });
    expect(read('<jats:surname>Ng</jats:surname></jats:name>', 'jats:')).to.deep.equal({ surname: 'Ng', given: '' });
    for (const declined of [
      '<surname>O&apos;Brien</surname></name>', '<surname>A\r\nB</surname></name>', '<surname/></name>', '<surname a="1">Ng</surname></name>',
      '<surname><!-- x -->Ng</surname></name>', '<prefix>Dr</prefix><surname>Ng</surname></name>', 'Ng</name>', '<surname>Ng</surname></name >',
      '<surname>Ng</given-names></name>', '<surname>Ng',
    ]) {
      expect(read(declined), declined).to.equal(null);
    }
    expect(read('<jats:surname>Ng</jats:surname></jats:name>')).to.equal(null);
  });
});
