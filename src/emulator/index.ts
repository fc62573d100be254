/** The ORCID emulator: a local server that behaves like ORCID's sandbox (docs/emulator.md). */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js';
export { runEmulatorCli } from './cli.js';
export { DEMO_CLIENT, type Affiliation, type ClientRegistration, type ResearcherInput, type Researcher, type StoredItem } from './state.js';
export type { FaultSettings } from './faults.js';
export type { RateLimitSettings } from './rate-limit.js';
export type { TokenResponse } from './core.js';
