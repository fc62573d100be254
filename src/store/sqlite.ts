/**
 * The embedded default Store: one SQLite file through better-sqlite3, shared safely by several
 * processes (WAL, busy timeout, IMMEDIATE transactions for every read-then-write).
 *
 * better-sqlite3 is synchronous; the async methods only keep the port's shape. Dates are stored
 * as integer milliseconds. The ledger rules live in `deposit-rules.ts`, shared with MongoDB.
 *
 * @example
 * const store = new SqliteStore({ path: './orcid.db' });
 * await store.init();
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { INVALID_INPUT, LEASE_LOST, OrcidPluginError, STORE_CONFLICT, STORE_CORRUPT, STORE_UNAVAILABLE, StorageError, coerceError } from '../errors.js';
import { DEFAULT_LIST_LIMIT, planCompletion, planDesire } from './deposit-rules.js';
import { migrate } from './sqlite-migrations.js';
import { depositParams, jobParams, ms, splitJoined, toContributor, toDeposit, toHistory, toIdentity, toInvitation, toJob, toWebhook } from './sqlite-rows.js';
import type { Row } from './sqlite-rows.js';
import type * as S from './store.js';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string;
  /** How long a writer waits for another process's lock (`?? 5000` ms). */
  busyTimeoutMs?: number;
  /** WAL pages between automatic checkpoints (`?? 4000`; SQLite's own default is 1000). */
  walAutocheckpointPages?: number;
}

const DEPOSIT_COLUMNS = [
  'key', 'kind', 'identity_id', 'orcid', 'source_id', 'submission_id', 'external_id_type', 'external_id_value', 'desired_state',
  'payload', 'payload_hash', 'version', 'put_code', 'posted_hash', 'maybe_posted', 'status', 'last_error', 'created_at', 'updated_at',
];
const JOB_COLUMNS = ['id', 'deposit_key', 'status', 'attempts', 'max_attempts', 'run_at', 'leased_by', 'lease_expires_at', 'last_error', 'park_reason', 'created_at', 'updated_at'];
const JOINED = `SELECT j.*, ${DEPOSIT_COLUMNS.map((c) => `d.${c} AS d_${c}`).join(', ')} FROM jobs j JOIN deposits d ON d.key = j.deposit_key`;
const OPEN = `('queued', 'leased', 'parked')`;

