import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { configTableMarkdown } from '../scripts/config-table.js';
import { settingLeaves } from '../src/config-env.js';

describe('README configuration table', () => {
  it('is the table generated from plugin-manifest.json (npx tsx scripts/config-table.ts)', function () {
    const readme = existsSync('README.md') ? readFileSync('README.md', 'utf8') : '';
    if (!/^## Configuration\s*$/m.test(readme)) {
      // Until the table is pasted in, there is nothing to compare against.
      console.log('      skipped: README.md has no "## Configuration" section yet; paste the output of `npx tsx scripts/config-table.ts` under it');
      this.skip();
    }
    expect(readme).to.contain(configTableMarkdown());
  });

  it('has one row per setting, each naming an environment variable', () => {
    const rows = configTableMarkdown().trim().split('\n').slice(2);
    expect(rows.map((r) => r.split(' | ')[0].slice(3, -1))).to.deep.equal(settingLeaves().map((l) => l.path));
    expect(rows.every((r) => /^\| `[\w.]+` \| `[A-Z_]+` \|/.test(r))).to.equal(true);
    expect(rows[0]).to.equal('| `orcid.env` | `ORCID_ENV` | `"emulator"` | ORCID environment: production (orcid.org), sandbox (sandbox.orcid.org) or the bundled offline emulator. The emulator default applies only when NODE_ENV is not production; with NODE_ENV=production it must be set. One of `production`, `sandbox`, `emulator`. |');
  });
});
