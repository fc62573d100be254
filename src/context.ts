import type { Context } from 'koa';
import type { Store } from './store/store.js';
import type { Logger } from './log.js';
import type { JournalInfo, Organization, ReviewPolicy } from './types.js';
import type { OrcidOAuth } from './orcid/oauth.js';
import type { OrcidClient } from './orcid/client.js';
import type { TokenCipher } from './store/token-cipher.js';
import type { Connect } from './sync/connect.js';
import type { Webhooks } from './sync/webhooks.js';
import type { Lifecycle } from './sync/lifecycle.js';
import type { Metrics } from './web/metrics.js';
import type { Renderer } from './web/templates.js';
import type { Mailer } from './web/mail.js';
import type { LocaleFor } from './web/request-locale.js';
import type { JournalRegistry } from './journals/registry.js';
import type { OAuthFor } from './journals/oauth-clients.js';

/**
 * The journal of a request to the plugin's routes (an id of `orcid.journals`), for a host that
 * serves many journals from one mount: from its path, host name or session. Default: `default`,
 * or the journal of the submission a route is about.
 */
export type JournalOf = (ctx: Context) => string | null | undefined | Promise<string | null | undefined>;

/** The host's signed-in user, as `currentUser(ctx)` returns it. */
export interface HostUser {
  id: string;
  /** Roles on the host; `editor` (or `admin`) may see status pages and resend invitations. */
  roles?: string[];
  name?: string;
  email?: string;
  /**
   * The language the user chose on the host (a BCP 47 tag: `en`, `zh-Hans`, `zh-CN`…). The plugin's
   * pages follow it before the invitation's language and `Accept-Language` (see the `localeOf` option).
   */
  locale?: string;
}

export type CurrentUser = (ctx: Context) => HostUser | null | undefined | Promise<HostUser | null | undefined>;

/** A person's part in one submission: it decides what of the submission the plugin shows them. */
export type SubmissionRole = 'editor' | 'author' | 'reviewer';

/**
 * The host's answer to "what is this signed-in user on this submission?": every role they hold
 * there, `[]` for none. Editors see every contributor, authors their co-authors (never a reviewer),
 * reviewers themselves. Default: `editor` when the user's host roles include `editor` or `admin`,
 * else `author` / `reviewer` from the contributors the host reported with this user's `hostUserId`.
 */
export type SubmissionRoles = (user: HostUser, submissionId: string, ctx: Context) => readonly SubmissionRole[] | Promise<readonly SubmissionRole[]>;

/** Settings the plugin's modules read, resolved once from the validated configuration. */
export interface RuntimeSettings {
  mountPath: string;
  publicUrl: string;
  redirectUri: string;
  clientId: string;
  scopes: string[];
  authenticateOnly: boolean;
  invitationSecret: string;
  invitationExpiryDays: number;
  reminderDays: number;
  unlinkPolicy: 'delete' | 'keep';
  retractionPolicy: 'update' | 'delete';
  showUnauthenticated: boolean;
  journal: JournalInfo & { publisher?: string };
  convening: Organization | null;
  peerReviewsEnabled: boolean;
  /** `journal.reviewPolicy`: what a peer-review item may reveal, and when. */
  reviewPolicy: ReviewPolicy;
  groupId: string | null;
  webhooks: { enabled: boolean; secret: string | null };
  metricsEnabled: boolean;
  secureCookies: boolean;
  defaultLocale: string;
  recordBase: string;
}

/** Everything the routes and event handlers share. Built once by `orcidConnect`, never changed after. */
export interface PluginContext {
  /** The three ports (Ledger, Directory, Sources) of one store; modules under `sync/` take only the ports they use. */
  readonly store: Store;
  logger: Logger;
  now: () => Date;
  settings: RuntimeSettings;
  currentUser: CurrentUser;
  /** The language of a page for this request (web/request-locale.ts): host, invitation, Accept-Language, default. */
  localeFor: LocaleFor;
  /** The host's roles hook, when it gave one (see {@link SubmissionRoles}). */
  submissionRoles?: SubmissionRoles;
  oauth: OrcidOAuth;
  client: OrcidClient;
  cipher: TokenCipher;
  mailer: Mailer;
  renderer: Renderer;
  connect: Connect;
  /** Present when metrics are enabled. */
  metrics?: Metrics;
  /** Present when Premium webhooks are enabled. */
  webhooks?: Webhooks;
  /** Linking, unlinking and revoking (`sync/lifecycle.ts`). */
  lifecycle: Lifecycle;
  /** The journals served (`journals/registry.ts`). */
  journals: JournalRegistry;
  /** The OAuth client of an ORCID credentials record (tokens belong to the client that obtained them). */
  oauthFor: OAuthFor;
  /** The host's `journalOf(ctx)` hook; default: no journal named (the submission's, else `default`). */
  journalOf: JournalOf;
}

export function isEditor(user: HostUser | null | undefined): boolean {
  return !!user && !!user.roles && (user.roles.includes('editor') || user.roles.includes('admin'));
}