export class SqliteStore implements S.Store {
  readonly path: string;
  private readonly busyTimeoutMs: number;
  private readonly walAutocheckpointPages: number;
  private conn: Database.Database | null = null;
  private readonly statements = new Map<string, Database.Statement>();
  /** One transaction wrapper, reused: it runs whatever function it is given. */
  private runInTx: Database.Transaction<(fn: () => unknown) => unknown> | null = null;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.walAutocheckpointPages = options.walAutocheckpointPages ?? 4000;
  }

  async init(): Promise<void> {
    if (this.conn) return;
    this.guard(() => {
      const db = new Database(this.path);
      try {
        db.pragma(`busy_timeout = ${Math.floor(this.busyTimeoutMs)}`);
        if (this.path !== ':memory:') db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Checkpoints are where WAL mode pays fsyncs; SQLite's default (every 1000 pages) made
        // enqueueing 2-3x slower here than every 4000 pages (~16 MB of WAL, kept at most 64 MB).
        db.pragma(`wal_autocheckpoint = ${Math.floor(this.walAutocheckpointPages)}`);
        db.pragma('journal_size_limit = 67108864');
        db.pragma('foreign_keys = ON');
        migrate(db);
      } catch (e) {
        db.close();
        throw e;
      }
      this.conn = db;
      this.runInTx = db.transaction((fn: () => unknown) => fn());
    });
  }

  async close(): Promise<void> {
    if (this.completions.length > 0) this.flushCompletions();
    this.statements.clear();
    this.conn?.close();
    this.conn = null;
    this.runInTx = null;
  }

  // identities

  async linkIdentity(input: S.LinkIdentityInput, now: Date): Promise<S.Identity> {
    return this.tx(() => {
      const existing = this.one('SELECT * FROM identities WHERE orcid = ?', input.orcid);
      const p = {
        id: existing ? existing.id : randomUUID(),
        orcid: input.orcid,
        host_user_id: input.hostUserId === undefined ? (existing?.host_user_id ?? null) : input.hostUserId,
        name: input.name === undefined ? (existing?.name ?? null) : input.name,
        sealed_tokens: input.sealedTokens,
        scopes: JSON.stringify(input.scopes),
        token_expires_at: ms(input.tokenExpiresAt),
        authenticated: input.authenticated === false ? 0 : 1,
        now: now.getTime(),
      };
      this.run(
        `INSERT INTO identities (id, orcid, host_user_id, name, sealed_tokens, scopes, token_expires_at, status, authenticated, created_at, updated_at)
         VALUES (@id, @orcid, @host_user_id, @name, @sealed_tokens, @scopes, @token_expires_at, 'linked', @authenticated, @now, @now)
         ON CONFLICT (orcid) DO UPDATE SET host_user_id = @host_user_id, name = @name, sealed_tokens = @sealed_tokens, scopes = @scopes,
           token_expires_at = @token_expires_at, status = 'linked', authenticated = @authenticated, updated_at = @now`,
        p,
      );
      return toIdentity(this.one('SELECT * FROM identities WHERE orcid = ?', input.orcid)!);
    });
  }

  async getIdentity(id: string): Promise<S.Identity | null> {
    return this.map(this.one('SELECT * FROM identities WHERE id = ?', id), toIdentity);
  }

  async findIdentityByOrcid(orcid: string): Promise<S.Identity | null> {
    return this.map(this.one('SELECT * FROM identities WHERE orcid = ?', orcid), toIdentity);
  }

  async findIdentityByHostUser(hostUserId: string): Promise<S.Identity | null> {
    // A host user may have linked more than one iD over time: the latest one counts.
    const r = this.one('SELECT * FROM identities WHERE host_user_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1', hostUserId);
    return this.map(r, toIdentity);
  }

  async updateIdentityTokens(id: string, sealedTokens: string | null, scopes: string[], tokenExpiresAt: Date | null, now: Date): Promise<void> {
    this.run('UPDATE identities SET sealed_tokens = ?, scopes = ?, token_expires_at = ?, updated_at = ? WHERE id = ?', sealedTokens, JSON.stringify(scopes), ms(tokenExpiresAt), now.getTime(), id);
  }

  async revokeIdentity(id: string, now: Date): Promise<void> {
    this.run(`UPDATE identities SET status = 'revoked', sealed_tokens = NULL, token_expires_at = NULL, updated_at = ? WHERE id = ?`, now.getTime(), id);
  }

  async updateIdentityName(id: string, name: string | null, now: Date): Promise<void> {
    this.run('UPDATE identities SET name = ?, updated_at = ? WHERE id = ?', name, now.getTime(), id);
  }

  // contributors

  async upsertContributor(input: S.UpsertContributorInput, now: Date): Promise<S.Contributor> {
    return this.tx(() => {
      const old = this.one('SELECT * FROM contributors WHERE id = ?', input.id);
      // Optional fields left out keep their stored value; the identity link is never touched here.
      const keep = (v: string | null | undefined, column: string) => (v === undefined ? (old?.[column] ?? null) : v);
      const p = {
        id: input.id,
        submission_id: input.submissionId,
        role: input.role,
        given_names: input.givenNames,
        family_name: input.familyName,
        email: keep(input.email, 'email'),
        locale: keep(input.locale, 'locale'),
        host_user_id: keep(input.hostUserId, 'host_user_id'),
        unauthenticated_orcid: keep(input.unauthenticatedOrcid, 'unauthenticated_orcid'),
        now: now.getTime(),
      };
      this.run(
        `INSERT INTO contributors (id, submission_id, role, given_names, family_name, email, locale, host_user_id, identity_id,
           unauthenticated_orcid, denied_at, invitation_state, invited_at, reminded_at, created_at, updated_at)
         VALUES (@id, @submission_id, @role, @given_names, @family_name, @email, @locale, @host_user_id, NULL,
           @unauthenticated_orcid, NULL, 'none', NULL, NULL, @now, @now)
         ON CONFLICT (id) DO UPDATE SET submission_id = @submission_id, role = @role, given_names = @given_names,
           family_name = @family_name, email = @email, locale = @locale, host_user_id = @host_user_id,
           unauthenticated_orcid = @unauthenticated_orcid, updated_at = @now`,
        p,
      );
      return toContributor(this.one('SELECT * FROM contributors WHERE id = ?', input.id)!);
    });
  }

  async getContributor(id: string): Promise<S.Contributor | null> {
    return this.map(this.one('SELECT * FROM contributors WHERE id = ?', id), toContributor);
  }

  async listContributors(submissionId: string): Promise<S.Contributor[]> {
    return this.all('SELECT * FROM contributors WHERE submission_id = ? ORDER BY created_at, id', submissionId).map(toContributor);
  }

  async listContributorsByIdentity(identityId: string): Promise<S.Contributor[]> {
    return this.all('SELECT * FROM contributors WHERE identity_id = ? ORDER BY created_at, id', identityId).map(toContributor);
  }

  async linkContributor(contributorId: string, identityId: string, now: Date): Promise<void> {
    this.run('UPDATE contributors SET identity_id = ?, denied_at = NULL, updated_at = ? WHERE id = ?', identityId, now.getTime(), contributorId);
  }

  async unlinkContributorsOf(identityId: string, now: Date): Promise<void> {
    this.run('UPDATE contributors SET identity_id = NULL, updated_at = ? WHERE identity_id = ?', now.getTime(), identityId);
  }

  async markContributorDenied(contributorId: string, now: Date): Promise<void> {
    this.run('UPDATE contributors SET denied_at = ?, updated_at = ? WHERE id = ?', now.getTime(), now.getTime(), contributorId);
  }

  async setInvitationState(contributorId: string, state: S.InvitationState, now: Date): Promise<void> {
    const t = now.getTime();
    this.run(
      `UPDATE contributors SET invitation_state = ?, updated_at = ?,
         invited_at = CASE WHEN ? = 'sent' THEN ? ELSE invited_at END,
         reminded_at = CASE WHEN ? = 'reminded' THEN ? ELSE reminded_at END
       WHERE id = ?`,
      state, t, state, t, state, t, contributorId,
    );
  }

  // invitations

  async createInvitation(inv: Omit<S.Invitation, 'usedAt'>): Promise<void> {
    const r = this.run('INSERT OR IGNORE INTO invitations (token_hash, contributor_id, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)', inv.tokenHash, inv.contributorId, ms(inv.createdAt), ms(inv.expiresAt));
    if (r.changes === 0) throw new StorageError(STORE_CONFLICT, 'An invitation with this token hash already exists');
  }

  async consumeInvitation(tokenHash: string, now: Date): Promise<S.ConsumeInvitationResult> {
    return this.tx(() => {
      const row = this.one('SELECT * FROM invitations WHERE token_hash = ?', tokenHash);
      if (!row) return { ok: false, reason: 'unknown' };
      const inv = toInvitation(row);
      if (inv.usedAt) return { ok: false, reason: 'used' };
      if (inv.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
      this.run('UPDATE invitations SET used_at = ? WHERE token_hash = ?', now.getTime(), tokenHash);
      return { ok: true, invitation: { ...inv, usedAt: now } };
    });
  }

  // deposits and outbox

  async desireDeposit(input: S.DesireDepositInput, now: Date): Promise<S.DesireDepositResult> {
    return this.tx(() => {
      const existing = this.map(this.one('SELECT * FROM deposits WHERE key = ?', input.key), toDeposit);
      let open = this.openJob(input.key);
      const plan = planDesire(existing, open, input, now);
      const p = depositParams(plan.deposit);
      this.run(
        `INSERT INTO deposits (${DEPOSIT_COLUMNS.join(', ')}) VALUES (${DEPOSIT_COLUMNS.map((c) => `@${c}`).join(', ')})
         ON CONFLICT (key) DO UPDATE SET ${DEPOSIT_COLUMNS.filter((c) => c !== 'key' && c !== 'created_at').map((c) => `${c} = @${c}`).join(', ')}`,
        p,
      );
      const a = plan.action;
      const t = now.getTime();
      if (a.kind === 'insert') {
        this.run(`INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map((c) => `@${c}`).join(', ')})`, jobParams(a.job));
        open = a.job;
      } else if (a.kind === 'requeue' && open) {
        this.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, park_reason = NULL, leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, ms(a.runAt), t, open.id);
      } else if (a.kind === 'finish' && open) {
        this.run(`UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, t, open.id);
        open = null;
      }
      return { deposit: plan.deposit, jobId: open ? open.id : null, changed: plan.changed };
    });
  }

  async getDeposit(key: string): Promise<S.Deposit | null> {
    return this.map(this.one('SELECT * FROM deposits WHERE key = ?', key), toDeposit);
  }

  async listDeposits(filter: { identityId?: string; submissionId?: string; sourceId?: string; orcid?: string }): Promise<S.Deposit[]> {
    const { where, params } = conditions({ 'identity_id': filter.identityId, 'submission_id': filter.submissionId, 'source_id': filter.sourceId, 'orcid': filter.orcid });
    return this.all(`SELECT * FROM deposits ${where} ORDER BY created_at, key`, ...params).map(toDeposit);
  }

  async claimJobs(workerId: string, now: Date, limit: number, leaseMs: number): Promise<S.ClaimedJob[]> {
    if (limit <= 0) return [];
    return this.tx(() => {
      const t = now.getTime();
      // Two index range scans (queued by run_at, leased by expiry) merged by run_at.
      const ids = this.all(
        `SELECT id FROM (
           SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_queued WHERE status = 'queued' AND run_at <= @t ORDER BY run_at LIMIT @limit)
           UNION ALL
           SELECT id, run_at FROM (SELECT id, run_at FROM jobs INDEXED BY jobs_leased WHERE status = 'leased' AND lease_expires_at <= @t ORDER BY lease_expires_at LIMIT @limit)
         ) ORDER BY run_at, id LIMIT @limit`,
        { t, limit },
      ).map((r) => String(r.id));
      const lease = this.stmt(`UPDATE jobs SET status = 'leased', leased_by = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`);
      const read = this.stmt(`${JOINED} WHERE j.id = ?`);
      const mark = this.stmt(`UPDATE deposits SET maybe_posted = 1 WHERE key = (SELECT deposit_key FROM jobs WHERE id = ?) AND desired_state = 'present' AND put_code IS NULL AND maybe_posted = 0`);
      return ids.map((id) => {
        lease.run(workerId, t + leaseMs, t, id);
        mark.run(id);
        return splitJoined(read.get(id) as Row);
      });
    });
  }

  async renewLease(jobId: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
    const t = now.getTime();
    const r = this.run(`UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND status = 'leased' AND leased_by = ?`, t + leaseMs, t, jobId, workerId);
    return r.changes === 1;
  }

  /**
   * Completions that arrive in the same turn of the event loop share one transaction (group
   * commit): a commit is most of a completion's cost, and a busy worker finishes several jobs at
   * once. Each completion runs in its own savepoint, so one LEASE_LOST rolls back only itself.
   */
  async completeJob(input: S.CompleteJobInput, now: Date): Promise<{ requeued: boolean }> {
    return new Promise((resolve, reject) => {
      this.completions.push({ input, now, resolve, reject });
      if (this.completions.length === 1) setImmediate(() => this.flushCompletions());
    });
  }

  private completions: Array<{ input: S.CompleteJobInput; now: Date; resolve: (r: { requeued: boolean }) => void; reject: (e: unknown) => void }> = [];

  private flushCompletions(): void {
    const batch = this.completions;
    this.completions = [];
    const outcomes: Array<{ ok: true; value: { requeued: boolean } } | { ok: false; error: unknown }> = [];
    try {
      this.tx(() => {
        for (const c of batch) {
          try {
            // Called inside the open transaction, better-sqlite3 makes this a SAVEPOINT.
            outcomes.push({ ok: true, value: this.runInTx!(() => this.completeOne(c.input, c.now)) as { requeued: boolean } });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch was written.
      for (const c of batch) c.reject(error);
      return;
    }
    batch.forEach((c, i) => {
      const o = outcomes[i]!;
      if (o.ok) c.resolve(o.value);
      else c.reject(o.error);
    });
  }

  private completeOne(input: S.CompleteJobInput, now: Date): { requeued: boolean } {
    {
      const job = this.heldJob(input.jobId, input.workerId);
      const deposit = toDeposit(this.one('SELECT * FROM deposits WHERE key = ?', job.depositKey)!);
      const plan = planCompletion(deposit, input);
      const t = now.getTime();
      this.run('UPDATE deposits SET put_code = ?, posted_hash = ?, maybe_posted = 0, status = ?, last_error = NULL, updated_at = ? WHERE key = ?', plan.putCode, plan.postedHash, plan.depositStatus, t, deposit.key);
      if (plan.requeue) {
        this.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?`, t, t, job.id);
      } else {
        this.run(`UPDATE jobs SET status = 'done', leased_by = NULL, lease_expires_at = NULL, last_error = NULL, updated_at = ? WHERE id = ?`, t, job.id);
      }
      if (input.history) this.insertHistory({ ...input.history, detail: { ...input.history.detail, requeued: plan.requeue } });
      return { requeued: plan.requeue };
    }
  }

  async markDepositRemoved(depositKey: string, now: Date): Promise<void> {
    this.tx(() => {
      const t = now.getTime();
      const r = this.run(`UPDATE deposits SET status = 'removed-by-researcher', put_code = NULL, posted_hash = NULL, updated_at = ? WHERE key = ?`, t, depositKey);
      if (r.changes === 0) return;
      // Nothing is left to update or delete. A leased job is left to its worker, whose call
      // will meet ORCID's 404 and complete as removed-by-researcher.
      this.run(`UPDATE jobs SET status = 'done', updated_at = ? WHERE deposit_key = ? AND status IN ('queued', 'parked')`, t, depositKey);
    });
  }

  async adoptPutCode(depositKey: string, putCode: string, now: Date): Promise<void> {
    this.run('UPDATE deposits SET put_code = ?, updated_at = ? WHERE key = ?', putCode, now.getTime(), depositKey);
  }

  async retryJob(jobId: string, workerId: string, error: string, runAt: Date, now: Date, options: { countAttempt?: boolean } = {}): Promise<void> {
    this.tx(() => {
      const job = this.heldJob(jobId, workerId);
      const t = now.getTime();
      const giveBack = options.countAttempt === false ? 1 : 0;
      this.run(`UPDATE jobs SET status = 'queued', run_at = ?, last_error = ?, leased_by = NULL, lease_expires_at = NULL, attempts = MAX(0, attempts - ?), updated_at = ? WHERE id = ?`, ms(runAt), error, giveBack, t, jobId);
      this.run('UPDATE deposits SET last_error = ?, updated_at = ? WHERE key = ?', error, t, job.depositKey);
    });
  }

  async parkJob(jobId: string, workerId: string | null, reason: string, now: Date): Promise<void> {
    this.tx(() => {
      const job = workerId === null ? this.map(this.one('SELECT * FROM jobs WHERE id = ?', jobId), toJob) : this.heldJob(jobId, workerId);
      if (!job || job.status === 'done') return;
      this.parkRows([job], reason, now.getTime());
    });
  }

  async parkJobsOfIdentity(identityId: string, reason: string, now: Date): Promise<number> {
    return this.tx(() => {
      const jobs = this.all(`SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key WHERE d.identity_id = ? AND j.status IN ('queued', 'leased')`, identityId).map(toJob);
      this.parkRows(jobs, reason, now.getTime());
      return jobs.length;
    });
  }

  async unparkJobs(filter: { jobId?: string; identityId?: string }, now: Date): Promise<number> {
    if (filter.jobId === undefined && filter.identityId === undefined) {
      throw new OrcidPluginError(INVALID_INPUT, 'unparkJobs: give a jobId or an identityId', { status: 400 });
    }
    return this.tx(() => {
      const { where, params } = conditions({ 'j.id': filter.jobId, 'd.identity_id': filter.identityId });
      const jobs = this.all(`SELECT j.* FROM jobs j JOIN deposits d ON d.key = j.deposit_key ${where} AND j.status = 'parked'`, ...params).map(toJob);
      const t = now.getTime();
      for (const job of jobs) {
        this.run(`UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?, park_reason = NULL, updated_at = ? WHERE id = ?`, t, t, job.id);
        this.run(`UPDATE deposits SET status = 'pending', updated_at = ? WHERE key = ?`, t, job.depositKey);
      }
      return jobs.length;
    });
  }

  async getJob(id: string): Promise<S.Job | null> {
    return this.map(this.one('SELECT * FROM jobs WHERE id = ?', id), toJob);
  }

  async getOpenJobForDeposit(depositKey: string): Promise<S.Job | null> {
    return this.openJob(depositKey);
  }

  async listJobs(filter: { status?: S.JobStatus; identityId?: string; submissionId?: string; limit?: number }): Promise<S.ClaimedJob[]> {
    const { where, params } = conditions({ 'j.status': filter.status, 'd.identity_id': filter.identityId, 'd.submission_id': filter.submissionId });
    return this.all(`${JOINED} ${where} ORDER BY j.run_at, j.deposit_key, j.id LIMIT ?`, ...params, filter.limit ?? DEFAULT_LIST_LIMIT).map(splitJoined);
  }

  async countJobs(): Promise<S.JobCounts> {
    const counts: S.JobCounts = { queued: 0, leased: 0, parked: 0, done: 0 };
    for (const r of this.all('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')) counts[r.status as S.JobStatus] = Number(r.n);
    return counts;
  }

  async nextRunAt(): Promise<Date | null> {
    const r = this.one(`SELECT MIN(run_at) AS t FROM jobs WHERE status = 'queued'`);
    return r && r.t !== null ? new Date(Number(r.t)) : null;
  }

  // webhooks

  async upsertWebhook(sub: S.WebhookSubscription): Promise<void> {
    this.run('INSERT INTO webhooks (orcid, callback_url, registered_at) VALUES (?, ?, ?) ON CONFLICT (orcid) DO UPDATE SET callback_url = excluded.callback_url, registered_at = excluded.registered_at', sub.orcid, sub.callbackUrl, ms(sub.registeredAt));
  }

  async deleteWebhook(orcid: string): Promise<void> {
    this.run('DELETE FROM webhooks WHERE orcid = ?', orcid);
  }

  async getWebhook(orcid: string): Promise<S.WebhookSubscription | null> {
    return this.map(this.one('SELECT * FROM webhooks WHERE orcid = ?', orcid), toWebhook);
  }

  async listWebhooks(): Promise<S.WebhookSubscription[]> {
    return this.all('SELECT * FROM webhooks ORDER BY orcid').map(toWebhook);
  }

  // history

  async appendHistory(e: S.HistoryInput): Promise<void> {
    this.insertHistory(e);
  }

  private insertHistory(e: S.HistoryInput): void {
    this.run(
      'INSERT INTO history (id, at, event, orcid, identity_id, submission_id, deposit_key, job_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      randomUUID(), ms(e.at), e.event, e.orcid ?? null, e.identityId ?? null, e.submissionId ?? null, e.depositKey ?? null, e.jobId ?? null, JSON.stringify(e.detail ?? {}),
    );
  }

  async listHistory(filter: { orcid?: string; submissionId?: string; depositKey?: string; limit?: number }): Promise<S.HistoryEntry[]> {
    const { where, params } = conditions({ orcid: filter.orcid, submission_id: filter.submissionId, deposit_key: filter.depositKey });
    return this.all(`SELECT * FROM history ${where} ORDER BY at DESC, seq DESC LIMIT ?`, ...params, filter.limit ?? DEFAULT_LIST_LIMIT).map(toHistory);
  }

  // settings

  async getSetting(key: string): Promise<string | null> {
    const r = this.one('SELECT value FROM settings WHERE key = ?', key);
    return r ? String(r.value) : null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }

  // helpers

  private get db(): Database.Database {
    if (!this.conn) throw new StorageError(STORE_UNAVAILABLE, `The SQLite store at ${this.path} is not open: call init() first`);
    return this.conn;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private one(sql: string, ...params: unknown[]): Row | undefined {
    return this.guard(() => this.stmt(sql).get(...params) as Row | undefined);
  }

  private all(sql: string, ...params: unknown[]): Row[] {
    return this.guard(() => this.stmt(sql).all(...params) as Row[]);
  }

  private run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.guard(() => this.stmt(sql).run(...params));
  }

  private map<R, T>(row: R | undefined | null, f: (r: R) => T): T | null {
    return row === undefined || row === null ? null : f(row);
  }

  /** Run `fn` in an IMMEDIATE transaction: the write lock is taken before the first read. */
  private tx<T>(fn: () => T): T {
    return this.guard(() => {
      if (!this.runInTx) return this.db.transaction(fn).immediate(); // throws "not open"
      return this.runInTx.immediate(fn) as T;
    });
  }

  private openJob(depositKey: string): S.Job | null {
    return this.map(this.one(`SELECT * FROM jobs WHERE deposit_key = ? AND status IN ${OPEN}`, depositKey), toJob);
  }

  /** The job, if `workerId` still holds its lease; LEASE_LOST otherwise. */
  private heldJob(jobId: string, workerId: string): S.Job {
    const job = this.map(this.one('SELECT * FROM jobs WHERE id = ?', jobId), toJob);
    if (!job || job.status !== 'leased' || job.leasedBy !== workerId) {
      const holder = !job ? 'the job does not exist' : job.status === 'leased' ? `it is leased by ${job.leasedBy}` : `it is ${job.status}`;
      throw new StorageError(LEASE_LOST, `Worker ${workerId} no longer holds the lease on job ${jobId}: ${holder}`);
    }
    return job;
  }

  private parkRows(jobs: S.Job[], reason: string, t: number): void {
    for (const job of jobs) {
      this.run(`UPDATE jobs SET status = 'parked', park_reason = ?, leased_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?`, reason, t, job.id);
      this.run(`UPDATE deposits SET status = 'parked', last_error = ?, updated_at = ? WHERE key = ?`, reason, t, job.depositKey);
    }
  }

  /** Turn SQLite's own errors into typed StorageErrors with advice, leaving ours untouched. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof OrcidPluginError) throw e;
      const err = coerceError(e) as Error & { code?: string };
      const code = err.code ?? '';
      if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
        throw new StorageError(STORE_CORRUPT, `The SQLite store at ${this.path} is not a database (${err.message}): restore it from a backup or point STORE_URL at a new file`, { cause: e });
      }
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
        throw new StorageError(STORE_UNAVAILABLE, `The SQLite store at ${this.path} stayed locked by another process for ${this.busyTimeoutMs} ms (${err.message})`, { cause: e });
      }
      if (/directory does not exist/.test(err.message) || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL' || code === 'SQLITE_PERM') {
        throw new StorageError(STORE_UNAVAILABLE, `Cannot use the SQLite store at ${this.path} (${err.message}): check that the folder exists and is writable`, { cause: e });
      }
      if (code.startsWith('SQLITE_CONSTRAINT')) {
        throw new StorageError(STORE_CONFLICT, `The SQLite store at ${this.path} refused a write (${err.message})`, { cause: e });
      }
      throw e;
    }
  }
}

/** `WHERE a = ? AND b = ?` for the filter entries that are set (always a WHERE, for appending). */
function conditions(filter: Record<string, string | undefined>): { where: string; params: string[] } {
  const set = Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][];
  return { where: `WHERE ${['1 = 1', ...set.map(([c]) => `${c} = ?`)].join(' AND ')}`, params: set.map(([, v]) => v) };
}
