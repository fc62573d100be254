import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'child'>;

/**
 * Paths pino censors in every log line. Tokens are write access to a researcher's record: they
 * must never reach a log, whatever object a caller passes.
 */
export const REDACT_PATHS = [
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'token',
  'tokens',
  'sealedTokens',
  'clientSecret',
  'client_secret',
  'password',
  'authorization',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.clientSecret',
  '*.sealedTokens',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): PinoLogger {
  return pino(
    { level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { name: 'koa-orcid-connect' } },
    options.destination,
  );
}
