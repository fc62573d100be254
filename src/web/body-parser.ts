/**
 * Body parsing for the plugin's and the demo's forms and JSON: co-body, as @koa/bodyparser uses it,
 * without the wrapper, whose type dependencies (@types/co-body and with it @types/node, about 3 MB)
 * it installed into every host (issue 20).
 */
import coBody from 'co-body';
import type { Context, Middleware, Next } from 'koa';

export interface BodyParserOptions {
  /** Which bodies to parse; any other media type leaves `ctx.request.body` as `{}`. */
  types: Array<'json' | 'form'>;
  /** Byte limit, e.g. `'100kb'`; a larger body is a 413. */
  limit: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Sets `ctx.request.body` on POST, PUT and PATCH: the parsed JSON (strict: an object or an array)
 * or form, else `{}`. A malformed body is a 400 and an oversized one a 413 (co-body's own errors).
 */
export function bodyParser(options: BodyParserOptions): Middleware {
  const json = options.types.includes('json');
  const form = options.types.includes('form');
  return async function parseBody(ctx: Context, next: Next) {
    const request = ctx.request as Context['request'] & { body?: unknown };
    if (!BODY_METHODS.has(ctx.method) || request.body !== undefined) return next();
    const kind = json && ctx.is('json') ? 'json' : form && ctx.is('urlencoded') ? 'form' : null;
    request.body = kind === null ? {} : await coBody[kind](ctx, { limit: options.limit, encoding: 'utf-8', strict: true });
    return next();
  };
}
