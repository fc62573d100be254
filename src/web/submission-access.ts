/**
 * Who sees what of a submission (issue 14, "Confidential peer review"). Editors see every
 * contributor; authors see the authors, never a reviewer; reviewers see themselves. Pure, so that
 * the plugin's routes and a host's own pages (the demo's manuscript page) apply the same rule.
 */
import type { Context } from 'koa';
import { isEditor, type HostUser, type PluginContext, type SubmissionRole } from '../context.js';
import { DEFAULT_JOURNAL_ID, type Contributor } from '../store/store.js';
import { NotFoundError, UnauthenticatedError } from '../errors.js';
import { isStorableId } from './stored-id.js';

/** The same words for "does not exist" and "not yours": an outsider learns nothing from the answer. */
export const NO_SUCH_SUBMISSION = 'No such submission, or it is not one of yours.';

/** The default roles: host editors and admins edit every submission; contributors are what the host reported. */
export function rolesFromContributors(user: HostUser, contributors: readonly Pick<Contributor, 'role' | 'hostUserId'>[]): SubmissionRole[] {
  const roles = new Set<SubmissionRole>();
  if (isEditor(user)) roles.add('editor');
  for (const c of contributors) {
    if (c.hostUserId !== user.id) continue;
    roles.add(c.role === 'coauthor' ? 'author' : c.role);
  }
  return [...roles];
}

/** The contributors `roles` may see, in their stored order. */
export function visibleContributors<C extends Pick<Contributor, 'role' | 'hostUserId'>>(contributors: readonly C[], roles: Iterable<SubmissionRole>, userId: string | null): C[] {
  const has = new Set(roles);
  if (has.has('editor')) return [...contributors];
  return contributors.filter((c) => {
    if (c.role === 'author' || c.role === 'coauthor') return has.has('author');
    if (c.role === 'reviewer') return has.has('reviewer') && userId !== null && c.hostUserId === userId;
    return false; // another editor's slot: editors only
  });
}

export interface SubmissionViewer {
  user: HostUser;
  roles: ReadonlySet<SubmissionRole>;
  /** Every contributor of the submission; filter with {@link visibleContributors} before showing any. */
  contributors: Contributor[];
}

/**
 * Whether a submission belongs to the journal of the request (the host's `journalOf(ctx)`): always
 * when the hook names none. An editor of journal B reaches nothing of journal A (issue 19).
 */
export async function inRequestJournal(pc: PluginContext, ctx: Context, submissionId: string): Promise<boolean> {
  const named = await pc.journalOf(ctx);
  if (!named) return true;
  return ((await pc.store.getSubmissionJournal(submissionId)) ?? DEFAULT_JOURNAL_ID) === named;
}

/**
 * The signed-in user and their roles on `submissionId`: 401 for nobody signed in, and one 404 both
 * for a submission that does not exist and for one the user has no part in.
 */
export async function viewerOf(pc: PluginContext, ctx: Context, submissionId: string): Promise<SubmissionViewer> {
  const user = await pc.currentUser(ctx);
  if (!user) throw new UnauthenticatedError('Sign in to the journal first.');
  if (!isStorableId(submissionId)) throw new NotFoundError(NO_SUCH_SUBMISSION);
  const contributors = await pc.store.listContributors(submissionId);
  const roles = new Set(pc.submissionRoles ? await pc.submissionRoles(user, submissionId, ctx) : rolesFromContributors(user, contributors));
  if (roles.size === 0 || !(await inRequestJournal(pc, ctx, submissionId))) throw new NotFoundError(NO_SUCH_SUBMISSION);
  const exists = contributors.length > 0 || (await pc.store.getSubmissionTitle(submissionId)) !== null;
  if (!exists) throw new NotFoundError(NO_SUCH_SUBMISSION);
  return { user, roles, contributors };
}

/** Whether `user` edits `submissionId` (null: an item of no submission, e.g. an editor's service: host editors only). */
export async function editsSubmission(pc: PluginContext, ctx: Context, user: HostUser, submissionId: string | null): Promise<boolean> {
  if (submissionId === null) return isEditor(user);
  if (!isStorableId(submissionId)) return false;
  if (!(await inRequestJournal(pc, ctx, submissionId))) return false;
  const roles = pc.submissionRoles
    ? await pc.submissionRoles(user, submissionId, ctx)
    : rolesFromContributors(user, await pc.store.listContributors(submissionId));
  return roles.includes('editor');
}
