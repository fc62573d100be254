import { expect } from 'chai';
import fc from 'fast-check';
import { foldName, nameScore, NAME_EXACT, NAME_INITIALS } from '../../src/metadata/names.js';

const word = fc.constantFrom('josé', 'Zoë', 'Łukasz', 'Øyvind', 'marie', 'Anne', 'Jürgen', 'wei', 'Ångström', 'Nguyễn', 'Renée', 'Ștefan', "O'Brien", 'Müller');
const accentsOff = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');
const variant = (s: string) => fc.constantFrom(s, s.toUpperCase(), s.toLowerCase(), accentsOff(s));

describe('nameScore', () => {
  it('folds case, diacritics and punctuation', () => {
    expect(foldName('  Ångström-Ñúñez ')).to.equal('angstrom nunez');
    expect(nameScore({ givenNames: 'Jose', familyName: 'Garcia Marquez' }, { surname: 'García-Márquez', given: 'José' })).to.equal(NAME_EXACT);
    expect(nameScore({ givenNames: 'John Ronald', familyName: 'Tolkien' }, { surname: 'Tolkien', given: 'JR' })).to.equal(NAME_INITIALS);
    expect(nameScore({ givenNames: 'John', familyName: 'Tolkien' }, { surname: 'Tolkien', given: 'Jane' })).to.equal(0);
  });

  it('matches case/diacritic/initial/order variants of the same name (property)', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), word, fc.nat(3), (given, family, mode) => {
        const person = { givenNames: given.join(' '), familyName: family };
        const docGiven = mode === 1 ? given.map((g) => `${g[0].toUpperCase()}.`).join(' ') : accentsOff(given.join(' ')).toUpperCase();
        const doc = mode === 2 ? { surname: '', given: '', full: `${family} ${given.join(' ')}` } : { surname: accentsOff(family).toLowerCase(), given: docGiven };
        expect(nameScore(person, doc)).to.be.greaterThan(0);
      }),
    );
    fc.assert(fc.property(word.chain((w) => fc.tuple(fc.constant(w), variant(w))), ([a, b]) => foldName(a) === foldName(b)));
  });

  it('never matches a different surname (property)', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), word, word, (given, f1, f2) => {
        fc.pre(foldName(f1) !== foldName(f2));
        expect(nameScore({ givenNames: given.join(' '), familyName: f1 }, { surname: f2, given: given.join(' ') })).to.equal(0);
      }),
    );
  });
});
