/**
 * The host's submission events — a submission with its contributors, a reviewer assigned — as
 * contributor rows and invitations. Nothing here talks to ORCID; `invite` sends the email.
 */
import type { Directory, Sources } from '../store/ports.js';
import type { Contributor } from '../store/store.js';
import type { ReviewerAssignment, Submission } from '../types.js';
import { InvalidInputError } from '../errors.js';
import { parseOrcidId } from '../orcid/id.js';
import { isEmailAddress } from '../email-address.js';

export interface SubmissionEventsDeps {
  directory: Pick<Directory, 'upsertContributor'>;
  sources: Pick<Sources, 'putSubmission'>;
  now: () => Date;
  /** Send an invitation email with a single-use link; false when there was nobody to send it to. */
  invite(contributor: Contributor, submissionTitle: string | null | undefined): Promise<boolean>;
  /** Link the slot of a returning researcher (same host user, usable token); true when recognised (`returning.ts`). */
  recognise(contributor: Contributor): Promise<boolean>;
}

export function createSubmissionEvents({ directory, sources, now, invite, recognise }: SubmissionEventsDeps) {
  return {
    async submissionCreated(submission: Submission): Promise<{ invited: number; recognised: number }> {
      if (!submission || typeof submission.id !== 'string' || !submission.id) throw new InvalidInputError('submission.id', 'is required');
      if (!Array.isArray(submission.contributors)) throw new InvalidInputError('submission.contributors', 'must be an array');
      const rows = submission.contributors.map((c, i) => checkContributor(c, `submission.contributors[${i}]`));
      await sources.putSubmission({ id: submission.id, title: String(submission.title ?? ''), ...(submission.journalId ? { journalId: submission.journalId } : {}) }, now());
      let invited = 0;
      let recognised = 0;
      for (const c of rows) {
        const row = await directory.upsertContributor({ ...c, submissionId: submission.id }, now());
        // A returning researcher is linked at once; the submitting author connects on the spot;
        // co-authors (and others without an account) are invited.
        if (await recognise(row)) recognised++;
        else if (row.role !== 'author' && row.invitationState === 'none' && !row.identityId && (await invite(row, submission.title))) invited++;
      }
      return { invited, recognised };
    },

    async reviewerAssigned(assignment: ReviewerAssignment): Promise<{ invited: boolean; recognised: boolean }> {
      if (!assignment || typeof assignment.submissionId !== 'string' || !assignment.submissionId) throw new InvalidInputError('assignment.submissionId', 'is required');
      const c = checkContributor({ ...assignment.reviewer, role: 'reviewer' }, 'assignment.reviewer');
      const row = await directory.upsertContributor({ ...c, submissionId: assignment.submissionId }, now());
      if (await recognise(row)) return { invited: false, recognised: true };
      const invited = row.invitationState === 'none' && !row.identityId ? await invite(row, assignment.manuscriptTitle) : false;
      return { invited, recognised: false };
    },
  };
}

export function checkContributor(c: unknown, path: string) {
  const x = c as Record<string, unknown>;
  if (!x || typeof x !== 'object') throw new InvalidInputError(path, 'must be an object');
  for (const f of ['contributorId', 'givenNames', 'familyName'] as const) {
    if (typeof x[f] !== 'string' || !(x[f] as string).trim()) {
      if (f === 'givenNames' && typeof x[f] === 'string') continue; // mononyms have no given names
      throw new InvalidInputError(`${path}.${f}`, 'is required');
    }
  }
  const role = x.role;
  if (!['author', 'coauthor', 'reviewer', 'editor'].includes(role as string)) throw new InvalidInputError(`${path}.role`, 'must be author, coauthor, reviewer or editor');
  // The mailer's own rule, checked before anything is stored (issue 14: no half-written invitation).
  if (x.email !== undefined && x.email !== null && !isEmailAddress(x.email)) throw new InvalidInputError(`${path}.email`, 'is not one email address');
  const orcid = x.orcid === undefined || x.orcid === null || x.orcid === '' ? null : parseOrcidId(x.orcid).id;
  return {
    id: x.contributorId as string,
    role: role as 'author' | 'coauthor' | 'reviewer' | 'editor',
    givenNames: x.givenNames as string,
    familyName: x.familyName as string,
    email: (x.email as string | undefined) ?? null,
    locale: typeof x.locale === 'string' ? x.locale : null,
    hostUserId: typeof x.hostUserId === 'string' ? x.hostUserId : null,
    unauthenticatedOrcid: orcid,
  };
}
