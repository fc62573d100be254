import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

/**
 * What the conformance suite talks to: the emulator (default, in `npm test`), or ORCID itself
 * when ORCID_CONFORMANCE_BASE_URL and sandbox credentials are set. The tests only speak HTTP to
 * `site` (OAuth, OpenID) and `api` (member API); a test that needs more than ORCID offers (the
 * emulator's control API, a browser sign-in, a second client) asks with `needs(...)` and is skipped
 * with its reason against ORCID.
 *
 * Environment for ORCID (sandbox):
 *   ORCID_CONFORMANCE_BASE_URL       https://sandbox.orcid.org
 *   ORCID_CONFORMANCE_API_URL        default: the base URL with `api.` before its host
 *   ORCID_CONFORMANCE_CLIENT_ID, ORCID_CONFORMANCE_CLIENT_SECRET   a member API client
 *   ORCID_CONFORMANCE_ORCID          a sandbox record that authorized the client, with
 *   ORCID_CONFORMANCE_TOKEN          its access token (/activities/update /read-limited)
 *   ORCID_CONFORMANCE_READ_TOKEN     optional: a token of the same record with /read-limited only
 *   ORCID_CONFORMANCE_OTHER_ORCID    optional: another sandbox record (for "token for another record")
 *   ORCID_CONFORMANCE_REDIRECT_URI   optional: a redirect URI registered for the client
 *   ORCID_CONFORMANCE_PREMIUM=1      optional: the client may register webhooks
 *   ORCID_CONFORMANCE_GROUP_UPDATE=1 optional: the client has /group-id-record/update (creates a group)
 */
export interface Target {
  kind: 'emulator' | 'orcid';
  /** OAuth + OpenID host, e.g. https://sandbox.orcid.org */
  site: string;
  /** member API host, e.g. https://api.sandbox.orcid.org */
  api: string;
  clientId: string;
  clientSecret: string;
  orcid: string;
  /** 3-legged, /activities/update /read-limited */
  token: string;
  /** 3-legged, /read-limited only (no /activities/update) */
  readOnlyToken: string | null;
  otherOrcid: string | null;
  redirectUri: string | null;
  premium: boolean;
  groupUpdate: boolean;
  /** the running emulator (its control API), or null against ORCID */
  emulator: RunningEmulator | null;
  close(): Promise<void>;
}

const env = (k: string): string | undefined => (process.env[k]?.trim() ? process.env[k]!.trim() : undefined);

export function remoteConfigured(): boolean {
  return env('ORCID_CONFORMANCE_BASE_URL') !== undefined;
}

