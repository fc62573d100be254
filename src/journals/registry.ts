/**
 * The journals one instance serves: validated, stored as records through the `Journals` port
 * (client and webhook secrets sealed with the token cipher, as tokens are), and read back resolved
 * with the global settings as defaults. The configured ones (`journal.*` + `orcid.*` as `default`,
 * and the `journals` / `orcidCredentials` lists) are written at start; a host adds more at run time.
 *
 * Reads are cached for `cacheMs` (default 30 s) and dropped on this process's own upserts: another
 * process's upsert is seen within that time.
 *
 * @example
 * await orcid.journals.upsertCredentials({ id: 'pub-a', env: 'sandbox', clientId: 'APP-…', clientSecret: '…' });
 * await orcid.journals.upsert({ id: 'jex', title: 'Journal of Examples', issn: '0317-8471', credentialsId: 'pub-a' });
 */
import type { Journals } from '../store/ports.js';
import { DEFAULT_JOURNAL_ID, type JournalRecordInput } from '../store/store.js';
import type { TokenCipher } from '../store/token-cipher.js';
import type { JournalSettings, OrcidCredentialsSettings } from '../types.js';
import { JournalInvalidError, UnknownJournalError } from './errors.js';
import { resolveCredentials, resolveJournal, type Journal, type JournalDefaults, type OrcidCredentials } from './model.js';
import { credentialsProblems, journalProblems } from './schema.js';

export interface JournalRegistry {
  /** Write the configured journals and credentials (unchanged ones are left alone). */
  seed(journals: JournalSettings[], credentials: OrcidCredentialsSettings[]): Promise<void>;
  /**
   * Add or replace a journal, validated by the same schema as the `journals` setting; its
   * `credentialsId` must name a stored credentials record. Throws JournalInvalidError (nothing stored).
   */
  upsert(journal: JournalSettings): Promise<Journal>;
  /** Add or replace an ORCID credentials record (a rotated secret), validated; secrets are sealed. */
  upsertCredentials(credentials: OrcidCredentialsSettings): Promise<void>;
  /** The journal `id`, or `default` when none is named. Throws UnknownJournalError for an unknown id. */
  get(id?: string | null): Promise<Journal>;
  list(): Promise<Journal[]>;
  /** The credentials record `id`, secrets opened. Throws UnknownJournalError for an unknown id. */
  credentials(id: string): Promise<OrcidCredentials>;
  /** The ids of the credentials records, without their secrets. */
  listCredentialIds(): Promise<string[]>;
  /** How many journals there are (cached like the journals): with one, events need not look theirs up. */
  count(): Promise<number>;
}

export interface JournalRegistryOptions {
  store: Journals;
  cipher: TokenCipher;
  defaults: JournalDefaults;
  now: () => Date;
  cacheMs?: number;
}

