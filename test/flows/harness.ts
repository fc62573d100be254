import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { orcidConnect, type OrcidConnect, type OrcidConnectOptions } from '../../src/plugin.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

/**
 * A browser-like HTTP client: keeps cookies per host (with their SameSite attribute), does not
 * follow redirects by itself, and sends what a browser sends on a POST: `Origin` and
 * `Sec-Fetch-Site` (https://fetch.spec.whatwg.org/#origin-header, https://w3c.github.io/webappsec-fetch-metadata/).
 * A POST to the plugin (`/orcid/…`) carries the CSRF token a host page would have embedded, read
 * from `/orcid/api/csrf-token`. `from: 'https://evil.example'` makes it a cross-site request
 * instead: that origin, `Sec-Fetch-Site: cross-site`, no token, and only `SameSite=None` cookies.
 */
export class Browser {
  private cookies = new Map<string, Map<string, { value: string; sameSite: string }>>();
  constructor(private headers: Record<string, string> = {}) {}

  setUser(id: string | null) {
    if (id) this.headers['x-user'] = id;
    else delete this.headers['x-user'];
  }

  /** The CSRF token the plugin gives this browser (what a host page embeds). */
  async csrfToken(origin: string): Promise<string> {
    const r = await this.request(`${new URL(origin).origin}/orcid/api/csrf-token`);
    return (JSON.parse(r.text) as { token: string }).token;
  }

  async request(url: string, init: { method?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string>; from?: string; csrf?: string | false } = {}) {
    const u = new URL(url);
    const method = init.method ?? (init.form || init.json !== undefined ? 'POST' : 'GET');
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    const crossSite = init.from !== undefined && new URL(init.from).origin !== u.origin;
    const headers: Record<string, string> = { ...this.headers };
    if (unsafe) {
      headers.origin = init.from ? new URL(init.from).origin : u.origin;
      headers['sec-fetch-site'] = crossSite ? 'cross-site' : 'same-origin';
      const token = init.csrf ?? (!crossSite && u.pathname.startsWith('/orcid/') && !u.pathname.startsWith('/orcid/webhook/') ? await this.csrfToken(url) : false);
      if (token) headers['x-csrf-token'] = token;
    }
    const jar = this.cookies.get(u.host) ?? new Map();
    // Browsers send no Lax or Strict cookie on a cross-site POST (RFC 6265bis, "SameSite").
    const sent = [...jar].filter(([, c]) => !(crossSite && unsafe && c.sameSite !== 'none'));
    if (sent.length) headers.cookie = sent.map(([k, c]) => `${k}=${c.value}`).join('; ');
    Object.assign(headers, init.headers);
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attributes] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const attr = Object.fromEntries(attributes.map((a) => a.trim().split('=')).map(([k, v]) => [k!.toLowerCase(), v ?? '']));
      const expired = attr.expires !== undefined && Date.parse(attr.expires) < Date.now();
      if (expired) jar.delete(name);
      else jar.set(name, { value: pair!.slice(i + 1), sameSite: (attr.samesite || 'lax').toLowerCase() });
    }
    this.cookies.set(u.host, jar);
    return { status: res.status, location: res.headers.get('location'), text: await res.text(), headers: res.headers };
  }

  /** Follow redirects until a non-redirect answer or `stopAt` matches the next URL. */
  async follow(url: string, stopAt?: (next: URL) => boolean) {
    let current = url;
    for (let i = 0; i < 10; i++) {
      const r = await this.request(current);
      if (r.status < 300 || r.status >= 400 || !r.location) return { ...r, url: current };
      const next = new URL(r.location, current);
      if (stopAt?.(next)) return { ...r, url: next.toString() };
      current = next.toString();
    }
    throw new Error('too many redirects');
  }
}

export interface Harness {
  emulator: RunningEmulator;
  orcid: OrcidConnect;
  url: string;
  researchers: Record<string, string>;
  close(): Promise<void>;
  /** Walk the OAuth dance from a URL that redirects to ORCID; `decision` on the consent page. */
  connect(browser: Browser, startUrl: string, orcid: string, decision?: 'authorize' | 'deny'): Promise<{ status: number; location: string | null; text: string }>;
  record(orcid: string): Promise<{ items: Array<{ type: string; putCode: string; xml: string; sourceClientId?: string }> }>;
}

export async function startHarness(options: Partial<OrcidConnectOptions> & { emulator?: Parameters<typeof startEmulator>[0] } = {}): Promise<Harness> {
  const { emulator: emulatorOptions, ...pluginOptions } = options;
  const emulator = await startEmulator({ port: 0, rateLimit: false, validateXml: true, ...emulatorOptions });
  const researchers: Record<string, string> = {};
  for (const [key, givenNames, familyName, email] of [
    ['author', 'Josiah', 'Carberry', 'josiah@example.org'],
    ['coauthor', 'Sofia', 'Garcia', 'sofia@example.org'],
    ['reviewer', 'Amara', 'Okafor', 'amara@example.org'],
  ] as const) {
    const res = await fetch(`${emulator.url}/_emulator/researchers`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ givenNames, familyName, email }),
    });
    researchers[key] = ((await res.json()) as { orcid: string }).orcid;
  }
  const app = new Koa();
  // Listen first (the plugin needs its public URL), attach Koa once its middleware is in place.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const orcid = await orcidConnect({
    publicUrl: url,
    storeUrl: 'sqlite::memory:',
    logLevel: 'silent',
    worker: { pollMs: 20, concurrency: 4 },
    currentUser: (ctx) => {
      const id = ctx.get('x-user');
      return id ? { id, roles: id.startsWith('editor') ? ['editor'] : [] } : null;
    },
    env: {},
    ...pluginOptions,
    orcid: { env: 'emulator', baseUrl: emulator.url, ...pluginOptions.orcid },
  } as OrcidConnectOptions);
  app.use(orcid.routes());
  app.use((ctx) => {
    ctx.body = `host page ${ctx.path}`;
  });
  server.on('request', app.callback());

  return {
    emulator, orcid, url, researchers,
    async close() {
      await orcid.close();
      await new Promise((r) => server.close(r));
      await emulator.close();
    },
    async connect(browser, startUrl, researcher, decision = 'authorize') {
      const toOrcid = await browser.request(startUrl);
      if (toOrcid.status !== 302 || !toOrcid.location?.startsWith(emulator.url)) return toOrcid;
      const authorize = new URL(toOrcid.location);
      const form: Record<string, string> = Object.fromEntries(authorize.searchParams);
      form.orcid = researcher;
      form.decision = decision;
      const consent = await browser.request(`${emulator.url}/oauth/authorize`, { form });
      if (!consent.location) throw new Error(`emulator consent answered ${consent.status}: ${consent.text.slice(0, 200)}`);
      return browser.request(consent.location);
    },
    async record(orcidId) {
      const res = await fetch(`${emulator.url}/_emulator/records/${orcidId}`);
      return (await res.json()) as { items: Array<{ type: string; putCode: string; xml: string }> };
    },
  };
}
