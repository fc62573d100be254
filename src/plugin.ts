import type { Context, Middleware } from 'koa';
import { DEV_DEFAULTS_IN_USE, loadConfig, type DeepPartial, type ResolvedConfig, type Settings } from './config.js';
import { createLogger, type Logger } from './log.js';
import type { Store } from './store/store.js';
import { openStore } from './store/open-store.js';
import { TokenCipher } from './store/token-cipher.js';
import { orcidHosts } from './orcid/hosts.js';
import { createOAuth } from './orcid/oauth.js';
import { createOrcidClient } from './orcid/client.js';
import { createRateLimiters } from './orcid/shared-rate-limiter.js';
import { createApiClients } from './journals/api-clients.js';
import { decideRetry } from './orcid/retry-policy.js';
import { findOwnItemBySelfIds } from './orcid/record-read.js';
import { createWorker, type Worker } from './sync/worker.js';
import { createTokenSource } from './sync/tokens.js';
import { createConnect } from './sync/connect.js';
import { createRenderer } from './web/templates.js';
import { createMailer, type Mailer } from './web/mail.js';
import { createInviteService } from './web/invite-service.js';
import { createRoutes, type RoutesOptions } from './web/routes.js';
import { createCsrf, type HostCsrf } from './web/csrf.js';
import { createResearcherLookup } from './web/researcher.js';
import type { PageLayout } from './web/pages.js';
import { createLocaleResolver, type LocaleOf } from './web/request-locale.js';
import { createMetrics } from './web/metrics.js';
import { createWebhooks } from './sync/webhooks.js';
import { createLifecycle } from './sync/lifecycle.js';
import { createTaskRunner } from './sync/tasks.js';
import { createReminders } from './sync/reminders.js';
import { createSubmissionEvents } from './sync/submissions.js';
import { createReturning } from './sync/returning.js';
import { createEditorEvents } from './sync/editors.js';
import { createGroupIdEnsurer, groupIdOfPayload } from './sync/group-ids.js';
import { GroupScopeMissingError } from './orcid/api-errors.js';
import type { CurrentUser, PluginContext, RuntimeSettings, SubmissionRoles } from './context.js';
import type { Article, ConnectedAs, EditorAppointedResult, EditorAppointment, Review, ReviewerAssignment, Submission } from './types.js';
import { InvalidInputError, coerceError } from './errors.js';
import { authenticatedAuthors, embedForArticle } from './sync/embed-article.js';
import { VERSION } from './version.js';
import type { EmbedReport } from './metadata/report.js';
import { createJournalRegistry, configuredJournals, type JournalRegistry } from './journals/registry.js';
import { journalsPort } from './journals/memory.js';
import { createOAuthClients } from './journals/oauth-clients.js';
import type { JournalOf } from './context.js';
import { DEFAULT_JOURNAL_ID } from './store/store.js';
import { createJournalScoping } from './journals/scoping.js';
import type { Journal } from './journals/model.js';
import { defaultCredentialsSettings, defaultJournalSettings, journalDefaults } from './journals/model.js';

export interface OrcidConnectOptions extends DeepPartial<Settings> {
  /** The host's signed-in user; default: nobody is signed in (invitations still work). */
  currentUser?: CurrentUser;
  /**
   * The host's language for this request's viewer (a BCP 47 tag; unsupported ones are skipped).
   * The plugin's pages follow it first, then the invitation's language, `Accept-Language`, and
   * `locale`. Default: `currentUser(ctx)?.locale`. Give it when the host keeps a language for
   * visitors who are not signed in (a cookie, a path prefix).
   * @example
   * localeOf: (ctx) => ctx.cookies.get('lang')
   */
  localeOf?: LocaleOf;
  /**
   * Who the signed-in user is on a submission (`editor`, `author`, `reviewer`); scopes every route and
   * page of the plugin. Default: host `editor`/`admin` roles, and the contributors' `hostUserId`s.
   */
  submissionRoles?: SubmissionRoles;
  /**
   * The journal of a request to the plugin's routes, for a host serving many journals from one
   * mount (its path, host name or session): connecting, invitations, the JSON API and the status
   * pages follow it. Default: the journal of the submission a route is about, else `default`.
   * @example
   * journalOf: (ctx) => ctx.get('x-journal') || null
   */
  journalOf?: JournalOf;
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
  /**
   * Frame the plugin's pages in the host's layout: called with the page's parts
   * (`{ title, content, head, locale, status }`, HTML already escaped), returns the whole page.
   * Default: the plugin's `layout.njk` (which `templatesDir/<locale>/layout.njk` overrides).
   */
  layout?: PageLayout;
  /** The host's own CSRF tokens (`token(ctx)`, `verify(ctx, token)`); default: the plugin's (docs/security.md, "CSRF tokens in a host's pages"). */
  csrf?: HostCsrf;
}

