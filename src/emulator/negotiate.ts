import type { Context, Next } from 'koa';
import { orcidError } from './errors.js';

/**
 * Content negotiation of the member API: ORCID's write endpoints consume and produce
 * `application/vnd.orcid+xml`, `application/orcid+xml`, `application/xml` and the three JSON
 * twins; any other Content-Type → 415, any other Accept → 406
 * (../shared/orcid-model/README.md, "Activities endpoints", Content types).
 */

export const XML_TYPES = ['application/vnd.orcid+xml', 'application/orcid+xml', 'application/xml'];
export const JSON_TYPES = ['application/vnd.orcid+json', 'application/orcid+json', 'application/json'];
const SUPPORTED = new Set([...XML_TYPES, ...JSON_TYPES]);

const mediaType = (s: string): string => s.split(';')[0].trim().toLowerCase();

/** The response format the Accept header allows (`xml` when absent or a wildcard), or null for 406. */
export function acceptedFormat(accept: string): 'xml' | 'json' | null {
  if (accept.trim() === '') return 'xml';
  const ranges = accept
    .split(',')
    .map((part) => {
      const q = /;\s*q=([\d.]+)/i.exec(part);
      return { type: mediaType(part), q: q ? Number(q[1]) : 1 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const r of ranges) {
    if (JSON_TYPES.includes(r.type)) return 'json';
    if (XML_TYPES.includes(r.type) || r.type === '*/*' || r.type === 'application/*') return 'xml';
  }
  return null;
}

/** Middleware for the member API paths: 415 / 406 before any route runs; remembers the format. */
export function negotiation() {
  return async (ctx: Context, next: Next) => {
    const format = acceptedFormat(ctx.get('accept'));
    // The error body itself goes out as XML when the client accepts nothing ORCID produces.
    ctx.state.format = format ?? 'xml';
    if (format === null) return void orcidError(ctx, 406, 9001, `Accept ${ctx.get('accept')} is not supported; use one of ${[...SUPPORTED].join(', ')}`);
    // A body-less PUT (webhook registration) needs no Content-Type; a body of no supported type is refused.
    const hasBody = (ctx.method === 'POST' || ctx.method === 'PUT') && (Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '');
    const type = mediaType(ctx.get('content-type'));
    if (hasBody && !SUPPORTED.has(type)) return void orcidError(ctx, 415, 9001, `Content-Type ${type} is not supported; use one of ${[...SUPPORTED].join(', ')}`);
    return next();
  };
}
