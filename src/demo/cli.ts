import { startDemo, type RunningDemo } from './server.js';
import { DEMO_USERS } from './people.js';

export interface DemoCliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the demo should stop; default: SIGINT or SIGTERM. */
  stopSignal?: Promise<void>;
}

const USAGE = `usage: koa-orcid-connect demo [--port N] [--emulator-port N] [--store URL]
  --port N           demo journal port (default $PORT or 3000; a free port if taken)
  --emulator-port N  ORCID emulator port (default 8787; a free port if taken)
  --store URL        sqlite:<path> | sqlite::memory: | mongodb://… (default $STORE_URL or sqlite:./data/demo.db)
Against the ORCID sandbox instead of the emulator:
  ORCID_ENV=sandbox ORCID_CLIENT_ID=APP-… ORCID_CLIENT_SECRET=… PUBLIC_URL=https://… npm start
`;

function parseArgs(argv: string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(port|emulator-port|store)(?:=(.*))?$/.exec(a);
    if (!m) return null;
    const v = m[2] ?? argv[++i];
    if (v === undefined) return null;
    out[m[1]] = v;
  }
  return out;
}

function port(v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n < 65536 ? n : null;
}

function stopOnSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * `npm start`: the emulator with test researchers, the demo journal and the worker; prints where
 * to go and who to sign in as; Ctrl-C closes everything. Returns the exit code.
 */
export async function runDemoCli(argv: string[], io: Partial<DemoCliIo> = {}): Promise<number> {
  const out = io.stdout ?? ((s: string) => process.stdout.write(s));
  const err = io.stderr ?? ((s: string) => process.stderr.write(s));
  const env = io.env ?? process.env;
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  const demoPort = port(args?.port ?? env.PORT, 3000);
  const emulatorPort = port(args?.['emulator-port'], 8787);
  if (!args || demoPort === null || emulatorPort === null) {
    err(USAGE);
    return 2;
  }
  const storeUrl = args.store ?? env.STORE_URL ?? 'sqlite:./data/demo.db';
  const stateFile = /^sqlite:(?!:memory:)/.test(storeUrl) ? './data/emulator.json' : undefined;
  // Listen to Ctrl-C before starting, so an early one still closes what started.
  const stop = io.stopSignal ?? stopOnSignal();
  let demo: RunningDemo;
  try {
    demo = await startDemo({ port: demoPort, emulatorPort, storeUrl, emulatorStateFile: stateFile, fallbackToFreePort: true, env });
  } catch (e) {
    err(`demo: could not start: ${(e as Error).message}\n`);
    return 1;
  }
  out(banner(demo, storeUrl));
  await stop;
  out('\nStopping the demo…\n');
  await demo.close();
  return 0;
}

function banner(demo: RunningDemo, storeUrl: string): string {
  const lines = [
    '',
    `  Demo journal:   ${demo.url}`,
    demo.emulatorUrl ? `  ORCID emulator: ${demo.emulatorUrl}` : `  ORCID:          ${demo.orcid.config.orcid.baseUrl} (${demo.orcid.config.orcid.env})`,
    `  Data:           ${storeUrl}`,
    '',
    '  Act as (switcher at the top of every page):',
    ...DEMO_USERS.map((u) => `    - ${u.name} (${u.roles.join(', ')}): ${u.does}`),
  ];
  if (demo.researchers.length) {
    lines.push('', '  On the ORCID consent page, sign in as the matching test researcher:');
    for (const r of demo.researchers) lines.push(`    - ${r.name}  ${r.orcid}  (${r.note})  ${demo.emulatorUrl}/${r.orcid}`);
  } else {
    lines.push('', `  Register this redirect URI with your ORCID client: ${demo.orcid.config.redirectUri}`);
  }
  lines.push('', '  Press Ctrl-C to stop.', '');
  return lines.join('\n');
}
