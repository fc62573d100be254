/**
 * Options + environment → one validated configuration. Options win over the environment, the
 * environment over defaults. The JSON Schema in plugin-manifest.json is the single source of
 * truth for names, environment variables and defaults; rules that span settings live here.
 * Every problem is collected and thrown together as one {@link ConfigError}, so an operator
 * fixes a deployment in one round instead of one error per restart.
 */
import { isIP } from 'node:net';
import { ConfigError, type ConfigProblem } from './errors.js';
import { WORST_CHAIN_CALLS, minimumLeaseMs } from './sync/lease.js';
import { issnCheckDigit } from './orcid/payload-common.js';
import type { JournalSettings, Organization, OrcidCredentialsSettings, ReviewPolicy } from './types.js';
import { journalListProblems } from './journals/schema.js';
import { deepMerge, getPath, readEnv, schemaProblems, setPath, settingLeaves, type SettingLeaf } from './config-env.js';
import { DEV_ONLY_DEFAULTS, devValuesInUse, secretProblems } from './config-secrets.js';

export { pluginManifest } from './config-env.js';
export { DEV_ONLY_DEFAULTS, DEV_DEFAULTS_IN_USE } from './config-secrets.js';

/** Recursively optional: what `loadConfig` accepts. */
export type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

export type OrcidEnvironment = 'production' | 'sandbox' | 'emulator';
export type OrcidScope = '/authenticate' | '/activities/update' | '/read-limited' | '/webhook';

