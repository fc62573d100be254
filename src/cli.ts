import { readFile } from 'node:fs/promises';
import { ConfigError, OrcidPluginError, coerceError } from './errors.js';

/**
 * `koa-orcid-connect <command>`:
 *   demo                      the demo journal with the emulator (what `npm start` runs)
 *   emulator --port N         the ORCID emulator alone
 *   worker [--drain]          drain the outbox (configuration from the environment)
 *   embed-jats FILE --contributors FILE.json     JATS with iDs to stdout, report to stderr
 *   embed-crossref FILE --contributors FILE.json
 *   status                    queue counts as JSON
 * Exit codes: 0 ok, 1 failure, 2 bad input or configuration, 3 embed left contributors unmatched,
 * 4 embed refused a conflicting iD (--on-conflict error).
 */
const USAGE = `usage: koa-orcid-connect <demo|emulator|worker|embed-jats|embed-crossref|status> [options]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { runDemoCli } = await import('./demo/cli.js');
      return runDemoCli(rest);
    }
    case 'emulator': {
      const { runEmulatorCli } = await import('./emulator/cli.js');
      await runEmulatorCli(rest);
      return 0;
    }
    case 'worker': {
      const { runWorkerCli } = await import('./worker-cli.js');
      return runWorkerCli(rest);
    }
    case 'embed-jats':
    case 'embed-crossref': {
      const { runEmbedCli } = await import('./metadata/cli.js');
      return runEmbedCli(command === 'embed-jats' ? 'jats' : 'crossref', rest, {
        stdout: process.stdout,
        stderr: process.stderr,
        readFile: (p: string) => readFile(p),
      });
    }
    case 'status': {
      const { runStatusCli } = await import('./worker-cli.js');
      return runStatusCli(rest);
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || !['demo', 'emulator', 'worker'].includes(process.argv[2] ?? '')) process.exitCode = code;
  },
  (e) => {
    const err = coerceError(e);
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof OrcidPluginError) {
      process.stderr.write(`koa-orcid-connect: ${err.code}: ${err.message}\n`);
      process.exitCode = err.status < 500 ? 2 : 1;
    } else {
      process.stderr.write(`koa-orcid-connect: ${err.stack ?? err.message}\n`);
      process.exitCode = 1;
    }
  },
);
