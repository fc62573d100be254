import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { embedOrcidInJats, scanJats } from '../../src/metadata/jats.js';
import { parseOrcidId } from '../../src/orcid/id.js';
import type { EmbedContributor } from '../../src/types.js';
import { removeInserted, testOrcid } from './helpers.js';
import { inJatsNamespace, SHARED, validateMany } from './validate.js';

const DIR = join(SHARED, 'fixtures', 'jats');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.xml'));

function wellFormed(xml: string): void {
  const p = new SaxesParser({ xmlns: false });
  p.on('error', (e) => {
    if (!/undefined entity/.test(e.message)) throw e;
  });
  p.write(xml).close();
}

/**
 * Every named person of the article, once, with a fresh test iD — except people who already carry
 * an iD somewhere (replacing is tested on crafted documents). Also returns the names that occur
 * twice in one scope (a person listed in two roles, or as author and group member): those must
 * come back ambiguous, never guessed.
 */
function everyone(xml: string): { contributors: EmbedContributor[]; fresh: string[]; duplicated: string[] } {
  const { candidates, targets } = scanJats(xml);
  const key = (n: { given: string; surname: string }) => `${n.given}|${n.surname}`;
  const withId = new Set<string>();
  const perScope = new Map<string, number>();
  candidates.forEach((c, i) => {
    const n = c.names[0];
    if (!n || n.full !== undefined) return;
    if (targets[i].existing.length > 0) withId.add(key(n));
    const k = `${c.scope}#${key(n)}`;
    perScope.set(k, (perScope.get(k) ?? 0) + 1);
  });
  const byName = new Map<string, EmbedContributor>();
  for (const c of candidates) {
    const n = c.names[0];
    if (!n || n.full !== undefined || withId.has(key(n)) || byName.has(key(n))) continue;
    byName.set(key(n), { givenNames: n.given, familyName: n.surname, orcid: testOrcid(byName.size + 1), authenticated: true });
  }
  const duplicated = [...new Set([...perScope].filter(([k, v]) => v > 1 && !withId.has(k.split('#')[1])).map(([k]) => k.split('#')[1]))];
  return { contributors: [...byName.values()], fresh: [...byName.values()].map((c) => c.orcid), duplicated };
}

describe('embedOrcidInJats on the shared JATS fixtures', () => {
  const outputs: { name: string; before: string; after: string }[] = [];

  for (const file of FILES) {
    const input = readFileSync(join(DIR, file), 'utf8');

    it(`${file}: no contributors → the identical string`, () => {
      expect(embedOrcidInJats(input, []).xml).to.equal(input);
    });

    it(`${file}: embedding everyone keeps it well-formed and changes nothing else`, () => {
      const { contributors, fresh, duplicated } = everyone(input);
      const { xml, report } = embedOrcidInJats(input, contributors);
      wellFormed(xml);
      expect(report.unmatched).to.deep.equal([]);
      expect(report.replaced).to.deep.equal([]);
      expect(report.unchanged).to.deep.equal([]);
      const ambiguous = new Set(report.ambiguous.map((a) => `${a.contributor.givenNames}|${a.contributor.familyName}`));
      expect([...ambiguous].sort()).to.deep.equal([...duplicated].sort());
      const inserted = new Set(report.inserted.map((e) => e.contributor.orcid));
      for (const c of contributors) {
        if (!ambiguous.has(`${c.givenNames}|${c.familyName}`)) expect(inserted.has(c.orcid), c.familyName).to.equal(true);
      }
      expect(xml.length - input.length).to.be.greaterThan(0);
      expect(removeInserted(xml, fresh)).to.equal(input);
      outputs.push({ name: file, before: inJatsNamespace(input), after: inJatsNamespace(xml) });
    });
  }

  it('same-iD upgrades change only the attribute (issue 18): every person who carries an iD, given that iD', () => {
    let upgraded = 0;
    for (const file of FILES) {
      const input = readFileSync(join(DIR, file), 'utf8');
      const { candidates, targets } = scanJats(input);
      const byId = new Map<string, EmbedContributor>();
      candidates.forEach((c, i) => {
        const n = c.names[0];
        const existing = targets[i].existing[0];
        if (!n || n.full !== undefined || !existing) return;
        const id = parseOrcidId(existing.value).id;
        byId.set(id, { givenNames: n.given, familyName: n.surname, orcid: id, authenticated: true });
      });
      const { xml, report } = embedOrcidInJats(input, [...byId.values()]);
      expect(report.replaced, file).to.deep.equal([]);
      for (const u of report.upgraded) expect(u.changes, file).to.deep.equal(['authenticated']);
      upgraded += report.upgraded.length;
      // Elements inserted for the same person in another scope (a response, an evaluation) aside,
      // the output is the input plus one attribute per upgrade: values in their http:// form included.
      const ids = [...byId.keys()];
      const [inOut, inIn] = [removeInserted(xml, ids), removeInserted(input, ids)];
      const attr = / authenticated="true"(?=>)/g;
      expect((inOut.match(attr) ?? []).length - (inIn.match(attr) ?? []).length, file).to.equal(report.upgraded.length);
      expect(inOut.replace(attr, ''), file).to.equal(inIn.replace(attr, ''));
    }
    // elife-14093 (2) and journal.pcbi.1004692 (1) carry unauthenticated iDs.
    expect(upgraded).to.be.greaterThanOrEqual(3);
  });

  it('introduces no JATS Publishing 1.3d2 XSD error (all fixtures, before and after, one xmllint run)', async function () {
    this.timeout(60000);
    const docs = outputs.flatMap((o) => [
      { name: `before-${o.name}`, xml: o.before },
      { name: `after-${o.name}`, xml: o.after },
    ]);
    const errors = await validateMany('jats-publishing-1.3d2', docs);
    for (const o of outputs) {
      const before = errors.get(`before-${o.name}`)!;
      const after = errors.get(`after-${o.name}`)!;
      const added = after.filter((e) => !before.includes(e) || after.filter((x) => x === e).length > before.filter((x) => x === e).length);
      expect(added, o.name).to.deep.equal([]);
    }
    // The two PLOS articles are fully valid, before and after.
    expect(errors.get('after-journal.pcbi.1004692.xml')).to.deep.equal([]);
    expect(errors.get('after-journal.pone.0066742.xml')).to.deep.equal([]);
  });
});
