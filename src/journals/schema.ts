/**
 * Validation of a journal and of an ORCID credentials record: the JSON Schema items of the
 * `journals` and `orcidCredentials` settings in plugin-manifest.json (the same ajv as every
 * setting), then the rules the schema cannot say (ISSN check digits, reminder before expiry,
 * a real client id outside the emulator). Pure: every problem names its path, secrets are never echoed.
 */
import type { ConfigProblem } from '../errors.js';
import { compileSettingSchema, describeSchemaError, pluginManifest, type SettingSchema } from '../config-env.js';
import { issnCheckDigit } from '../orcid/payload-common.js';
import { DEV_ONLY_DEFAULTS } from '../config-secrets.js';
import type { JournalSettings, OrcidCredentialsSettings } from '../types.js';

type Validator = ReturnType<typeof compileSettingSchema>;
const compiled = new Map<string, Validator>();

function itemSchema(setting: 'journals' | 'orcidCredentials'): SettingSchema {
  return pluginManifest.settingsSchema.properties[setting]!.items!;
}

/** Schema problems of one record, each path prefixed with `path` (`journals[2]`, `journal`). */
function schemaProblemsOf(setting: 'journals' | 'orcidCredentials', value: unknown, path: string): ConfigProblem[] {
  let validate = compiled.get(setting);
  if (!validate) compiled.set(setting, (validate = compileSettingSchema(itemSchema(setting))));
  if (validate(value)) return [];
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const err of validate.errors ?? []) {
    const p = describeSchemaError(err, new Map(), value, new Set(), itemSchema(setting), [path]);
    if (seen.has(p.setting)) continue;
    seen.add(p.setting);
    out.push(p);
  }
  return out;
}

/** The global settings a journal's rules are checked against (what its left-out fields become). */
export interface JournalRuleContext {
  invitations: { expiryDays: number; reminderDays: number };
  /** Credentials ids a journal may name; undefined: not checked here (the registry checks the store). */
  credentialsIds?: ReadonlySet<string>;
}

export function journalProblems(value: unknown, path: string, ctx: JournalRuleContext): ConfigProblem[] {
  const problems = schemaProblemsOf('journals', value, path);
  if (problems.length > 0) return problems;
  const j = value as JournalSettings;
  const add = (setting: string, problem: string) => problems.push({ setting: `${path}.${setting}`, problem });
  for (const key of ['issn', 'eissn'] as const) {
    const issn = j[key];
    if (issn !== undefined && issn[8] !== issnCheckDigit(issn.replace('-', '').slice(0, 7))) {
      add(key, `"${issn}" is not an ISSN: its check digit should be ${issnCheckDigit(issn.replace('-', '').slice(0, 7))}`);
    }
  }
  const expiryDays = j.invitations?.expiryDays ?? ctx.invitations.expiryDays;
  const reminderDays = j.invitations?.reminderDays ?? ctx.invitations.reminderDays;
  if (reminderDays >= expiryDays) add('invitations.reminderDays', `must be less than the expiry (${expiryDays} days), or the reminder comes after the link expired`);
  if (ctx.credentialsIds && !ctx.credentialsIds.has(j.credentialsId)) {
    add('credentialsId', `names no credentials record ("${j.credentialsId}"); known: ${[...ctx.credentialsIds].map((c) => `"${c}"`).join(', ')}`);
  }
  return problems;
}

export function credentialsProblems(value: unknown, path: string, defaultEnv: string): ConfigProblem[] {
  const problems = schemaProblemsOf('orcidCredentials', value, path);
  if (problems.length > 0) return problems;
  const c = value as OrcidCredentialsSettings;
  const env = c.env ?? defaultEnv;
  const add = (setting: string, problem: string) => problems.push({ setting: `${path}.${setting}`, problem });
  // The worker's member API client and its shared rate budget are the instance's (orcid.*).
  if (env !== defaultEnv) add('env', `must be orcid.env ("${defaultEnv}"): one instance posts to one ORCID environment (got "${env}")`);
  if (env === 'production' || env === 'sandbox') {
    if (!/^APP-[0-9A-Z]{16}$/.test(c.clientId)) add('clientId', `must be an ORCID client id, APP- and 16 characters (got "${c.clientId}")`);
    if (c.clientSecret === DEV_ONLY_DEFAULTS['orcid.clientSecret']) add('clientSecret', `is the public dev-only value; use the secret ORCID issued for ${env}`);
  }
  if (c.webhookSecret !== undefined && !c.premium) add('webhookSecret', 'needs an ORCID Premium membership (set premium: true)');
  return problems;
}

/** Problems of the `journals` and `orcidCredentials` settings together: each record, unique ids, and references. */
export function journalListProblems(journals: unknown[], credentials: unknown[], ctx: Omit<JournalRuleContext, 'credentialsIds'> & { env: string }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const credentialIds = new Set<string>(['default']);
  credentials.forEach((c, i) => {
    problems.push(...credentialsProblems(c, `orcidCredentials[${i}]`, ctx.env));
    const id = (c as { id?: unknown })?.id;
    if (typeof id === 'string') {
      if (credentials.findIndex((o) => (o as { id?: unknown })?.id === id) !== i) problems.push({ setting: `orcidCredentials[${i}].id`, problem: `"${id}" is listed twice` });
      credentialIds.add(id);
    }
  });
  journals.forEach((j, i) => {
    problems.push(...journalProblems(j, `journals[${i}]`, { ...ctx, credentialsIds: credentialIds }));
    const id = (j as { id?: unknown })?.id;
    if (typeof id === 'string' && journals.findIndex((o) => (o as { id?: unknown })?.id === id) !== i) problems.push({ setting: `journals[${i}].id`, problem: `"${id}" is listed twice` });
    for (const key of ['issn', 'eissn'] as const) {
      const issn = (j as Partial<JournalSettings>)?.[key];
      const first = typeof issn === 'string' ? journals.findIndex((o) => (o as Partial<JournalSettings>)?.issn === issn || (o as Partial<JournalSettings>)?.eissn === issn) : i;
      if (first !== i) problems.push({ setting: `journals[${i}].${key}`, problem: `"${issn}" is already the ISSN of journals[${first}]` });
    }
  });
  return problems;
}
