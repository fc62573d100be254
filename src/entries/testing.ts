/**
 * `koa-orcid-connect/testing`: what a host uses in its own tests. A running emulator, researchers
 * on it, a consent helper that drives its OAuth pages, the records it holds, and the captured mail.
 * Needs `xmllint-wasm` when the emulator validates XML (`validateXml`, on by default).
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from '../emulator/server.js';
export { addResearcher, recordItems, type EmulatorRecordItem } from '../testing/emulator-control.js';
export { connectResearcher, CookieJar, type ConnectOptions, type ConnectOutcome } from '../testing/consent.js';
export { capturedMail, invitationLink } from '../testing/mailbox.js';
export type { CapturedMail } from '../web/mail.js';
