/**
 * Whether an id from a URL could name anything the store holds (a job, item, submission or
 * contributor): ours are at most a few hundred characters and never hold a control character.
 * Anything else is answered like an id that does not exist, before the store sees it: PostgreSQL
 * refuses a NUL with an error, which would otherwise be a 500.
 */
export const MAX_ID_LENGTH = 500;

export function isStorableId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(id);
}
