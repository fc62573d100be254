import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOrcidId } from '../../src/orcid/id.js';
import { runEmulatorCli } from '../../src/emulator/index.js';
import { harness, workXml } from './helpers.js';
import { localNetworkOnly } from '../local-network.js';

describe('emulator: state, record page, CLI', () => {
  localNetworkOnly();

  it('keeps researchers, tokens and items across a restart with a state file', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'orcid-emu-')), 'state.json');
    const h = await harness({ stateFile });
    const orcid = await h.researcher();
    const token = (await h.token(orcid, '/activities/update')).access_token;
    expect((await h.api('POST', `/v3.0/${orcid}/work`, token, workXml('10.1/keep'))).status).to.equal(201);
    await h.emu.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).items).to.have.length(1);
    const again = await harness({ stateFile });
    const res = await again.api('GET', `/v3.0/${orcid}/works`, token);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.contain('10.1/keep');
    await again.emu.close();
  });

  it('creates researchers with valid check digits', async () => {
    const h = await harness();
    for (let i = 0; i < 5; i++) {
      const orcid = await h.researcher();
      expect(parseOrcidId(orcid).id).to.equal(orcid);
    }
    await h.emu.close();
  });

  it('escapes <script> in names on the record page', async () => {
    const h = await harness();
    const orcid = await h.researcher('<script>alert(1)</script>', 'O\'Brien & "Co"');
    const res = await fetch(`${h.url}/${orcid}`);
    expect(res.status).to.equal(200);
    const html = await res.text();
    expect(html).to.not.contain('<script>');
    expect(html).to.contain('<h1 id="name">&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien &amp; &quot;Co&quot;</h1>');
    await h.emu.close();
  });

  it('resets to an empty state', async () => {
    const h = await harness();
    await h.researcher();
    await h.control('POST', '/reset');
    expect((await h.control('GET', '/researchers')).body).to.deep.equal([]);
    await h.emu.close();
  });

  it('starts from the CLI with a demo researcher', async () => {
    const lines: string[] = [];
    const emu = await runEmulatorCli(['--port', '0', '--no-rate-limit'], (l) => lines.push(l));
    expect(lines[0]).to.match(/^ORCID emulator at http:\/\/127\.0\.0\.1:\d+ /);
    expect(emu.state.data.researchers.map((r) => r.orcid)).to.deep.equal(['0000-0002-1825-0097']);
    await emu.close();
    await runEmulatorCli(['--bogus']).then(
      () => expect.fail('should throw'),
      (e: Error) => expect(e.message).to.match(/^unknown option --bogus/),
    );
  });
});
