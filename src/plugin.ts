import type { Context, Middleware } from 'koa';
import { DEV_DEFAULTS_IN_USE, loadConfig, type DeepPartial, type ResolvedConfig, type Settings } from './config.js';
import { createLogger, type Logger } from './log.js';
import type { Store } from './store/store.js';
import { openStore } from './store/open-store.js';
import { TokenCipher } from './store/token-cipher.js';
import { orcidHosts } from './orcid/hosts.js';
import { createOAuth } from './orcid/oauth.js';
import { createOrcidClient } from './orcid/client.js';
import { createRateLimiter } from './orcid/rate-limiter.js';
import { decideRetry } from './orcid/retry-policy.js';
import { findOwnItemBySelfIds } from './orcid/record-read.js';
import { createWorker, type Worker } from './sync/worker.js';
import { createTokenSource } from './sync/tokens.js';
import { createConnect, checkArticle } from './sync/connect.js';
import { createRenderer } from './web/templates.js';
import { createMailer, type Mailer } from './web/mail.js';
import { createInviteService } from './web/invite-service.js';
import { createRoutes, type RoutesOptions } from './web/routes.js';
import { createCsrf, type HostCsrf } from './web/csrf.js';
import { revokeNow } from './web/connect-routes.js';
import { readPrefill } from './sync/prefill.js';
import { createWebhooks } from './sync/webhooks.js';
import { createMetrics } from './web/metrics.js';
import { createGroupIdEnsurer, groupIdOfPayload } from './sync/group-ids.js';
import { GroupScopeMissingError } from './orcid/api-errors.js';
import type { CurrentUser, PluginContext, RuntimeSettings } from './context.js';
import type { Article, EditorAppointment, Review, ReviewerAssignment, Submission } from './types.js';
import { InvalidInputError, coerceError } from './errors.js';
import { parseOrcidId } from './orcid/id.js';
import { embedForArticle } from './sync/embed-article.js';
import { VERSION } from './version.js';

export interface OrcidConnectOptions extends DeepPartial<Settings> {
  /** The host's signed-in user; default: nobody is signed in (invitations still work). */
  currentUser?: CurrentUser;
  /** A Store instance instead of `storeUrl` (the plugin then does not close it). */
  store?: Store;
  /** Environment to read settings from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** HTTP dispatcher for every call to ORCID; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  now?: () => Date;
  logger?: Logger;
  mailer?: Mailer;
  /** A directory of templates (`en/`, `zh-Hans/`) that override the built-in ones. */
  templatesDir?: string;
  /** Enables "Sign in with ORCID": called with the authenticated iD after sign-in. */
  onSignIn?: RoutesOptions['onSignIn'];
  /** The host's own CSRF tokens (`token(ctx)`, `verify(ctx, token)`); default: the plugin's (README, "CSRF"). */
  csrf?: HostCsrf;
}

export interface OrcidConnect {
  config: ResolvedConfig;
  store: Store;
  mailer: Mailer;
  /** Koa middleware serving everything under the mount path (default `/orcid`). */
  routes(): Middleware;
  /** The CSRF token for this request's browser, for the host's own forms that post to the plugin. */
  csrfToken(ctx: Context): Promise<string>;
  submissionCreated(submission: Submission): Promise<{ invited: number }>;
  reviewerAssigned(assignment: ReviewerAssignment): Promise<{ invited: boolean }>;
  reviewCompleted(review: Review): Promise<{ queued: number }>;
  articlePublished(article: Article): Promise<{ jats?: string; crossref?: string; queued: number; report?: unknown }>;
  articleUpdated(article: Article): Promise<{ jats?: string; crossref?: string; queued: number; report?: unknown }>;
  articleRetracted(article: Article, options?: { notice?: string }): Promise<{ queued: number }>;
  editorAppointed(appointment: EditorAppointment): Promise<{ queued: number }>;
  editorTermEnded(appointment: EditorAppointment): Promise<{ queued: number }>;
  /** Send the one reminder to invitees who have not connected after `invitations.reminderDays`. */
  sendReminders(): Promise<number>;
  worker: Worker;
  close(): Promise<void>;
}

