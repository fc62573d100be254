/**
 * Where each ORCID environment lives. The only place that knows ORCID's host names.
 * https://info.orcid.org/documentation/api-tutorials/api-tutorial-get-and-authenticated-orcid-id/
 */

export type OrcidEnv = 'production' | 'sandbox' | 'emulator';

export interface OrcidHosts {
  /** 3-legged OAuth sign-in page, e.g. `https://orcid.org/oauth/authorize`. */
  authorizeUrl: string;
  /** Token endpoint (authorization_code, refresh_token, client_credentials). */
  tokenUrl: string;
  /** Token revocation endpoint. */
  revokeUrl: string;
  /** Member API v3.0, e.g. `https://api.orcid.org/v3.0`. */
  apiBase: string;
  /** Public API v3.0, e.g. `https://pub.orcid.org/v3.0`. */
  publicApiBase: string;
  /** Where records are shown to people and the iD URI prefix, e.g. `https://orcid.org`. */
  recordBase: string;
}

/** Default address of the bundled emulator (`koa-orcid-connect emulator`). */
export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:8787';

const KNOWN: Record<'production' | 'sandbox', { web: string; api: string; pub: string }> = {
  production: { web: 'https://orcid.org', api: 'https://api.orcid.org', pub: 'https://pub.orcid.org' },
  sandbox: { web: 'https://sandbox.orcid.org', api: 'https://api.sandbox.orcid.org', pub: 'https://pub.sandbox.orcid.org' },
};

/**
 * The URLs of one ORCID environment. A `baseUrl` (ORCID_BASE_URL) wins over `env`: everything is
 * then served from that one host with ORCID's paths, which is how the emulator is laid out — so a
 * sandbox-configured deployment can be pointed at the emulator without touching anything else.
 * @example orcidHosts('sandbox').apiBase // 'https://api.sandbox.orcid.org/v3.0'
 * @example orcidHosts('emulator').tokenUrl // 'http://127.0.0.1:8787/oauth/token'
 */
export function orcidHosts(env: OrcidEnv, baseUrl?: string): OrcidHosts {
  if (baseUrl !== undefined || env === 'emulator') return singleHost(baseUrl ?? DEFAULT_EMULATOR_URL);
  const known = KNOWN[env];
  if (!known) throw new TypeError(`"env" must be one of production, sandbox, emulator; got ${JSON.stringify(env)}`);
  return {
    authorizeUrl: `${known.web}/oauth/authorize`,
    tokenUrl: `${known.web}/oauth/token`,
    revokeUrl: `${known.web}/oauth/revoke`,
    apiBase: `${known.api}/v3.0`,
    publicApiBase: `${known.pub}/v3.0`,
    recordBase: known.web,
  };
}

function singleHost(baseUrl: string): OrcidHosts {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new TypeError(`"baseUrl" must be an absolute http(s) URL; got ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`"baseUrl" must be an absolute http(s) URL; got ${JSON.stringify(baseUrl)}`);
  }
  // Keep a path prefix if the emulator is mounted below one; drop trailing slashes so joins are clean.
  const base = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
  return {
    authorizeUrl: `${base}/oauth/authorize`,
    tokenUrl: `${base}/oauth/token`,
    revokeUrl: `${base}/oauth/revoke`,
    apiBase: `${base}/v3.0`,
    publicApiBase: `${base}/v3.0`,
    recordBase: base,
  };
}