/** Every setting. Each has an environment variable (in brackets); see plugin-manifest.json. */
export interface Settings {
  orcid: {
    /** [ORCID_ENV] Default `'emulator'` when `NODE_ENV` is not `production`; required when it is. */
    env: OrcidEnvironment;
    /** [ORCID_BASE_URL] ORCID site. Default per env: `https://orcid.org`, `https://sandbox.orcid.org`, `http://127.0.0.1:8787`. */
    baseUrl: string;
    /** [ORCID_CLIENT_ID] `APP-XXXXXXXXXXXXXXXX`. Required for sandbox/production; emulator default `APP-DEMO000000000000` (dev-only). */
    clientId: string;
    /** [ORCID_CLIENT_SECRET] Required for sandbox/production; emulator default is dev-only. */
    clientSecret: string;
    /** [ORCID_SCOPES] Default `['/authenticate', '/activities/update', '/read-limited']` (`['/authenticate']` when `authenticateOnly`). */
    scopes: OrcidScope[];
    /** [ORCID_AUTHENTICATE_ONLY] Public-API client: collect iDs, never post. Default `false`. */
    authenticateOnly: boolean;
    /** [ORCID_PREMIUM] ORCID Premium member (webhooks). Default `false`. */
    premium: boolean;
  };
  /** [PUBLIC_URL] The host's external base URL; https required in production. Default `http://localhost:3000` outside production. */
  publicUrl: string;
  /** [ORCID_MOUNT_PATH] Default `'/orcid'`. */
  mountPath: string;
  /** [STORE_URL] `sqlite:<path>`, `mongodb://…`, `mongodb+srv://…`, `postgres://…` (`?schema=`). Default `sqlite:./data/orcid.db`. */
  storeUrl: string;
  /** [ORCID_TOKEN_KEY] Base64 of 32 bytes (AES-256-GCM). Required in production; dev-only default elsewhere. */
  tokenKey: string;
  /** [ORCID_TOKEN_KEYS_PREVIOUS] Older keys still accepted for decryption (rotation). Default `[]`. */
  previousTokenKeys: string[];
  /** [SESSION_KEYS] Sign the plugin's session cookie and CSRF tokens, newest first. Required in production; dev-only default elsewhere. */
  sessionKeys: string[];
  /** [INVITATION_SECRET] Signs invitation links. Required in production; dev-only default elsewhere. */
  invitationSecret: string;
  journal: {
    /** [JOURNAL_TITLE] Required outside the emulator; emulator default `'Journal of Emulated Research'`. */
    title: string;
    /** [JOURNAL_ISSN] Print ISSN `1234-567X`. No default (emulator: `0000-0000`). */
    issn?: string;
    /** [JOURNAL_EISSN] Electronic ISSN. No default. */
    eissn?: string;
    /** [JOURNAL_PUBLISHER] No default. */
    publisher?: string;
    /**
     * [JOURNAL_REVIEW_POLICY] Default `'blind'`: a peer-review item names the journal, role, type and
     * date only. `'open-identities'` adds the article's title, DOI and URL once it is published;
     * `'open-review'` also the review's URL and DOI (docs/peer-review.md).
     */
    reviewPolicy: ReviewPolicy;
  };
  /**
   * [ORCID_JOURNALS] More journals this instance serves (JSON in the environment). Default `[]`: the one
   * journal `default`, made from `journal.*` and `orcid.*` (listing `default` here replaces it). docs/many-journals.md.
   */
  journals: JournalSettings[];
  /** [ORCID_CREDENTIALS] ORCID member clients journals post with (JSON in the environment). Default `[]`: only `default`, the `orcid.*` settings. */
  orcidCredentials: OrcidCredentialsSettings[];
  /** [CONVENING_ORG_*] Convening organization of peer reviews. Required while peer reviews are enabled (emulator: a demo org). */
  convening?: Partial<Organization> & { disambiguationSource?: 'ROR' | 'GRID' | 'RINGGOLD' };
  peerReviews: {
    /** [ORCID_PEER_REVIEWS] Default `true`. */
    enabled: boolean;
    /** [ORCID_PEER_REVIEW_GROUP_ID] Default: `issn:<issn or eissn>`. */
    groupId?: string;
  };
  mail: {
    /** [MAIL_TRANSPORT] Default `'capture'`, `'smtp'` in production. */
    transport: 'smtp' | 'capture' | 'json';
    /** [SMTP_URL] Required with the smtp transport. */
    smtpUrl?: string;
    /** [MAIL_FROM] Default `'ORCID at Journal <no-reply@localhost>'`. */
    from: string;
  };
  invitations: {
    /** [INVITATION_EXPIRY_DAYS] Default `30`. */
    expiryDays: number;
    /** [INVITATION_REMINDER_DAYS] Default `7`; `0` disables reminders. */
    reminderDays: number;
  };
  policies: {
    /**
     * [ORCID_RETRACTION_POLICY] Default `'update'`: the work stays on the record marked as retracted,
     * as COPE and Crossref recommend over silent removal. `'delete'` removes it.
     */
    retraction: 'update' | 'delete';
    /** [ORCID_UNLINK_POLICY] Default `'delete'`: a researcher who unlinks gets our items removed. */
    unlink: 'delete' | 'keep';
  };
  display: {
    /** [ORCID_DISPLAY_UNAUTHENTICATED] Default `'hide'`. */
    unauthenticatedIds: 'show' | 'hide';
  };
  worker: {
    /** [ORCID_WORKER_CONCURRENCY] Default `4`. */
    concurrency: number;
    rateLimit: {
      /** [ORCID_RATE_LIMIT] Default `20` (ORCID allows 24/s), every process on the store together. */
      perSecond: number;
      /** [ORCID_RATE_LIMIT_BURST] Default `40`, every process on the store together. */
      burst: number;
      /** [ORCID_RATE_LIMIT_BATCH] Default `4`: the most tokens one round trip to the store takes. */
      batch: number;
    };
    /** [ORCID_MAX_ATTEMPTS] Default `8`: attempts after unexpected answers from ORCID, then the job is parked. */
    maxAttempts: number;
    /** [ORCID_PARK_AFTER_HOURS] Default `72`: hours of continuous throttling or outage before a job is parked. */
    parkAfterHours: number;
    /** [ORCID_LEASE_MS] Default `60000`. */
    leaseMs: number;
    /** [ORCID_TIMEOUT_MS] Default `15000`. */
    timeoutMs: number;
    /** [ORCID_POLL_MS] Default `1000`. */
    pollMs: number;
  };
  webhooks: {
    /** [ORCID_WEBHOOKS] Default `false`; needs `orcid.premium`. */
    enabled: boolean;
    /** [ORCID_WEBHOOK_SECRET] Required when webhooks are enabled. */
    secret?: string;
  };
  metrics: {
    /** [ORCID_METRICS] Default `false`. */
    enabled: boolean;
    /** [ORCID_METRICS_TOKEN] Bearer token the metrics route requires. No default (off). */
    token?: string;
    /** [ORCID_METRICS_ALLOW_FROM] Addresses or CIDR blocks allowed to read the metrics. Default `[]` (any). */
    allowFrom: string[];
  };
  /** [LOG_LEVEL] Default `'info'`. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** [ORCID_LOCALE] Default `'en'`. */
  locale: 'en' | 'zh-Hans';
}

