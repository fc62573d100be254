/**
 * Typed errors. Every error the plugin throws is an {@link OrcidPluginError} with a stable
 * string `code` (exported as constants below) so hosts can branch on it without parsing messages.
 */

export const INVALID_ORCID_ID = 'INVALID_ORCID_ID';
export const INVALID_CONFIG = 'INVALID_CONFIG';
export const INVALID_INPUT = 'INVALID_INPUT';
export const STORE_UNAVAILABLE = 'STORE_UNAVAILABLE';
export const STORE_CORRUPT = 'STORE_CORRUPT';
export const STORE_URL_UNSUPPORTED = 'STORE_URL_UNSUPPORTED';
export const STORE_CONFLICT = 'STORE_CONFLICT';
export const LEASE_LOST = 'LEASE_LOST';
export const ORCID_API_ERROR = 'ORCID_API_ERROR';
export const ORCID_TOKEN_REVOKED = 'ORCID_TOKEN_REVOKED';
export const ORCID_TOKEN_EXPIRED = 'ORCID_TOKEN_EXPIRED';
export const ORCID_RATE_LIMITED = 'ORCID_RATE_LIMITED';
export const ORCID_NETWORK_ERROR = 'ORCID_NETWORK_ERROR';
export const OAUTH_STATE_MISMATCH = 'OAUTH_STATE_MISMATCH';
export const OAUTH_ERROR = 'OAUTH_ERROR';
export const TOKEN_DECRYPT_FAILED = 'TOKEN_DECRYPT_FAILED';
export const INVITATION_INVALID = 'INVITATION_INVALID';
export const XML_MALFORMED = 'XML_MALFORMED';
export const XML_UNSAFE = 'XML_UNSAFE';
/** A byte input declares (or starts with the BOM of) an encoding the embedders do not read. */
export const XML_ENCODING_UNSUPPORTED = 'XML_ENCODING_UNSUPPORTED';
/** An element already holds a different iD and `onConflict: 'error'` was asked for. */
export const EMBED_CONFLICT = 'EMBED_CONFLICT';
export const FORBIDDEN = 'FORBIDDEN';
/** Nobody is signed in where the plugin needs to know who is asking. */
export const UNAUTHENTICATED = 'UNAUTHENTICATED';
export const NOT_FOUND = 'NOT_FOUND';
export const INPUT_FILE_NOT_FOUND = 'INPUT_FILE_NOT_FOUND';
export const INPUT_FILE_UNREADABLE = 'INPUT_FILE_UNREADABLE';
/** `editorAppointed` for someone who never connected, and whom the plugin has no way to ask. */
export const EDITOR_NOT_REACHABLE = 'EDITOR_NOT_REACHABLE';
export const DEPENDENCY_MISSING = 'DEPENDENCY_MISSING';

export interface ErrorOptions {
  cause?: unknown;
  /** HTTP status to answer with when this error reaches the plugin's error middleware. */
  status?: number;
}

/** Base class of every error the plugin throws. */
export class OrcidPluginError extends Error {
  readonly code: string;
  /** HTTP status used by the error middleware; 4xx messages are shown to users, 5xx are not. */
  readonly status: number;
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
  }
  /** Koa convention: whether the message may be shown to the user. */
  get expose(): boolean {
    return this.status < 500;
  }
}

export class InvalidOrcidIdError extends OrcidPluginError {
  readonly input: string;
  constructor(input: string, reason: string) {
    super(INVALID_ORCID_ID, `Not a valid ORCID iD (${reason}): ${JSON.stringify(truncate(input, 80))}`, { status: 400 });
    this.input = input;
  }
}

/** One problem in the configuration: which setting and what is wrong with it. */
export interface ConfigProblem {
  setting: string;
  problem: string;
}

export class ConfigError extends OrcidPluginError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      INVALID_CONFIG,
      `Invalid koa-orcid-connect configuration:\n${problems.map((p) => `  - ${p.setting}: ${p.problem}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/**
 * An optional package the chosen feature needs is not installed: a database driver for `STORE_URL`
 * (`better-sqlite3`, `mongoose`), or `xmllint-wasm` for the emulator's schema checks.
 * @example
 * try { await openStore('mongodb://db/journal'); }
 * catch (e) { if (e instanceof MissingDependencyError) console.error(`npm install ${e.packageName}`); }
 */
export class MissingDependencyError extends OrcidPluginError {
  readonly packageName: string;
  constructor(packageName: string, neededFor: string, options: ErrorOptions = {}) {
    super(DEPENDENCY_MISSING, `${neededFor} needs the package "${packageName}", which is not installed: npm install ${packageName}`, { status: 500, ...options });
    this.packageName = packageName;
  }
}

/** Input from a host or a user that cannot be used; `path` names the offending field. */
export class InvalidInputError extends OrcidPluginError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(INVALID_INPUT, `${path}: ${message}`, { status: 400 });
    this.path = path;
  }
}

