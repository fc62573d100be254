/**
 * The Journals port in memory, for a host-built store that predates the port (a Store assembled
 * from the adapters' port functions, like the benchmarks' counting store): the configured journals
 * still work, kept for the life of the process. The store adapters all implement the port.
 */
import type { Journals, Store } from '../store/ports.js';
import type * as S from '../store/store.js';

export function memoryJournals(): Journals {
  const journals = new Map<string, S.JournalRecord>();
  const credentials = new Map<string, S.CredentialsRecord>();
  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    async upsertJournal(input, now) {
      const record = { ...input, createdAt: journals.get(input.id)?.createdAt ?? now, updatedAt: now };
      journals.set(input.id, record);
      return record;
    },
    getJournal: async (id) => journals.get(id) ?? null,
    listJournals: async (filter = {}) => [...journals.values()]
      .filter((j) => filter.credentialsId === undefined || j.credentialsId === filter.credentialsId)
      .filter((j) => filter.issn === undefined || j.issn === filter.issn || j.eissn === filter.issn)
      .sort(byId),
    async upsertCredentials(input, now) {
      const record = { ...input, createdAt: credentials.get(input.id)?.createdAt ?? now, updatedAt: now };
      credentials.set(input.id, record);
      return record;
    },
    getCredentials: async (id) => credentials.get(id) ?? null,
    listCredentials: async () => [...credentials.values()].sort(byId),
  };
}

/** The store's Journals port, or one in memory when the store has none. */
export function journalsPort(store: Partial<Store>): { port: Journals; inMemory: boolean } {
  if (typeof store.getJournal === 'function') return { port: store as Journals, inMemory: false };
  return { port: memoryJournals(), inMemory: true };
}