/** What `articlePublished` and `articleUpdated` return. */
export interface ArticlePublished {
  /** The article's JATS with the authenticated iDs embedded, when `article.jats` was given. */
  jats?: string;
  /** The Crossref deposit with the authenticated iDs embedded, when `article.crossref` was given. */
  crossref?: string;
  /** Works queued for the authors' ORCID records. */
  queued: number;
  /** What the embedders did, per format (present when `jats` or `crossref` was given). */
  report?: { jats?: EmbedReport; crossref?: EmbedReport };
}

/**
 * The plugin a host mounts: its routes, the host events (call them as things happen in the
 * editorial system; each validates its input and throws {@link InvalidInputError} naming the field
 * before anything is stored), and the worker that posts to ORCID.
 */
export interface OrcidConnect {
  config: ResolvedConfig;
  store: Store;
  mailer: Mailer;
  /**
   * Koa middleware serving everything under the mount path (default `/orcid`).
   * @example
   * app.use(orcid.routes());
   */
  routes(): Middleware;
  /**
   * The CSRF token for this request's browser, for the host's own forms that post to the plugin.
   * @example
   * ctx.body = `<form method="post" action="/orcid/…"><input type="hidden" name="_csrf" value="${await orcid.csrfToken(ctx)}">…`;
   */
  csrfToken(ctx: Context): Promise<string>;
  /**
   * A manuscript was submitted: contributors with a host account can connect on the spot, the others get an invitation email.
   * `recognised`: contributors linked at once because their host user already connected a usable iD.
   * @example
   * await orcid.submissionCreated({ id: 's1', title: 'On emulated results', contributors: [
   *   { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'j@example.org', hostUserId: 'u1' },
   *   { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
   * ] });
   */
  submissionCreated(submission: Submission): Promise<{ invited: number; recognised: number }>;
  /**
   * A reviewer was assigned: they are invited to connect, so their review can go on their record.
   * @example
   * await orcid.reviewerAssigned({ submissionId: 's1', manuscriptTitle: 'On emulated results',
   *   reviewer: { contributorId: 'r1', givenNames: 'Amara', familyName: 'Okafor', email: 'a@example.org' } });
   */
  reviewerAssigned(assignment: ReviewerAssignment): Promise<{ invited: boolean; recognised: boolean }>;
  /**
   * A review was completed: queues a peer review for the reviewer's record (when connected).
   * @example
   * await orcid.reviewCompleted({ id: 'rev1', submissionId: 's1', reviewerContributorId: 'r1', completedAt: '2026-10-20',
   *   articleDoi: '10.5555/x.1', journal: { title: 'Journal of Examples', issn: '0317-8471' } });
   */
  reviewCompleted(review: Review): Promise<{ queued: number }>;
  /**
   * An article was published: queues a work for every connected author, and returns the JATS and
   * Crossref XML given with the authenticated iDs embedded.
   * @example
   * const { jats, crossref, queued, report } = await orcid.articlePublished({ id: 'a1', submissionId: 's1', doi: '10.5555/x.1',
   *   title: 'On emulated results', url: 'https://journal.example.org/a1', publishedAt: '2026-11-01',
   *   journal: { title: 'Journal of Examples', issn: '0317-8471' },
   *   authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }], jats: articleXml });
   */
  articlePublished(article: Article): Promise<ArticlePublished>;
  /**
   * An article was corrected: updates the works whose payload changed, and nothing else.
   * @example
   * await orcid.articleUpdated({ ...article, title: 'On emulated results (corrected)' });
   */
  articleUpdated(article: Article): Promise<ArticlePublished>;
  /**
   * An article was retracted: its works are marked retracted (policy `update`) or removed (`delete`).
   * @example
   * await orcid.articleRetracted(article, { notice: 'Retracted at the authors’ request.' });
   */
  articleRetracted(article: Article, options?: { notice?: string }): Promise<{ queued: number }>;
  /**
   * An editor was appointed: queues the editorial role (a service item) for a connected editor. One
   * who is not connected is recognised by `editor.hostUserId`, or invited by `editor.email`, and can
   * connect through `connectUrl`; one the plugin cannot ask throws EditorNotReachableError (`EDITOR_NOT_REACHABLE`).
   * @example
   * await orcid.editorAppointed({ contributorId: 'e1', role: 'Handling Editor', startDate: '2026-01-01',
   *   editor: { givenNames: 'Ada', familyName: 'Byron', email: 'ada@example.org' } });
   */
  editorAppointed(appointment: EditorAppointment): Promise<EditorAppointedResult>;
  /**
   * An editor's term ended: the service item gets its end date (`endDate` is required).
   * @example
   * await orcid.editorTermEnded({ contributorId: 'e1', role: 'Handling Editor', startDate: '2026-01-01', endDate: '2026-12-31' });
   */
  editorTermEnded(appointment: EditorAppointment): Promise<{ queued: number }>;
  /**
   * The iD a researcher connected, for "Connected as …" (null: show the Connect button). By the
   * host's user id, or by a request (its host user, else the plugin's session after an invitation).
   * `locale`: default, for a request, the language its pages speak (host locale, invitation, Accept-Language).
   * A revoked token, or an expired one that cannot be refreshed, gives null: they are asked again.
   * @example
   * const me = await orcid.connectedAs(ctx); if (me) ctx.body = me.html;
   */
  connectedAs(who: string | Context, locale?: string): Promise<ConnectedAs | null>;
  /**
   * Send the one reminder to invitees who have not connected after `invitations.reminderDays`
   * (a started worker does this hourly).
   * @example
   * const reminded = await orcid.sendReminders();
   */
  sendReminders(): Promise<number>;
  /**
   * Posts to ORCID: `start()` in the web process, or run `koa-orcid-connect worker` beside it.
   * @example
   * orcid.worker.start();          // keeps polling
   * await orcid.worker.drain();    // or: process what is due now, then return
   */
  worker: Worker;
  /**
   * The journals this instance serves (docs/many-journals.md): the configured ones, `default` among
   * them, and those the host adds at run time, validated by the schema of the `journals` setting.
   * @example
   * await orcid.journals.upsertCredentials({ id: 'pub-a', env: 'sandbox', clientId: 'APP-1A2B3C4D5E6F7G8H', clientSecret: process.env.PUB_A_SECRET! });
   * await orcid.journals.upsert({ id: 'jex', title: 'Journal of Examples', issn: '0317-8471', credentialsId: 'pub-a' });
   * const journal = await orcid.journals.get('jex');
   */
  journals: Pick<JournalRegistry, 'upsert' | 'upsertCredentials' | 'get' | 'list' | 'listCredentialIds'>;
  /**
   * Stop the worker, close the mailer and the store (unless the host passed its own `store`).
   * @example
   * process.once('SIGTERM', () => void orcid.close());
   */
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
  const { currentUser, localeOf, submissionRoles, journalOf, store: givenStore, env, fetch: fetchImpl, now: nowOpt, logger: givenLogger, mailer: givenMailer, templatesDir, onSignIn, csrf: hostCsrf, layout, ...settingsIn } = options;
  const config = loadConfig(settingsIn as DeepPartial<Settings>, env ?? process.env);
  const now = nowOpt ?? (() => new Date());
  const logger = givenLogger ?? createLogger({ level: config.logLevel });
  if (config.devOnly.length > 0) logger.warn({ code: DEV_DEFAULTS_IN_USE, settings: config.devOnly }, 'running on public development defaults: anyone can forge sessions and invitations; set real secrets before exposing this');
  const store = givenStore ?? (await openStore(config.storeUrl));
  const hosts = orcidHosts(config.orcid.env, config.orcid.baseUrl);
  const cipher = TokenCipher.fromKeys(config.tokenKeys);
  // Journals and credentials are records: the configured ones are written now (issue 19).
  const journalStore = journalsPort(store);
  if (journalStore.inMemory) logger.warn('the store has no Journals port (a store assembled by the host): journals upserted at run time last until the process ends');
  const journals = createJournalRegistry({ store: journalStore.port, cipher, defaults: journalDefaults(config), now });
  const configured = configuredJournals(defaultJournalSettings(config), defaultCredentialsSettings(config), config.journals, config.orcidCredentials);
  await journals.seed(configured.journals, configured.credentials).catch(async (e) => {
    if (!givenStore) await store.close();
    throw e;
  });
  const oauth = createOAuth({ clientId: config.orcid.clientId, clientSecret: config.orcid.clientSecret, hosts, fetch: fetchImpl, now, timeoutMs: config.worker.timeoutMs });
  // Tokens belong to the client that obtained them: each credentials record has its own OAuth client.
  const oauthFor = createOAuthClients({
    defaultOAuth: oauth,
    defaultIsConfigured: !config.orcidCredentials.some((c) => c.id === DEFAULT_JOURNAL_ID),
    credentials: journals.credentials,
    build: (c) => createOAuth({ clientId: c.clientId, clientSecret: c.clientSecret, hosts: orcidHosts(c.env, c.baseUrl), fetch: fetchImpl, now, timeoutMs: config.worker.timeoutMs }),
  });
  // ORCID limits each client, not each process: every process on this store shares one budget per
  // member client id, and a journal's jobs draw from its own client's (issue 19).
  const limiterOf = createRateLimiters({
    budget: store, ...config.worker.rateLimit,
    onStoreError: (err) => logger.warn({ err }, 'the shared ORCID rate budget in the store could not be read; retrying'),
  });
  const metrics = config.metrics.enabled ? createMetrics(store) : null;
  const apiClient = (key: string) => createOrcidClient({ apiBase: config.orcid.apiUrl, fetch: fetchImpl, now, limiter: limiterOf(key), timeoutMs: config.worker.timeoutMs,
    userAgent: `koa-orcid-connect/${VERSION} (+${config.publicUrl})`, onResponse: metrics ? metrics.response : undefined });
  const client = apiClient(config.orcid.clientId);
  const clientFor = createApiClients({ defaultClient: { client, clientId: config.orcid.clientId }, credentials: journals.credentials, build: apiClient,
    defaultIsConfigured: !config.orcidCredentials.some((c) => c.id === DEFAULT_JOURNAL_ID) });
  const renderer = createRenderer({ templatesDir, defaultLocale: config.locale, orcidBaseUrl: config.orcid.baseUrl, showUnauthenticated: config.display.unauthenticatedIds === 'show' });
  // A journal's templatesDir is searched before the host's for its mail (cached: one renderer per directory).
  const journalRenderers = new Map<string, ReturnType<typeof createRenderer>>();
  const rendererFor = (dir: string) => {
    let r = journalRenderers.get(dir);
    if (!r) journalRenderers.set(dir, (r = createRenderer({ templatesDir: [dir, ...(templatesDir ? [templatesDir] : [])], defaultLocale: config.locale, orcidBaseUrl: config.orcid.baseUrl, showUnauthenticated: config.display.unauthenticatedIds === 'show' })));
    return r;
  };
  const mailer = givenMailer ?? createMailer({ transport: config.mail.transport, smtpUrl: config.mail.smtpUrl, from: config.mail.from, renderer, rendererFor, now });
  const settings = runtimeSettings(config);
  // The modules below `sync/` take the narrow ports they use; the routes get the whole store.
  const ports = { ledger: store, directory: store, sources: store };
  const connect = createConnect({ ...ports, settings, now });
  const tokens = createTokenSource({ directory: store, cipher, oauth, oauthFor, now });
  const { tokenClientsOf, credentialsOfContributor, credentialsOfDeposit, submissionJournal, connectOf, journalFor, withJournal, backfillByJournal, journalOfDeposit, sameClient } =
    createJournalScoping({ store, journals, cipher, settings, now, defaultConnect: connect });
  // An invitation names its submission's journal and lasts as long as that journal says.
  const invites = createInviteService({ store, mailer, settings, now, logger,
    async journalOf(contributor) {
      const j = await submissionJournal(contributor.submissionId);
      return { title: j.title, expiryDays: j.invitations.expiryDays, locale: j.locale, templatesDir: j.templatesDir };
    } });
  const webhooks = settings.webhooks.enabled ? createWebhooks({ ...ports, client, tokens, settings, now }) : undefined;
  const lifecycle = createLifecycle({
    ...ports, connect: { backfill: backfillByJournal, unlinkDeposits: (identity) => connect.unlinkDeposits(identity) }, settings, now, logger,
    webhookUrl: webhooks ? webhooks.callbackUrl : null,
    reinvite: (c) => invites.invite(c, 'reinvitation'),
  });
  const returning = createReturning({ directory: store, ledger: store, tokens, now, logger, sameClient, credentialsOf: credentialsOfContributor });
  const people = createSubmissionEvents({ ...ports, now, invite: (c, title) => invites.invite(c, 'invitation', title), recognise: returning.recognise });
  const editors = createEditorEvents({ directory: store, connect, now, mountPath: config.mountPath, recognise: returning.recognise,
    invite: (c, position) => invites.invite(c, 'invitation', null, position) });
  const reminders = createReminders({ sources: store, settings, now, remind: (c) => invites.invite(c, 'reminder'),
    journals: {
      async shortestReminderDays() {
        const days = (await journals.list()).map((j) => j.invitations.reminderDays).filter((d) => d > 0);
        return days.length > 0 ? Math.min(...days) : 0;
      },
      reminderDaysOf: async (c) => (await submissionJournal(c.submissionId)).invitations.reminderDays,
    } });
  const tasks = createTaskRunner({
    directory: store, client, oauth, oauthFor, cipher, tokens, now, logger,
    reconcile: async (orcid) => webhooks?.reconcile(orcid),
    revoked: lifecycle.revoked,
  });
  // Built once, complete, and frozen: nothing adds to the context later.
  const pc: PluginContext = Object.freeze({
    store, logger, now, settings, oauth, client, cipher, mailer, renderer, connect, lifecycle, webhooks,
    metrics: metrics ?? undefined,
    journals, oauthFor,
    journalOf: journalOf ?? (() => null),
    currentUser: currentUser ?? (() => null),
    localeFor: createLocaleResolver({
      defaultLocale: config.locale,
      localeOf: localeOf ?? (async (ctx) => (currentUser ? (await currentUser(ctx))?.locale : null)),
    }),
    ...(submissionRoles ? { submissionRoles } : {}),
  });
  const researchers = createResearcherLookup(pc, returning);
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

