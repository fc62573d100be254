/**
 * `root-import`: how long `import('koa-orcid-connect')` takes in a fresh process, as a ratio to
 * `import('koa')` measured in alternating rounds (bench/stats.ts). Goal (issue 20): ≤ 3×. The
 * package is imported from its built dist/ (what a host loads), so the benchmark builds first.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, progress, type BenchResult } from './common.js';
import { checkOf, pairedRatios, spread } from './stats.js';

const ROUNDS = 9;

/** Milliseconds to import `specifier` in a new node process (the process start itself excluded). */
function importMs(specifier: string): number {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' }));
}

export async function benchRootImport(): Promise<BenchResult> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const root = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
  const koa: number[] = [];
  const ours: number[] = [];
  importMs('koa'); // warm the file cache for both before the rounds
  importMs(root);
  for (let i = 0; i < ROUNDS; i++) {
    progress('root-import rounds', i, ROUNDS);
    koa.push(importMs('koa'));
    ours.push(importMs(root));
  }
  const ratio = spread(pairedRatios(ours, koa));
  return {
    name: 'root-import',
    koaMs: spread(koa, 1),
    rootMs: spread(ours, 1),
    ratio,
    checks: [checkOf("import('koa-orcid-connect') ÷ import('koa')", ratio, '<=', 3)],
  };
}