/** The validated configuration, with values derived from the settings. */
export interface ResolvedConfig extends Omit<Settings, 'orcid' | 'convening' | 'peerReviews'> {
  orcid: Settings['orcid'] & {
    /** Member API base, e.g. `https://api.sandbox.orcid.org/v3.0` (emulator: `<baseUrl>/v3.0`). */
    apiUrl: string;
  };
  /** Present (complete) when given, or when peer reviews need it. */
  convening: Organization | undefined;
  peerReviews: { enabled: boolean; groupId: string | undefined };
  /** `<publicUrl><mountPath>/callback`, the redirect URI to register at ORCID. */
  redirectUri: string;
  /** Decoded AES keys: the current one first, then previous ones. */
  tokenKeys: Buffer[];
  /** Settings filled with public dev-only values; a host should warn when this is not empty. */
  devOnly: string[];
}

const SITE: Record<Exclude<OrcidEnvironment, 'emulator'>, { baseUrl: string; apiUrl: string }> = {
  production: { baseUrl: 'https://orcid.org', apiUrl: 'https://api.orcid.org/v3.0' },
  sandbox: { baseUrl: 'https://sandbox.orcid.org', apiUrl: 'https://api.sandbox.orcid.org/v3.0' },
};

const EMULATOR_DEMO = {
  journal: { title: 'Journal of Emulated Research', issn: '0000-0000' },
  convening: { name: 'Emulated Research Publishing', city: 'Cambridge', country: 'GB', disambiguatedId: 'https://ror.org/00emulated', disambiguationSource: 'ROR' },
};

/**
 * Build the configuration from options and the environment, validated.
 * @throws {ConfigError} listing every problem, each naming the setting and its environment variable.
 * @example
 * const config = loadConfig({ orcid: { env: 'sandbox' } }, { ORCID_CLIENT_ID: 'APP-…', ORCID_CLIENT_SECRET: '…', … });
 */
export function loadConfig(options: DeepPartial<Settings> = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const leaves = settingLeaves();
  const envRead = readEnv(env, leaves);
  const given = deepMerge(envRead.values, options as Record<string, unknown>);
  const chosenEnv = getPath(given, ['orcid', 'env']) as string | undefined;
  // The emulator's public development keys are a safe default on a laptop, never on a server that
  // forgot ORCID_ENV: there it would post nowhere and accept forged sessions (issue 20).
  if (chosenEnv === undefined && env.NODE_ENV === 'production') {
    throw new ConfigError([withEnvName({ setting: 'orcid.env', problem: 'is required when NODE_ENV is "production" (the emulator default is for development only): set it to "production" or "sandbox"' }, leaves)]);
  }
  const orcidEnv = chosenEnv ?? 'emulator';
  const defaults = defaultsFor(orcidEnv, given, leaves);
  const merged = deepMerge(defaults, given);
  const devUsed = devValuesInUse(merged as unknown as Settings);

  const problems: ConfigProblem[] = [...envRead.problems];
  const badPaths = new Set(problems.map((p) => p.setting));
  for (const p of schemaProblems(merged, leaves, envRead.fromEnv)) if (!badPaths.has(p.setting)) problems.push(p);
  problems.push(...crossFieldProblems(merged as unknown as Settings));
  // The journals' item schemas are checked again with their rules: a problem is said once.
  const said = new Set<string>();
  const unique = problems.filter((p) => !said.has(`${p.setting}\n${p.problem}`) && said.add(`${p.setting}\n${p.problem}`));
  if (unique.length > 0) throw new ConfigError(unique.map((p) => withEnvName(p, leaves)));
  return resolve(merged as unknown as Settings, devUsed);
}

