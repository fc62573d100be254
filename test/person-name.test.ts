import { expect } from 'chai';
import { personName } from '../src/person-name.js';

describe('personName', () => {
  it('writes a Han name family name first, without a space, in Chinese and in English', () => {
    expect(personName({ givenNames: '芳', familyName: '王' }, 'zh-Hans')).to.equal('王芳');
    expect(personName({ givenNames: '晓明', familyName: '欧阳' }, 'en')).to.equal('欧阳晓明');
  });

  it('writes a Latin-script name given names first, with a space, in both languages', () => {
    expect(personName({ givenNames: 'Josiah', familyName: 'Carberry' }, 'en')).to.equal('Josiah Carberry');
    expect(personName({ givenNames: 'Fang', familyName: 'Wang' }, 'zh-Hans')).to.equal('Fang Wang');
  });

  it('puts a Han family name first for Chinese readers when the given names are in another script', () => {
    expect(personName({ givenNames: 'Fang', familyName: '王' }, 'zh-Hans')).to.equal('王 Fang');
    expect(personName({ givenNames: 'Fang', familyName: '王' }, 'en')).to.equal('Fang 王');
  });

  it('writes a one-part name as it is, trimmed', () => {
    expect(personName({ givenNames: ' Plato ', familyName: '' })).to.equal('Plato');
    expect(personName({ givenNames: null, familyName: '王' }, 'zh-Hans')).to.equal('王');
    expect(personName({})).to.equal('');
  });
});
