import type { Sources } from '../store/ports.js';
import type { Contributor } from '../store/store.js';
import type { RuntimeSettings } from '../context.js';

const DAY_MS = 86_400_000;
/** Contributors read per page of the due-invitations query. */
const PAGE = 200;

/**
 * The one reminder, `reminderDays` after the invitation, to those who have not connected: a query
 * for invitations that are due, page by page (no list of open submissions to keep, and no cap).
 */
export function createReminders(deps: {
  sources: Pick<Sources, 'dueInvitations'>; settings: Pick<RuntimeSettings, 'reminderDays'>; now: () => Date; remind(c: Contributor): Promise<boolean>;
  /**
   * Many journals (issue 19): each contributor's reminder days are their journal's (`0`: none), and
   * the query reaches back the shortest of them. Default: `settings.reminderDays` for everyone.
   */
  journals?: { shortestReminderDays(): Promise<number>; reminderDaysOf(c: Contributor): Promise<number> };
}) {
  async function sendDue(): Promise<number> {
    const shortest = deps.journals ? await deps.journals.shortestReminderDays() : deps.settings.reminderDays;
    if (shortest <= 0) return 0;
    const t = deps.now().getTime();
    const before = new Date(t - shortest * DAY_MS);
    let sent = 0;
    for (let after: Contributor | null = null; ;) {
      const page: Contributor[] = await deps.sources.dueInvitations(before, after && { invitedAt: after.invitedAt!, contributorId: after.id }, PAGE);
      for (const c of page) {
        if (deps.journals) {
          const days = await deps.journals.reminderDaysOf(c);
          if (days <= 0 || c.invitedAt!.getTime() > t - days * DAY_MS) continue; // not due in its journal yet
        }
        if (await deps.remind(c)) sent++;
      }
      if (page.length < PAGE) return sent;
      after = page[page.length - 1]!;
    }
  }
  return { sendDue };
}
