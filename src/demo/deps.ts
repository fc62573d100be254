import type { Context } from 'koa';
import type { OrcidConnect } from '../plugin.js';
import type { Renderer } from '../web/templates.js';
import type { DemoData } from './data.js';
import type { Render } from './view.js';
import { ForbiddenError } from '../errors.js';
import { safeReturnPath } from '../web/safe-return.js';
import { currentDemoUser, type DemoUser } from './people.js';
import { worded } from './page-error.js';

/** What the demo's route modules share. */
export interface DemoDeps {
  orcid: OrcidConnect;
  data: DemoData;
  /** The plugin's renderer, for iD badges (links to the configured ORCID site). */
  renderer: Renderer;
  render: Render;
  now: () => Date;
  publicUrl: string;
  mountPath: string;
}

export function requireRole(ctx: Context, role: string): DemoUser {
  const user = currentDemoUser(ctx);
  if (!user || !user.roles.includes(role)) throw worded(new ForbiddenError(`Act as a journal user with the ${role} role for this (use the switcher at the top).`), 'role-needed', role);
  return user;
}

/** A same-origin path to go back to; anything else becomes `/` (the plugin's checked rule, output included). */
export function localPath(v: unknown, fallback = '/'): string {
  return safeReturnPath(v, fallback);
}

export function formBody(ctx: Context): Record<string, string> {
  const body = (ctx.request as unknown as { body?: unknown }).body;
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}
