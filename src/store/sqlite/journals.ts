/**
 * Journals over a SQLite handle: one row per journal and one per ORCID credentials record, each
 * written whole by one statement (the settings are a validated document, never read-modify-written).
 * Secrets arrive sealed.
 */
import type * as S from '../store.js';
import type { SqliteHandle } from './handle.js';
import type { Row } from './rows.js';

const toJournal = (r: Row): S.JournalRecord => ({
  id: String(r.id),
  credentialsId: String(r.credentials_id),
  issn: r.issn === null ? null : String(r.issn),
  eissn: r.eissn === null ? null : String(r.eissn),
  settings: JSON.parse(String(r.settings)) as Record<string, unknown>,
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

const toCredentials = (r: Row): S.CredentialsRecord => ({
  id: String(r.id),
  env: r.env as S.CredentialsRecord['env'],
  clientId: String(r.client_id),
  sealedSecret: String(r.sealed_secret),
  sealedWebhookSecret: r.sealed_webhook_secret === null ? null : String(r.sealed_webhook_secret),
  settings: JSON.parse(String(r.settings)) as Record<string, unknown>,
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

export function upsertJournal(h: SqliteHandle, j: S.JournalRecordInput, now: Date): S.JournalRecord {
  const r = h.one(
    `INSERT INTO journals (id, credentials_id, issn, eissn, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET credentials_id = excluded.credentials_id, issn = excluded.issn, eissn = excluded.eissn,
       settings = excluded.settings, updated_at = excluded.updated_at
     RETURNING *`,
    j.id, j.credentialsId, j.issn, j.eissn, JSON.stringify(j.settings), now.getTime(), now.getTime(),
  );
  return toJournal(r!);
}

export function getJournal(h: SqliteHandle, id: string): S.JournalRecord | null {
  const r = h.one('SELECT * FROM journals WHERE id = ?', id);
  return r ? toJournal(r) : null;
}

export function listJournals(h: SqliteHandle, filter: { credentialsId?: string; issn?: string } = {}): S.JournalRecord[] {
  if (filter.credentialsId !== undefined && filter.issn !== undefined) {
    return h.all('SELECT * FROM journals WHERE credentials_id = ? AND (issn = ? OR eissn = ?) ORDER BY id', filter.credentialsId, filter.issn, filter.issn).map(toJournal);
  }
  if (filter.credentialsId !== undefined) return h.all('SELECT * FROM journals WHERE credentials_id = ? ORDER BY id', filter.credentialsId).map(toJournal);
  if (filter.issn !== undefined) return h.all('SELECT * FROM journals WHERE issn = ? OR eissn = ? ORDER BY id', filter.issn, filter.issn).map(toJournal);
  return h.all('SELECT * FROM journals ORDER BY id').map(toJournal);
}

export function upsertCredentials(h: SqliteHandle, c: S.CredentialsRecordInput, now: Date): S.CredentialsRecord {
  const r = h.one(
    `INSERT INTO orcid_credentials (id, env, client_id, sealed_secret, sealed_webhook_secret, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET env = excluded.env, client_id = excluded.client_id, sealed_secret = excluded.sealed_secret,
       sealed_webhook_secret = excluded.sealed_webhook_secret, settings = excluded.settings, updated_at = excluded.updated_at
     RETURNING *`,
    c.id, c.env, c.clientId, c.sealedSecret, c.sealedWebhookSecret, JSON.stringify(c.settings), now.getTime(), now.getTime(),
  );
  return toCredentials(r!);
}

export function getCredentials(h: SqliteHandle, id: string): S.CredentialsRecord | null {
  const r = h.one('SELECT * FROM orcid_credentials WHERE id = ?', id);
  return r ? toCredentials(r) : null;
}

export function listCredentials(h: SqliteHandle): S.CredentialsRecord[] {
  return h.all('SELECT * FROM orcid_credentials ORDER BY id').map(toCredentials);
}