/**
 * Create the plugin.
 * @example
 * const orcid = await orcidConnect({ orcid: { env: 'sandbox' }, currentUser: (ctx) => ctx.state.user });
 * app.use(orcid.routes());
 * orcid.worker.start();
 */
export async function orcidConnect(options: OrcidConnectOptions = {}): Promise<OrcidConnect> {
  const { currentUser, store: givenStore, env, fetch: fetchImpl, now: nowOpt, logger: givenLogger, mailer: givenMailer, templatesDir, onSignIn, csrf: hostCsrf, ...settingsIn } = options;
  const config = loadConfig(settingsIn as DeepPartial<Settings>, env ?? process.env);
  const now = nowOpt ?? (() => new Date());
  const logger = givenLogger ?? createLogger({ level: config.logLevel });
  if (config.devOnly.length > 0) logger.warn({ code: DEV_DEFAULTS_IN_USE, settings: config.devOnly }, 'running on public development defaults: anyone can forge sessions and invitations; set real secrets before exposing this');
  const store = givenStore ?? (await openStore(config.storeUrl));
  const hosts = orcidHosts(config.orcid.env, config.orcid.baseUrl);
  const cipher = TokenCipher.fromKeys(config.tokenKeys);
  const oauth = createOAuth({ clientId: config.orcid.clientId, clientSecret: config.orcid.clientSecret, hosts, fetch: fetchImpl, now, timeoutMs: config.worker.timeoutMs });
  const limiter = createRateLimiter({ perSecond: config.worker.rateLimit.perSecond, burst: config.worker.rateLimit.burst });
  const metrics = config.metrics.enabled ? createMetrics(store) : null;
  const client = createOrcidClient({ apiBase: config.orcid.apiUrl, fetch: fetchImpl, now, limiter, timeoutMs: config.worker.timeoutMs,
    userAgent: `koa-orcid-connect/${VERSION} (+${config.publicUrl})`, onResponse: metrics ? metrics.response : undefined });
  const renderer = createRenderer({ templatesDir, defaultLocale: config.locale, orcidBaseUrl: config.orcid.baseUrl, showUnauthenticated: config.display.unauthenticatedIds === 'show' });
  const mailer = givenMailer ?? createMailer({ transport: config.mail.transport, smtpUrl: config.mail.smtpUrl, from: config.mail.from, renderer, now });
  const settings = runtimeSettings(config);
  const connect = createConnect({ store, settings, now });
  const tokens = createTokenSource({ store, cipher, oauth, now });

  const pc: PluginContext = {
    store, logger, now, settings, oauth, client, cipher, mailer, renderer, connect, metrics: metrics ?? undefined,
    currentUser: currentUser ?? (() => null),
    async onIdentityLinked(identity) {
      await connect.backfill(identity);
      void pc.webhooks?.register(identity).catch((e) => logger.warn({ err: coerceError(e) }, 'registering the ORCID webhook failed'));
      // Best effort, off the request path: names, emails and affiliations to prefill forms.
      void readPrefill({ store, client, tokens, identity }).catch((e) => logger.warn({ err: coerceError(e) }, 'reading the ORCID record for prefill failed'));
    },
  };
  const invites = createInviteService(pc);
  const csrf = createCsrf({ keys: config.sessionKeys, publicUrl: config.publicUrl, secure: settings.secureCookies, host: hostCsrf });
  const groupIds = createGroupIdEnsurer({ store, client, oauth, journalTitle: config.journal.title, publisher: config.journal.publisher });
  if (settings.peerReviewsEnabled) {
    // A configured non-ISSN group must exist or be creatable: say so now, not at the first review.
    await groupIds.checkConfigured(settings.groupId).catch(async (e) => {
      if (!(e instanceof GroupScopeMissingError)) return logger.warn({ err: coerceError(e) }, 'checking the peer-review group at ORCID failed; retried before the first review');
      if (!givenStore) await store.close();
      throw e;
    });
  }
  if (settings.webhooks.enabled) pc.webhooks = createWebhooks(pc, tokens);

  const worker = createWorker({
    store, client, tokens, clientId: config.orcid.clientId, logger, now,
    findOwnPutCode: findOwnItemBySelfIds,
    decideRetry: (e, attempt, failing) => decideRetry(e, attempt, {
      maxAttempts: config.worker.maxAttempts, parkAfterMs: config.worker.parkAfterHours * 3_600_000,
      failingSince: failing.since, failures: failing.failures, now: now(),
    }),
    async beforePost(deposit) {
      if (deposit.kind !== 'peer-review' || !deposit.payload) return;
      const groupId = groupIdOfPayload(deposit.payload);
      if (groupId) await groupIds.ensure(groupId);
    },
    concurrency: config.worker.concurrency, leaseMs: config.worker.leaseMs, pollMs: config.worker.pollMs,
    async onTokenRevoked(identity) {
      // One re-invitation per revocation: the identity is now revoked, so a second job cannot get here.
      for (const c of await store.listContributorsByIdentity(identity.id)) {
        if (c.email) {
          await invites.invite(c, 'reinvitation').catch((e) => logger.warn({ err: coerceError(e) }, 're-invitation failed'));
          break;
        }
      }
    },
    onAttempt: ({ deposit, outcome }) => metrics?.attempt(deposit.kind, outcome),
    async onJobSettled({ deposit, outcome }) {
      metrics?.jobSettled(deposit.kind, outcome);
      // Only an unlink's deletes can finish a pending revocation: skip the read for everything else.
      if (deposit.desiredState !== 'absent') return;
      if ((await store.getSetting(`pending-revoke:${deposit.identityId}`)) !== '1') return;
      const open = await store.listJobs({ identityId: deposit.identityId, limit: 1000 });
      if (open.some((j) => j.job.status === 'queued' || j.job.status === 'leased')) return;
      await revokeNow(pc, deposit.identityId);
    },
  });

  async function published(article: Article) {
    // Embedding first: malformed JATS or Crossref is refused before anything is stored.
    // (Embedding reads only identity links, which publishing does not change.)
    checkArticle(article);
    const embedded = await embedForArticle(store, article);
    const queued = await connect.articlePublished(article);
    return { ...embedded, queued };
  }

  // The worker also sends the one invitation reminder, checked hourly while it runs.
  let reminders: NodeJS.Timeout | null = null;
  async function sendReminders(): Promise<number> {
    if (config.invitations.reminderDays <= 0) return 0;
    const ids = JSON.parse((await store.getSetting('open-submissions')) ?? '[]') as string[];
    return invites.sendDueReminders(ids);
  }
  const runningWorker: Worker = {
    id: worker.id,
    start() {
      worker.start();
      reminders ??= setInterval(() => void sendReminders().catch((e) => logger.warn({ err: coerceError(e) }, 'sending reminders failed')), 3_600_000);
      reminders.unref();
    },
    async stop() {
      if (reminders) clearInterval(reminders);
      reminders = null;
      await worker.stop();
    },
    drain: worker.drain,
    runOnce: worker.runOnce,
  };

  return {
    config,
    store,
    mailer,
    routes: () => createRoutes(pc, invites, { onSignIn, sessionKeys: config.sessionKeys, csrf, metricsAccess: { token: config.metrics.token, allowFrom: config.metrics.allowFrom } }),
    csrfToken: async (ctx) => csrf.token(ctx),
    async submissionCreated(submission) {
      if (!submission || typeof submission.id !== 'string' || !submission.id) throw new InvalidInputError('submission.id', 'is required');
      if (!Array.isArray(submission.contributors)) throw new InvalidInputError('submission.contributors', 'must be an array');
      const rows = submission.contributors.map((c, i) => checkContributor(c, `submission.contributors[${i}]`));
      await store.setSetting(`submission-title:${submission.id}`, String(submission.title ?? ''));
      let invited = 0;
      for (const c of rows) {
        const row = await store.upsertContributor({ ...c, submissionId: submission.id }, now());
        // The submitting author connects on the spot; co-authors (and others without an account) are invited.
        if (row.role !== 'author' && row.invitationState === 'none' && !row.identityId && (await invites.invite(row, 'invitation', submission.title))) invited++;
      }
      await rememberOpen(submission.id);
      return { invited };
    },
    async reviewerAssigned(assignment) {
      if (!assignment || typeof assignment.submissionId !== 'string' || !assignment.submissionId) throw new InvalidInputError('assignment.submissionId', 'is required');
      const c = checkContributor({ ...assignment.reviewer, role: 'reviewer' }, 'assignment.reviewer');
      const row = await store.upsertContributor({ ...c, submissionId: assignment.submissionId }, now());
      await rememberOpen(assignment.submissionId);
      const invited = row.invitationState === 'none' && !row.identityId ? await invites.invite(row, 'invitation', assignment.manuscriptTitle) : false;
      return { invited };
    },
    reviewCompleted: async (review) => ({ queued: await connect.reviewCompleted(review) }),
    articlePublished: published,
    articleUpdated: published,
    articleRetracted: async (article, opts) => ({ queued: await connect.articleRetracted(article, opts?.notice) }),
    editorAppointed: async (a) => ({ queued: await connect.editorAppointed(a) }),
    editorTermEnded: async (a) => {
      if (!a?.endDate) throw new InvalidInputError('appointment.endDate', 'is required when a term ends');
      return { queued: await connect.editorTermEnded(a) };
    },
    sendReminders,
    worker: runningWorker,
    async close() {
      await runningWorker.stop();
      pc.webhooks?.close();
      await mailer.close();
      if (!givenStore) await store.close();
    },
  };

  async function rememberOpen(submissionId: string) {
    const ids = JSON.parse((await store.getSetting('open-submissions')) ?? '[]') as string[];
    if (!ids.includes(submissionId)) await store.setSetting('open-submissions', JSON.stringify([...ids, submissionId].slice(-5000)));
  }
}

