import { expect } from 'chai';
import { runEmbedCli, EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_OK } from '../../src/metadata/cli.js';

const XML = '<article><front><article-meta><contrib-group><contrib><name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib></contrib-group></article-meta></front></article>';
const files: Record<string, string> = {
  'a.xml': XML,
  'bad.xml': '<article>',
  'c.json': JSON.stringify([{ givenNames: 'Josiah', familyName: 'Carberry', orcid: '0000-0002-1825-0097', authenticated: true }]),
  'd.json': JSON.stringify({ contributors: [{ givenNames: 'Nobody', familyName: 'Here', orcid: '0000-0002-1825-0097' }] }),
  'e.json': JSON.stringify([{ givenNames: 'Josiah', familyName: 1, orcid: 'x' }]),
};

async function run(kind: 'jats' | 'crossref', argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runEmbedCli(kind, argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    readFile: async (p) => {
      if (!(p in files)) throw Object.assign(new Error(`ENOENT: no such file, open '${p}'`), { code: 'ENOENT' });
      return files[p];
    },
  });
  return { code, stdout, stderr };
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
});
