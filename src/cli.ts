import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { ConfigError, InputFileError, OrcidPluginError, coerceError } from './errors.js';
import { VERSION } from './version.js';

/**
 * `koa-orcid-connect <command>`, parsed with commander: every command has `--help` with usage and
 * examples, exits 0 for it, and opens no store for it (help is answered before any action runs).
 * Exit codes: 0 ok, 1 failure, 2 bad input or configuration, 3 embed left contributors unmatched,
 * 4 embed refused a conflicting iD (--on-conflict error).
 */
const USAGE = 'usage: koa-orcid-connect <demo|emulator|worker|embed-jats|embed-crossref|status|journals> [options]';

/** Options are parsed again by each command's own module, which owns their meaning: commander documents them and answers --help. */
function rawArgs(name: string, argv: string[]): string[] {
  return argv.slice(argv.indexOf(name) + 1);
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** Bytes, not text: the embedders detect the file's own encoding and write the output in it. */
async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new InputFileError(path, e as NodeJS.ErrnoException);
  }
}

export function buildProgram(argv: string[], setCode: (code: number) => void): Command {
  const program = new Command('koa-orcid-connect')
    .description('ORCID Collect & Connect for journals: the demo, the emulator, the outbox worker, XML embedding, and the queue status.')
    .version(VERSION)
    .usage('<command> [options]')
    .showHelpAfterError(USAGE)
    .exitOverride();
  const command = (name: string) => program.command(name).allowUnknownOption().allowExcessArguments().helpOption('-h, --help', 'show this help');

  command('demo')
    .description('the demo journal with the ORCID emulator and a worker (what `npm start` runs)')
    .option('--port <n>', 'demo journal port (default $PORT or 3000; a free port if taken)')
    .option('--emulator-port <n>', 'ORCID emulator port (default 8787; a free port if taken)')
    .option('--store <url>', 'sqlite:<path> | sqlite::memory: | mongodb://… (default $STORE_URL or sqlite:./data/demo.db)')
    .addHelpText('after', examples(['koa-orcid-connect demo', 'koa-orcid-connect demo --port 4000 --store sqlite::memory:']))
    .action(async () => {
      const { runDemoCli } = await import('./demo/cli.js');
      setCode(await runDemoCli(rawArgs('demo', argv)));
    });

  command('emulator')
    .description('the ORCID emulator alone (OAuth, member API v3.0, webhooks, faults, control API)')
    .option('--port <n>', 'port to listen on (default 8787, the emulator environment\'s ORCID_BASE_URL)')
    .option('--state <file>', 'keep researchers, tokens and items in this JSON file across restarts')
    .option('--no-rate-limit', 'answer every request at once (benchmarks)')
    .option('--no-validate', 'skip XSD validation of posted XML')
    .addHelpText('after', examples(['koa-orcid-connect emulator --port 8787', 'koa-orcid-connect emulator --state ./data/emulator.json']))
    .action(async () => {
      const { runEmulatorCli } = await import('./emulator/cli.js');
      await runEmulatorCli(rawArgs('emulator', argv));
    });

  command('worker')
    .description('drain the outbox to ORCID, with the configuration from the environment (see the README\'s Configuration)')
    .option('--drain', 'process what is due, then exit (a progress bar on a terminal)')
    .addHelpText('after', examples(['STORE_URL=sqlite:./data/orcid.db koa-orcid-connect worker', 'koa-orcid-connect worker --drain']))
    .action(async () => {
      const { runWorkerCli } = await import('./worker-cli.js');
      setCode(await runWorkerCli(rawArgs('worker', argv)));
    });

  for (const kind of ['jats', 'crossref'] as const) {
    command(`embed-${kind}`)
      .description(`embed authenticated ORCID iDs in ${kind === 'jats' ? 'a JATS article' : 'a Crossref deposit'}: XML to stdout, the report (JSON) to stderr`)
      .argument('<file.xml>', kind === 'jats' ? 'the JATS article' : 'the Crossref deposit')
      .option('--contributors <file.json>', 'the contributors: [{ givenNames, familyName, orcid, authenticated, email? }]')
      .option('--only-authenticated', 'embed only iDs the researcher authenticated')
      .option('--on-conflict <policy>', 'an element already holds a different iD: replace (default) | keep-and-report | error')
      .option('--normalize-id-form', 'also rewrite an existing same iD to the https://orcid.org/ form (off: only authenticated="true" is added)')
      .addHelpText('after', `${examples([`koa-orcid-connect embed-${kind} in.xml --contributors people.json > out.xml`, `koa-orcid-connect embed-${kind} in.xml --contributors people.json --on-conflict error > out.xml`])}\nExit codes: 0 all embedded, 3 written but some contributor unmatched or ambiguous, 4 a conflicting iD refused (--on-conflict error), 2 bad input.\n`)
      .action(async () => {
        const { runEmbedCli } = await import('./metadata/cli.js');
        setCode(await runEmbedCli(kind, rawArgs(`embed-${kind}`, argv), { stdout: process.stdout, stderr: process.stderr, readFile: readInput }));
      });
  }

  command('status')
    .description('the outbox: how many jobs are queued, in progress, parked and done')
    .option('--json', 'one JSON line, for scripts')
    .option('--journal <id>', 'the jobs of one journal (docs/many-journals.md)')
    .addHelpText('after', examples(['STORE_URL=sqlite:./data/orcid.db koa-orcid-connect status', 'koa-orcid-connect status --json | jq .parked', 'koa-orcid-connect status --journal jex']))
    .action(async () => {
      const { runStatusCli } = await import('./worker-cli.js');
      setCode(await runStatusCli(rawArgs('status', argv)));
    });
  command('journals')
    .description('add or update journals and ORCID credentials records from a JSON file, validated (docs/many-journals.md)')
    .argument('<action>', 'upsert')
    .option('--file <journal.json>', 'one journal { id, title, issn, …, credentialsId }, or { "journals": [...], "orcidCredentials": [...] }')
    .addHelpText('after', `${examples(['koa-orcid-connect journals upsert --file journal.json', 'STORE_URL=postgres://db/journal koa-orcid-connect journals upsert --file publisher-a.json'])}\nExit codes: 0 stored, 2 bad input (each problem named by its path; nothing stored).\n`)
    .action(async () => {
      const { runJournalsCli } = await import('./journals/cli.js');
      setCode(await runJournalsCli(rawArgs('journals', argv)));
    });
  return program;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram(argv, (c) => (code = c));
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // --help and --version end here with exit code 0; unknown commands and bad options with 2.
    return e.exitCode === 0 ? 0 : 2;
  }
  return code;
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
