import type { Context } from 'koa';
import type { HostUser } from '../context.js';
import { orcidCheckDigit } from '../orcid/id.js';

/**
 * Who is who in the demo: the journal's users (the "act as" switcher) and the test researchers
 * seeded on the ORCID emulator. The same people appear in both, with the same emails, so the
 * emulator's consent page preselects the right researcher.
 */

export interface DemoUser extends HostUser {
  id: string;
  roles: string[];
  name: string;
  givenNames: string;
  familyName: string;
  email: string;
  /** What this person does in the journey (home page). */
  does: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'author', roles: ['author'], name: 'Josiah Carberry', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah.carberry@example.edu', does: 'submits a manuscript and connects his ORCID iD on the spot' },
  { id: 'editor', roles: ['editor'], name: 'Erin Editor', givenNames: 'Erin', familyName: 'Editor', email: 'erin.editor@example.org', does: 'checks iDs, resends invitations, assigns a reviewer, publishes, watches the ORCID sync' },
  { id: 'reviewer', roles: ['reviewer'], name: 'Amara Okafor', givenNames: 'Amara', familyName: 'Okafor', email: 'amara.okafor@example.org', does: 'accepts the review, connects her iD, completes the review' },
  // Host role `admin`: the plugin's pages treat them as an editor, and the demo's journalOf names no journal for them.
  { id: 'staff', roles: ['admin'], name: 'Pat Platform', givenNames: 'Pat', familyName: 'Platform', email: 'pat.platform@example.org', does: 'platform staff: watches both journals on the platform status page' },
];

/** Nobody signed in: how an invited co-author opens the link in their own mail client. */
export const NOBODY = 'nobody';
export const ACT_AS_COOKIE = 'demo_act_as';

export function demoUser(id: string | undefined | null): DemoUser | null {
  return DEMO_USERS.find((u) => u.id === id) ?? null;
}

/** The plugin's `currentUser(ctx)`: the person chosen in the switcher (default: the author). */
export function currentDemoUser(ctx: Context): DemoUser | null {
  // A demo reachable from the network has no switcher: the cookie is ignored, everyone is the author.
  if ((ctx.state as { demoExposed?: boolean } | undefined)?.demoExposed) return DEMO_USERS[0]!;
  const chosen = ctx.cookies.get(ACT_AS_COOKIE);
  if (chosen === NOBODY) return null;
  return demoUser(chosen) ?? DEMO_USERS[0];
}

export const LANG_COOKIE = 'demo_lang';

/**
 * The language chosen with the demo's switcher (en / 中文): the host's locale, for signed-in users and
 * "nobody" alike. The plugin gets it as its `localeOf` hook; null (no choice yet) lets the plugin use
 * the invitation's language, then Accept-Language.
 */
export function demoLocale(ctx: Context): 'en' | 'zh-Hans' | null {
  const chosen = ctx.cookies.get(LANG_COOKIE);
  return chosen === 'en' || chosen === 'zh-Hans' ? chosen : null;
}

export interface DemoResearcher {
  orcid: string;
  /** As the person writes it (family name first in Chinese). */
  name: string;
  givenNames: string;
  familyName: string;
  email: string;
  /** Locale of invitation emails to this person. */
  locale?: 'en' | 'zh-Hans';
  note: string;
}

/** A valid iD from its first 15 digits (fixed iDs keep the demo's instructions stable). */
function iD(base: string): string {
  const digits = base.replace(/-/g, '');
  return `${base}${orcidCheckDigit(digits)}`;
}

export const DEMO_RESEARCHERS: readonly DemoResearcher[] = [
  // Josiah Carberry's is ORCID's own well-known test iD.
  { orcid: '0000-0002-1825-0097', name: 'Josiah Carberry', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah.carberry@example.edu', note: 'the submitting author' },
  { orcid: iD('0000-0003-4100-220'), name: 'Sofia Garcia', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia.garcia@example.org', note: 'co-author (invited by email)' },
  { orcid: iD('0000-0001-8600-310'), name: 'Wang Fang', givenNames: 'Fang', familyName: 'Wang', email: 'wang.fang@example.cn', locale: 'zh-Hans', note: 'co-author, gets the invitation in Chinese' },
  { orcid: iD('0000-0002-7300-420'), name: 'Amara Okafor', givenNames: 'Amara', familyName: 'Okafor', email: 'amara.okafor@example.org', note: 'the reviewer' },
];
