import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inlineOrcidIcon, loadOrcidIcon } from '../../src/web/orcid-icon.js';
import { BUILTIN_TEMPLATES_DIR, createRenderer } from '../../src/web/templates.js';

const ASSETS = join(BUILTIN_TEMPLATES_DIR, 'assets');
const asset = readFileSync(join(ASSETS, 'orcid-id-icon.svg'), 'utf8');
const attributes = (svg: string, name: string): string[] => [...svg.matchAll(new RegExp(` ${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('the ORCID iD icon', () => {
  it('is the file ORCID publishes, unchanged (the bytes SOURCE.md names)', () => {
    const bytes = readFileSync(join(ASSETS, 'orcid-id-icon.svg'));
    expect(bytes.length).to.equal(2076);
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal('c8f925a046e407c3d9c228e4691ee3061cf79cd45bea96cc5946e1d2b5a6def1');
  });

  it('keeps every shape, colour and transform of the published icon when inlined', () => {
    const inline = loadOrcidIcon(ASSETS);
    for (const name of ['d', 'points', 'transform', 'fill', 'fill-rule']) {
      expect(attributes(inline, name), name).to.deep.equal(attributes(asset.replace(/^<svg[^>]*>/m, ''), name));
    }
    expect(inline).to.match(/^<svg class="orcid-id-icon" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 72 72" width="16" height="16" role="img" aria-label="ORCID iD">/);
    expect(inline).not.to.contain('<?xml');
    expect(inline).not.to.contain('<title>');
    expect(inline).not.to.contain('<!--');
  });

  it('refuses a file that is not an svg with a viewBox', () => {
    expect(() => inlineOrcidIcon('<png/>')).to.throw(/viewBox/);
  });

  for (const locale of ['en', 'zh-Hans']) {
    it(`is the icon the badge shows (${locale}), not a drawing of it`, () => {
      const html = createRenderer().badge('0000-0002-1825-0097', locale);
      expect(html).to.contain(loadOrcidIcon(ASSETS));
      expect(html).not.to.contain('<text');
      expect(html).to.contain('https://orcid.org/0000-0002-1825-0097</a>');
    });
  }
});