  const worker = createWorker({
    ledger: store, directory: store, client, tokens, clientId: config.orcid.clientId, logger, now,
    credentialsOf: credentialsOfDeposit, clientFor,
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
    runTask: tasks.run,
    onTokenRevoked: lifecycle.tokenRevoked,
    onAttempt: ({ deposit, outcome }) => {
      metrics?.attempt(deposit.kind, outcome);
      if (metrics) void journalOfDeposit(deposit).then((journal) => metrics.journalAttempt(deposit.kind, outcome, journal));
    },
    async onJobSettled({ deposit, outcome }) {
      if (metrics) metrics.jobSettled(deposit.kind, outcome, await journalOfDeposit(deposit));
      await lifecycle.itemSettled(deposit);
    },
  });

  /**
   * articlePublished and articleUpdated in one pass: the work XML is built once (and validates the
   * article), the authors are read once for the embedder, and embedding comes first, so malformed
   * JATS or Crossref is refused before anything is stored.
   */
  // Every event belongs to a journal (issue 19, journals/scoping.ts): the one it names, else its
  // submission's, else `default`. Its payloads name that journal and follow its policies.
  // An editor of a journal is recognised among its client's researchers, invited in its name, and
  // connects through its client.
  const editorEvents = new WeakMap<Journal, ReturnType<typeof createEditorEvents>>();
  async function editorsOf(journal: Journal) {
    if (journal.id === DEFAULT_JOURNAL_ID && (await journals.count()) <= 1) return editors;
    let e = editorEvents.get(journal);
    if (!e) {
      const recogniser = createReturning({ directory: store, ledger: store, tokens, now, logger, sameClient: async (identity) => tokenClientsOf(identity).includes(journal.credentialsId), credentialsOf: async () => journal.credentialsId });
      const named = { title: journal.title, expiryDays: journal.invitations.expiryDays, locale: journal.locale, templatesDir: journal.templatesDir };
      editorEvents.set(journal, (e = createEditorEvents({ directory: store, connect: connectOf(journal), now, mountPath: config.mountPath, recognise: recogniser.recognise,
        invite: (c, position) => invites.invite(c, 'invitation', null, position, named), ...(journal.id !== DEFAULT_JOURNAL_ID ? { journalId: journal.id } : {}) })));
    }
    return e;
  }
  const articleJournal = (article: Article) => journalFor(article?.journalId, article?.submissionId, 'article');

