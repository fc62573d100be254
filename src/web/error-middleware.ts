import type { Context, Next } from 'koa';
import { OrcidPluginError, coerceError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * The one place internal errors become HTTP answers: 4xx messages are shown, 5xx get generic text
 * (details go to the log). JSON under `/api/`, a short HTML page elsewhere.
 */
export function errorMiddleware(options: { logger: Logger; renderPage: (ctx: Context, status: number, message: string) => string | Promise<string> }) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (raw) {
      const err = coerceError(raw) as Error & { status?: number; statusCode?: number; expose?: boolean; code?: string };
      let status = err instanceof OrcidPluginError ? err.status : (err.status ?? err.statusCode ?? 500);
      if (typeof status !== 'number' || status < 400 || status > 599) status = 500;
      const expose = status < 500 && (err instanceof OrcidPluginError || err.expose === true);
      const message = expose ? err.message : status === 503 ? 'The service is temporarily unavailable; please try again shortly.' : 'Something went wrong on our side; please try again later.';
      if (status >= 500) options.logger.error({ err, path: ctx.path }, 'request failed');
      ctx.status = status;
      if (ctx.path.includes('/api/') || ctx.accepts(['html', 'json']) === 'json') {
        ctx.body = { error: err instanceof OrcidPluginError && expose ? err.code : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', message };
      } else {
        ctx.type = 'html';
        ctx.body = await options.renderPage(ctx, status, message);
        ctx.status = status;
      }
    }
  };
}