function defaultsFor(orcidEnv: string, given: Record<string, unknown>, leaves: SettingLeaf[]) {
  const defaults: Record<string, unknown> = {};
  for (const leaf of leaves) if (leaf.schema.default !== undefined && leaf.schema.default !== null) setPath(defaults, leaf.keys, leaf.schema.default);
  // The schema carries the emulator defaults; other environments must be configured explicitly.
  if (orcidEnv !== 'emulator') {
    setPath(defaults, ['orcid', 'baseUrl'], SITE[orcidEnv as keyof typeof SITE]?.baseUrl ?? SITE.production.baseUrl);
    for (const path of ['orcid.clientId', 'orcid.clientSecret', 'journal.title']) setPath(defaults, path.split('.'), undefined);
    setPath(defaults, ['mail', 'transport'], orcidEnv === 'production' ? 'smtp' : 'capture');
  } else {
    // A demo journal and convening org let `npm start` run with no configuration at all.
    // Merged, so that the schema's journal defaults (reviewPolicy) stay.
    if (getPath(given, ['journal']) === undefined) setPath(defaults, ['journal'], { ...(getPath(defaults, ['journal']) as object | undefined), ...EMULATOR_DEMO.journal });
    if (getPath(given, ['convening']) === undefined) setPath(defaults, ['convening'], { ...EMULATOR_DEMO.convening });
  }
  // Outside the emulator there are no development secrets to fall back to (issue 13, findings 1 and 5).
  if (orcidEnv !== 'emulator') for (const path of ['tokenKey', 'sessionKeys', 'invitationSecret']) setPath(defaults, path.split('.'), undefined);
  if (orcidEnv === 'production') setPath(defaults, ['publicUrl'], undefined);
  if (getPath(given, ['orcid', 'authenticateOnly']) === true) setPath(defaults, ['orcid', 'scopes'], ['/authenticate']);
  return defaults;
}

function crossFieldProblems(s: Settings): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (setting: string, problem: string) => out.push({ setting, problem });
  const orcidEnv = s.orcid?.env;
  const real = orcidEnv === 'production' || orcidEnv === 'sandbox';
  if (real) {
    for (const key of ['clientId', 'clientSecret'] as const) {
      if (!s.orcid[key]) add(`orcid.${key}`, `is required when orcid.env is "${orcidEnv}"`);
    }
    if (s.orcid.clientId && !/^APP-[0-9A-Z]{16}$/.test(s.orcid.clientId)) add('orcid.clientId', `must be an ORCID client id, APP- and 16 characters (got "${s.orcid.clientId}")`);
    if (!s.journal?.title) add('journal.title', `is required when orcid.env is "${orcidEnv}"`);
    for (const path of ['tokenKey', 'sessionKeys', 'invitationSecret']) {
      if (getPath(s, path.split('.')) === undefined) add(path, orcidEnv === 'production' ? 'is required in production' : `is required when orcid.env is "${orcidEnv}"`);
    }
    if (s.orcid.clientSecret === DEV_ONLY_DEFAULTS['orcid.clientSecret']) add('orcid.clientSecret', `is the public dev-only value; use the secret ORCID issued for ${orcidEnv}`);
    out.push(...secretProblems(s));
  }
  if (orcidEnv === 'production') {
    if (s.publicUrl === undefined) add('publicUrl', 'is required in production');
    if (s.publicUrl && !s.publicUrl.startsWith('https://')) add('publicUrl', `must be an https URL in production (got "${s.publicUrl}")`);
  }
  for (const [path, key] of [['tokenKey', s.tokenKey], ...(s.previousTokenKeys ?? []).map((k, i) => [`previousTokenKeys`, k, i])] as [string, string | undefined, number?][]) {
    if (typeof key === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length !== 32) {
      add(path, `must be the base64 of exactly 32 bytes, decodes to ${Buffer.from(key, 'base64').length} bytes (generate one with: openssl rand -base64 32)`);
    }
  }
  for (const key of ['issn', 'eissn'] as const) {
    const issn = s.journal?.[key];
    // The schema checks the form; the check digit catches a mistyped number (issue 14).
    if (typeof issn === 'string' && /^\d{4}-\d{3}[\dX]$/.test(issn) && issn[8] !== issnCheckDigit(issn.replace('-', '').slice(0, 7))) {
      add(`journal.${key}`, `"${issn}" is not an ISSN: its check digit should be ${issnCheckDigit(issn.replace('-', '').slice(0, 7))}`);
    }
  }
  if (typeof s.storeUrl === 'string' && /^sqlite:\s*$/.test(s.storeUrl)) add('storeUrl', 'sqlite: needs a file path, e.g. sqlite:./data/orcid.db');
  const postsToRecords = !s.orcid?.authenticateOnly;
  if (s.peerReviews?.enabled && postsToRecords) {
    for (const key of ['name', 'city', 'country', 'disambiguatedId', 'disambiguationSource'] as const) {
      if (!s.convening?.[key]) add(`convening.${key}`, 'is required for peer reviews (ORCID needs the convening organization); or set peerReviews.enabled to false');
    }
    if (!s.peerReviews.groupId && !s.journal?.issn && !s.journal?.eissn) {
      add('peerReviews.groupId', 'is required for peer reviews when the journal has no ISSN (set journal.issn or peerReviews.groupId)');
    }
  }
  const scopes = s.orcid?.scopes ?? [];
  if (Array.isArray(scopes)) {
    if (!scopes.includes('/authenticate')) add('orcid.scopes', 'must include "/authenticate"');
    if (s.orcid?.authenticateOnly && scopes.some((x) => x !== '/authenticate')) add('orcid.scopes', 'a public-API client (orcid.authenticateOnly) may only request "/authenticate"');
    if (scopes.includes('/webhook') && !s.orcid?.premium) add('orcid.scopes', '"/webhook" needs an ORCID Premium membership (orcid.premium)');
  }
  if (s.mail?.transport === 'smtp' && !s.mail.smtpUrl) add('mail.smtpUrl', 'is required with the smtp mail transport');
  if (s.webhooks?.enabled) {
    if (!s.orcid?.premium) add('webhooks.enabled', 'ORCID webhooks need an ORCID Premium membership (set orcid.premium)');
    if (!s.webhooks.secret) add('webhooks.secret', 'is required when webhooks are enabled');
  }
  for (const entry of s.metrics?.allowFrom ?? []) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))) {
      add('metrics.allowFrom', `"${entry}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1)`);
    }
  }
  if (s.invitations && s.invitations.reminderDays >= s.invitations.expiryDays) {
    add('invitations.reminderDays', `must be less than invitations.expiryDays (${s.invitations.expiryDays}), or the reminder comes after the link expired`);
  }
  if (Array.isArray(s.journals) && Array.isArray(s.orcidCredentials) && s.invitations) {
    out.push(...journalListProblems(s.journals, s.orcidCredentials, { invitations: s.invitations, env: orcidEnv ?? 'emulator' }));
  }
  if (s.worker && s.worker.leaseMs < minimumLeaseMs(s.worker.timeoutMs)) {
    add('worker.leaseMs', `must be at least ${minimumLeaseMs(s.worker.timeoutMs)} ms (${WORST_CHAIN_CALLS} calls to ORCID of up to worker.timeoutMs = ${s.worker.timeoutMs} ms each: refresh, POST, summaries, PUT), or a job can lose its lease in the middle of its calls`);
  }
  return out;
}