  async function published(input: Article): Promise<ArticlePublished> {
    const journal = await articleJournal(input);
    const article = withJournal(input, journal);
    const connect = connectOf(journal);
    const built = connect.checkArticle(article);
    let embedded: Omit<ArticlePublished, 'queued'> = {};
    if (article.jats !== undefined || article.crossref !== undefined) {
      const resolved = await store.resolveContributors(article.authors.map((a) => a.contributorId));
      embedded = embedForArticle(article, authenticatedAuthors(article, resolved));
    }
    const { queued } = await connect.articlePublished(article, built);
    return { ...embedded, queued };
  }

  // The worker also sends the one invitation reminder, checked hourly while it runs.
  let reminderTimer: NodeJS.Timeout | null = null;
  const sendReminders = () => reminders.sendDue();
  const runningWorker: Worker = {
    id: worker.id,
    start() {
      worker.start();
      reminderTimer ??= setInterval(() => void sendReminders().catch((e) => logger.warn({ err: coerceError(e) }, 'sending reminders failed')), 3_600_000);
      reminderTimer.unref();
    },
    async stop() {
      if (reminderTimer) clearInterval(reminderTimer);
      reminderTimer = null;
      await worker.stop();
    },
    drain: worker.drain,
    runOnce: worker.runOnce,
  };

