/**
 * Journals over a PostgreSQL handle, one statement per operation in the order of
 * `sqlite/journals.ts`. Settings are `jsonb` written whole; secrets arrive sealed.
 */
import type * as S from '../store.js';
import type { PgHandle } from './handle.js';
import type { Row } from './rows.js';

const toJournal = (r: Row): S.JournalRecord => ({
  id: String(r.id),
  credentialsId: String(r.credentials_id),
  issn: r.issn === null ? null : String(r.issn),
  eissn: r.eissn === null ? null : String(r.eissn),
  settings: r.settings as Record<string, unknown>,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const toCredentials = (r: Row): S.CredentialsRecord => ({
  id: String(r.id),
  env: r.env as S.CredentialsRecord['env'],
  clientId: String(r.client_id),
  sealedSecret: String(r.sealed_secret),
  sealedWebhookSecret: r.sealed_webhook_secret === null ? null : String(r.sealed_webhook_secret),
  settings: r.settings as Record<string, unknown>,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

export async function upsertJournal(h: PgHandle, j: S.JournalRecordInput, now: Date): Promise<S.JournalRecord> {
  const [r] = await h.rows(
    `INSERT INTO journals (id, credentials_id, issn, eissn, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6)
     ON CONFLICT (id) DO UPDATE SET credentials_id = excluded.credentials_id, issn = excluded.issn, eissn = excluded.eissn,
       settings = excluded.settings, updated_at = excluded.updated_at
     RETURNING *`,
    [j.id, j.credentialsId, j.issn, j.eissn, JSON.stringify(j.settings), now],
  );
  return toJournal(r!);
}

export async function getJournal(h: PgHandle, id: string): Promise<S.JournalRecord | null> {
  const [r] = await h.rows('SELECT * FROM journals WHERE id = $1', [id]);
  return r ? toJournal(r) : null;
}

export async function listJournals(h: PgHandle, filter: { credentialsId?: string; issn?: string } = {}): Promise<S.JournalRecord[]> {
  const rows = await h.rows(
    `SELECT * FROM journals WHERE ($1::text IS NULL OR credentials_id = $1) AND ($2::text IS NULL OR issn = $2 OR eissn = $2) ORDER BY id`,
    [filter.credentialsId ?? null, filter.issn ?? null],
  );
  return rows.map(toJournal);
}

export async function upsertCredentials(h: PgHandle, c: S.CredentialsRecordInput, now: Date): Promise<S.CredentialsRecord> {
  const [r] = await h.rows(
    `INSERT INTO orcid_credentials (id, env, client_id, sealed_secret, sealed_webhook_secret, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $7)
     ON CONFLICT (id) DO UPDATE SET env = excluded.env, client_id = excluded.client_id, sealed_secret = excluded.sealed_secret,
       sealed_webhook_secret = excluded.sealed_webhook_secret, settings = excluded.settings, updated_at = excluded.updated_at
     RETURNING *`,
    [c.id, c.env, c.clientId, c.sealedSecret, c.sealedWebhookSecret, JSON.stringify(c.settings), now],
  );
  return toCredentials(r!);
}

export async function getCredentials(h: PgHandle, id: string): Promise<S.CredentialsRecord | null> {
  const [r] = await h.rows('SELECT * FROM orcid_credentials WHERE id = $1', [id]);
  return r ? toCredentials(r) : null;
}

export async function listCredentials(h: PgHandle): Promise<S.CredentialsRecord[]> {
  return (await h.rows('SELECT * FROM orcid_credentials ORDER BY id')).map(toCredentials);
}