function checkContributor(c: unknown, path: string) {
  const x = c as Record<string, unknown>;
  if (!x || typeof x !== 'object') throw new InvalidInputError(path, 'must be an object');
  for (const f of ['contributorId', 'givenNames', 'familyName'] as const) {
    if (typeof x[f] !== 'string' || !(x[f] as string).trim()) {
      if (f === 'givenNames' && typeof x[f] === 'string') continue; // mononyms have no given names
      throw new InvalidInputError(`${path}.${f}`, 'is required');
    }
  }
  const role = x.role;
  if (!['author', 'coauthor', 'reviewer', 'editor'].includes(role as string)) throw new InvalidInputError(`${path}.role`, 'must be author, coauthor, reviewer or editor');
  if (x.email !== undefined && (typeof x.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(x.email))) throw new InvalidInputError(`${path}.email`, 'is not an email address');
  const orcid = x.orcid === undefined || x.orcid === null || x.orcid === '' ? null : parseOrcidId(x.orcid).id;
  return {
    id: x.contributorId as string,
    role: role as 'author' | 'coauthor' | 'reviewer' | 'editor',
    givenNames: x.givenNames as string,
    familyName: x.familyName as string,
    email: (x.email as string | undefined) ?? null,
    locale: typeof x.locale === 'string' ? x.locale : null,
    hostUserId: typeof x.hostUserId === 'string' ? x.hostUserId : null,
    unauthenticatedOrcid: orcid,
  };
}

