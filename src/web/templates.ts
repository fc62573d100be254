/**
 * Nunjucks rendering for pages and emails. Autoescape is on for every HTML template. Plain-text
 * templates (`*.txt.njk`, `*.subject.njk`: email bodies and subjects) render without it, because
 * `&amp;` in a text email is a bug, not a defence; they never reach a browser as HTML.
 *
 * Lookup order for `render(name, ctx, locale)`: the journal's override directory for the locale,
 * the bundled templates for the locale, then the same two for English. A journal can override a
 * single file (say `en/invitation-email.njk`) and inherit everything else.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { parseOrcidId } from '../orcid/id.js';
import { loadOrcidIcon } from './orcid-icon.js';

export type Locale = 'en' | 'zh-Hans';
export const LOCALES: readonly Locale[] = ['en', 'zh-Hans'];

/** The bundled templates: `<package>/templates`, from src/web (tsx) and dist/web (tsc) alike. */
export const BUILTIN_TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

export interface RendererOptions {
  /**
   * Override directories laid out like `templates/` (`en/…`, `zh-Hans/…`), searched first and in
   * order (a journal's own, then the host's).
   */
  templatesDir?: string | readonly string[];
  /** Default `'en'`. */
  defaultLocale?: Locale;
  /** Base of iD links. Default `'https://orcid.org'` (use `https://sandbox.orcid.org` with the sandbox). */
  orcidBaseUrl?: string;
  /** Whether unauthenticated iDs are displayed (marked not verified). Default `false` (config `display.unauthenticatedIds`). */
  showUnauthenticated?: boolean;
}

/** What the badge filter accepts: an iD (taken as authenticated) or `{ orcid, authenticated }`. */
export type BadgeInput = string | { orcid: string; authenticated?: boolean } | null | undefined;

export interface Renderer {
  /** Render `name` (e.g. `'connect-result.njk'`) with `context`; `locale` falls back to the default, then English. */
  render(name: string, context?: Record<string, unknown>, locale?: string): string;
  /** The ORCID iD badge as HTML, for hosts rendering their own pages. Empty for hidden or invalid iDs. */
  badge(input: BadgeInput, locale?: string): string;
  /** The locale `render` would use for `requested` (a tag or an Accept-Language header). */
  resolveLocale(requested?: string): Locale;
}

/**
 * Map a locale tag or an Accept-Language header to a supported locale. Any Chinese tag in
 * simplified script or a mainland/Singapore region maps to zh-Hans; traditional script does not.
 */
export function resolveLocale(requested: string | undefined, fallback: Locale = 'en'): Locale {
  return matchLocale(requested) ?? fallback;
}

/** The supported locale `requested` (a tag or an Accept-Language header) asks for, or null when none. */
export function matchLocale(requested: string | null | undefined): Locale | null {
  if (!requested) return null;
  const tags = requested
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .filter((t) => t !== '' && t !== '*');
  for (const tag of tags) {
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh' || tag.startsWith('zh-hans') || tag === 'zh-cn' || tag === 'zh-sg') return 'zh-Hans';
  }
  return null;
}

/** Create a renderer. Template files are read once and cached by nunjucks. */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const defaultLocale = options.defaultLocale ?? 'en';
  const orcidBaseUrl = (options.orcidBaseUrl ?? 'https://orcid.org').replace(/\/+$/, '');
  const showUnauthenticated = options.showUnauthenticated ?? false;
  const envs = new Map<string, nunjucks.Environment>();
  const orcidIcon = new nunjucks.runtime.SafeString(loadOrcidIcon(join(BUILTIN_TEMPLATES_DIR, 'assets')));

  const dirsFor = (locale: Locale): string[] => {
    const chain: Locale[] = locale === 'en' ? ['en'] : [locale, 'en'];
    const dirs: string[] = [];
    for (const l of chain) {
      for (const dir of typeof options.templatesDir === 'string' ? [options.templatesDir] : options.templatesDir ?? []) dirs.push(join(dir, l));
      dirs.push(join(BUILTIN_TEMPLATES_DIR, l));
    }
    return dirs.filter((d) => existsSync(d));
  };

  const envFor = (locale: Locale, text = false): nunjucks.Environment => {
    const key = `${locale}${text ? ':text' : ''}`;
    let env = envs.get(key);
    if (env) return env;
    env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dirsFor(locale)), { autoescape: !text, throwOnUndefined: false });
    env.addGlobal('showUnauthenticated', showUnauthenticated);
    env.addGlobal('orcidIdIcon', orcidIcon);
    env.addFilter('badge', (input: BadgeInput) => new nunjucks.runtime.SafeString(badgeFor(input, locale)));
    env.addFilter('orcidUri', (id: string) => orcidUri(id));
    env.addFilter('date', (value: unknown) => formatDate(value, locale));
    env.addFilter('datetime', (value: unknown) => formatDate(value, locale, true));
    envs.set(key, env);
    return env;
  };

  const orcidUri = (input: string): string | undefined => {
    try {
      return `${orcidBaseUrl}/${parseOrcidId(input).id}`;
    } catch {
      return undefined;
    }
  };

  // The partial is the one definition of the badge markup; the filter and `badge()` reuse it.
  const badgeFor = (input: BadgeInput, locale: Locale): string => {
    if (input === null || input === undefined) return '';
    const { orcid, authenticated } = typeof input === 'string' ? { orcid: input, authenticated: true } : input;
    const uri = orcidUri(orcid);
    if (!uri) return '';
    return envFor(locale)
      .renderString('{% from "orcid-badge.njk" import orcidBadge %}{{ orcidBadge(uri, authenticated, show) }}', {
        uri,
        authenticated: authenticated !== false,
        show: showUnauthenticated,
      })
      .trim();
  };

  return {
    render(name, context = {}, locale) {
      const l = resolveLocale(locale, defaultLocale);
      return envFor(l, isTextTemplate(name)).render(name, { locale: l, ...context });
    },
    badge(input, locale) {
      return badgeFor(input, resolveLocale(locale, defaultLocale));
    },
    resolveLocale(requested) {
      return resolveLocale(requested, defaultLocale);
    },
  };
}

export function isTextTemplate(name: string): boolean {
  return name.endsWith('.txt.njk') || name.endsWith('.subject.njk');
}

/** Dates in emails and the status page: written out in the reader's language, in UTC so every reader sees the same day. */
function formatDate(value: unknown, locale: Locale, withTime = false): string {
  if (value === null || value === undefined || value === '') return '';
  const d = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'UTC',
  }).format(d) + (withTime ? ' UTC' : '');
}
