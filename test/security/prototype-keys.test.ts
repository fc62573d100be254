import { expect } from 'chai';
import { plainText, toOrcidLanguageCode } from '../../src/orcid/payload-common.js';

/**
 * Issue 13, finding 11, the same class elsewhere: a lookup table that is a plain object answers
 * `constructor`, `__proto__`, `toString` with Object.prototype's members. (The job actions are
 * tested over HTTP in route-findings.test.ts.)
 */
describe('lookups keyed by outside text', () => {
  it('plainText leaves an unknown entity named after an Object.prototype member as it is', () => {
    expect(plainText('A &constructor; title &toString; &amp; more &__proto__;')).to.equal('A &constructor; title &toString; & more &__proto__;');
  });

  it('toOrcidLanguageCode knows no language called constructor', () => {
    for (const tag of ['constructor', '__proto__', 'hasOwnProperty', 'toString']) expect(toOrcidLanguageCode(tag), tag).to.equal(undefined);
    expect(toOrcidLanguageCode('he')).to.equal('iw');
  });
});
