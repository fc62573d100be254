import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Context } from 'koa';
import { LOCALES, matchLocale, type Locale } from '../web/templates.js';

/**
 * Server-rendered pages of the demo: nunjucks with autoescape, templates next to this file. tsc
 * does not copy them to dist/, so compiled code (dist/demo) falls back to src/demo/views.
 *
 * Words as the plugin keeps them (templates.ts): per language, in `views/<locale>/_words.njk`, found
 * before `views/en/` and the pages in `views/`. Each page imports `_words.njk` and writes no text of
 * its own, so a page is in the language of the request (`ctx.state.locale`: the switcher's, else the browser's).
 */
const HERE = dirname(fileURLToPath(import.meta.url));
export const VIEWS_DIR = [join(HERE, 'views'), join(HERE, '..', '..', 'src', 'demo', 'views')].find((d) => existsSync(d)) ?? join(HERE, 'views');

export type Render = (ctx: Context, name: string, data?: Record<string, unknown>) => void;

export function createView(globals: Record<string, unknown>): Render {
  const envs = new Map<Locale, nunjucks.Environment>();
  for (const locale of LOCALES) {
    const dirs = [...new Set([join(VIEWS_DIR, locale), join(VIEWS_DIR, 'en'), VIEWS_DIR])];
    const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dirs, { noCache: false }), { autoescape: true, throwOnUndefined: false });
    for (const [k, v] of Object.entries(globals)) env.addGlobal(k, v);
    env.addFilter('date', (d: string | Date | null | undefined) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : ''));
    envs.set(locale, env);
  }
  return (ctx, name, data = {}) => {
    const locale = matchLocale((ctx.state as { locale?: string }).locale) ?? 'en';
    ctx.type = 'html';
    ctx.body = envs.get(locale)!.render(name, { ...ctx.state, locale, ...data });
  };
}
