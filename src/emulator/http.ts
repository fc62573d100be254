import type { Context } from 'koa';
import { errorJson, errorXml, type OrcidErrorBody } from './render.js';

/** Small HTTP helpers shared by the emulator's routes. */

export const XML_TYPE = 'application/vnd.orcid+xml';
export const JSON_TYPE = 'application/vnd.orcid+json';

/** ORCID answers in JSON when the Accept header prefers one of its JSON types, else XML (see negotiate.ts). */
export function wantsJson(ctx: Context): boolean {
  if (ctx.state.format) return ctx.state.format === 'json';
  return /json/i.test(ctx.get('accept'));
}

/** Whether the request body is JSON (`application/orcid+json`, `application/vnd.orcid+json`, `application/json`). */
export function bodyIsJson(ctx: Context): boolean {
  return /json/i.test(ctx.get('content-type'));
}

const LIMIT = 5 * 1024 * 1024;

/** The raw request body as text (ORCID stores XML as received, so no parser touches it first). */
export async function readBody(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) ctx.throw(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readForm(ctx: Context): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await readBody(ctx)));
}

export async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const text = await readBody(ctx);
  try {
    const v = text ? JSON.parse(text) : {};
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  ctx.throw(400, 'expected a JSON object');
}

/** Answer with ORCID's error body, in the format the client asked for. */
export function sendOrcidError(ctx: Context, e: OrcidErrorBody): void {
  ctx.status = e.status;
  if (wantsJson(ctx)) {
    ctx.type = JSON_TYPE;
    ctx.body = errorJson(e);
  } else {
    ctx.type = XML_TYPE;
    ctx.body = errorXml(e);
  }
}

/** Send an item body (a string of XML or a JSON object) with ORCID's media type. */
export function sendOrcid(ctx: Context, status: number, xml: () => string, json: () => unknown): void {
  ctx.status = status;
  if (wantsJson(ctx)) {
    ctx.type = JSON_TYPE;
    ctx.body = json();
  } else {
    ctx.type = XML_TYPE;
    ctx.body = xml();
  }
}

export function bearer(ctx: Context): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  return m ? m[1] : null;
}

/** OAuth-style JSON error (`/oauth/token`, `invalid_token` on the API): ORCID sends these as JSON always. */
export function sendOAuthError(ctx: Context, status: number, error: string, description: string): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = { error, error_description: description };
}

export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
