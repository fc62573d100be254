import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import type { TokenResponse } from '../../src/emulator/core.js';

export const SAMPLES = join(import.meta.dirname, '..', '..', 'vendor', 'orcid-model', 'record_3.0', 'samples', 'write_samples');
export const sample = (name: string): string => readFileSync(join(SAMPLES, name), 'utf8');
export const XML = 'application/vnd.orcid+xml';
export const DEMO = { id: 'APP-DEMO000000000000', secret: 'demo-secret' };

export interface Harness {
  emu: RunningEmulator;
  url: string;
  control<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  researcher(given?: string, family?: string): Promise<string>;
  token(orcid: string | null, scope: string, clientId?: string): Promise<TokenResponse>;
  api(method: string, path: string, token: string, body?: string, headers?: Record<string, string>): Promise<Response>;
}

export async function harness(options: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ validateXml: false, rateLimit: false, seed: 42, ...options });
  const h: Harness = {
    emu,
    url: emu.url,
    async control(method, path, body) {
      const res = await fetch(`${emu.url}/_emulator${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    async researcher(given = 'Ada', family = 'Lovelace') {
      return (await h.control('POST', '/researchers', { givenNames: given, familyName: family, email: `${family.toLowerCase()}@example.org` })).body.orcid;
    },
    async token(orcid, scope, clientId = DEMO.id) {
      return (await h.control('POST', '/tokens', { orcid, clientId, scope })).body;
    },
    api(method, path, token, body, headers = {}) {
      return fetch(`${emu.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: XML, ...(body === undefined ? {} : { 'content-type': XML }), ...headers },
        body,
      });
    },
  };
  return h;
}

export const workXml = (doi: string, title = 'A title'): string =>
  `<?xml version="1.0" encoding="UTF-8"?><work:work xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work"><work:title><common:title>${title}</common:title></work:title><work:type>journal-article</work:type><common:external-ids><common:external-id><common:external-id-type>doi</common:external-id-type><common:external-id-value>${doi}</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id></common:external-ids></work:work>`;