export function createJournalRegistry(o: JournalRegistryOptions): JournalRegistry {
  const cacheMs = o.cacheMs ?? 30_000;
  const credentials = new Map<string, { value: OrcidCredentials; at: number }>();
  const clock = () => o.now().getTime();
  const fresh = (at: number) => clock() - at < cacheMs;
  /**
   * Every journal, read in one round trip (at start, then at most once per `cacheMs`): an event's
   * journal and the count that lets a single-journal host skip the lookup come from one read.
   */
  let loaded: { at: number; byId: Map<string, Journal> } | null = null;
  async function all(): Promise<Map<string, Journal>> {
    if (loaded && fresh(loaded.at)) return loaded.byId;
    const rows = await o.store.listJournals();
    loaded = { at: clock(), byId: new Map(rows.map((r) => [r.id, resolveJournal(r.settings as unknown as JournalSettings, o.defaults)])) };
    return loaded.byId;
  }

  const toRecord = (j: JournalSettings): JournalRecordInput => ({
    id: j.id, credentialsId: j.credentialsId, issn: j.issn ?? null, eissn: j.eissn ?? null, settings: { ...j } as Record<string, unknown>,
  });

  async function writeCredentials(c: OrcidCredentialsSettings, onlyIfChanged: boolean): Promise<void> {
    if (onlyIfChanged) {
      const stored = await o.store.getCredentials(c.id);
      // Rewritten when changed, and when sealed under an older token key (rotation) or one no longer
      // configured: the settings hold the secret, so the record moves to the current key.
      const current = stored && !o.cipher.needsReseal(stored.sealedSecret) && (stored.sealedWebhookSecret === null || !o.cipher.needsReseal(stored.sealedWebhookSecret));
      if (current && unchanged(stored, c)) return;
    }
    await o.store.upsertCredentials({
      id: c.id, env: c.env ?? o.defaults.env, clientId: c.clientId,
      sealedSecret: o.cipher.seal(c.clientSecret),
      sealedWebhookSecret: c.webhookSecret === undefined ? null : o.cipher.seal(c.webhookSecret),
      settings: { premium: c.premium ?? false },
    }, o.now());
    credentials.delete(c.id);
  }

  function unchanged(stored: NonNullable<Awaited<ReturnType<Journals['getCredentials']>>>, c: OrcidCredentialsSettings): boolean {
    try {
      return JSON.stringify(openedSettings(stored)) === JSON.stringify(canonicalCredentials(c));
    } catch {
      return false; // cannot be opened with the configured keys: write it anew
    }
  }

  function openedSettings(r: Awaited<ReturnType<Journals['getCredentials']>> & object): OrcidCredentialsSettings {
    return canonicalCredentials({
      id: r.id, env: r.env, clientId: r.clientId, clientSecret: o.cipher.open<string>(r.sealedSecret),
      premium: r.settings.premium === true,
      ...(r.sealedWebhookSecret !== null ? { webhookSecret: o.cipher.open<string>(r.sealedWebhookSecret) } : {}),
    });
  }

  function canonicalCredentials(c: OrcidCredentialsSettings): OrcidCredentialsSettings {
    return {
      id: c.id, env: c.env ?? o.defaults.env, clientId: c.clientId, clientSecret: c.clientSecret,
      premium: c.premium ?? false,
      ...(c.webhookSecret !== undefined ? { webhookSecret: c.webhookSecret } : {}),
    };
  }

  async function writeJournal(j: JournalSettings, onlyIfChanged: boolean): Promise<void> {
    if (onlyIfChanged) {
      const stored = await o.store.getJournal(j.id);
      if (stored && JSON.stringify(stored.settings) === JSON.stringify(j)) return;
    }
    await o.store.upsertJournal(toRecord(j), o.now());
    loaded = null;
  }

  const registry: JournalRegistry = {
    async seed(list, creds) {
      // Credentials first: a journal is never stored pointing at a record that is not there yet.
      for (const c of creds) await writeCredentials(c, true);
      for (const j of list) await writeJournal(j, true);
      await all(); // so that the first events find the journals read
    },

    async upsert(journal) {
      const problems = journalProblems(journal, 'journal', { invitations: o.defaults.invitations });
      if (problems.length === 0 && !(await o.store.getCredentials(journal.credentialsId))) {
        problems.push({ setting: 'journal.credentialsId', problem: `names no credentials record ("${journal.credentialsId}"): upsert the credentials first` });
      }
      // An ISSN names one journal (and derives its peer-review group): two journals cannot share one.
      for (const key of ['issn', 'eissn'] as const) {
        const issn = journal[key];
        if (problems.length > 0 || !issn) continue;
        const other = (await o.store.listJournals({ issn })).find((j) => j.id !== journal.id);
        if (other) problems.push({ setting: `journal.${key}`, problem: `"${issn}" is already the ISSN of journal "${other.id}"` });
      }
      if (problems.length > 0) throw new JournalInvalidError(problems);
      await writeJournal(journal, false);
      return registry.get(journal.id);
    },

    async upsertCredentials(c) {
      const problems = credentialsProblems(c, 'credentials', o.defaults.env);
      if (problems.length > 0) throw new JournalInvalidError(problems);
      await writeCredentials(c, false);
    },

    async get(id) {
      const key = id ?? DEFAULT_JOURNAL_ID;
      const byId = await all();
      const hit = byId.get(key);
      if (hit) return hit;
      // Perhaps added by another process since the last read.
      const r = await o.store.getJournal(key);
      if (!r) throw new UnknownJournalError(key);
      const value = resolveJournal(r.settings as unknown as JournalSettings, o.defaults);
      byId.set(key, value);
      return value;
    },

    async list() {
      return [...(await all()).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async credentials(id) {
      const hit = credentials.get(id);
      if (hit && fresh(hit.at)) return hit.value;
      const r = await o.store.getCredentials(id);
      if (!r) throw new UnknownJournalError(id, 'credentials record');
      const value = resolveCredentials(openedSettings(r), o.defaults);
      credentials.set(id, { value, at: clock() });
      return value;
    },

    async count() {
      return (await all()).size;
    },

    async listCredentialIds() {
      return (await o.store.listCredentials()).map((c) => c.id);
    },
  };
  return registry;
}

/** The journals and credentials a configuration names: `default` from today's settings, unless listed. */
export function configuredJournals(defaultJournal: JournalSettings, defaultCredentials: OrcidCredentialsSettings, journals: JournalSettings[], credentials: OrcidCredentialsSettings[]) {
  return {
    journals: journals.some((j) => j.id === DEFAULT_JOURNAL_ID) ? journals : [defaultJournal, ...journals],
    credentials: credentials.some((c) => c.id === DEFAULT_JOURNAL_ID) ? credentials : [defaultCredentials, ...credentials],
  };
}
