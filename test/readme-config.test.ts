import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { CONFIGURATION_DOC, configTableMarkdown } from '../scripts/config-table.js';
import { settingLeaves } from '../src/config-env.js';

describe('configuration docs', () => {
  it('docs/configuration.md ends with the table generated from plugin-manifest.json (npx tsx scripts/config-table.ts --write)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8').endsWith(configTableMarkdown())).to.equal(true);
  });

  it('has one row per setting, each naming an environment variable', () => {
    const rows = configTableMarkdown().trim().split('\n').slice(2);
    expect(rows.map((r) => r.split(' | ')[0].slice(3, -1))).to.deep.equal(settingLeaves().map((l) => l.path));
    expect(rows.every((r) => /^\| `[\w.]+` \| `[A-Z_]+` \|/.test(r))).to.equal(true);
    expect(rows[0]).to.equal('| `orcid.env` | `ORCID_ENV` | `"emulator"` | ORCID environment: production (orcid.org), sandbox (sandbox.orcid.org) or the bundled offline emulator. The emulator default applies only when NODE_ENV is not production; with NODE_ENV=production it must be set. One of `production`, `sandbox`, `emulator`. |');
  });

  it('the README\'s configuration section names only variables the plugin reads', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration\n'), readme.indexOf('\n## ', readme.indexOf('## Configuration\n') + 1));
    const named = [...section.matchAll(/`([A-Z][A-Z0-9_]+)(?:=[^`]*)?`/g)].map((m) => m[1]);
    const known = new Set([...settingLeaves().map((l) => l.env), 'NODE_ENV']);
    expect(named.length).to.be.greaterThan(20);
    expect(named.filter((n) => !known.has(n))).to.deep.equal([]);
  });
});
