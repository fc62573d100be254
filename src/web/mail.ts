/**
 * Invitation emails through nodemailer. The mailer only renders and sends; who is invited and
 * when is decided elsewhere. Transports:
 * - `smtp`: a real SMTP server from `smtpUrl`.
 * - `capture`: messages are fully built by nodemailer's stream transport (so bad addresses fail
 *   as they would on SMTP) and kept in memory for tests and the demo (`outbox()`).
 * - `json`: nodemailer's JSON transport; nothing leaves the process.
 */
import nodemailer from 'nodemailer';
import { isEmailAddress } from '../email-address.js';
import type { Transporter } from 'nodemailer';
import { InvalidInputError } from '../errors.js';
import type { Renderer } from './templates.js';

export type MailTransportKind = 'smtp' | 'capture' | 'json';

export interface MailerOptions {
  transport: MailTransportKind;
  /** Required with `smtp`, e.g. `smtp://user:pass@mail.example.org:587`. */
  smtpUrl?: string;
  /** Sender, e.g. `"Journal of X" <orcid@example.org>`. */
  from: string;
  renderer: Renderer;
  /** The renderer of a mail that names a journal's `templatesDir`; default: `renderer` for every mail. */
  rendererFor?: (templatesDir: string) => Renderer;
  /** Clock for `sentAt`. Default `() => new Date()`. */
  now?: () => Date;
}

/** What every invitation-like email needs. */
export interface InvitationMail {
  to: string;
  name: string;
  /** `en` or `zh-Hans` (other tags fall back). Default: the renderer's default locale. */
  locale?: string;
  journalTitle: string;
  submissionTitle: string;
  role: 'author' | 'co-author' | 'reviewer' | 'editor';
  /** An editor's appointment (`Handling Editor`); the email names it instead of a submission. */
  position?: string;
  /** The invitation link (signed, single person). */
  link: string;
  expiresAt: Date;
  /** The journal's template overrides (`en/`, `zh-Hans/`), searched before the host's and the built-in ones. */
  templatesDir?: string;
}

/** A message kept by the capture transport. */
export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: Date;
}

export interface SentMail {
  messageId: string;
  subject: string;
}

export interface Mailer {
  sendInvitation(mail: InvitationMail): Promise<SentMail>;
  sendReminder(mail: InvitationMail): Promise<SentMail>;
  /** After ORCID revoked our token: ask the person to connect again. */
  sendReinvitation(mail: InvitationMail): Promise<SentMail>;
  /** Messages sent so far (capture transport; empty otherwise). */
  outbox(): CapturedMail[];
  close(): Promise<void>;
}

type Template = 'invitation-email' | 'reminder-email' | 'reinvitation-email';

/**
 * @example
 * const mailer = createMailer({ transport: 'capture', from: 'orcid@example.org', renderer: createRenderer() });
 * await mailer.sendInvitation({ to: 'ada@example.org', name: 'Ada', journalTitle: 'J', submissionTitle: 'T', role: 'co-author', link, expiresAt });
 */
export function createMailer(options: MailerOptions): Mailer {
  const now = options.now ?? (() => new Date());
  const captured: CapturedMail[] = [];
  const transporter = makeTransport(options);

  const send = async (template: Template, mail: InvitationMail): Promise<SentMail> => {
    checkMail(mail);
    const { templatesDir, ...context } = mail;
    const locale = mail.locale;
    const renderer = templatesDir && options.rendererFor ? options.rendererFor(templatesDir) : options.renderer;
    // Subjects are headers: a newline in a title must not start a new line.
    const subject = renderer.render(`${template}.subject.njk`, context, locale).replace(/\s+/g, ' ').trim();
    const text = renderer.render(`${template}.txt.njk`, context, locale);
    const html = renderer.render(`${template}.njk`, context, locale);
    const info = (await transporter.sendMail({ from: options.from, to: mail.to, subject, text, html })) as { messageId?: string };
    if (options.transport === 'capture') captured.push({ to: mail.to, subject, text, html, sentAt: now() });
    return { messageId: info.messageId ?? '', subject };
  };

  return {
    sendInvitation: (mail) => send('invitation-email', mail),
    sendReminder: (mail) => send('reminder-email', mail),
    sendReinvitation: (mail) => send('reinvitation-email', mail),
    outbox: () => captured.slice(),
    close: async () => {
      transporter.close();
    },
  };
}

function makeTransport(options: MailerOptions): Transporter {
  switch (options.transport) {
    case 'smtp':
      if (!options.smtpUrl) throw new InvalidInputError('mail.smtpUrl', 'is required with the smtp transport');
      return nodemailer.createTransport(options.smtpUrl);
    case 'json':
      return nodemailer.createTransport({ jsonTransport: true });
    case 'capture':
      return nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    default:
      throw new InvalidInputError('mail.transport', `must be smtp, capture or json (got ${JSON.stringify(options.transport)})`);
  }
}

function checkMail(mail: InvitationMail): void {
  // A single plain address: a list or a display name from user input could add recipients.
  if (!isEmailAddress(mail.to)) {
    throw new InvalidInputError('mail.to', `must be one email address (got ${JSON.stringify(mail.to)})`);
  }
  if (!(mail.expiresAt instanceof Date) || Number.isNaN(mail.expiresAt.getTime())) {
    throw new InvalidInputError('mail.expiresAt', 'must be a valid Date');
  }
  if (!/^https?:\/\//.test(mail.link)) throw new InvalidInputError('mail.link', `must be an http(s) URL (got ${JSON.stringify(mail.link)})`);
}
