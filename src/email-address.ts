/**
 * One rule for an email address, used where the host hands one in (submission and reviewer events,
 * article authors) and where the mailer sends: checked on the way in, a bad address is refused
 * before anything is stored, instead of failing at the mailer with half an invitation written.
 * A single plain address only: a list, a display name or quotes could add recipients.
 */
const EMAIL = /^[^\s@,;<>"()[\]\\]+@[^\s@,;<>"()[\]\\.]+(\.[^\s@,;<>"()[\]\\.]+)+$/;

export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}
