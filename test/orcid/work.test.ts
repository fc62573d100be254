import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidInputError, INVALID_INPUT } from '../../src/errors.js';
import { normalizeDoi, payloadHash, plainText, selfExternalId, toOrcidLanguageCode, truncate } from '../../src/orcid/payload-common.js';
import { buildWorkXml } from '../../src/orcid/work.js';
import { validateOrcidXml } from '../../src/orcid/xsd.js';
import type { Article, ArticleAuthor } from '../../src/types.js';
import { article as articleArb } from './arbitraries.js';

const article: Article = {
  id: 'a-1',
  submissionId: 's-1',
  doi: 'https://doi.org/10.1234/ABC.5',
  title: 'Über <i>dense</i> graphs',
  subtitle: 'a note',
  abstract: '<p>We show &amp; prove.</p>\n<p>Twice.</p>',
  language: 'en-GB',
  url: 'https://journal.example/a/1',
  publishedAt: '2024-05-01',
  journal: { title: 'Journal of Examples', issn: '1234-5679', eissn: '2050-084x' },
  authors: [
    { contributorId: 'c2', givenNames: '雷', familyName: '李', sequence: 2 },
    { contributorId: 'c1', givenNames: 'Ada', familyName: 'Lovelace', sequence: 1 },
  ],
};

const EXPECTED = `<?xml version="1.0" encoding="UTF-8"?>
<work:work xmlns:work="http://www.orcid.org/ns/work" xmlns:common="http://www.orcid.org/ns/common" put-code="42">
  <work:title>
    <common:title>Über dense graphs</common:title>
    <common:subtitle>a note</common:subtitle>
  </work:title>
  <work:journal-title>Journal of Examples</work:journal-title>
  <work:short-description>We show &amp; prove. Twice.</work:short-description>
  <work:type>journal-article</work:type>
  <common:publication-date>
    <common:year>2024</common:year>
    <common:month>05</common:month>
    <common:day>01</common:day>
  </common:publication-date>
  <common:external-ids>
    <common:external-id>
      <common:external-id-type>doi</common:external-id-type>
      <common:external-id-value>10.1234/abc.5</common:external-id-value>
      <common:external-id-url>https://doi.org/10.1234/abc.5</common:external-id-url>
      <common:external-id-relationship>self</common:external-id-relationship>
    </common:external-id>
    <common:external-id>
      <common:external-id-type>source-work-id</common:external-id-type>
      <common:external-id-value>issn:1234-5679:a-1</common:external-id-value>
      <common:external-id-url>https://journal.example/a/1</common:external-id-url>
      <common:external-id-relationship>self</common:external-id-relationship>
    </common:external-id>
    <common:external-id>
      <common:external-id-type>issn</common:external-id-type>
      <common:external-id-value>1234-5679</common:external-id-value>
      <common:external-id-url>https://portal.issn.org/resource/ISSN/1234-5679</common:external-id-url>
      <common:external-id-relationship>part-of</common:external-id-relationship>
    </common:external-id>
    <common:external-id>
      <common:external-id-type>issn</common:external-id-type>
      <common:external-id-value>2050-084X</common:external-id-value>
      <common:external-id-url>https://portal.issn.org/resource/ISSN/2050-084X</common:external-id-url>
      <common:external-id-relationship>part-of</common:external-id-relationship>
    </common:external-id>
  </common:external-ids>
  <common:url>https://journal.example/a/1</common:url>
  <work:contributors>
    <work:contributor>
      <work:credit-name>Ada Lovelace</work:credit-name>
      <work:contributor-attributes>
        <work:contributor-sequence>first</work:contributor-sequence>
        <work:contributor-role>author</work:contributor-role>
      </work:contributor-attributes>
    </work:contributor>
    <work:contributor>
      <common:contributor-orcid>
        <common:uri>https://orcid.org/0000-0002-1825-0097</common:uri>
        <common:path>0000-0002-1825-0097</common:path>
        <common:host>orcid.org</common:host>
      </common:contributor-orcid>
      <work:credit-name>李雷</work:credit-name>
      <work:contributor-attributes>
        <work:contributor-sequence>additional</work:contributor-sequence>
        <work:contributor-role>author</work:contributor-role>
      </work:contributor-attributes>
    </work:contributor>
  </work:contributors>
  <common:language-code>en</common:language-code>
</work:work>`;

function manyAuthors(n: number): ArticleAuthor[] {
  return Array.from({ length: n }, (_, i) => ({ contributorId: `c${i + 1}`, givenNames: 'A', familyName: `Author${i + 1}`, sequence: i + 1 }));
}

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