/** A file named on the command line that does not exist or cannot be read; `path` is the file. */
export class InputFileError extends OrcidPluginError {
  readonly path: string;
  constructor(path: string, cause: NodeJS.ErrnoException) {
    const missing = cause.code === 'ENOENT';
    super(missing ? INPUT_FILE_NOT_FOUND : INPUT_FILE_UNREADABLE, `${path}: ${missing ? 'no such file' : `cannot be read (${cause.code ?? cause.message})`}`, { status: 400, cause });
    this.path = path;
  }
}

export class StorageError extends OrcidPluginError {
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(code, message, { status: 503, ...options });
  }
}

export class XmlError extends OrcidPluginError {
  readonly line?: number;
  readonly column?: number;
  constructor(code: string, message: string, position: { line?: number; column?: number } = {}, cause?: unknown) {
    const where = position.line === undefined ? '' : ` (line ${position.line}, column ${position.column ?? 0})`;
    super(code, `${message}${where}`, { status: 400, cause });
    this.line = position.line;
    this.column = position.column;
  }
}

/** Where an element already holds a different iD than the contributor matched to it. */
export interface EmbedConflict {
  contributor: { givenNames: string; familyName: string; orcid: string };
  scope: string;
  line: number;
  column: number;
  /** The value the element holds. */
  existing: string;
}

/** `onConflict: 'error'`: nothing was embedded, because of these conflicts (all of them). */
export class EmbedConflictError extends OrcidPluginError {
  readonly conflicts: EmbedConflict[];
  constructor(conflicts: EmbedConflict[]) {
    const first = conflicts[0];
    const where = first ? ` (first at line ${first.line}, column ${first.column}: ${JSON.stringify(first.existing)} ≠ ${first.contributor.orcid})` : '';
    super(EMBED_CONFLICT, `${conflicts.length} element(s) already hold a different ORCID iD${where}`, { status: 409 });
    this.conflicts = conflicts;
  }
}

/** An answer from ORCID that was not a success; keeps ORCID's own error body. */
export class OrcidApiError extends OrcidPluginError {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  constructor(
    message: string,
    response: { statusCode: number; body: string; headers?: Record<string, string> },
    code: string = ORCID_API_ERROR,
  ) {
    super(code, message, { status: 502 });
    this.statusCode = response.statusCode;
    this.body = response.body;
    this.headers = response.headers ?? {};
  }
}

export class TokenRevokedError extends OrcidApiError {
  constructor(response: { statusCode: number; body: string; headers?: Record<string, string> }) {
    super('ORCID refused the access token (revoked or invalid)', response, ORCID_TOKEN_REVOKED);
  }
}

export class TokenExpiredError extends OrcidPluginError {
  constructor(message = 'The ORCID access token has expired') {
    super(ORCID_TOKEN_EXPIRED, message, { status: 401 });
  }
}

export class RateLimitedError extends OrcidApiError {
  /** Milliseconds ORCID asked us to wait (from Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;
  constructor(response: { statusCode: number; body: string; headers?: Record<string, string> }, retryAfterMs?: number) {
    super('ORCID rate limit reached', response, ORCID_RATE_LIMITED);
    this.retryAfterMs = retryAfterMs;
  }
}

export class NetworkError extends OrcidPluginError {
  constructor(message: string, cause?: unknown) {
    super(ORCID_NETWORK_ERROR, message, { status: 502, cause });
  }
}

export class OAuthError extends OrcidPluginError {
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(code, message, { status: 400, ...options });
  }
}

export class ForbiddenError extends OrcidPluginError {
  constructor(message = 'Forbidden') {
    super(FORBIDDEN, message, { status: 403 });
  }
}

export class UnauthenticatedError extends OrcidPluginError {
  constructor(message = 'Sign in first.') {
    super(UNAUTHENTICATED, message, { status: 401 });
  }
}

export class NotFoundError extends OrcidPluginError {
  constructor(message = 'Not found') {
    super(NOT_FOUND, message, { status: 404 });
  }
}

/**
 * An editor was appointed who has not connected an iD, and the plugin cannot ask them: it does not
 * know them (no `appointment.editor`), or has neither an email address nor a host account for them.
 * `missing` names the fields that would make it possible. Nothing is stored.
 */
export class EditorNotReachableError extends OrcidPluginError {
  readonly path = 'appointment.editor';
  readonly missing: string[];
  constructor(contributorId: string, missing: string[]) {
    super(EDITOR_NOT_REACHABLE, `appointment.editor: editor ${JSON.stringify(contributorId)} has not connected an ORCID iD and cannot be invited; give ${missing.join(' or ')}`, { status: 400 });
    this.missing = missing;
  }
}

/** Normalise anything thrown into an Error before logging or storing it. */
export function coerceError(e: unknown): Error {
  if (e instanceof Error) return e;
  if (typeof e === 'string') return new Error(e);
  try {
    return new Error(JSON.stringify(e));
  } catch {
    return new Error(String(e));
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
