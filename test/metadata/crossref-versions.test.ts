import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embedOrcidInCrossref } from '../../src/metadata/crossref.js';
import { crossrefSchemaFamily } from '../../src/metadata/crossref-schema.js';

/*
 * Where ORCID goes in person_name, by schema version (issue 18). The sequences, from the XSDs:
 *   4.x      given_name?, surname, suffix?, affiliation{0,5}, ORCID?, alt-name?   (crossref4.8.0.xsd)
 *   5.3      given_name?, surname, suffix?, affiliations?, ORCID?, alt-name?      (crossref5.3.1.xsd)
 *   5.4+     given_name?, surname, suffix?, role*, affiliations?, ORCID?, alt-name? (crossref5.5.0.xsd ~l.1541)
 * The schema validation of all this is in crossref-schemas.test.ts.
 */

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crossref');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const ID = (id: string, auth = true) => `<ORCID${auth ? ' authenticated="true"' : ''}>https://orcid.org/${id}</ORCID>`;
const person = (given: string, familyName: string, orcid = '0000-0002-1825-0097') => ({ givenNames: given, familyName, orcid, authenticated: true });

function deposit(version: string, inner: string, root = `<doi_batch xmlns="http://www.crossref.org/schema/${version}" version="${version}">`): string {
  return `<?xml version="1.0"?>\n${root}<body><journal><journal_article><contributors>\n${inner}\n</contributors></journal_article></journal></body></doi_batch>\n`;
}

