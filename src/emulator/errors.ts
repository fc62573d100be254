import type { Context } from 'koa';
import { sendOrcidError } from './http.js';

/**
 * ORCID's v3.0 error codes, as its exception mapper assigns them
 * (../shared/orcid-model/README.md, "Error responses"), and the helpers that answer with them.
 */
export const ERR = {
  badRequest: 9001,
  notSource: 9010,
  notFound: 9016,
  wrongRecord: 9017,
  putCodeMismatch: 9019,
  invalidMessage: 9020,
  duplicate: 9021,
  titleMissing: 9022,
  externalId: 9023,
  putCodeOnPost: 9024,
  groupExists: 9025,
  webhookNotFound: 9028,
  putCodeNotNumber: 9034,
  workType: 9037,
  scope: 9038,
  invalidEnum: 9051,
  invalidIssn: 9053,
  contributorRole: 9058,
  serverError: 9008,
} as const;

const USER: Record<number, string> = {
  400: 'The client application sent a bad request to ORCID.',
  401: 'The client application is not authorized.',
  403: 'The client application is forbidden to perform the action.',
  404: 'The resource was not found.',
  409: 'The client application made a request that conflicts with the current state.',
};
const REASON: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 415: 'Unsupported Media Type', 406: 'Not Acceptable' };

/** Answer with ORCID's error body; `developer-message` is "<status> <reason>: <message>". */
export function orcidError(ctx: Context, status: number, code: number, message: string): null {
  sendOrcidError(ctx, { status, developerMessage: `${status} ${REASON[status] ?? 'Error'}: ${message}`, userMessage: USER[status] ?? 'Something went wrong.', errorCode: code });
  return null;
}

export const badRequest = (ctx: Context, message: string, code: number = ERR.badRequest): null => orcidError(ctx, 400, code, message);
export const forbidden = (ctx: Context, message: string, code: number): null => orcidError(ctx, 403, code, message);
export const notFound = (ctx: Context, message: string, code: number = ERR.notFound): null => orcidError(ctx, 404, code, message);
export const conflict = (ctx: Context, message: string, code: number): null => orcidError(ctx, 409, code, message);
