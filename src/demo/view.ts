import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Context } from 'koa';

/**
 * Server-rendered pages of the demo: nunjucks with autoescape, templates next to this file. tsc
 * does not copy them to dist/, so compiled code (dist/demo) falls back to src/demo/views.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
export const VIEWS_DIR = [join(HERE, 'views'), join(HERE, '..', '..', 'src', 'demo', 'views')].find((d) => existsSync(d)) ?? join(HERE, 'views');

export type Render = (ctx: Context, name: string, data?: Record<string, unknown>) => void;

export function createView(globals: Record<string, unknown>): Render {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: false }), { autoescape: true, throwOnUndefined: false });
  for (const [k, v] of Object.entries(globals)) env.addGlobal(k, v);
  env.addFilter('date', (d: string | Date | null | undefined) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : ''));
  return (ctx, name, data = {}) => {
    ctx.type = 'html';
    ctx.body = env.render(name, { ...ctx.state, ...data });
  };
}
