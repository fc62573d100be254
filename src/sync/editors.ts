/**
 * Editorial appointments from the host: an editor who is connected gets the service item queued; one
 * who is not is recognised (their host user already connected), invited by email, or — when the
 * plugin has no way to ask them — refused with EditorNotReachableError before anything is stored.
 * Editors need not be contributors of any submission: their slot belongs to the editorial board.
 */
import type { Directory } from '../store/ports.js';
import type { Contributor } from '../store/store.js';
import type { EditorAppointedResult, EditorAppointment } from '../types.js';
import { EditorNotReachableError, InvalidInputError } from '../errors.js';
import type { Connect } from './connect.js';
import { checkContributor } from './submissions.js';

/** The submission id of editors' slots: not a submission, so no article or review is ever found for it. */
export const EDITORIAL_BOARD = ':editorial-board';

export interface EditorEventsDeps {
  directory: Pick<Directory, 'getContributor' | 'getIdentity' | 'upsertContributor'>;
  connect: Pick<Connect, 'editorAppointed' | 'checkAppointment'>;
  now: () => Date;
  mountPath: string;
  recognise(contributor: Contributor): Promise<boolean>;
  /** The journal of the appointments, when not `default` (issue 19). */
  journalId?: string;
  /** Send the invitation email; false when there was nobody to send it to. */
  invite(contributor: Contributor, position: string): Promise<boolean>;
}

export function createEditorEvents({ directory, connect, now, mountPath, recognise, invite, journalId }: EditorEventsDeps) {
  // An editor's slot is of no submission: the link names the journal whose client they connect to.
  const journalParam = journalId ? `&journal=${encodeURIComponent(journalId)}` : '';
  const connectUrl = (c: Contributor) => `${mountPath}/connect?role=editor&contributor=${encodeURIComponent(c.id)}${journalParam}`;

  async function editorAppointed(appointment: EditorAppointment): Promise<EditorAppointedResult> {
    connect.checkAppointment(appointment);
    const details = appointment.editor === undefined ? null
      : checkContributor({ ...appointment.editor, contributorId: appointment.contributorId, role: 'editor' }, 'appointment.editor');
    let slot = await directory.getContributor(appointment.contributorId);
    const identity = slot?.identityId ? await directory.getIdentity(slot.identityId) : null;
    const connected = identity?.status === 'linked';
    // Every reason to refuse before anything is stored.
    if (!connected) {
      const email = details?.email ?? slot?.email ?? null;
      const hostUserId = details?.hostUserId ?? slot?.hostUserId ?? null;
      if (!slot && !details) throw new EditorNotReachableError(appointment.contributorId, ['appointment.editor (givenNames, familyName, and email or hostUserId)']);
      if (!email && !hostUserId) throw new EditorNotReachableError(appointment.contributorId, ['appointment.editor.email', 'appointment.editor.hostUserId']);
    }
    if (details && !slot) slot = await directory.upsertContributor({ ...details, submissionId: EDITORIAL_BOARD }, now());
    if (!slot) throw new InvalidInputError('appointment.contributorId', 'unknown contributor'); // unreachable: checked above
    const recognised = !connected && (await recognise(slot));
    const queued = await connect.editorAppointed(appointment);
    if (connected || recognised) return { queued, invited: false, recognised, connectUrl: null };
    const invited = slot.invitationState === 'none' ? await invite(slot, appointment.role) : false;
    return { queued, invited, recognised, connectUrl: connectUrl(slot) };
  }

  return { editorAppointed };
}