function runtimeSettings(config: ResolvedConfig): RuntimeSettings {
  return {
    mountPath: config.mountPath,
    publicUrl: config.publicUrl.replace(/\/+$/, ''),
    redirectUri: config.redirectUri,
    clientId: config.orcid.clientId,
    scopes: config.orcid.authenticateOnly ? ['/authenticate'] : config.orcid.scopes,
    authenticateOnly: config.orcid.authenticateOnly,
    invitationSecret: config.invitationSecret,
    invitationExpiryDays: config.invitations.expiryDays,
    reminderDays: config.invitations.reminderDays,
    unlinkPolicy: config.policies.unlink,
    retractionPolicy: config.policies.retraction,
    showUnauthenticated: config.display.unauthenticatedIds === 'show',
    journal: config.journal,
    convening: config.convening ?? null,
    peerReviewsEnabled: config.peerReviews.enabled,
    groupId: config.peerReviews.groupId ?? null,
    webhooks: { enabled: config.webhooks.enabled, secret: config.webhooks.secret ?? null },
    metricsEnabled: config.metrics.enabled,
    secureCookies: config.publicUrl.startsWith('https:'),
    defaultLocale: config.locale,
    recordBase: config.orcid.baseUrl.replace(/\/+$/, ''),
  };
}

export type { Context };
