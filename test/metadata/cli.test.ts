import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runEmbedCli, EXIT_BAD_INPUT, EXIT_CONFLICT, EXIT_INCOMPLETE, EXIT_OK } from '../../src/metadata/cli.js';
import { embedOrcidInJats, scanJats } from '../../src/metadata/jats.js';
import { SHARED } from './validate.js';

const XML = '<article><front><article-meta><contrib-group><contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib></contrib-group></article-meta></front></article>';
const utf16be = (s: string) => Buffer.from(`\ufeff${s}`, 'utf16le').swap16();
const CONFLICT = XML.replace('<name>', '<contrib-id contrib-id-type="orcid">https://orcid.org/0000-0001-5109-3700</contrib-id><name>');
const files: Record<string, string | Buffer> = {
  'utf16.xml': utf16be(`<?xml version="1.0" encoding="UTF-16"?>\n${XML}`),
  'conflict.xml': CONFLICT,
  'latin1-undeclared.xml': Buffer.from(XML.replace('Josiah', 'Jos\xe9'), 'latin1'),
  'a.xml': XML,
  'bad.xml': '<article>',
  'c.json': JSON.stringify([{ givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true }]),
  'd.json': JSON.stringify({ contributors: [{ givenNames: 'Nobody', familyName: 'Here', orcid: '0000-0002-1825-0097' }] }),
  'e.json': JSON.stringify([{ givenNames: 'Josiah', familyName: 1, orcid: 'x' }]),
};

async function run(kind: 'jats' | 'crossref', argv: string[]) {
  const out: Buffer[] = [];
  let stderr = '';
  const code = await runEmbedCli(kind, argv, {
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s)) },
    stderr: { write: (s: string) => (stderr += s) },
    readFile: async (p) => {
      if (!(p in files)) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
      return files[p];
    },
  });
  const bytes = Buffer.concat(out);
  return { code, stdout: bytes.toString('utf8'), bytes, stderr };
}

describe('runEmbedCli', () => {
  it('writes the XML to stdout, the report to stderr, and exits 0 when everyone is embedded', async () => {
    const r = await run('jats', ['a.xml', '--contributors', 'c.json']);
    expect(r.code).to.equal(EXIT_OK);
    expect(r.stdout).to.contain('<contrib><contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097</contrib-id>');
    expect(JSON.parse(r.stderr).inserted).to.have.length(1);
  });

  it('exits 3 with the XML still written when someone is unmatched', async () => {
    const r = await run('jats', ['a.xml', '--contributors=d.json']);
    expect(r.code).to.equal(EXIT_INCOMPLETE);
    expect(r.stdout).to.equal(XML);
    expect(JSON.parse(r.stderr).unmatched).to.have.length(1);
  });

  it('exits 2 with a typed error and no stdout for bad input or usage', async () => {
    const bad = await run('jats', ['bad.xml', '--contributors', 'c.json']);
    expect([bad.code, bad.stdout]).to.deep.equal([EXIT_BAD_INPUT, '']);
    expect(JSON.parse(bad.stderr).error).to.include({ code: 'XML_MALFORMED', line: 1 });
    const json = await run('crossref', ['a.xml', '--contributors', 'e.json']);
    expect(JSON.parse(json.stderr).error).to.include({ code: 'INVALID_INPUT', path: 'contributors[0].familyName' });
    const missing = await run('jats', ['a.xml']);
    expect(missing.code).to.equal(EXIT_BAD_INPUT);
    expect(missing.stderr).to.match(/^missing --contributors/);
    expect((await run('jats', ['nope.xml', '--contributors', 'c.json'])).code).to.equal(EXIT_BAD_INPUT);
  });

  it('reads the XML as bytes and writes it back in its own encoding (UTF-16BE with BOM)', async () => {
    const r = await run('jats', ['utf16.xml', '--contributors', 'c.json']);
    expect(r.code).to.equal(EXIT_OK);
    const id = '<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097</contrib-id>';
    expect(r.bytes.equals(utf16be(`<?xml version="1.0" encoding="UTF-16"?>\n${XML.replace('<contrib>', `<contrib>${id}`)}`))).to.equal(true);
    const bad = await run('jats', ['latin1-undeclared.xml', '--contributors', 'c.json']);
    expect([bad.code, JSON.parse(bad.stderr).error.code]).to.deep.equal([EXIT_BAD_INPUT, 'XML_MALFORMED']);
  });

  it('--on-conflict and --normalize-id-form reach the embedder; a refused conflict exits 4 with nothing written', async () => {
    const kept = await run('jats', ['conflict.xml', '--contributors', 'c.json', '--on-conflict=keep-and-report']);
    expect([kept.code, kept.stdout]).to.deep.equal([EXIT_OK, CONFLICT]);
    expect(JSON.parse(kept.stderr).kept).to.have.length(1);
    const refused = await run('jats', ['conflict.xml', '--contributors', 'c.json', '--on-conflict', 'error']);
    expect([refused.code, refused.stdout]).to.deep.equal([EXIT_CONFLICT, '']);
    expect(JSON.parse(refused.stderr).error).to.deep.include({ code: 'EMBED_CONFLICT' });
    expect(JSON.parse(refused.stderr).error.conflicts[0].existing).to.equal('https://orcid.org/0000-0001-5109-3700');
    expect((await run('jats', ['a.xml', '--contributors', 'c.json', '--on-conflict', 'overwrite'])).code).to.equal(EXIT_BAD_INPUT);
    files['bare.xml'] = XML.replace('<name>', '<contrib-id contrib-id-type="orcid">0000-0002-1825-0097</contrib-id><name>');
    const upgraded = await run('jats', ['bare.xml', '--contributors', 'c.json', '--normalize-id-form']);
    expect(upgraded.stdout).to.contain('<contrib-id contrib-id-type="orcid" authenticated="true">https://orcid.org/0000-0002-1825-0097</contrib-id>');
  });

  it('round-trips a real UTF-16 JATS article through the command in a child process (bytes on stdin and stdout; the installed bin is run by test/package/pack-install.test.ts)', async function () {
    this.timeout(120000);
    const dir = mkdtempSync(join(tmpdir(), 'embed-cli-'));
    try {
      const text = readFileSync(join(SHARED, 'fixtures', 'jats', 'elife-102451-v1.xml'), 'utf8').replace(/^<\?xml([^?]*)encoding="[^"]*"/, '<?xml$1encoding="UTF-16"');
      expect(text).to.match(/^<\?xml[^?]*encoding="UTF-16"/);
      const input = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const { candidates, targets } = scanJats(text);
      const i = candidates.findIndex((c, k) => c.names[0]?.surname && targets[k].existing.length === 0);
      const n = candidates[i].names[0];
      const contributors = [{ givenNames: n.given, familyName: n.surname, orcid: '0000-0002-1825-0097', authenticated: true }];
      writeFileSync(join(dir, 'article.xml'), input);
      writeFileSync(join(dir, 'contributors.json'), JSON.stringify(contributors));
      const cli = join(process.cwd(), 'src', 'cli.ts');
      const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, 'embed-jats', join(dir, 'article.xml'), '--contributors', join(dir, 'contributors.json')], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
      const viaString = embedOrcidInJats(text, contributors);
      const expected = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(viaString.xml, 'utf16le')]);
      expect(r.stdout.length).to.be.greaterThan(input.length);
      expect(r.stdout.equals(expected)).to.equal(true);
      expect(viaString.report.inserted.length).to.be.greaterThan(0);
      expect(JSON.parse(r.stderr.toString('utf8'))).to.deep.equal(viaString.report);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
