/**
 * Payload details of issue 15: translated title, optional journal title, inline markup, ids that
 * are refused rather than cut, CRediT roles. Every payload is validated against ORCID's XSD.
 */
import { expect } from 'chai';
import { InvalidInputError, INVALID_INPUT } from '../../src/errors.js';
import { IdTooLongError, ID_TOO_LONG, journalKey, plainText } from '../../src/orcid/payload-common.js';
import { creditRoleUri } from '../../src/orcid/credit-roles.js';
import { buildWorkXml } from '../../src/orcid/work.js';
import { buildPeerReviewXml } from '../../src/orcid/peer-review.js';
import { validateOrcidXml } from '../../src/orcid/xsd.js';
import type { Article } from '../../src/types.js';

const article: Article = {
  id: 'a-1', submissionId: 's-1', doi: '10.1234/abc.5', title: 'Dense graphs', url: 'https://journal.example/a/1',
  publishedAt: '2024-05-01', journal: { title: 'Journal of Examples', issn: '1234-5679' },
  authors: [{ contributorId: 'c1', givenNames: 'Ada', familyName: 'Lovelace', sequence: 1 }],
};

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

async function valid(xml: string, schema: 'work' | 'peer-review' = 'work') {
  expect(await validateOrcidXml(xml, schema)).to.deep.equal({ valid: true, errors: [] });
}