  return {
    config,
    store,
    mailer,
    routes: () => createRoutes(pc, invites, { onSignIn, layout, sessionKeys: config.sessionKeys, csrf, metricsAccess: { token: config.metrics.token, allowFrom: config.metrics.allowFrom } }),
    csrfToken: async (ctx) => csrf.token(ctx),
    submissionCreated: async (submission) => {
      if (submission?.journalId !== undefined) await journalFor(submission.journalId, undefined, 'submission');
      return people.submissionCreated(submission);
    },
    reviewerAssigned: people.reviewerAssigned,
    reviewCompleted: async (review) => ({ queued: await connectOf(await journalFor(review?.journalId, review?.submissionId, 'review')).reviewCompleted(review) }),
    articlePublished: published,
    articleUpdated: published,
    articleRetracted: async (article, opts) => {
      const journal = await articleJournal(article);
      return { queued: await connectOf(journal).articleRetracted(withJournal(article, journal), opts?.notice) };
    },
    editorAppointed: async (a) => (await editorsOf(await journalFor(a?.journalId, undefined, 'appointment'))).editorAppointed(a),
    editorTermEnded: async (a) => {
      if (!a?.endDate) throw new InvalidInputError('appointment.endDate', 'is required when a term ends');
      return { queued: await connectOf(await journalFor(a.journalId, undefined, 'appointment')).editorTermEnded(a) };
    },
    connectedAs: researchers.connectedAs,
    journals: { upsert: journals.upsert, upsertCredentials: journals.upsertCredentials, get: journals.get, list: journals.list, listCredentialIds: journals.listCredentialIds },
    sendReminders,
    worker: runningWorker,
    async close() {
      await runningWorker.stop();
      await mailer.close();
      if (!givenStore) await store.close();
    },
  };

}

/** The settings the modules read, from the validated configuration. */
export function runtimeSettings(config: ResolvedConfig): RuntimeSettings {
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
    reviewPolicy: config.journal.reviewPolicy,
    groupId: config.peerReviews.groupId ?? null,
    webhooks: { enabled: config.webhooks.enabled, secret: config.webhooks.secret ?? null },
    metricsEnabled: config.metrics.enabled,
    secureCookies: config.publicUrl.startsWith('https:'),
    defaultLocale: config.locale,
    recordBase: config.orcid.baseUrl.replace(/\/+$/, ''),
  };
}

export type { Context };
