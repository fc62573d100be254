import { createRequire } from 'node:module';

/** The package version (from package.json, from src/ and dist/ alike). */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
