import { expect } from 'chai';
import fc from 'fast-check';
import { parseOrcidId, orcidCheckDigit, isOrcidId } from '../../src/orcid/id.js';
import { InvalidOrcidIdError, INVALID_ORCID_ID } from '../../src/errors.js';

const digits15 = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 15 }).map((a) => a.join(''));
const validId = digits15.map((d) => {
  const full = d + orcidCheckDigit(d);
  return full.match(/.{4}/g)!.join('-');
});

describe('parseOrcidId', () => {
  it('accepts the forms people paste', () => {
    const expected = { id: '0000-0002-1825-0097', uri: 'https://orcid.org/0000-0002-1825-0097' };
    for (const form of [
      '0000-0002-1825-0097',
      '0000000218250097',
      'https://orcid.org/0000-0002-1825-0097',
      'http://orcid.org/0000-0002-1825-0097',
      'orcid.org/0000-0002-1825-0097',
      'https://www.orcid.org/0000-0002-1825-0097/',
      '  0000-0002-1825-0097\n',
    ]) {
      expect(parseOrcidId(form), form).to.deep.equal(expected);
    }
  });

  it('accepts a lowercase x check character and returns it uppercase', () => {
    expect(parseOrcidId('0000-0002-9079-593x').id).to.equal('0000-0002-9079-593X');
  });

  it('keeps the sandbox host of a sandbox URI', () => {
    expect(parseOrcidId('https://sandbox.orcid.org/0000-0002-1825-0097').uri).to.equal(
      'https://sandbox.orcid.org/0000-0002-1825-0097',
    );
  });

  it('rejects a wrong check digit with a typed error', () => {
    expect(() => parseOrcidId('0000-0002-1825-0098'))
      .to.throw(InvalidOrcidIdError, /check digit/)
      .with.property('code', INVALID_ORCID_ID);
  });

  for (const bad of ['', 'abc', '0000-0002-1825', '0000-0002-1825-00977', 'https://evil.example/0000-0002-1825-0097', '00-000002-1825-0097', 'X000-0002-1825-0097']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      expect(() => parseOrcidId(bad)).to.throw(InvalidOrcidIdError);
    });
  }

  it('rejects non-strings', () => {
    expect(() => parseOrcidId(42)).to.throw(InvalidOrcidIdError, /not a string/);
    expect(isOrcidId(null)).to.equal(false);
  });

  it('round-trips every valid iD through all its forms (property)', () => {
    fc.assert(
      fc.property(validId, fc.constantFrom('', 'https://orcid.org/', 'http://orcid.org/'), fc.boolean(), fc.boolean(), (id, prefix, hyphens, lower) => {
        let s = hyphens ? id : id.replace(/-/g, '');
        if (lower) s = s.toLowerCase();
        expect(parseOrcidId(` ${prefix}${s} `)).to.deep.equal({ id, uri: `https://orcid.org/${id}` });
      }),
    );
  });

  it('rejects every single-digit change of a valid iD (property)', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (id, pos, delta) => {
        const compact = id.replace(/-/g, '');
        const ch = compact[pos];
        const replaced = ch === 'X' ? String(delta) : String((Number(ch) + delta) % 10);
        const mutated = compact.slice(0, pos) + replaced + compact.slice(pos + 1);
        // MOD 11-2 detects every single-character error.
        expect(isOrcidId(mutated)).to.equal(false);
      }),
    );
  });
});
