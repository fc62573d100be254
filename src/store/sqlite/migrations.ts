/**
 * Versioned schema of the SQLite store. Each migration runs once, in its own IMMEDIATE
 * transaction, and is recorded in `schema_migrations`; append new ones, never edit old ones.
 * Dates are integer milliseconds since the epoch; booleans are 0/1; lists and objects are JSON.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE identities (
        id TEXT PRIMARY KEY,
        orcid TEXT NOT NULL UNIQUE,
        host_user_id TEXT,
        name TEXT,
        sealed_tokens TEXT,
        scopes TEXT NOT NULL,
        token_expires_at INTEGER,
        status TEXT NOT NULL,
        authenticated INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX identities_host_user ON identities (host_user_id, updated_at);

      CREATE TABLE contributors (
        id TEXT PRIMARY KEY,
        submission_id TEXT NOT NULL,
        role TEXT NOT NULL,
        given_names TEXT NOT NULL,
        family_name TEXT NOT NULL,
        email TEXT,
        locale TEXT,
        host_user_id TEXT,
        identity_id TEXT,
        unauthenticated_orcid TEXT,
        denied_at INTEGER,
        invitation_state TEXT NOT NULL,
        invited_at INTEGER,
        reminded_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX contributors_submission ON contributors (submission_id, created_at);
      CREATE INDEX contributors_identity ON contributors (identity_id);

      CREATE TABLE invitations (
        token_hash TEXT PRIMARY KEY,
        contributor_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );

      CREATE TABLE deposits (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        identity_id TEXT NOT NULL,
        orcid TEXT NOT NULL,
        source_id TEXT NOT NULL,
        submission_id TEXT,
        external_id_type TEXT NOT NULL,
        external_id_value TEXT NOT NULL,
        desired_state TEXT NOT NULL,
        payload TEXT,
        payload_hash TEXT,
        version INTEGER NOT NULL,
        put_code TEXT,
        posted_hash TEXT,
        status TEXT NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX deposits_identity ON deposits (identity_id);
      CREATE INDEX deposits_submission ON deposits (submission_id);
      CREATE INDEX deposits_source ON deposits (source_id);
      CREATE INDEX deposits_orcid ON deposits (orcid);

      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        deposit_key TEXT NOT NULL REFERENCES deposits (key),
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        run_at INTEGER NOT NULL,
        leased_by TEXT,
        lease_expires_at INTEGER,
        last_error TEXT,
        park_reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- The database itself guarantees at most one open job per deposit.
      CREATE UNIQUE INDEX jobs_one_open_per_deposit ON jobs (deposit_key) WHERE status IN ('queued', 'leased', 'parked');
      CREATE INDEX jobs_deposit ON jobs (deposit_key);
      CREATE INDEX jobs_queued ON jobs (run_at) WHERE status = 'queued';
      CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE status = 'leased';
      CREATE INDEX jobs_status ON jobs (status);

      CREATE TABLE webhooks (
        orcid TEXT PRIMARY KEY,
        callback_url TEXT NOT NULL,
        registered_at INTEGER NOT NULL
      );

      CREATE TABLE history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        at INTEGER NOT NULL,
        event TEXT NOT NULL,
        orcid TEXT,
        identity_id TEXT,
        submission_id TEXT,
        deposit_key TEXT,
        job_id TEXT,
        detail TEXT NOT NULL
      );
      CREATE INDEX history_at ON history (at, seq);
      CREATE INDEX history_orcid ON history (orcid, at);
      CREATE INDEX history_submission ON history (submission_id, at);
      CREATE INDEX history_deposit ON history (deposit_key, at);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'deposits.maybe_posted: a POST may have landed without its answer',
    sql: `ALTER TABLE deposits ADD COLUMN maybe_posted INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'domain records instead of settings: sources, prefills, OAuth states, identity status unlinking',
    // The first release kept domain data as JSON values in `settings`, read, changed and written
    // back by each event: concurrent events lost writes. Each family becomes rows with indexes.
    sql: `
      CREATE TABLE submissions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        submission_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        retraction TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX articles_submission ON articles (submission_id, updated_at);
      CREATE TABLE reviews (
        id TEXT PRIMARY KEY,
        reviewer_contributor_id TEXT NOT NULL,
        submission_id TEXT,
        doc TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX reviews_reviewer ON reviews (reviewer_contributor_id, id);
      CREATE TABLE appointments (
        contributor_id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE prefills (
        identity_id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        read_at INTEGER NOT NULL
      );
      CREATE TABLE oauth_states (
        state_hash TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
      -- The reminder query: invitations sent and not answered, oldest first.
      CREATE INDEX contributors_due ON contributors (invited_at, id) WHERE invitation_state = 'sent' AND identity_id IS NULL;
      -- The limit on attempts is the worker's maxAttempts setting; this column was never read.
      ALTER TABLE jobs DROP COLUMN max_attempts;

      INSERT INTO submissions (id, title, created_at, updated_at)
        SELECT substr(key, 18), value, 0, 0 FROM settings WHERE key LIKE 'submission-title:%';
      INSERT INTO articles (id, submission_id, doc, retraction, updated_at)
        SELECT substr(key, 9), json_extract(value, '$.submissionId'), json_remove(value, '$.retraction'), json_extract(value, '$.retraction'), 0
        FROM settings WHERE key LIKE 'article:%' AND json_valid(value) AND json_extract(value, '$.submissionId') IS NOT NULL;
      INSERT INTO reviews (id, reviewer_contributor_id, submission_id, doc, updated_at)
        SELECT substr(key, 8), json_extract(value, '$.reviewerContributorId'), json_extract(value, '$.submissionId'), value, 0
        FROM settings WHERE key LIKE 'review:%' AND json_valid(value) AND json_extract(value, '$.reviewerContributorId') IS NOT NULL;
      INSERT INTO appointments (contributor_id, doc, updated_at)
        SELECT substr(key, 8), value, 0 FROM settings WHERE key LIKE 'editor:%' AND json_valid(value);
      INSERT INTO prefills (identity_id, doc, read_at)
        SELECT substr(key, 9), value, 0 FROM settings WHERE key LIKE 'prefill:%' AND json_valid(value);
      UPDATE identities SET status = 'unlinking'
        WHERE status = 'linked' AND id IN (SELECT substr(key, 16) FROM settings WHERE key LIKE 'pending-revoke:%' AND value = '1');
      DELETE FROM settings WHERE key LIKE 'submission-title:%' OR key LIKE 'article:%' OR key LIKE 'submission-article:%'
        OR key LIKE 'review:%' OR key LIKE 'contributor-reviews:%' OR key LIKE 'editor:%' OR key LIKE 'prefill:%'
        OR key LIKE 'pending-revoke:%' OR key = 'open-submissions';
    `,
  },
  {
    version: 4,
    name: 'rate_budgets: one shared GCRA row per ORCID client id',
    // ORCID limits each member client, not each process: every process on this file takes its
    // tokens from the same row (see rate-rules.ts). Times are float ms (intervals are fractional).
    sql: `
      CREATE TABLE rate_budgets (
        key TEXT PRIMARY KEY,
        tat_ms REAL NOT NULL,
        blocked_until_ms REAL NOT NULL,
        slowed_to REAL,
        slowed_at_ms REAL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'invitations.locale: the language an invitation was written in',
    // A spent or expired link's page speaks the email's language, whatever the person's is now (issue 14).
    sql: 'ALTER TABLE invitations ADD COLUMN locale TEXT;',
  },
  {
    version: 6,
    name: 'journals and ORCID credentials as records; submissions remember their journal',
    // A single-journal store becomes one journal, `default`: its rows are seeded from the settings
    // at start (they are configuration), and every existing submission belongs to it.
    sql: `
      CREATE TABLE journals (
        id TEXT PRIMARY KEY,
        credentials_id TEXT NOT NULL,
        issn TEXT,
        eissn TEXT,
        settings TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX journals_credentials ON journals (credentials_id, id);
      CREATE INDEX journals_issn ON journals (issn);
      CREATE INDEX journals_eissn ON journals (eissn);
      CREATE TABLE orcid_credentials (
        id TEXT PRIMARY KEY,
        env TEXT NOT NULL,
        client_id TEXT NOT NULL,
        sealed_secret TEXT NOT NULL,
        sealed_webhook_secret TEXT,
        settings TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX orcid_credentials_client ON orcid_credentials (client_id);
      ALTER TABLE submissions ADD COLUMN journal_id TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX submissions_journal ON submissions (journal_id, id);
    `,
  },
  {
    version: 7,
    name: 'jobs.journal_id: claims share the rate limit fairly across journals',
    // Every job of a store made before journals belongs to the one journal it served. The fair
    // claim walks the journals with queued jobs (a skip scan over this index), then takes each
    // one's oldest due jobs from it; the global FIFO claim keeps using jobs_queued.
    sql: `
      ALTER TABLE jobs ADD COLUMN journal_id TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX jobs_queued_journal ON jobs (journal_id, run_at, id) WHERE status = 'queued';
    `,
  },
  {
    version: 8,
    name: 'one token per identity and ORCID client (issue 19)',
    sql: `
      CREATE TABLE identity_tokens (
        identity_id TEXT NOT NULL REFERENCES identities (id),
        credentials_id TEXT NOT NULL,
        sealed_tokens TEXT NOT NULL,
        scopes TEXT NOT NULL,
        token_expires_at INTEGER,
        linked_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (identity_id, credentials_id)
      );
      CREATE INDEX identity_tokens_credentials ON identity_tokens (credentials_id, identity_id);
      ALTER TABLE identities ADD COLUMN token_clients TEXT NOT NULL DEFAULT '[]';
      INSERT INTO identity_tokens (identity_id, credentials_id, sealed_tokens, scopes, token_expires_at, linked_at, updated_at)
        SELECT id, 'default', sealed_tokens, scopes, token_expires_at, updated_at, updated_at FROM identities WHERE sealed_tokens IS NOT NULL;
      UPDATE identities SET token_clients = '["default"]' WHERE sealed_tokens IS NOT NULL;
    `,
  },
];

/** Apply every migration not yet recorded; safe when several processes start at once. */
export function migrate(db: Database.Database, now: () => number = Date.now, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const applied: number[] = [];
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    // Checked again inside the write lock: another process may have applied it meanwhile.
    const run = db.transaction(() => {
      if (isApplied.get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    });
    run.immediate();
  }
  return applied;
}
