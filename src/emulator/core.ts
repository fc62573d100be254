import { createHash } from 'node:crypto';
import { validateOrcidXml, type OrcidSchemaName, type XsdValidationResult } from '../orcid/xsd.js';
import { NO_FAULTS, type FaultSettings } from './faults.js';
import type { RateLimiter, RateLimitSettings } from "./rate-limit.js";
import { displayName } from './render.js';
import { EmulatorState, newOrcidId, randomUuid, type ClientRegistration, type Researcher, type ResearcherInput, type TokenRecord } from './state.js';
import type { OpenIdKeys } from './openid.js';
import type { WebhookNotifier } from './webhooks.js';

/** What every route of the emulator shares: state, clock, randomness, limits, faults, stats. */
export interface EmulatorCore {
  state: EmulatorState;
  now: () => Date;
  random: () => number;
  /** public base URL, set once the server listens */
  baseUrl: string;
  validateXml: boolean;
  /** lifetime of issued access tokens, seconds (ORCID: ~20 years) */
  tokenLifetimeSeconds: number;
  limiter: RateLimiter;
  faults: FaultSettings;
  notifier: WebhookNotifier;
  stats: Stats;
  /** clients given at start; survive a reset */
  initialClients: ClientRegistration[];
  initialRateLimit: RateLimitSettings | null;
  /** host of source and record URIs, e.g. `sandbox.orcid.org` */
  orcidHost: string;
  /** the OpenID Connect signing key */
  keys: OpenIdKeys;
  log: (msg: string, data?: Record<string, unknown>) => void;
}

export interface Stats {
  requests: Record<string, Record<string, number>>;
  rateLimited: number;
  faults: { errors: number; resets: number; forced429: number; forced503: number };
}

export function emptyStats(): Stats {
  return { requests: {}, rateLimited: 0, faults: { errors: 0, resets: 0, forced429: 0, forced503: 0 } };
}

export function resetFaults(core: EmulatorCore): void {
  core.faults = { ...NO_FAULTS };
}

/** ORCID's token lifetime: 631138518 s, about 20 years. */
export const ORCID_TOKEN_LIFETIME_SECONDS = 631_138_518;

const cache = new Map<string, XsdValidationResult>();

/**
 * XSD validation with a cache keyed by payload hash: xmllint-wasm costs ~120 ms a call and
 * clients (and tests) resend the same payloads.
 */
export async function validateCached(xml: string, schema: OrcidSchemaName): Promise<XsdValidationResult> {
  const key = createHash('sha256').update(schema).update('\0').update(xml).digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  const result = await validateOrcidXml(xml, schema);
  if (cache.size > 1000) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

/**
 * ORCID's token response (../shared/orcid-model/README.md, "OAuth"): 3-legged tokens carry the
 * researcher's `name`; client-credentials tokens have `"orcid": null` and no `name` key.
 */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  refresh_token: string;
  expires_in: number;
  scope: string;
  name?: string;
  orcid: string | null;
  id_token?: string;
}

/** Issue a token and answer in exactly ORCID's token-response shape; `lifetimeSeconds` as asked on refresh. */
export function issueToken(core: EmulatorCore, clientId: string, orcid: string | null, scope: string[], lifetimeSeconds = core.tokenLifetimeSeconds): TokenResponse {
  const t: TokenRecord = {
    accessToken: randomUuid(),
    refreshToken: randomUuid(),
    clientId,
    orcid,
    scope,
    expiresAt: core.now().getTime() + lifetimeSeconds * 1000,
    revoked: false,
  };
  core.state.addToken(t);
  core.state.changed();
  return tokenResponse(core, t);
}

export function tokenResponse(core: EmulatorCore, t: TokenRecord): TokenResponse {
  const r = t.orcid ? core.state.researcher(t.orcid) : undefined;
  const expiresIn = Math.max(0, Math.floor((t.expiresAt - core.now().getTime()) / 1000));
  const head = { access_token: t.accessToken, token_type: 'bearer' as const, refresh_token: t.refreshToken, expires_in: expiresIn, scope: t.scope.join(' ') };
  return t.orcid === null ? { ...head, orcid: null } : { ...head, name: r ? displayName(r) : '', orcid: t.orcid };
}

export function addResearcher(core: EmulatorCore, input: ResearcherInput): Researcher {
  const orcid = input.orcid ?? newOrcidId((id) => core.state.researcher(id) !== undefined, core.random);
  const at = core.now().toISOString();
  const r: Researcher = {
    orcid,
    givenNames: input.givenNames,
    familyName: input.familyName,
    email: input.email,
    affiliations: input.affiliations ?? [],
    createdAt: at,
    modifiedAt: at,
  };
  core.state.addResearcher(r);
  core.state.changed();
  return r;
}

/** A record changed: persist and notify the webhooks registered for it. */
export function recordChanged(core: EmulatorCore, orcid: string): void {
  core.state.changed();
  core.notifier.notify(core.state.data.webhooks, orcid);
}
