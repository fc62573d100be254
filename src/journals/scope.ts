/**
 * What a journal changes in the plugin's modules: the runtime settings they read (the journal as
 * payloads name it, its review, retraction and unlink policies, convening organization, group id,
 * invitation days and locale), and the ledger, whose desires it tags with the journal's id. Pure.
 */
import type { RuntimeSettings } from '../context.js';
import type { Ledger } from '../store/ports.js';
import type { Journal } from './model.js';

export function journalRuntimeSettings(base: RuntimeSettings, j: Journal): RuntimeSettings {
  return {
    ...base,
    journal: { title: j.title, ...(j.issn ? { issn: j.issn } : {}), ...(j.eissn ? { eissn: j.eissn } : {}), ...(j.publisher ? { publisher: j.publisher } : {}) },
    reviewPolicy: j.reviewPolicy,
    convening: j.convening,
    groupId: j.peerReviewGroupId,
    retractionPolicy: j.policies.retraction,
    unlinkPolicy: j.policies.unlink,
    invitationExpiryDays: j.invitations.expiryDays,
    reminderDays: j.invitations.reminderDays,
    defaultLocale: j.locale,
  };
}

/** The ledger, with every desire made through it belonging to `journalId` (the claims share ORCID's limit by journal). */
export function journalLedger(ledger: Ledger, journalId: string): Ledger {
  const scoped = Object.create(ledger) as Ledger;
  scoped.desireDeposit = (input, now) => ledger.desireDeposit({ ...input, journalId }, now);
  scoped.desireDeposits = (inputs, now) => ledger.desireDeposits(inputs.map((i) => ({ ...i, journalId })), now);
  return scoped;
}
