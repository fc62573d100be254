/**
 * Journals and ORCID credentials as the plugin uses them: the host's settings with every left-out
 * field filled from the global settings, and the single-journal configuration of today as the
 * journal `default` with the credentials record `default`. Pure.
 */
import { orcidSiteUrls, type OrcidEnvironment, type ResolvedConfig } from '../config.js';
import { DEFAULT_JOURNAL_ID } from '../store/store.js';
import type { JournalSettings, Organization, OrcidCredentialsSettings, ReviewPolicy } from '../types.js';

/** A journal with every field resolved. */
export interface Journal {
  id: string;
  title: string;
  issn?: string;
  eissn?: string;
  publisher?: string;
  languages: string[];
  locale: string;
  reviewPolicy: ReviewPolicy;
  /** The peer-review group id: given, else `issn:<issn or eissn>`; null when neither. */
  peerReviewGroupId: string | null;
  convening: Organization | null;
  policies: { retraction: 'update' | 'delete'; unlink: 'delete' | 'keep' };
  invitations: { expiryDays: number; reminderDays: number };
  templatesDir: string | null;
  credentialsId: string;
}

/** An ORCID member client with its secrets opened and its URLs resolved. */
export interface OrcidCredentials {
  id: string;
  env: OrcidEnvironment;
  /** The ORCID site, `orcid.baseUrl`. */
  baseUrl: string;
  /** Member API base, e.g. `https://api.sandbox.orcid.org/v3.0`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  premium: boolean;
  webhookSecret: string | null;
}

/** What a journal's left-out fields become: the global settings. */
export interface JournalDefaults {
  locale: string;
  reviewPolicy: ReviewPolicy;
  convening: Organization | null;
  policies: Journal['policies'];
  invitations: Journal['invitations'];
  env: OrcidEnvironment;
  /** `orcid.baseUrl`: every credentials record is of the instance's ORCID environment. */
  baseUrl: string;
}

export function journalDefaults(config: ResolvedConfig): JournalDefaults {
  return {
    locale: config.locale,
    reviewPolicy: config.journal.reviewPolicy,
    convening: config.convening ?? null,
    policies: { retraction: config.policies.retraction, unlink: config.policies.unlink },
    invitations: { expiryDays: config.invitations.expiryDays, reminderDays: config.invitations.reminderDays },
    env: config.orcid.env,
    baseUrl: config.orcid.baseUrl,
  };
}

/** Today's single-journal settings (`journal.*`, `peerReviews.groupId`) as the journal `default`. */
export function defaultJournalSettings(config: ResolvedConfig): JournalSettings {
  const j = config.journal;
  return {
    id: DEFAULT_JOURNAL_ID,
    title: j.title,
    ...(j.issn ? { issn: j.issn } : {}),
    ...(j.eissn ? { eissn: j.eissn } : {}),
    ...(j.publisher ? { publisher: j.publisher } : {}),
    ...(config.peerReviews.groupId ? { peerReviewGroupId: config.peerReviews.groupId } : {}),
    credentialsId: DEFAULT_JOURNAL_ID,
  };
}

/** Today's `orcid.*` and `webhooks.secret` settings as the credentials record `default`. */
export function defaultCredentialsSettings(config: ResolvedConfig): OrcidCredentialsSettings {
  return {
    id: DEFAULT_JOURNAL_ID,
    env: config.orcid.env,
    clientId: config.orcid.clientId,
    clientSecret: config.orcid.clientSecret,
    premium: config.orcid.premium,
    ...(config.webhooks.secret ? { webhookSecret: config.webhooks.secret } : {}),
  };
}

export function resolveJournal(s: JournalSettings, d: JournalDefaults): Journal {
  const locale = s.locale ?? d.locale;
  const issn = s.issn ?? s.eissn;
  return {
    id: s.id,
    title: s.title,
    ...(s.issn ? { issn: s.issn } : {}),
    ...(s.eissn ? { eissn: s.eissn } : {}),
    ...(s.publisher ? { publisher: s.publisher } : {}),
    languages: s.languages ?? [locale],
    locale,
    reviewPolicy: s.reviewPolicy ?? d.reviewPolicy,
    peerReviewGroupId: s.peerReviewGroupId ?? (issn ? `issn:${issn}` : null),
    convening: s.convening ?? d.convening,
    policies: { retraction: s.policies?.retraction ?? d.policies.retraction, unlink: s.policies?.unlink ?? d.policies.unlink },
    invitations: { expiryDays: s.invitations?.expiryDays ?? d.invitations.expiryDays, reminderDays: s.invitations?.reminderDays ?? d.invitations.reminderDays },
    templatesDir: s.templatesDir ?? null,
    credentialsId: s.credentialsId,
  };
}

export function resolveCredentials(s: OrcidCredentialsSettings, d: JournalDefaults): OrcidCredentials {
  const env = s.env ?? d.env;
  const { baseUrl, apiUrl } = orcidSiteUrls(env, d.baseUrl, d.baseUrl);
  return { id: s.id, env, baseUrl, apiUrl, clientId: s.clientId, clientSecret: s.clientSecret, premium: s.premium ?? false, webhookSecret: s.webhookSecret ?? null };
}
