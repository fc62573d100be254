import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use instead of at import: keeps `import('koa-orcid-connect')`
 * cheap (bench/root-import.ts) while the pure helpers that use it stay synchronous.
 * @example
 * const xml = lazyRequire<typeof import('xmlbuilder2')>('xmlbuilder2');
 * xml().create({ version: '1.0' });
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
