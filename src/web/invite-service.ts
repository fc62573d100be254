import { personName } from '../person-name.js';
import type { Contributor } from '../store/store.js';
import type { PluginContext } from '../context.js';
import { mintInvitationToken } from './invitations.js';
import { isEmailAddress } from '../email-address.js';
import { InvalidInputError } from '../errors.js';

const DAY_MS = 86_400_000;

/**
 * Sends invitation emails with single-use links. Someone already linked is never invited again;
 * `force` (an editor's resend) sends a fresh link even if one is outstanding.
 */
export function createInviteService(pc: Pick<PluginContext, 'store' | 'mailer' | 'settings' | 'now' | 'logger'> & {
  /** The journal of the contributor's submission, as the email names it (issue 19); default: the configured one. */
  journalOf?: (contributor: Contributor) => Promise<{ title: string; expiryDays: number; locale: string; templatesDir?: string | null }>;
}) {
  const { store, mailer, settings, now } = pc;

  /**
   * `position`: an editor's appointment (`Handling Editor`), named in their email. `journal0`: the
   * journal the email names when it is not the submission's (an editor's appointment).
   */
  async function invite(contributor: Contributor, kind: 'invitation' | 'reminder' | 'reinvitation', submissionTitle?: string | null, position?: string,
    journal0?: { title: string; expiryDays: number; locale: string; templatesDir?: string | null }): Promise<boolean> {
    if (!contributor.email) return false;
    // Before the invitation is stored: an address the mailer would refuse leaves nothing behind.
    if (!isEmailAddress(contributor.email)) throw new InvalidInputError('contributor.email', 'is not one email address');
    if (kind !== 'reinvitation' && contributor.identityId) {
      const identity = await store.getIdentity(contributor.identityId);
      if (identity?.status === 'linked') return false;
    }
    const journal = journal0 ?? (pc.journalOf ? await pc.journalOf(contributor)
      : { title: settings.journal.title, expiryDays: settings.invitationExpiryDays, locale: settings.defaultLocale });
    const { token, tokenHash } = mintInvitationToken(settings.invitationSecret);
    const at = now();
    const expiresAt = new Date(at.getTime() + journal.expiryDays * DAY_MS);
    await store.createInvitation({ tokenHash, contributorId: contributor.id, createdAt: at, expiresAt, locale: contributor.locale ?? journal.locale ?? null });
    const mail = {
      to: contributor.email,
      name: personName(contributor, contributor.locale ?? journal.locale),
      locale: contributor.locale ?? (journal.locale !== settings.defaultLocale ? journal.locale : undefined),
      journalTitle: journal.title,
      submissionTitle: submissionTitle ?? (await store.getSubmissionTitle(contributor.submissionId)) ?? '',
      role: contributor.role === 'coauthor' ? ('co-author' as const) : contributor.role,
      link: `${settings.publicUrl}${settings.mountPath}/invite/${token}`,
      expiresAt,
      ...(position ? { position } : {}),
      ...(journal.templatesDir ? { templatesDir: journal.templatesDir } : {}),
    };
    if (kind === 'reminder') await mailer.sendReminder(mail);
    else if (kind === 'reinvitation') await mailer.sendReinvitation(mail);
    else await mailer.sendInvitation(mail);
    await store.setInvitationState(contributor.id, kind === 'reminder' ? 'reminded' : 'sent', at);
    await store.appendHistory({ at, event: `invitation.${kind}`, submissionId: contributor.submissionId, detail: { contributorId: contributor.id } });
    return true;
  }

  return { invite };
}

export type InviteService = ReturnType<typeof createInviteService>;