describe('buildWorkXml: issue 15 payload details', function () {
  this.timeout(60_000); // xmllint under a loaded machine

  // work-3.0.xsd work-title: title, subtitle?, translated-title? (with a required language-code).
  it('writes translated-title with its ORCID language code after the subtitle', async () => {
    const xml = buildWorkXml({ ...article, subtitle: 'a note', translatedTitle: { text: 'Graphes <i>denses</i>', language: 'fr-CA' } });
    expect(xml).to.include([
      '    <common:title>Dense graphs</common:title>',
      '    <common:subtitle>a note</common:subtitle>',
      '    <common:translated-title language-code="fr">Graphes denses</common:translated-title>',
      '  </work:title>',
    ].join('\n'));
    await valid(xml);
  });

  it('refuses a translated title in a language ORCID has no code for, naming the field', () => {
    const e = thrown(() => buildWorkXml({ ...article, translatedTitle: { text: 'x', language: 'tlh' } }));
    expect([e.code, e.path]).to.deep.equal([INVALID_INPUT, 'article.translatedTitle.language']);
  });

  // work-3.0.xsd: journal-title minOccurs="0".
  it('leaves journal-title out when the host gives none (the ISSN still names the journal)', async () => {
    const xml = buildWorkXml({ ...article, journal: { issn: '1234-5679' } });
    expect(xml).to.not.include('journal-title');
    expect(xml).to.include('<common:external-id-value>issn:1234-5679:a-1</common:external-id-value>');
    await valid(xml);
  });

  it('flattens inline markup without inventing spaces, and keeps block breaks as spaces', async () => {
    expect(plainText('H<sub>2</sub>O and CO<sub>2</sub> at 10<sup>-3</sup> M')).to.equal('H2O and CO2 at 10-3 M');
    expect(plainText('<italic>E. coli</italic> in <bold>vivo</bold>')).to.equal('E. coli in vivo');
    expect(plainText('<mml:math><mml:mi>x</mml:mi><mml:mo>+</mml:mo><mml:mn>1</mml:mn></mml:math>')).to.equal('x+1');
    expect(plainText('<p>First.</p><p>Second.</p>line<br/>break')).to.equal('First. Second. line break');
    const xml = buildWorkXml({ ...article, title: 'H<sub>2</sub>O on <i>Mars</i>' });
    expect(xml).to.include('<common:title>H2O on Mars</common:title>');
    await valid(xml);
  });

  it('refuses an over-long id with a typed error instead of cutting it', () => {
    const e = thrown(() => buildWorkXml({ ...article, id: 'x'.repeat(201) }));
    expect(e).to.be.instanceOf(IdTooLongError);
    expect([e.code, e.path, (e as IdTooLongError).length, (e as IdTooLongError).max]).to.deep.equal([ID_TOO_LONG, 'article.id', 201, 200]);
    expect(e.message).to.equal('article.id: is 201 characters long; ids may have at most 200 and are never cut (two cut ids could name the same item)');
    // Two ids that differ only after the 200th character were written as one before.
    expect(buildWorkXml({ ...article, id: 'x'.repeat(200) })).to.include(`issn:1234-5679:${'x'.repeat(200)}<`);
  });

  it('never gives two journals whose long titles start alike the same key', () => {
    const base = 'The International Journal of Very Long Titles in Applied and Theoretical Studies of Everything';
    const a = journalKey({ title: `${base}: Series A` });
    const b = journalKey({ title: `${base}: Series B` });
    expect(a).to.not.equal(b);
    expect([a.length, b.length]).to.deep.equal([80, 80]);
    expect(journalKey({ title: 'Journal of Examples' })).to.equal('journal-of-examples');
  });

  // common-3.0.xsd contributor-role: CRediT URIs http://credit.niso.org/contributor-roles/<role>/ (README "Payload rules…").
  it('writes CRediT roles from author.roles as ORCID\'s URIs, one contributor entry per role', async () => {
    const xml = buildWorkXml({
      ...article,
      authors: [{ contributorId: 'c1', givenNames: 'Ada', familyName: 'Lovelace', sequence: 1, roles: ['Conceptualization', 'https://credit.niso.org/contributor-roles/writing-review-editing/', 'conceptualization'] }],
    }, { orcidsByContributorId: { c1: '0000-0002-1825-0097' } });
    const roles = [...xml.matchAll(/<work:contributor-role>([^<]+)</g)].map((m) => m[1]);
    expect(roles).to.deep.equal(['http://credit.niso.org/contributor-roles/conceptualization/', 'http://credit.niso.org/contributor-roles/writing-review-editing/']);
    expect(xml.match(/<common:path>0000-0002-1825-0097<\/common:path>/g)).to.have.length(2);
    expect(xml.match(/<work:contributor-sequence>first</g)).to.have.length(2);
    await valid(xml);
  });

  it('keeps the legacy author role when the host gives no roles', () => {
    expect(buildWorkXml(article)).to.include('<work:contributor-role>author</work:contributor-role>');
    expect(buildWorkXml({ ...article, authors: [{ ...article.authors[0]!, roles: [] }] })).to.include('<work:contributor-role>author</work:contributor-role>');
  });

  it('refuses a role that is not CRediT before ORCID does (it would answer 400, 9058)', () => {
    const e = thrown(() => buildWorkXml({ ...article, authors: [{ ...article.authors[0]!, roles: ['Writing', 'Typing'] }] }));
    expect(e.path).to.equal('article.authors[0].roles[0]');
  });

  const terms: Array<[string, string]> = [
    ['Data curation', 'data-curation'], ['Writing – original draft', 'writing-original-draft'], ['Writing - review & editing', 'writing-review-editing'],
    ['http://credit.niso.org/contributor-roles/formal-analysis', 'formal-analysis'], ['PROJECT ADMINISTRATION', 'project-administration'],
  ];
  for (const [term, slug] of terms) {
    it(`reads the CRediT term ${JSON.stringify(term)}`, () => {
      expect(creditRoleUri(term, 'r')).to.equal(`http://credit.niso.org/contributor-roles/${slug}/`);
    });
  }
});

describe('buildPeerReviewXml: ids', () => {
  it('refuses an over-long review id instead of cutting it', () => {
    const convening = { name: 'P', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' as const };
    const review = { id: 'r'.repeat(300), submissionId: 's', reviewerContributorId: 'c', completedAt: '2024-01-01', journal: { title: 'J', issn: '1234-5679' } };
    const e = thrown(() => buildPeerReviewXml(review, { convening, groupId: 'issn:1234-5679' }));
    expect([e.code, e.path]).to.deep.equal([ID_TOO_LONG, 'review.id']);
  });
});
