import type { CapturedMail, Mailer } from '../web/mail.js';

/**
 * The mail the plugin has sent, with the transport `capture` (`MAIL_TRANSPORT=capture`, the default
 * outside production): what a host's tests read instead of an inbox.
 * @example
 * const mail = capturedMail(orcid).find((m) => m.to === 'sofia@example.org');
 */
export function capturedMail(plugin: { mailer: Mailer }): CapturedMail[] {
  return plugin.mailer.outbox();
}

/**
 * The invitation link in the latest mail to `email` (invitation, reminder or re-invitation), or null.
 * @example
 * const link = invitationLink(orcid, 'sofia@example.org');
 * await connectResearcher({ startUrl: link!, orcid: sofia });
 */
export function invitationLink(plugin: { mailer: Mailer }, email: string): string | null {
  const mail = capturedMail(plugin).filter((m) => m.to === email).at(-1);
  return mail ? (/https?:\/\/\S+\/invite\/[A-Za-z0-9_.-]+/.exec(mail.text)?.[0] ?? null) : null;
}