describe('buildWorkXml', () => {
  it('writes a representative article exactly, in XSD order, and ORCID accepts it', async () => {
    const xml = buildWorkXml(article, { putCode: '42', orcidsByContributorId: new Map([['c2', 'https://orcid.org/0000-0002-1825-0097']]) });
    expect(xml).to.equal(EXPECTED);
    expect(await validateOrcidXml(xml, 'work')).to.deep.equal({ valid: true, errors: [] });
  });

  it('writes only the required elements for a minimal article', () => {
    const xml = buildWorkXml({ id: '7', submissionId: 's', title: 'T', url: '', publishedAt: '2020', journal: { title: 'J' }, authors: [] });
    expect(xml).to.include('<common:external-id-value>j:7</common:external-id-value>');
    expect(xml).to.include('<common:publication-date>\n    <common:year>2020</common:year>\n  </common:publication-date>');
    for (const absent of ['short-description', 'subtitle', 'contributors', 'language-code', '<common:url>', 'put-code', '>doi<', '>issn<']) {
      expect(xml).not.to.include(absent);
    }
  });

  it('names the missing field', () => {
    const cases: [Partial<Article>, string][] = [
      [{ title: '  ' }, 'article.title'],
      [{ title: undefined }, 'article.title'],
      [{ publishedAt: undefined }, 'article.publishedAt'],
      [{ publishedAt: '1899-12-31' }, 'article.publishedAt'],
      [{ publishedAt: '2024-02-30' }, 'article.publishedAt'],
      [{ journal: { title: '' } }, 'article.journal.title'],
      [{ doi: 'not a doi' }, 'article.doi'],
      [{ url: 'javascript:alert(1)' }, 'article.url'],
    ];
    for (const [patch, path] of cases) {
      const e = thrown(() => buildWorkXml({ ...article, ...patch } as Article));
      expect(e.code).to.equal(INVALID_INPUT);
      expect(e.path, JSON.stringify(patch)).to.equal(path);
    }
    expect(thrown(() => buildWorkXml(article, { putCode: '12a' })).path).to.equal('options.putCode');
    expect(thrown(() => buildWorkXml(article, { orcidsByContributorId: { c1: '0000-0002-1825-0098' } })).path).to.equal('options.orcidsByContributorId["c1"]');
  });

  it('truncates a 1500-character title to ORCID’s 1000 without splitting a surrogate pair', () => {
    const xml = buildWorkXml({ ...article, title: '😀'.repeat(750) });
    const title = /<common:title>(.*)<\/common:title>/.exec(xml)![1];
    // 999 units would end inside a pair, so 499 emoji (998 units) + "…" remain.
    expect(title.length).to.equal(999);
    expect(title.endsWith('😀…')).to.equal(true);
  });

  it('cuts an abstract to ORCID’s 5000-character short description', () => {
    const xml = buildWorkXml({ ...article, abstract: `<p>${'word '.repeat(2000)}</p>` });
    const description = /<work:short-description>(.*)<\/work:short-description>/.exec(xml)![1];
    expect(description.length).to.equal(5000);
    expect(description.endsWith('word…')).to.equal(true);
  });

  it('lists 100 authors of 500 by default, plus later authors whose iD we hold', () => {
    const xml = buildWorkXml({ ...article, authors: manyAuthors(500) }, { orcidsByContributorId: { c400: '0000-0002-1825-0097' } });
    const names = [...xml.matchAll(/<work:credit-name>A (Author\d+)<\/work:credit-name>/g)].map((m) => m[1]);
    expect(names.length).to.equal(101);
    expect(names[0]).to.equal('Author1');
    expect(names.slice(-2)).to.deep.equal(['Author100', 'Author400']);
    expect(xml.match(/>first</g)!.length).to.equal(1);
  });

  it('honours contributorsLimit, including 0', () => {
    expect(buildWorkXml({ ...article, authors: manyAuthors(5) }, { contributorsLimit: 2 }).match(/<work:contributor>/g)!.length).to.equal(2);
    expect(buildWorkXml({ ...article, authors: manyAuthors(5) }, { contributorsLimit: 0 })).not.to.include('contributors');
  });

  it('maps language tags to ORCID codes and leaves out the unknown', () => {
    const table: [string | undefined, string | undefined][] = [
      ['en', 'en'], ['EN-us', 'en'], ['pt_BR', 'pt'], ['he', 'iw'], ['id', 'in'], ['zh-Hans', 'zh_CN'], ['zh-Hant-TW', 'zh_TW'], ['zh', 'zh_CN'],
      ['xx', undefined], ['', undefined], [undefined, undefined],
    ];
    for (const [tag, code] of table) expect(toOrcidLanguageCode(tag), String(tag)).to.equal(code);
    expect(buildWorkXml({ ...article, language: 'klingon' })).not.to.include('language-code');
  });

  it('marks a retracted article in title and description and keeps its external ids', () => {
    const normal = buildWorkXml(article);
    const retracted = buildWorkXml(article, { retraction: { notice: 'Retracted on 2025-01-02: data fabrication.' } });
    expect(retracted).to.include('<common:title>RETRACTED: Über dense graphs</common:title>');
    expect(retracted).to.include('<work:short-description>Retracted on 2025-01-02: data fabrication. We show &amp; prove. Twice.</work:short-description>');
    const ids = (x: string): string => /<common:external-ids>[\s\S]*<\/common:external-ids>/.exec(x)![0];
    expect(ids(retracted)).to.equal(ids(normal));
    expect(buildWorkXml(article, { retraction: {} })).to.include('<work:short-description>This article has been retracted. We show');
    expect(buildWorkXml({ ...article, title: 'Retracted: Über' }, { retraction: {} })).to.include('<common:title>Retracted: Über</common:title>');
  });

  it('produces payloads ORCID’s XSD accepts for generated articles (unicode, long text, missing optionals, many authors)', async function () {
    this.timeout(120_000); // XSD validation in WebAssembly: CPU-bound, slow on a loaded 2-core machine
    await fc.assert(
      fc.asyncProperty(articleArb, async (a) => {
        const xml = buildWorkXml(a, { orcidsByContributorId: { 'c-0': '0000-0002-1825-0097' } });
        const result = await validateOrcidXml(xml, 'work');
        expect(result.errors).to.deep.equal([]);
        expect(xml).to.include(`<common:external-id-value>${selfExternalId('work', a).value}</common:external-id-value>`);
      }),
      { numRuns: 25 },
    );
  });
});

