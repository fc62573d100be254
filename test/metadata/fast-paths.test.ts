import { expect } from 'chai';
import fc from 'fast-check';
import { foldName, givenTokens } from '../../src/metadata/names.js';
import { prepareContributors } from '../../src/metadata/match.js';
import { embedOrcidInJats, scanJats } from '../../src/metadata/jats.js';
import { scanXml } from '../../src/metadata/scan.js';
import { orcidCheckDigit, parseOrcidId } from '../../src/orcid/id.js';
import { XmlError } from '../../src/errors.js';

/*
 * The embedder has shortcuts for the common case (bench/embed.ts): ASCII names without regular
 * expressions, canonical iDs without parsing, element text read from the input instead of from
 * saxes' text events. Each must give exactly what the general path gives.
 */

// The general definitions, as they were before the shortcuts (the README, "Embedding ORCID iDs", "Matching rules").
const referenceFold = (s: string) => s.toLowerCase().replace(/['`]/g, '').replace(/[\s.,\-_]+/g, ' ').trim();
function referenceGivenTokens(s: string): string[] {
  const out: string[] = [];
  const shouting = !/\p{Ll}/u.test(s);
  for (const raw of s.split(/[\s.,\-‐‑‒–—_]+/)) {
    if (raw === '') continue;
    if (/^\p{Lu}{2,3}$/u.test(raw) && (!shouting || !/[AEIOUY]/.test(raw))) for (const ch of raw) out.push(referenceFold(ch));
    else {
      const f = referenceFold(raw);
      if (f !== '') out.push(...f.split(' '));
    }
  }
  return out;
}

const asciiName = fc.string({ unit: fc.constantFrom('a', 'e', 'j', 'r', 'A', 'E', 'J', 'R', 'Y', 'Z', '1', ' ', ' ', '.', ',', '-', '_', "'", '`', '\t', '\n', '\r'), maxLength: 12 });

describe('embedding shortcuts agree with the general rules', () => {
  it('folds and tokenizes ASCII names exactly like the general rules (property)', () => {
    fc.assert(
      fc.property(asciiName, (s) => {
        expect(foldName(s)).to.equal(referenceFold(s));
        expect(givenTokens(s)).to.deep.equal(referenceGivenTokens(s));
      }),
      { numRuns: 2000 },
    );
    expect(givenTokens('JRR')).to.deep.equal(['j', 'r', 'r']);
    expect(givenTokens('ZOE SMITH')).to.deep.equal(['zoe', 'smith']);
    expect(givenTokens("D'Arcy J.-P.")).to.deep.equal(['darcy', 'j', 'p']);
  });

  it('takes a canonical iD as parseOrcidId does, and rejects the same ones (property)', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 15, maxLength: 15 });
    fc.assert(
      fc.property(digits, fc.constantFrom(...'0123456789Xx-'), fc.boolean(), (base, last, correct) => {
        const check = correct ? orcidCheckDigit(base) : last;
        const orcid = `${base.slice(0, 4)}-${base.slice(4, 8)}-${base.slice(8, 12)}-${base.slice(12)}${check}`;
        let expected: { id: string; uri: string } | Error;
        try {
          expected = parseOrcidId(orcid);
        } catch (e) {
          expected = e as Error;
        }
        const run = () => prepareContributors([{ givenNames: 'A', familyName: 'B', orcid, authenticated: true }])[0];
        if (expected instanceof Error) expect(run).to.throw(expected.constructor as new () => Error, expected.message);
        else expect({ id: run().id, uri: run().uri }).to.deep.equal(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads names that need decoding (entities, comments, CDATA, CR LF, empty) as saxes decodes them', () => {
    const xml = [
      '<article><front><article-meta><contrib-group>',
      '<contrib><name><surname>O&apos;Brien</surname><given-names>Jo&#x73;iah</given-names></name></contrib>',
      '<contrib><name><surname><!-- née -->Ng</surname><given-names><![CDATA[Mary <Ann>]]></given-names></name></contrib>',
      '<contrib><name><surname>Van\r\nDyke</surname><given-names/></name><email>vd@example.org</email></contrib>',
      '<contrib><string-name>Wei <b>Zhang</b></string-name></contrib>',
      '</contrib-group></article-meta></front></article>',
    ].join('\n');
    const names = scanJats(xml).candidates.map((c) => c.names);
    expect(names).to.deep.equal([
      [{ surname: "O'Brien", given: 'Josiah' }],
      [{ surname: 'Ng', given: 'Mary <Ann>' }],
      [{ surname: 'Van\nDyke', given: '' }],
      [{ surname: '', given: '', full: 'Wei Zhang' }],
    ]);
    expect(scanJats(xml).candidates[2].directEmails).to.deep.equal(['vd@example.org']);
  });

  it('ignores contrib-groups inside comments and CDATA', () => {
    const xml = [
      '<article><front><article-meta>',
      '<!-- <contrib-group><contrib><name><surname>Carberry</surname></name></contrib></contrib-group> -->',
      '<notes><![CDATA[<contrib-group><contrib><name><surname>Carberry</surname></name></contrib></contrib-group>]]></notes>',
      '</article-meta></front></article>',
    ].join('\n');
    expect(scanJats(xml).candidates).to.deep.equal([]);
  });

  it('never matches a blank email to an empty <email/>', () => {
    const xml = '<article><front><article-meta><contrib-group><contrib><name><surname>Other</surname><given-names>Person</given-names></name><email/></contrib></contrib-group></article-meta></front></article>';
    const { xml: out, report } = embedOrcidInJats(xml, [{ givenNames: 'Josiah', familyName: 'Carberry', email: ' mailto: ', orcid: '0000-0002-1825-0097', authenticated: true }]);
    expect(out).to.equal(xml);
    expect(report.unmatched).to.have.length(1);
  });

  it('lets an error thrown by a handler through as itself, not as malformed XML', () => {
    const boom = new RangeError('handler bug');
    const run = () =>
      scanXml('<a><b/></a>', () => ({
        open: (tag) => {
          if (tag.name === 'b') throw boom;
        },
        close: () => undefined,
        text: () => undefined,
      }));
    expect(run).to.throw(RangeError, 'handler bug');
    expect(() => scanXml('<a><b></a>', () => ({ open: () => undefined, close: () => undefined, text: () => undefined }))).to.throw(XmlError);
  });
});
