import type { Context } from 'koa';
import type { JournalSettings } from '../types.js';
import { DEFAULT_JOURNAL_ID } from '../store/store.js';
import { demoLocale, type DemoUser } from './people.js';
import { resolveLocale } from '../web/templates.js';

/**
 * The demo hosts two journals on one plugin instance (issue 19): the English journal of the
 * settings (`default`, blind review) and a Chinese one (zh-Hans pages and emails, open review), both
 * posting with the emulator's demo client. The journal switcher at the top of every page picks the
 * one a page is about; the demo gives the plugin that choice as its `journalOf(ctx)` hook.
 */
export const ZH_JOURNAL: JournalSettings = {
  id: 'cjer', title: '仿真研究学报', issn: '2095-123X', publisher: '仿真研究出版社',
  languages: ['zh-Hans', 'en'], locale: 'zh-Hans', reviewPolicy: 'open-review', credentialsId: DEFAULT_JOURNAL_ID,
};
export const DEMO_JOURNALS: readonly JournalSettings[] = [ZH_JOURNAL];
export const JOURNAL_COOKIE = 'demo_journal';

/** The journal chosen with the switcher, else the default (English) one. */
export function demoJournalId(ctx: Context): string {
  const chosen = ctx.cookies.get(JOURNAL_COOKIE);
  return chosen && DEMO_JOURNALS.some((j) => j.id === chosen) ? chosen : DEFAULT_JOURNAL_ID;
}

/** Platform staff (host role `admin`) work across the journals; everyone else in the chosen one. */
export function isPlatformStaff(user: DemoUser | null): boolean {
  return !!user && user.roles.includes('admin');
}

/**
 * The plugin's `journalOf(ctx)`: the switcher's journal, so an editor sees the status pages of that
 * journal only; none for platform staff, whose platform status page lists every journal.
 */
export function demoJournalOf(user: (ctx: Context) => DemoUser | null) {
  return (ctx: Context): string | null => (isPlatformStaff(user(ctx)) ? null : demoJournalId(ctx));
}

/** The default locale of the chosen journal's pages, when it is not the settings' one (the Chinese journal's). */
export function demoJournalLocale(ctx: Context): 'zh-Hans' | null {
  return demoJournalId(ctx) === ZH_JOURNAL.id ? 'zh-Hans' : null;
}

/** A manuscript's journal id (manuscripts saved before the demo had two journals are the default one's). */
export const journalIdOf = (s: { journalId?: string }): string => s.journalId ?? DEFAULT_JOURNAL_ID;

/**
 * A manuscript's or article's page puts the reader in its journal, as a host with a site per journal
 * would: the switcher, and so the plugin's journalOf for the status links on the page, follows it;
 * the header names it; without a language chosen, the page is in the journal's language.
 */
export function enterJournal(ctx: Context, s: { journalId?: string }, settings: { journal: { title: string }; locale: Parameters<typeof resolveLocale>[1] }): void {
  const id = journalIdOf(s);
  if (demoJournalId(ctx) !== id) ctx.cookies.set(JOURNAL_COOKIE, id, { httpOnly: true, sameSite: 'lax', overwrite: true });
  const state = ctx.state as { journalId?: string; journal?: unknown; locale?: string };
  state.journalId = id;
  state.journal = id === ZH_JOURNAL.id ? ZH_JOURNAL : settings.journal;
  if (!demoLocale(ctx)) state.locale = id === ZH_JOURNAL.id ? 'zh-Hans' : resolveLocale(ctx.get('accept-language'), settings.locale);
}
