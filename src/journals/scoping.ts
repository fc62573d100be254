/**
 * The journal of each thing the plugin does (issue 19): of an event (the one it names, else its
 * submission's, else `default`), of a deposit (for metrics), of an identity's token (the client
 * that obtained it), and the per-journal `Connect` whose payloads name the journal, follow its
 * policies, tag its jobs and post only with its own client's tokens. With one journal nothing is
 * looked up in the store.
 */
import type { RuntimeSettings } from '../context.js';
import { InvalidInputError } from '../errors.js';
import type { Directory, Ledger, Sources } from '../store/ports.js';
import { DEFAULT_JOURNAL_ID, type Contributor, type Identity } from '../store/store.js';
import type { TokenCipher } from '../store/token-cipher.js';
import { createConnect, type Connect } from '../sync/connect.js';
import { openTokenSet } from '../sync/tokens.js';
import type { Article } from '../types.js';
import type { Journal } from './model.js';
import type { JournalRegistry } from './registry.js';
import { journalLedger, journalRuntimeSettings } from './scope.js';

export interface JournalScopingDeps {
  store: Ledger & Directory & Sources;
  journals: JournalRegistry;
  cipher: TokenCipher;
  settings: RuntimeSettings;
  now: () => Date;
  /** The plugin's Connect of the configured settings (the one journal, as before journals). */
  defaultConnect: Connect;
}

export function createJournalScoping({ store, journals, cipher, settings, now, defaultConnect }: JournalScopingDeps) {
  const ports = { ledger: store, directory: store, sources: store };

  /**
   * The credentials records whose clients obtained a token of the identity (issue 19: one token per
   * client). Identities read before the token table (no `tokenClients`) fall back to their one sealed set.
   */
  const tokenClientsOf = (identity: { sealedTokens: string | null; tokenClients?: string[] }): string[] =>
    identity.tokenClients ?? (identity.sealedTokens ? [openTokenSet(cipher, identity.sealedTokens).credentialsId ?? DEFAULT_JOURNAL_ID] : []);
  /** The client connected through last, or null without a token. */
  const tokenClientOf = (identity: { sealedTokens: string | null; tokenClients?: string[] }): string | null =>
    identity.sealedTokens ? tokenClientsOf(identity).at(-1) ?? null : null;

  /** The journal of a submission (`default` when it is unknown, or when there is one journal). */
  const submissionJournal = async (submissionId: string): Promise<Journal> =>
    (await journals.count()) > 1 ? journals.get(await store.getSubmissionJournal(submissionId)) : journals.get();

  const connects = new WeakMap<Journal, Connect>();
  function connectOf(journal: Journal): Connect {
    let c = connects.get(journal);
    if (!c) {
      const postsWith = (identity: { sealedTokens: string | null; tokenClients?: string[] }) => {
        if (!identity.sealedTokens) return true; // nothing to post with: the worker parks it
        try {
          return tokenClientsOf(identity).includes(journal.credentialsId);
        } catch {
          return true; // an unreadable token is the worker's to report, as before journals
        }
      };
      connects.set(journal, (c = createConnect({ ...ports, ledger: journalLedger(store, journal.id), settings: journalRuntimeSettings(settings, journal), now, postsWith })));
    }
    return c;
  }

  /** The journal of an event: the one it names (`path.journalId`), else its submission's, else `default`. */
  async function journalFor(journalId: unknown, submissionId: unknown, path: string): Promise<Journal> {
    if (journalId !== undefined && journalId !== null) {
      if (typeof journalId !== 'string' || !journalId) throw new InvalidInputError(`${path}.journalId`, 'must be a journal id');
      return journals.get(journalId);
    }
    if (typeof submissionId === 'string' && submissionId) return submissionJournal(submissionId);
    return journals.get();
  }

  /** The article naming `journal` when the host named none in its payload (issues 14, 19). */
  const withJournal = (article: Article, journal: Journal): Article =>
    article && typeof article === 'object' && (article.journal === undefined || article.journal === null)
      ? { ...article, journal: { title: journal.title, ...(journal.issn ? { issn: journal.issn } : {}), ...(journal.eissn ? { eissn: journal.eissn } : {}) } }
      : article;

  /**
   * Late consent, journal by journal: each of the identity's slots gets its items under its own
   * journal's policies and only from a journal of the client the token belongs to.
   */
  async function backfillByJournal(identity: Identity): Promise<number> {
    if ((await journals.count()) <= 1) return defaultConnect.backfill(identity);
    const byJournal = new Map<string, Contributor[]>();
    for (const c of await store.listContributorsByIdentity(identity.id)) {
      const id = (await store.getSubmissionJournal(c.submissionId)) ?? DEFAULT_JOURNAL_ID;
      byJournal.set(id, [...(byJournal.get(id) ?? []), c]);
    }
    let queued = 0;
    for (const [id, slots] of byJournal) queued += await connectOf(await journals.get(id)).backfill(identity, slots);
    return queued;
  }

  // A deposit's journal for the metrics' label: its submission's. A submission never moves
  // journal, so the answer is kept (bounded like any cache).
  const submissionJournals = new Map<string, string>();
  async function journalOfDeposit(deposit: { submissionId: string | null }): Promise<string> {
    if (!deposit.submissionId) return DEFAULT_JOURNAL_ID;
    let journal = submissionJournals.get(deposit.submissionId);
    if (journal === undefined) {
      journal = (await store.getSubmissionJournal(deposit.submissionId).catch(() => null)) ?? DEFAULT_JOURNAL_ID;
      if (submissionJournals.size >= 10_000) submissionJournals.delete(submissionJournals.keys().next().value!);
      submissionJournals.set(deposit.submissionId, journal);
    }
    return journal;
  }

  /** Whether the client of a contributor's journal obtained a token of the identity (returning researchers). */
  async function sameClient(identity: Identity, contributor: Contributor): Promise<boolean> {
    return tokenClientsOf(identity).includes(await credentialsOfContributor(contributor));
  }

  /** The credentials record of a contributor's journal: whose token recognises them. */
  const credentialsOfContributor = async (contributor: Contributor): Promise<string> => (await submissionJournal(contributor.submissionId)).credentialsId;

  /** The credentials record a deposit posts with: its journal's (the worker's token and rate budget). */
  // With one journal nothing is looked up (a job costs no extra read).
  const credentialsOfDeposit = async (deposit: { submissionId: string | null }): Promise<string> =>
    ((await journals.count()) > 1 ? await journals.get(await journalOfDeposit(deposit)) : await journals.get()).credentialsId;

  return { tokenClientOf, tokenClientsOf, credentialsOfContributor, credentialsOfDeposit, submissionJournal, connectOf, journalFor, withJournal, backfillByJournal, journalOfDeposit, sameClient };
}

export type JournalScoping = ReturnType<typeof createJournalScoping>;
