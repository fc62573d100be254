/** Errors of the journals registry, with stable codes (the `errors.ts` pattern). */
import { OrcidPluginError, type ConfigProblem } from '../errors.js';

export const JOURNAL_INVALID = 'JOURNAL_INVALID';
export const JOURNAL_UNKNOWN = 'JOURNAL_UNKNOWN';

/** A journal or credentials record that fails validation; nothing was stored. `problems` name each path. */
export class JournalInvalidError extends OrcidPluginError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(JOURNAL_INVALID, `Invalid journal settings:\n${problems.map((p) => `  - ${p.setting}: ${p.problem}`).join('\n')}`, { status: 400 });
    this.problems = problems;
  }
}

/** A host event or route named a journal (or credentials record) the plugin does not know. */
export class UnknownJournalError extends OrcidPluginError {
  readonly journalId: string;
  constructor(journalId: string, what: 'journal' | 'credentials record' = 'journal') {
    super(JOURNAL_UNKNOWN, `No ${what} "${journalId}" is known: add it to the settings or upsert it first`, { status: 400 });
    this.journalId = journalId;
  }
}