/** Start (or describe) the target. Against the emulator: ORCID's rate limit and XSD validation stay on. */
export async function openTarget(): Promise<Target> {
  const base = env('ORCID_CONFORMANCE_BASE_URL');
  if (base) {
    const need = (k: string) => env(k) ?? (() => { throw new Error(`${k} must be set with ORCID_CONFORMANCE_BASE_URL (see README, "Conformance suite")`); })();
    const u = new URL(base);
    return {
      kind: 'orcid',
      site: u.origin,
      api: env('ORCID_CONFORMANCE_API_URL') ?? `${u.protocol}//api.${u.host}`,
      clientId: need('ORCID_CONFORMANCE_CLIENT_ID'),
      clientSecret: need('ORCID_CONFORMANCE_CLIENT_SECRET'),
      orcid: need('ORCID_CONFORMANCE_ORCID'),
      token: need('ORCID_CONFORMANCE_TOKEN'),
      readOnlyToken: env('ORCID_CONFORMANCE_READ_TOKEN') ?? null,
      otherOrcid: env('ORCID_CONFORMANCE_OTHER_ORCID') ?? null,
      redirectUri: env('ORCID_CONFORMANCE_REDIRECT_URI') ?? null,
      premium: env('ORCID_CONFORMANCE_PREMIUM') === '1',
      groupUpdate: env('ORCID_CONFORMANCE_GROUP_UPDATE') === '1',
      emulator: null,
      close: async () => undefined,
    };
  }
  const emulator = await startEmulator({ seed: 15 });
  const control = async (path: string, body: unknown) => {
    const res = await fetch(`${emulator.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as Record<string, string>;
  };
  const redirectUri = 'https://journal.example/orcid/callback';
  const client = await control('/clients', { name: 'Conformance Journal', redirectUris: [redirectUri], premium: true });
  const affiliations = [{ organization: 'Brown University', city: 'Providence', country: 'US', disambiguatedId: 'https://ror.org/05gq02987', disambiguationSource: 'ROR', roleTitle: 'Professor', startYear: '2010' }];
  const orcid = (await control('/researchers', { givenNames: 'Sofia', familyName: 'Garcia', affiliations })).orcid;
  const otherOrcid = (await control('/researchers', { givenNames: 'Other', familyName: 'Record' })).orcid;
  const token = (await control('/tokens', { orcid, clientId: client.clientId, scope: '/activities/update /read-limited' })).access_token;
  const readOnlyToken = (await control('/tokens', { orcid, clientId: client.clientId, scope: '/read-limited' })).access_token;
  return {
    kind: 'emulator',
    site: emulator.url,
    api: emulator.url,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    orcid,
    token,
    readOnlyToken,
    otherOrcid,
    redirectUri,
    premium: true,
    groupUpdate: true,
    emulator,
    close: () => emulator.close(),
  };
}

/**
 * Open the target with the network closed to everything but it (loopback for the emulator, the
 * ORCID hosts otherwise), as every suite here does with nock.
 */
export async function openGuardedTarget(): Promise<Target> {
  nock.disableNetConnect();
  const base = env('ORCID_CONFORMANCE_BASE_URL');
  const allowed = ['127.0.0.1', ...(base ? [new URL(base).hostname, `api.${new URL(base).hostname}`] : []), ...(env('ORCID_CONFORMANCE_API_URL') ? [new URL(env('ORCID_CONFORMANCE_API_URL')!).hostname] : [])];
  // nock hands the matcher `host` or `host:port`.
  nock.enableNetConnect((host) => allowed.some((a) => host === a || host.startsWith(`${a}:`)));
  return openTarget();
}

/** Give the network back as the other suites expect it. */
export function releaseNetwork(): void {
  nock.enableNetConnect();
}

/** Skip the running test with a visible reason unless `ok`. */
export function needs(ctx: Mocha.Context, ok: unknown, reason: string): void {
  if (ok) return;
  console.log(`      [conformance] skipped: ${reason}`);
  ctx.skip();
}

/** A value no earlier run used, so runs against the sandbox never collide with themselves. */
export const unique = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export const XML = 'application/vnd.orcid+xml';
export const JSON_TYPE = 'application/vnd.orcid+json';

/** A member API call with a bearer token; XML both ways unless headers say otherwise. */
export function api(t: Target, method: string, path: string, token: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: XML, ...(body === undefined ? {} : { 'content-type': XML }), ...headers },
    body,
  });
}

/** A client-credentials token for `scope`, through the token endpoint (works against ORCID too). */
export async function clientToken(t: Target, scope: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.site}/oauth/token`, {
    method: 'POST',
    headers: { accept: 'application/json' },
    body: new URLSearchParams({ client_id: t.clientId, client_secret: t.clientSecret, grant_type: 'client_credentials', scope }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The put-code at the end of a Location header. */
export const putCodeOf = (res: Response): string => res.headers.get('location')!.split('/').pop()!;

/** ORCID's error code from an XML or JSON error body. */
export function errorCode(body: string): number | null {
  const m = /<(?:error:)?error-code>(\d+)</.exec(body) ?? /"error-code"\s*:\s*(\d+)/.exec(body);
  return m ? Number(m[1]) : null;
}