describe('selfExternalId / payloadHash', () => {
  it('names a work by a source-work-id that survives a DOI being added', () => {
    expect(selfExternalId('work', article)).to.deep.equal({ type: 'source-work-id', value: 'issn:1234-5679:a-1' });
    const withoutDoi: Article = { ...article, doi: undefined };
    expect(selfExternalId('work', withoutDoi)).to.deep.equal(selfExternalId('work', article));
    expect(selfExternalId('work', { ...article, journal: { title: 'Revue d’Économie', eissn: '2050084x' } }).value).to.equal('issn:2050-084X:a-1');
    expect(selfExternalId('work', { ...article, journal: { title: 'Revue d’Économie' } }).value).to.equal('revue-d-economie:a-1');
    expect(selfExternalId('work', { ...article, journal: { title: '∑ 😀' } }).value).to.match(/^journal-[0-9a-f]{12}:a-1$/);
  });

  it('hashes the same payload to the same sha256 and a changed one differently', () => {
    expect(payloadHash(buildWorkXml(article))).to.equal(payloadHash(buildWorkXml({ ...article })));
    expect(payloadHash(buildWorkXml(article))).to.match(/^[0-9a-f]{64}$/);
    expect(payloadHash(buildWorkXml(article))).not.to.equal(payloadHash(buildWorkXml({ ...article, title: 'Other' })));
    expect(payloadHash('')).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('normalizeDoi / plainText / truncate', () => {
  it('normalizes the DOI forms people paste', () => {
    const table: [string, string | null][] = [
      ['10.1234/ABC', '10.1234/abc'],
      [' https://doi.org/10.1234/x(1) ', '10.1234/x(1)'],
      ['http://dx.doi.org/10.1234/x', '10.1234/x'],
      ['doi:10.1234/x', '10.1234/x'],
      ['DOI: 10.1234/x', '10.1234/x'],
      ['10.12/x', null],
      ['https://example.org/10.1234/x', null],
      ['', null],
    ];
    for (const [input, out] of table) expect(normalizeDoi(input), input).to.equal(out);
    expect(buildWorkXml({ ...article, doi: '10.1234/a#b?c' })).to.include('<common:external-id-url>https://doi.org/10.1234/a%23b%3Fc</common:external-id-url>');
  });

  it('strips markup, decodes entities and drops characters XML cannot carry', () => {
    expect(plainText('<jats:p>a &lt;b&gt; &#x1F600; &#233;</jats:p>\u0007 <br/>c  d')).to.equal('a <b> 😀 é c d');
    expect(plainText('x < y and y > z')).to.equal('x < y and y > z');
  });

  it('truncates to the limit with an ellipsis only when needed', () => {
    expect(truncate('abc', 3)).to.equal('abc');
    expect(truncate('abcd', 3)).to.equal('ab…');
  });
});
