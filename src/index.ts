/**
 * The public API of koa-orcid-connect: the plugin, its pure helpers (iDs, ORCID payloads, embedding
 * iDs in JATS and Crossref), its errors and its types. Nothing else in src/ is public; the emulator,
 * the store adapters and the test helpers have their own entry points (`koa-orcid-connect/emulator`,
 * `/sqlite`, `/mongodb`, `/postgres`, `/testing`). test/index.test.ts holds the exact list of runtime names.
 */
export { orcidConnect } from './orcid-connect.js';
export type { OrcidConnect, OrcidConnectOptions, ArticlePublished } from './plugin.js';
export type { HostUser, CurrentUser, SubmissionRole, SubmissionRoles, JournalOf } from './context.js';
export type { Journal, OrcidCredentials } from './journals/model.js';
export type { JournalRegistry } from './journals/registry.js';
export type { PageLayout, PageParts } from './web/pages.js';
export type { LocaleOf } from './web/request-locale.js';
export type { Logger } from './log.js';
export type { Mailer, CapturedMail, InvitationMail, SentMail, MailTransportKind } from './web/mail.js';
export type { Worker } from './sync/worker.js';
export type { SignInHandler } from './web/connect-routes.js';
export type { HostCsrf } from './web/csrf.js';

// Configuration
export { loadConfig, pluginManifest } from './config.js';
export type { Settings, ResolvedConfig, DeepPartial, OrcidEnvironment, OrcidScope } from './config.js';

// Stores: openStore loads the adapter for the URL's scheme only when it is used.
export { openStore } from './store/open-store.js';
export type { OpenStoreOptions } from './store/open-store.js';
export type * from './store/store.js';
export type { Ledger, Directory, Sources, Journals, Store } from './store/ports.js';
export { TokenCipher, parseTokenKey } from './store/token-cipher.js';

// Pure helpers
export { parseOrcidId, isOrcidId, orcidCheckDigit } from './orcid/id.js';
export type { OrcidId, ParseOrcidIdOptions } from './orcid/id.js';
export { buildWorkXml } from './orcid/work.js';
export { buildPeerReviewXml, journalGroupId } from './orcid/peer-review.js';
export { buildServiceXml } from './orcid/service.js';
export { embedOrcidInJats } from './metadata/jats.js';
export { embedOrcidInCrossref } from './metadata/crossref.js';
export type * from './metadata/report.js';
export type { EmbedBytesResult } from './metadata/embed.js';
export type { XmlEncoding } from './metadata/encoding.js';
export type * from './types.js';

// Errors: every one has a stable `code`.
export {
  OrcidPluginError, ConfigError, InvalidInputError, InvalidOrcidIdError, InputFileError, StorageError, MissingDependencyError,
  XmlError, EmbedConflictError, OrcidApiError, TokenRevokedError, TokenExpiredError, RateLimitedError, NetworkError, OAuthError,
  ForbiddenError, UnauthenticatedError, NotFoundError, EditorNotReachableError,
  INVALID_ORCID_ID, INVALID_CONFIG, INVALID_INPUT, STORE_UNAVAILABLE, STORE_CORRUPT, STORE_URL_UNSUPPORTED, STORE_CONFLICT, LEASE_LOST,
  ORCID_API_ERROR, ORCID_TOKEN_REVOKED, ORCID_TOKEN_EXPIRED, ORCID_RATE_LIMITED, ORCID_NETWORK_ERROR, OAUTH_STATE_MISMATCH, OAUTH_ERROR,
  TOKEN_DECRYPT_FAILED, INVITATION_INVALID, XML_MALFORMED, XML_UNSAFE, XML_ENCODING_UNSUPPORTED, EMBED_CONFLICT, FORBIDDEN, NOT_FOUND,
  INPUT_FILE_NOT_FOUND, INPUT_FILE_UNREADABLE, DEPENDENCY_MISSING, UNAUTHENTICATED, EDITOR_NOT_REACHABLE,
} from './errors.js';
export type { ErrorOptions, ConfigProblem, EmbedConflict } from './errors.js';
export * from './orcid/api-errors.js';
export { OrcidOAuthError, OAUTH_INVALID_GRANT, OAUTH_INVALID_CLIENT, OAUTH_SERVER_ERROR } from './orcid/oauth-error.js';
export { TokenDecryptError } from './store/token-cipher.js';
export { ORCID_CONFLICT, ORCID_FORBIDDEN, ORCID_NOT_FOUND, ORCID_BAD_REQUEST, ORCID_UNAUTHORIZED, ORCID_SERVER_ERROR, ORCID_UNEXPECTED_RESPONSE } from './orcid/http.js';
export { CsrfError, CSRF_REJECTED, UNSUPPORTED_MEDIA_TYPE } from './web/csrf.js';
export { IdTooLongError, ID_TOO_LONG } from './orcid/payload-text.js';
export { JournalInvalidError, UnknownJournalError, JOURNAL_INVALID, JOURNAL_UNKNOWN } from './journals/errors.js';
export { keptErrorInWords, orcidErrorInWords, parseOrcidError, ORCID_ERROR_CODES } from './orcid/orcid-error.js';
export type { OrcidErrorDetails, OrcidErrorOutcome } from './orcid/orcid-error.js';
