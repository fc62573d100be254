// The public API of koa-orcid-connect. Nothing else in src/ is public.
export * from './errors.js';
export type * from './types.js';
export { parseOrcidId, isOrcidId, orcidCheckDigit } from './orcid/id.js';
export type { OrcidId, ParseOrcidIdOptions } from './orcid/id.js';
export type * from './store/store.js';
