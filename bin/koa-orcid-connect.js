#!/usr/bin/env node
// Runs the compiled CLI (dist/). In a checkout, build first (`npm run build`), or use `npx tsx src/cli.ts`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
if (!existsSync(built)) {
  process.stderr.write(`koa-orcid-connect: ${built} is missing; run \`npm run build\` first (or \`npx tsx src/cli.ts\` in a checkout)\n`);
  process.exit(1);
}
await import(pathToFileURL(built).href);
