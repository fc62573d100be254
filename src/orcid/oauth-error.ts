import { OAuthError } from '../errors.js';

export const OAUTH_INVALID_GRANT = 'OAUTH_INVALID_GRANT';
export const OAUTH_INVALID_CLIENT = 'OAUTH_INVALID_CLIENT';
export const OAUTH_SERVER_ERROR = 'OAUTH_SERVER_ERROR';

/** An error answer from ORCID's OAuth endpoints; keeps ORCID's body with secrets redacted. */
export class OrcidOAuthError extends OAuthError {
  readonly statusCode: number;
  readonly body: string;
  /** The RFC 6749 `error` field (`invalid_grant`, …) when ORCID sent one. */
  readonly oauthError: string | undefined;
  constructor(code: string, message: string, response: { statusCode: number; body: string; oauthError?: string }, status: number) {
    super(code, message, { status });
    this.statusCode = response.statusCode;
    this.body = response.body;
    this.oauthError = response.oauthError;
  }
}
