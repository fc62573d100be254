/**
 * The language of a plugin page, per request. In order:
 * 1. the host's locale for the viewer: `localeOf(ctx)`, by default `currentUser(ctx).locale`
 *    (the host knows what its user chose; the plugin follows its layout's language);
 * 2. the invitation's language (the contributor's `locale`): on the invitation landing, and on the
 *    pages after the OAuth round trip it started (kept in the plugin's session), so an invitee without
 *    an account reads the pages in the language of the email they clicked;
 * 3. the browser's `Accept-Language`;
 * 4. the configured default (`locale`).
 * A value that names no supported language (`fr`, `zh-TW`) is skipped, not taken as the default.
 */
import type { Context } from 'koa';
import { matchLocale, type Locale } from './templates.js';

/** The host's locale for this request's viewer (any BCP 47 tag); null/undefined when the host has none. */
export type LocaleOf = (ctx: Context) => string | null | undefined | Promise<string | null | undefined>;

/** The language kept in the plugin's session from the invitation this browser followed. */
function sessionLocale(ctx: Context): string | null {
  const orcid = (ctx as unknown as { session?: { orcid?: { locale?: unknown } } | null }).session?.orcid;
  return typeof orcid?.locale === 'string' ? orcid.locale : null;
}

export function createLocaleResolver(options: { localeOf: LocaleOf; defaultLocale: Locale }) {
  /** `invitation`: the contributor's locale when the page answers their invitation (else the session's). */
  return async function localeFor(ctx: Context, invitation?: string | null): Promise<Locale> {
    // A failing host hook must not turn every page (error pages included) into a 500.
    const host = await Promise.resolve().then(() => options.localeOf(ctx)).catch(() => null);
    return matchLocale(host)
      ?? matchLocale(invitation ?? sessionLocale(ctx))
      ?? matchLocale(ctx.get('accept-language'))
      ?? options.defaultLocale;
  };
}

export type LocaleFor = ReturnType<typeof createLocaleResolver>;
