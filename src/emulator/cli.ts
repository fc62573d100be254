import { startEmulator, type RunningEmulator } from './server.js';

/**
 * `koa-orcid-connect emulator [--port N] [--state FILE] [--no-rate-limit] [--no-validate]`.
 * Seeds one demo researcher when the state is empty so the consent page has someone to pick.
 * @example
 * const emulator = await runEmulatorCli(['--port', '8787', '--no-rate-limit']);
 */
export async function runEmulatorCli(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<RunningEmulator> {
  let port = 8787; // ORCID_BASE_URL's default for ORCID_ENV=emulator
  let stateFile: string | undefined;
  let rateLimit = true;
  let validateXml = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') {
      port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a port number, got ${argv[i]}`);
    } else if (a === '--state') {
      stateFile = argv[++i];
      if (!stateFile) throw new Error('--state: expected a file name');
    } else if (a === '--no-rate-limit') rateLimit = false;
    else if (a === '--no-validate') validateXml = false;
    else throw new Error(`unknown option ${a} (expected --port N, --state FILE, --no-rate-limit, --no-validate)`);
  }
  const emu = await startEmulator({
    port,
    stateFile,
    validateXml,
    rateLimit: rateLimit ? undefined : false,
    researchers: [{ orcid: '0000-0002-1825-0097', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', affiliations: [{ organization: 'Brown University', city: 'Providence', country: 'US', disambiguatedId: 'https://ror.org/05gq02987', disambiguationSource: 'ROR' }] }],
  });
  out(`ORCID emulator at ${emu.url}  (demo client APP-DEMO000000000000 / demo-secret; control API ${emu.url}/_emulator/)`);
  const stop = () => void emu.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return emu;
}