describe('embedOrcidInCrossref: person_name order by schema version', () => {
  it('5.5.0 with roles and no affiliations: ORCID after the last role, not before it (eLife shape)', () => {
    const input = fixture('journal_article_roles_5.5.0.xml');
    const { xml, report } = embedOrcidInCrossref(input, [person('Tomáš', 'Řezník')]);
    const roles = '<role type="author" vocab="crossref"/>\n\t\t\t\t\t\t<role type="conceptualization" vocab="credit"/>';
    expect(xml).to.equal(input.replace(roles, `${roles}\n\t\t\t\t\t\t${ID('0000-0002-1825-0097')}`));
    expect(report.inserted.map((e) => [e.scope, e.line])).to.deep.equal([['journal_article[1]', 45]]);
  });

  it('5.5.0 with roles and affiliations: ORCID after affiliations', () => {
    const input = fixture('journal_article_roles_5.5.0.xml');
    const { xml } = embedOrcidInCrossref(input, [person('Ana Beatriz', 'Lima')]);
    const end = '</institution>\n\t\t\t\t\t\t</affiliations>\n\t\t\t\t\t</person_name>\n\t\t\t\t\t<person_name sequence="additional">\n\t\t\t\t\t\t<given_name>Tomáš';
    expect(xml).to.equal(input.replace(end, end.replace('</affiliations>', `</affiliations>\n\t\t\t\t\t\t${ID('0000-0002-1825-0097')}`)));
  });

  it('5.5.0 with suffix, role and alt-name: ORCID between the role and alt-name', () => {
    const input = fixture('journal_article_roles_5.5.0.xml');
    const { xml } = embedOrcidInCrossref(input, [person('Mary Ann', "O'Neill")]);
    const at = '<suffix>Jr</suffix>\n\t\t\t\t\t\t<role type="author" vocab="crossref"/>';
    expect(xml).to.equal(input.replace(at, `${at}\n\t\t\t\t\t\t${ID('0000-0002-1825-0097')}`));
  });

  it('5.4.0 follows the same sequence as 5.5.0', () => {
    const input = fixture('journal_article_roles_5.4.0.xml');
    const { xml } = embedOrcidInCrossref(input, [person('Tomáš', 'Řezník')]);
    expect(xml).to.contain('<role type="conceptualization" vocab="credit"/>\n\t\t\t\t\t\t<ORCID authenticated="true">');
  });

  it('4.x puts ORCID after the last of up to five affiliation elements', () => {
    const inner = '<person_name sequence="first" contributor_role="author"><given_name>Josiah</given_name><surname>Carberry</surname><affiliation>A</affiliation><affiliation>B</affiliation><alt-name><string-name>J. C.</string-name></alt-name></person_name>';
    const { xml } = embedOrcidInCrossref(deposit('4.8.0', inner), [person('Josiah', 'Carberry')]);
    expect(xml).to.contain(`<affiliation>B</affiliation>${ID('0000-0002-1825-0097')}<alt-name>`);
  });

  it('5.3 (and 5.0–5.2) put ORCID after affiliations / affiliation; a role there is not in the sequence', () => {
    const inner = '<person_name sequence="first" contributor_role="author"><given_name>Josiah</given_name><surname>Carberry</surname><affiliations><institution><institution_name>Brown</institution_name></institution></affiliations></person_name>';
    expect(embedOrcidInCrossref(deposit('5.3.1', inner), [person('Josiah', 'Carberry')]).xml).to.contain(`</affiliations>${ID('0000-0002-1825-0097')}</person_name>`);
    const old = inner.replace(/<affiliations>.*<\/affiliations>/, '<affiliation>Brown</affiliation>');
    expect(embedOrcidInCrossref(deposit('5.2.0', old), [person('Josiah', 'Carberry')]).xml).to.contain(`</affiliation>${ID('0000-0002-1825-0097')}</person_name>`);
    const role = inner.replace('</surname>', '</surname><role type="author" vocab="crossref"/>').replace(/<affiliations>.*<\/affiliations>/, '');
    expect(embedOrcidInCrossref(deposit('5.3.1', role), [person('Josiah', 'Carberry')]).xml).to.contain(`</surname>${ID('0000-0002-1825-0097')}<role`);
  });

  it('reads the version from a prefixed root namespace, else the version attribute, else allows every version', () => {
    const inner = '<cr:person_name sequence="first"><cr:given_name>Josiah</cr:given_name><cr:surname>Carberry</cr:surname><cr:role type="author" vocab="crossref"/></cr:person_name>'.replace(/<(\/?)(?!cr:)/g, '<$1');
    const prefixed = deposit('5.5.0', inner, '<cr:doi_batch xmlns:cr="http://www.crossref.org/schema/5.5.0">').replace(/<(\/?)(body|journal|journal_article|contributors|doi_batch)>/g, '<$1cr:$2>');
    expect(embedOrcidInCrossref(prefixed, [person('Josiah', 'Carberry')]).xml).to.contain('<cr:role type="author" vocab="crossref"/><cr:ORCID authenticated="true">');
    const tag = (name: string, attributes: Record<string, string>) => ({ name, attributes, isSelfClosing: false });
    expect(crossrefSchemaFamily(tag('doi_batch', { version: '4.4.2' }))).to.equal('4.x');
    expect(crossrefSchemaFamily(tag('doi_batch', { xmlns: 'http://www.crossref.org/schema/5.3.1', version: '5.5.0' }))).to.equal('5.0-5.3');
    expect(crossrefSchemaFamily(tag('doi_batch', { xmlns: 'http://www.crossref.org/schema/5.4.0' }))).to.equal('5.4+');
    expect(crossrefSchemaFamily(tag('x:doi_batch', { 'xmlns:x': 'https://www.crossref.org/schema/6.0.0' }))).to.equal('5.4+');
    expect(crossrefSchemaFamily(tag('doi_batch', {}))).to.equal('unknown');
    const unversioned = deposit('', '<person_name><surname>Carberry</surname><role/><affiliation>A</affiliation><alt-name/></person_name>', '<doi_batch>');
    expect(embedOrcidInCrossref(unversioned, [person('', 'Carberry')]).xml).to.contain(`</affiliation>${ID('0000-0002-1825-0097')}<alt-name/>`);
  });

  it('upgrades a same-iD ORCID by adding authenticated="true" only (issue 18)', () => {
    const input = fixture('journal_article_roles_5.5.0.xml');
    const { xml, report } = embedOrcidInCrossref(input, [person('Kenji', 'Sato')]);
    expect(xml).to.equal(input.replace('<ORCID>http://orcid.org/0000-0002-1825-0097</ORCID>', '<ORCID authenticated="true">http://orcid.org/0000-0002-1825-0097</ORCID>'));
    expect(report.upgraded.map((u) => [u.previous, u.changes])).to.deep.equal([['http://orcid.org/0000-0002-1825-0097', ['authenticated']]]);
    const normalized = embedOrcidInCrossref(input, [person('Kenji', 'Sato')], { normalizeIdForm: true });
    expect(normalized.xml).to.equal(input.replace('<ORCID>http://orcid.org/0000-0002-1825-0097</ORCID>', ID('0000-0002-1825-0097')));
    const falsy = input.replace('<ORCID>', "<ORCID authenticated='0'>");
    expect(embedOrcidInCrossref(falsy, [person('Kenji', 'Sato')]).xml).to.equal(input.replace('<ORCID>', "<ORCID authenticated='true'>"));
  });

  it('fills an empty ORCID placeholder in place, whatever onConflict says, instead of adding a second one', () => {
    const inner = '<person_name sequence="first" contributor_role="author"><given_name>Josiah</given_name><surname>Carberry</surname><ORCID authenticated="true"/><alt-name><string-name>J. C.</string-name></alt-name></person_name>';
    for (const onConflict of ['replace', 'keep-and-report', 'error'] as const) {
      const { xml, report } = embedOrcidInCrossref(deposit('5.3.1', inner), [person('Josiah', 'Carberry')], { onConflict });
      expect(xml).to.equal(deposit('5.3.1', inner.replace('<ORCID authenticated="true"/>', ID('0000-0002-1825-0097'))));
      expect(report.replaced.map((r) => r.previous)).to.deep.equal(['']);
    }
  });
});
