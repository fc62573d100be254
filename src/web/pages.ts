/**
 * The plugin's HTML pages, wrapped in the host's layout when the host asks for it.
 *
 * Two ways for a host to put the plugin's pages in its own frame:
 * - a layout template: `templatesDir/<locale>/layout.njk` overrides the built-in one (blocks `title`, `content`);
 * - a render hook, `layout(ctx, { title, content, head, locale, status })`, returning the whole page:
 *   the plugin renders only the page's own parts (with autoescape, as always) and the host frames them.
 *
 * For the hook, each page template extends `pageLayout` — here `_page-parts.njk`, which writes the
 * title block, a marker, then the content block. The title never holds outside data (the layout adds
 * the journal's title), so the first marker is always ours. A journal's override that extends its
 * own layout has no marker: its page is sent as it rendered.
 */
import type { Context } from 'koa';
import type { Renderer } from './templates.js';
import type { LocaleFor } from './request-locale.js';

/** What the host's layout hook receives. `title`, `content` and `head` are HTML, already escaped. */
export interface PageParts {
  title: string;
  content: string;
  /** The plugin's own `<style>` element (badge, buttons, tables), for the host's `<head>`. */
  head: string;
  /** `en` or `zh-Hans`. */
  locale: string;
  status: number;
}

export type PageLayout = (ctx: Context, page: PageParts) => string | Promise<string>;

const MARK = '<!--koa-orcid:content-->';

export function createPages(renderer: Renderer, localeFor: LocaleFor, layout?: PageLayout) {
  /**
   * Render a page template in the request's language (request-locale.ts), framed by the host's layout
   * when one is set. `invitation`: the contributor's locale when the page answers their invitation.
   */
  async function html(ctx: Context, status: number, template: string, view: Record<string, unknown>, invitation?: string | null): Promise<string> {
    const locale = await localeFor(ctx, invitation);
    if (!layout) return renderer.render(template, view, locale);
    const parts = renderer.render(template, { ...view, pageLayout: '_page-parts.njk' }, locale);
    const at = parts.indexOf(MARK);
    if (at < 0) return parts;
    return layout(ctx, { title: parts.slice(0, at).trim(), content: parts.slice(at + MARK.length), head: renderer.render('_styles.njk', {}, locale), locale, status });
  }

  async function send(ctx: Context, status: number, template: string, view: Record<string, unknown>, invitation?: string | null): Promise<void> {
    const body = await html(ctx, status, template, view, invitation);
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  }

  return { html, send };
}

export type Pages = ReturnType<typeof createPages>;
