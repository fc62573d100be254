/**
 * Versioned schema of the PostgreSQL store. Migrations run at `init()` under a session advisory
 * lock, so two instances starting at once apply each one exactly once: the second waits, then
 * finds it recorded. Each migration runs in its own transaction and is recorded in
 * `schema_migrations`; append new ones, never edit old ones.
 *
 * Ids and keys are `text COLLATE "C"`, so listings sort byte-wise as on SQLite and MongoDB.
 * Host documents (articles, reviews, appointments, prefills) are `jsonb` rows written whole, one per
 * object; nothing is read, changed and written back.
 */
import type { PoolClient } from 'pg';
import { RATE_BUDGET_DDL } from './rate-budget.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const ID = 'text COLLATE "C"';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE identities (
        id ${ID} PRIMARY KEY,
        orcid ${ID} NOT NULL UNIQUE,
        host_user_id ${ID},
        name text,
        sealed_tokens text,
        scopes text[] NOT NULL,
        token_expires_at timestamptz,
        status text NOT NULL,
        authenticated boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX identities_host_user ON identities (host_user_id, updated_at);

      CREATE TABLE contributors (
        id ${ID} PRIMARY KEY,
        submission_id ${ID} NOT NULL,
        role text NOT NULL,
        given_names text NOT NULL,
        family_name text NOT NULL,
        email text,
        locale text,
        host_user_id ${ID},
        identity_id ${ID},
        unauthenticated_orcid text,
        denied_at timestamptz,
        invitation_state text NOT NULL,
        invited_at timestamptz,
        reminded_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX contributors_submission ON contributors (submission_id, created_at);
      CREATE INDEX contributors_identity ON contributors (identity_id);
      -- The reminder query: invitations sent and not answered, oldest first.
      CREATE INDEX contributors_due ON contributors (invited_at, id) WHERE invitation_state = 'sent' AND identity_id IS NULL;

      CREATE TABLE invitations (
        token_hash ${ID} PRIMARY KEY,
        contributor_id ${ID} NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );

      CREATE TABLE deposits (
        key ${ID} PRIMARY KEY,
        kind text NOT NULL,
        identity_id ${ID} NOT NULL,
        orcid ${ID} NOT NULL,
        source_id ${ID} NOT NULL,
        submission_id ${ID},
        external_id_type text NOT NULL,
        external_id_value text NOT NULL,
        desired_state text NOT NULL,
        payload text,
        payload_hash text,
        version integer NOT NULL,
        put_code text,
        posted_hash text,
        maybe_posted boolean NOT NULL DEFAULT false,
        status text NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX deposits_identity ON deposits (identity_id);
      CREATE INDEX deposits_submission ON deposits (submission_id);
      CREATE INDEX deposits_source ON deposits (source_id);
      CREATE INDEX deposits_orcid ON deposits (orcid);

      CREATE TABLE jobs (
        id ${ID} PRIMARY KEY,
        deposit_key ${ID} NOT NULL REFERENCES deposits (key),
        status text NOT NULL,
        attempts integer NOT NULL,
        run_at timestamptz NOT NULL,
        leased_by text,
        lease_expires_at timestamptz,
        last_error text,
        park_reason text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      -- The database itself guarantees at most one open job per deposit.
      CREATE UNIQUE INDEX jobs_one_open_per_deposit ON jobs (deposit_key) WHERE status IN ('queued', 'leased', 'parked');
      CREATE INDEX jobs_deposit ON jobs (deposit_key);
      CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE status = 'queued';
      CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE status = 'leased';
      CREATE INDEX jobs_status ON jobs (status);

      CREATE TABLE webhooks (
        orcid ${ID} PRIMARY KEY,
        callback_url text NOT NULL,
        registered_at timestamptz NOT NULL
      );

      CREATE TABLE history (
        seq bigserial PRIMARY KEY,
        id ${ID} NOT NULL UNIQUE,
        at timestamptz NOT NULL,
        event text NOT NULL,
        orcid ${ID},
        identity_id ${ID},
        submission_id ${ID},
        deposit_key ${ID},
        job_id ${ID},
        detail jsonb NOT NULL
      );
      CREATE INDEX history_at ON history (at, seq);
      CREATE INDEX history_orcid ON history (orcid, at);
      CREATE INDEX history_submission ON history (submission_id, at);
      CREATE INDEX history_deposit ON history (deposit_key, at);

      CREATE TABLE settings (
        key ${ID} PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE submissions (
        id ${ID} PRIMARY KEY,
        title text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE articles (
        id ${ID} PRIMARY KEY,
        submission_id ${ID} NOT NULL,
        doc jsonb NOT NULL,
        retraction jsonb,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX articles_submission ON articles (submission_id, updated_at);
      CREATE TABLE reviews (
        id ${ID} PRIMARY KEY,
        reviewer_contributor_id ${ID} NOT NULL,
        submission_id ${ID},
        doc jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX reviews_reviewer ON reviews (reviewer_contributor_id, id);
      CREATE TABLE appointments (
        contributor_id ${ID} PRIMARY KEY,
        doc jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE prefills (
        identity_id ${ID} PRIMARY KEY,
        doc jsonb NOT NULL,
        read_at timestamptz NOT NULL
      );
      CREATE TABLE oauth_states (
        state_hash ${ID} PRIMARY KEY,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      );
      CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
    `,
  },
  {
    version: 2,
    name: 'shared ORCID rate budget',
    sql: RATE_BUDGET_DDL,
  },
  {
    version: 3,
    name: 'invitations.locale: the language an invitation was written in',
    // A spent or expired link's page speaks the email's language, whatever the person's is now (issue 14).
    sql: 'ALTER TABLE invitations ADD COLUMN locale text;',
  },
  {
    version: 4,
    name: 'journals and ORCID credentials as records; submissions remember their journal',
    // As SQLite migration 6: a single-journal store becomes the journal `default`.
    sql: `
      CREATE TABLE journals (
        id ${ID} PRIMARY KEY,
        credentials_id ${ID} NOT NULL,
        issn text,
        eissn text,
        settings jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX journals_credentials ON journals (credentials_id, id);
      CREATE INDEX journals_issn ON journals (issn);
      CREATE INDEX journals_eissn ON journals (eissn);
      CREATE TABLE orcid_credentials (
        id ${ID} PRIMARY KEY,
        env text NOT NULL,
        client_id text NOT NULL,
        sealed_secret text NOT NULL,
        sealed_webhook_secret text,
        settings jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX orcid_credentials_client ON orcid_credentials (client_id);
      ALTER TABLE submissions ADD COLUMN journal_id ${ID} NOT NULL DEFAULT 'default';
      CREATE INDEX submissions_journal ON submissions (journal_id, id);
    `,
  },
  {
    version: 5,
    name: 'jobs.journal_id: claims share the rate limit fairly across journals',
    // Every job of a store made before journals belongs to the one journal it served (a constant
    // default: no table rewrite). The fair claim walks the journals with queued jobs (a loose
    // index scan over this index), then takes each one's oldest due jobs from it; the global FIFO
    // claim keeps using jobs_queued.
    sql: `
      ALTER TABLE jobs ADD COLUMN journal_id ${ID} NOT NULL DEFAULT 'default';
      CREATE INDEX jobs_queued_journal ON jobs (journal_id, run_at, id) WHERE status = 'queued';
    `,
  },
  {
    version: 6,
    name: 'one token per identity and ORCID client (issue 19)',
    sql: `
      CREATE TABLE identity_tokens (
        identity_id ${ID} NOT NULL REFERENCES identities (id),
        credentials_id ${ID} NOT NULL,
        sealed_tokens text NOT NULL,
        scopes text[] NOT NULL,
        token_expires_at timestamptz,
        linked_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (identity_id, credentials_id)
      );
      CREATE INDEX identity_tokens_credentials ON identity_tokens (credentials_id, identity_id);
      ALTER TABLE identities ADD COLUMN token_clients text[] NOT NULL DEFAULT '{}';
      INSERT INTO identity_tokens (identity_id, credentials_id, sealed_tokens, scopes, token_expires_at, linked_at, updated_at)
        SELECT id, 'default', sealed_tokens, scopes, token_expires_at, updated_at, updated_at FROM identities WHERE sealed_tokens IS NOT NULL;
      UPDATE identities SET token_clients = '{default}' WHERE sealed_tokens IS NOT NULL;
    `,
  },
];

/** The advisory lock key of a schema's migrations (one per schema: other schemas do not wait). */
const LOCK_KEY = `hashtextextended('koa-orcid-connect migrations ' || $1, 0)`;

/**
 * Create the schema if needed and apply every migration not yet recorded, under a session
 * advisory lock (released when the connection ends, so a crashed instance leaves no lock behind).
 * Returns the schema the tables are in.
 */
export async function migrate(client: PoolClient, schema: string | undefined, migrations: readonly Migration[] = MIGRATIONS): Promise<string> {
  const target = schema ?? String((await client.query('SELECT current_schema() AS s')).rows[0]?.s ?? 'public');
  await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`, [target]);
  try {
    // Under the lock: CREATE ... IF NOT EXISTS is not safe against a concurrent CREATE.
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${target}"`);
    await client.query(`CREATE TABLE IF NOT EXISTS "${target}".schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query(`SELECT version FROM "${target}".schema_migrations`)).rows.map((r: { version: number }) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path = "${target}"`);
        await client.query(m.sql);
        await client.query(`INSERT INTO "${target}".schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [target]).catch(() => undefined);
  }
  return target;
}
