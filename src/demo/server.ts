import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { orcidConnect, type OrcidConnect } from '../plugin.js';
import { startEmulator, DEMO_CLIENT, type RunningEmulator } from '../emulator/index.js';
import { createDemoApp } from './app.js';
import { OrcidPluginError } from '../errors.js';
import { currentDemoUser, demoLocale, DEMO_RESEARCHERS, type DemoResearcher } from './people.js';
import { DEMO_JOURNALS, demoJournalLocale, demoJournalOf } from './journals.js';

export interface DemoOptions {
  /** Port of the demo journal; 0 picks a free one. Default `3000`. */
  port?: number;
  /** Default `127.0.0.1` (the demo uses dev-only secrets: keep it off the network). */
  host?: string;
  /** Port of the ORCID emulator; 0 picks a free one. Default `8787`. Not started when `ORCID_ENV` is sandbox/production. */
  emulatorPort?: number;
  /** Where the plugin and the demo keep their data. Default `sqlite:./data/demo.db`. */
  storeUrl?: string;
  /** JSON file keeping the emulator's state (researchers, tokens, records) across restarts. Default: memory only. */
  emulatorStateFile?: string;
  /** When a port is taken, use a free one instead of failing. Default `false`. */
  fallbackToFreePort?: boolean;
  /** Worker poll interval. Default `250` ms (the demo wants quick feedback). */
  pollMs?: number;
  now?: () => Date;
  /** Environment for the plugin's settings (`ORCID_ENV`, `ORCID_CLIENT_ID`, `PUBLIC_URL`, …). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningDemo {
  url: string;
  /** The emulator's URL; null when the demo talks to the real ORCID sandbox. */
  emulatorUrl: string | null;
  /** Test researchers seeded on the emulator (empty against the sandbox). */
  researchers: readonly DemoResearcher[];
  orcid: OrcidConnect;
  close(): Promise<void>;
}

/**
 * Start the demo: the ORCID emulator with test researchers, the demo journal with the plugin
 * mounted, and the outbox worker.
 * @example const demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:' }); … await demo.close();
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const host = options.host ?? '127.0.0.1';
  const storeUrl = options.storeUrl ?? 'sqlite:./data/demo.db';
  const useEmulator = !env.ORCID_ENV || env.ORCID_ENV === 'emulator';
  const fallback = options.fallbackToFreePort ?? false;

  // Reachable from the network (issue 13, finding 5): the emulator demo runs on public development
  // secrets and must not be; a sandbox demo (real secrets) runs without the act-as switcher and mailbox.
  const exposed = !isLoopbackHost(host) || (!!env.PUBLIC_URL && !isLoopbackUrl(env.PUBLIC_URL));
  if (exposed && useEmulator) {
    const where = !isLoopbackHost(host) ? `host "${host}"` : `PUBLIC_URL ${env.PUBLIC_URL}`;
    throw new OrcidPluginError('DEMO_NOT_LOOPBACK', `The emulator demo runs on public development secrets: bind it to 127.0.0.1 and open it at a loopback URL (${where} is reachable from the network). To show it to others, use ORCID_ENV=sandbox with real secrets.`);
  }
  const fileMatch = /^sqlite:(?!:memory:)(.+)$/.exec(storeUrl);
  if (fileMatch) mkdirSync(dirname(fileMatch[1]), { recursive: true });
  if (options.emulatorStateFile) mkdirSync(dirname(options.emulatorStateFile), { recursive: true });

  let emulator: RunningEmulator | null = null;
  let server: Server | null = null;
  let orcid: OrcidConnect | null = null;
  const closeAll = async () => {
    await orcid?.close();
    if (server) {
      const s = server;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    await emulator?.close();
  };
  try {
    if (useEmulator) {
      const emulatorOptions = {
        host, now, stateFile: options.emulatorStateFile,
        researchers: DEMO_RESEARCHERS.map(({ orcid: id, givenNames, familyName, email }) => ({ orcid: id, givenNames, familyName, email })),
      };
      emulator = await startEmulator({ ...emulatorOptions, port: options.emulatorPort ?? 8787 }).catch((e: NodeJS.ErrnoException) => {
        if (fallback && e.code === 'EADDRINUSE') return startEmulator({ ...emulatorOptions, port: 0 });
        throw e;
      });
    }
    // Listen first: the plugin needs the demo's public URL (its OAuth redirect URI) when created.
    let handler: Parameters<typeof createServer>[1] = (_req, res) => {
      res.statusCode = 503;
      res.end('starting');
    };
    server = createServer((req, res) => handler!(req, res));
    const port = await listen(server, options.port ?? 3000, host, fallback);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const publicUrl = (useEmulator ? undefined : env.PUBLIC_URL)?.replace(/\/+$/, '') ?? url;
    orcid = await orcidConnect({
      ...(emulator ? { orcid: { env: 'emulator', baseUrl: emulator.url, clientId: DEMO_CLIENT.clientId, clientSecret: DEMO_CLIENT.clientSecret } } : {}),
      publicUrl,
      storeUrl,
      mail: { transport: 'capture' },
      worker: { pollMs: options.pollMs ?? 250 },
      logLevel: (env.LOG_LEVEL as 'warn' | undefined) ?? 'warn',
      env,
      now,
      currentUser: currentDemoUser,
      // The demo's language switcher is the host's locale; the plugin's pages follow it, else the chosen journal's.
      localeOf: (ctx) => demoLocale(ctx) ?? demoJournalLocale(ctx),
      // Two journals (journals.ts): the settings' English one (`default`) and a Chinese one; the switcher picks.
      journals: [...DEMO_JOURNALS],
      journalOf: demoJournalOf(currentDemoUser),
    });
    const app = createDemoApp({ orcid, publicUrl, now, exposed });
    handler = app.callback();
    orcid.worker.start();
    let closed: Promise<void> | null = null;
    return {
      url,
      emulatorUrl: emulator?.url ?? null,
      researchers: emulator ? DEMO_RESEARCHERS : [],
      orcid,
      close: () => (closed ??= closeAll()),
    };
  } catch (e) {
    await closeAll().catch(() => undefined);
    throw e;
  }
}

function listen(server: Server, port: number, host: string, fallback: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (fallback && e.code === 'EADDRINUSE' && port !== 0) {
        server.once('error', reject);
        server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
      } else reject(e);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