function withEnvName(p: ConfigProblem, leaves: SettingLeaf[]): ConfigProblem & { env?: string } {
  const env = leaves.find((l) => l.path === p.setting)?.env;
  if (!env || p.problem.includes(`environment variable ${env}`)) return env ? { ...p, env } : p;
  return { ...p, env, problem: `${p.problem} [option "${p.setting}" or environment variable ${env}]` };
}

/**
 * The ORCID site and member API of an environment: `baseUrl` when given (a custom one, a proxy or a
 * staging mirror, carries the API under /v3.0 like the emulator does), else the environment's own.
 */
export function orcidSiteUrls(env: OrcidEnvironment, baseUrlIn: string | undefined, emulatorBaseUrl: string): { baseUrl: string; apiUrl: string } {
  const site = env === 'emulator' ? undefined : SITE[env];
  const baseUrl = (baseUrlIn ?? site?.baseUrl ?? emulatorBaseUrl).replace(/\/+$/, '');
  return { baseUrl, apiUrl: site && baseUrl === site.baseUrl ? site.apiUrl : `${baseUrl}/v3.0` };
}

function resolve(s: Settings, devUsed: string[]): ResolvedConfig {
  const publicUrl = s.publicUrl.replace(/\/+$/, '');
  const { baseUrl, apiUrl } = orcidSiteUrls(s.orcid.env, s.orcid.baseUrl, s.orcid.baseUrl);
  const c = s.convening;
  const convening = c?.name && c.city && c.country && c.disambiguatedId && c.disambiguationSource
    ? ({ name: c.name, city: c.city, ...(c.region ? { region: c.region } : {}), country: c.country, disambiguatedId: c.disambiguatedId, disambiguationSource: c.disambiguationSource } as Organization)
    : undefined;
  const issn = s.journal.issn ?? s.journal.eissn;
  return {
    ...s,
    orcid: { ...s.orcid, baseUrl, apiUrl },
    publicUrl,
    convening,
    peerReviews: { enabled: s.peerReviews.enabled && !s.orcid.authenticateOnly, groupId: s.peerReviews.groupId ?? (issn ? `issn:${issn}` : undefined) },
    redirectUri: `${publicUrl}${s.mountPath}/callback`,
    tokenKeys: [s.tokenKey, ...s.previousTokenKeys].map((k) => Buffer.from(k, 'base64')),
    devOnly: devUsed,
  };
}
