import { expect } from 'chai';
import { embedOrcidInJats } from '../../src/metadata/jats.js';
import { EMBED_CONFLICT, EmbedConflictError, InvalidInputError, InvalidOrcidIdError } from '../../src/errors.js';
import type { EmbedContributor } from '../../src/types.js';

const JOSIAH: EmbedContributor = { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true };
const ID = '<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097</contrib-id>';

function article(contribs: string, nl = '\n', extra = ''): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" "JATS-journalpublishing1-3.dtd">',
    "<article xmlns:xlink='http://www.w3.org/1999/xlink'>",
    '  <front>',
    '    <article-meta>',
    '      <contrib-group>',
    contribs,
    '      </contrib-group>',
    extra,
    '    </article-meta>',
    '  </front>',
    '</article>',
    '',
  ].join(nl);
}

const CARBERRY = [
  '        <contrib contrib-type="author">',
  '          <name><surname>Carberry</surname><given-names>Josiah</given-names></name>',
  '        </contrib>',
].join('\n');

describe('embedOrcidInJats', () => {
  it('returns the very same string when there is nothing to embed', () => {
    const xml = article(CARBERRY);
    const { xml: out, report } = embedOrcidInJats(xml, []);
    expect(out).to.equal(xml);
    expect(report).to.deep.equal({ inserted: [], replaced: [], upgraded: [], unchanged: [], kept: [], ambiguous: [], unmatched: [], skipped: [] });
  });

  it('inserts contrib-id as the first child of contrib, indented like the document', () => {
    const { xml, report } = embedOrcidInJats(article(CARBERRY), [JOSIAH]);
    expect(xml).to.equal(
      article(['        <contrib contrib-type="author">', `          ${ID}`, CARBERRY.split('\n').slice(1).join('\n')].join('\n')),
    );
    expect(report.inserted).to.deep.equal([
      {
        contributor: { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097' },
        scope: 'article/contrib-group[1]',
        line: 7,
        column: 9,
        via: 'name',
      },
    ]);
  });

  it('keeps CRLF line endings and uses them for the inserted line', () => {
    const input = article(CARBERRY.replace(/\n/g, '\r\n'), '\r\n');
    const { xml } = embedOrcidInJats(input, [JOSIAH]);
    expect(xml).to.equal(input.replace('<contrib contrib-type="author">', `<contrib contrib-type="author">\r\n          ${ID}`));
  });

  it('uses the namespace prefix the document uses for contrib', () => {
    const input = '<j:article xmlns:j="urn:x"><j:front><j:article-meta><j:contrib-group><j:contrib><j:name><j:surname>Carberry</j:surname><j:given-names>J.</j:given-names></j:name></j:contrib></j:contrib-group></j:article-meta></j:front></j:article>';
    const { xml, report } = embedOrcidInJats(input, [JOSIAH]);
    expect(xml).to.equal(input.replace('<j:contrib>', `<j:contrib>${ID.replace(/<(\/?)contrib-id\b(?!-)/g, '<$1j:contrib-id')}`));
    expect(report.inserted[0].via).to.equal('initials');
  });

  it('omits authenticated for contributors whose iD was not collected by OAuth, or skips them on request', () => {
    const typed = { ...JOSIAH, authenticated: false };
    expect(embedOrcidInJats(article(CARBERRY), [typed]).xml).to.contain(
      '<contrib-id contrib-id-type="orcid">https://orcid.org/0000-0002-1825-0097</contrib-id>',
    );
    const skipped = embedOrcidInJats(article(CARBERRY), [typed], { onlyAuthenticated: true });
    expect(skipped.xml).to.equal(article(CARBERRY));
    expect(skipped.report.skipped).to.deep.equal([
      { contributor: { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097' }, reason: 'not-authenticated' },
    ]);
  });

  it('replaces an existing orcid contrib-id with a different value, in place', () => {
    const old = "<contrib-id  authenticated='true' contrib-id-type=\"orcid\">http://orcid.org/0000-0001-5109-3700</contrib-id>";
    const input = article(CARBERRY.replace('</name>', `</name>${old}`));
    const { xml, report } = embedOrcidInJats(input, [JOSIAH]);
    expect(xml).to.equal(input.replace(old, ID));
    expect(report.replaced.map((r) => r.previous)).to.deep.equal(['http://orcid.org/0000-0001-5109-3700']);
  });

  it('leaves an equal iD alone (any URI form) when it is already authenticated', () => {
    const same = '<contrib-id contrib-id-type="orcid" authenticated="true">http://orcid.org/0000-0002-1825-0097</contrib-id>';
    const input = article(CARBERRY.replace('</name>', `</name>${same}`));
    const r1 = embedOrcidInJats(input, [JOSIAH]);
    expect(r1.xml).to.equal(input);
    expect(r1.report.unchanged).to.have.length(1);
    // A contributor without OAuth never downgrades someone else's authenticated claim.
    expect(embedOrcidInJats(input, [{ ...JOSIAH, authenticated: false }]).xml).to.equal(input);
  });

  it('upgrades an equal iD by adding authenticated="true" only, keeping the value as written (issue 18)', () => {
    // SciELO's packtools rejects a URL in contrib-id: a bare iD must stay bare.
    const cases: [string, string][] = [
      ['<contrib-id contrib-id-type="orcid">0000-0002-1825-0097</contrib-id>', '<contrib-id contrib-id-type="orcid" authenticated="true">0000-0002-1825-0097</contrib-id>'],
      ["<contrib-id contrib-id-type='orcid' specific-use='x'>http://orcid.org/0000-0002-1825-0097</contrib-id>", "<contrib-id contrib-id-type='orcid' specific-use='x' authenticated='true'>http://orcid.org/0000-0002-1825-0097</contrib-id>"],
      ['<contrib-id authenticated="false" contrib-id-type="orcid"> orcid.org/0000-0002-1825-0097 </contrib-id>', '<contrib-id authenticated="true" contrib-id-type="orcid"> orcid.org/0000-0002-1825-0097 </contrib-id>'],
      ['<contrib-id\n   contrib-id-type = "orcid"\n>0000-0002-1825-0097</contrib-id>', '<contrib-id\n   contrib-id-type = "orcid" authenticated="true"\n>0000-0002-1825-0097</contrib-id>'],
    ];
    for (const [before, after] of cases) {
      const input = article(CARBERRY.replace('</name>', `</name>${before}`));
      const { xml, report } = embedOrcidInJats(input, [JOSIAH]);
      expect(xml).to.equal(input.replace(before, after));
      expect(report.upgraded.map((u) => [u.previous, u.changes])).to.deep.equal([[before.replace(/<[^>]*>/g, '').trim(), ['authenticated']]]);
      expect(report.replaced).to.deep.equal([]);
    }
  });

  it('rewrites an equal iD to the https://orcid.org/ form only with normalizeIdForm', () => {
    const bare = '<contrib-id contrib-id-type="orcid" authenticated="true">0000-0002-1825-0097</contrib-id>';
    const input = article(CARBERRY.replace('</name>', `</name>${bare}`));
    expect(embedOrcidInJats(input, [JOSIAH]).xml).to.equal(input);
    const r = embedOrcidInJats(input, [JOSIAH], { normalizeIdForm: true });
    expect(r.xml).to.equal(input.replace(bare, ID));
    expect(r.report.upgraded.map((u) => u.changes)).to.deep.equal([['id-form']]);
    const both = embedOrcidInJats(input.replace(' authenticated="true"', ''), [JOSIAH], { normalizeIdForm: true });
    expect(both.xml).to.equal(input.replace(bare, ID));
    expect(both.report.upgraded.map((u) => u.changes)).to.deep.equal([['authenticated', 'id-form']]);
    expect(embedOrcidInJats(article(CARBERRY.replace('</name>', `</name>${ID}`)), [JOSIAH], { normalizeIdForm: true }).report.unchanged).to.have.length(1);
  });

  it('on a different iD: replaces by default, keeps and reports, or throws EMBED_CONFLICT (issue 18)', () => {
    const other = '<contrib-id contrib-id-type="orcid">https://orcid.org/0000-0001-5109-3700</contrib-id>';
    const input = article(CARBERRY.replace('</name>', `</name>${other}`));
    const replaced = embedOrcidInJats(input, [JOSIAH], { onConflict: 'replace' });
    expect(replaced.xml).to.equal(input.replace(other, ID));
    expect(replaced.report.replaced.map((r) => r.previous)).to.deep.equal(['https://orcid.org/0000-0001-5109-3700']);
    const kept = embedOrcidInJats(input, [JOSIAH], { onConflict: 'keep-and-report' });
    expect(kept.xml).to.equal(input);
    expect(kept.report.replaced).to.deep.equal([]);
    expect(kept.report.kept).to.deep.equal([
      { contributor: { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097' }, scope: 'article/contrib-group[1]', line: 7, column: 9, via: 'name', existing: 'https://orcid.org/0000-0001-5109-3700' },
    ]);
    let thrown: unknown;
    try {
      embedOrcidInJats(input, [JOSIAH], { onConflict: 'error' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(EmbedConflictError);
    const err = thrown as EmbedConflictError;
    expect([err.code, err.status, err.conflicts.map((c) => [c.line, c.existing])]).to.deep.equal([EMBED_CONFLICT, 409, [[7, 'https://orcid.org/0000-0001-5109-3700']]]);
    expect(() => embedOrcidInJats(input, [JOSIAH], { onConflict: 'overwrite' as never })).to.throw(InvalidInputError, 'options.onConflict');
  });

  it('fills an empty orcid contrib-id in place instead of adding a second one', () => {
    for (const empty of ['<contrib-id contrib-id-type="orcid"/>', '<contrib-id contrib-id-type="orcid"></contrib-id>']) {
      const input = article(CARBERRY.replace('</name>', `</name>${empty}`));
      const { xml, report } = embedOrcidInJats(input, [JOSIAH], { onConflict: 'error' });
      expect(xml).to.equal(input.replace(empty, ID));
      expect(report.replaced.map((r) => r.previous)).to.deep.equal(['']);
    }
  });

  it('matches by email in the contrib before any name', () => {
    const two = [
      '        <contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib>',
      '        <contrib><name><surname>Carberry</surname><given-names>J.</given-names></name><email>JC@brown.edu</email></contrib>',
    ].join('\n');
    const { xml, report } = embedOrcidInJats(article(two), [{ ...JOSIAH, email: 'jc@brown.edu' }]);
    expect(report.inserted.map((e) => [e.line, e.via])).to.deep.equal([[8, 'email']]);
    expect(xml.split('\n')[7]).to.equal(`        <contrib>${ID}<name><surname>Carberry</surname><given-names>J.</given-names></name><email>JC@brown.edu</email></contrib>`);
  });

  it('matches by email through the corresp xref to author-notes', () => {
    const two = [
      '        <contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib>',
      '        <contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name><xref ref-type="corresp" rid="c1">*</xref></contrib>',
    ].join('\n');
    const notes = '      <author-notes><corresp id="c1">* E-mail: <email>jc@brown.edu</email></corresp></author-notes>';
    const { report } = embedOrcidInJats(article(two, '\n', notes), [{ ...JOSIAH, email: 'mailto:JC@Brown.edu' }]);
    expect(report.inserted.map((e) => [e.line, e.via])).to.deep.equal([[8, 'corresp-email']]);
  });

  it('never guesses between two equal matches, nor gives one contrib to two contributors', () => {
    const two = `${CARBERRY}\n${CARBERRY}`;
    const r1 = embedOrcidInJats(article(two), [JOSIAH]);
    expect(r1.xml).to.equal(article(two));
    expect(r1.report.ambiguous).to.deep.equal([
      {
        contributor: { givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097' },
        scope: 'article/contrib-group[1]',
        at: ['7:9', '10:9'],
        reason: 'several-elements-match',
      },
    ]);
    const r2 = embedOrcidInJats(article(CARBERRY), [JOSIAH, { ...JOSIAH, givenNames: 'J', orcid: '0000-0001-5109-3700' }]);
    expect(r2.xml).to.equal(article(CARBERRY));
    expect(r2.report.ambiguous.map((a) => a.reason)).to.deep.equal(['element-matches-several-contributors', 'element-matches-several-contributors']);
  });

  it('reports contributors it cannot find', () => {
    const { xml, report } = embedOrcidInJats(article(CARBERRY), [{ ...JOSIAH, familyName: 'Carbery' }]);
    expect(xml).to.equal(article(CARBERRY));
    expect(report.unmatched).to.deep.equal([{ contributor: { givenNames: 'Josiah', familyName: 'Carbery', orcid: '0000-0002-1825-0097' } }]);
  });

  it('matches string-name in either order and eastern names', () => {
    const contribs = [
      '        <contrib><string-name>Carberry Josiah</string-name></contrib>',
      '        <contrib><name name-style="eastern"><surname>张</surname><given-names>三</given-names></name></contrib>',
    ].join('\n');
    const zhang: EmbedContributor = { givenNames: '三', familyName: '张', orcid: '0000-0001-5109-3700', authenticated: true };
    const { report } = embedOrcidInJats(article(contribs), [JOSIAH, zhang]);
    expect(report.inserted.map((e) => [e.contributor.familyName, e.line])).to.deep.equal([['Carberry', 7], ['张', 8]]);
  });

  it('embeds reviewers in peer-review sub-articles, once per scope', () => {
    const input = [
      '<article><front><article-meta><contrib-group>',
      '<contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib>',
      '</contrib-group></article-meta></front>',
      '<sub-article id="sa1" article-type="referee-report"><front-stub><contrib-group>',
      '<contrib contrib-type="author"><name><surname>Carberry</surname><given-names>Josiah</given-names></name><role specific-use="referee">Reviewer</role></contrib>',
      '</contrib-group></front-stub></sub-article></article>',
    ].join('\n');
    const { xml, report } = embedOrcidInJats(input, [JOSIAH]);
    expect(report.inserted.map((e) => e.scope)).to.deep.equal(['article/contrib-group[1]', 'sub-article#sa1/contrib-group[1]']);
    expect(xml).to.equal(input.replace(/<contrib>|<contrib contrib-type="author">/g, (m) => m + ID));
  });

  it('ignores contribs outside the front matter (e.g. in the body)', () => {
    const input = `<article><body><contrib-group>${CARBERRY}</contrib-group></body></article>`;
    const { xml, report } = embedOrcidInJats(input, [JOSIAH]);
    expect(xml).to.equal(input);
    expect(report.unmatched).to.have.length(1);
  });

  it('throws InvalidOrcidIdError for an invalid iD before doing anything', () => {
    expect(() => embedOrcidInJats('<not xml', [{ ...JOSIAH, orcid: '0000-0002-1825-0098' }])).to.throw(InvalidOrcidIdError);
  });
});
