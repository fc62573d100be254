/**
 * Pack the package and install the tarball into an empty folder with koa and better-sqlite3, as a
 * host does; used by test/package/pack-install.test.ts and bench/install-footprint.ts.
 *
 * `npm pack` builds dist/ (the `prepare` script). The install needs the package registry (or a
 * warm npm cache) and runs with --ignore-scripts: better-sqlite3's native module is then copied
 * from this checkout's build of the same version, as its install script would have fetched it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The install footprint issue 20 started from: 365 packages, 157 MB. */
export const BASELINE_MB = 157;

const version = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

export interface Installed {
  /** The host folder, with node_modules. */
  dir: string;
  tarball: string;
}

export function packAndInstall(): Installed {
  const dir = mkdtempSync(join(tmpdir(), 'koc-pack-'));
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const tarball = join(dir, out.trim().split('\n').pop()!);
  const host = join(dir, 'host');
  mkdirSync(host);
  writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'pack-install-host', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, `koa@${version('koa')}`, `better-sqlite3@${version('better-sqlite3')}`],
    { cwd: host, stdio: ['ignore', 'ignore', 'inherit'] });
  const native = join('build', 'Release', 'better_sqlite3.node');
  mkdirSync(join(host, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
  copyFileSync(join(ROOT, 'node_modules', 'better-sqlite3', native), join(host, 'node_modules', 'better-sqlite3', native));
  return { dir: host, tarball };
}

/**
 * Installed packages (every folder with a package.json directly under a node_modules), the size of
 * their files, and the disk they take (`du`, blocks: how the 157 MB baseline was measured).
 */
export function footprint(dir: string): { packages: number; megabytes: number; diskMegabytes: number } {
  let packages = 0;
  let bytes = 0;
  const walk = (path: string, inNodeModules: boolean) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (inNodeModules && !entry.name.startsWith('.') && !entry.name.startsWith('@')) {
          try {
            if (statSync(join(full, 'package.json')).isFile()) packages++;
          } catch { /* not a package */ }
        }
        walk(full, entry.name === 'node_modules' || (inNodeModules && entry.name.startsWith('@')));
      } else {
        bytes += statSync(full).size;
      }
    }
  };
  walk(join(dir, 'node_modules'), true);
  const diskKb = Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { packages, megabytes: Math.round((bytes / 1e6) * 10) / 10, diskMegabytes: Math.round((diskKb / 1024) * 10) / 10 };
}
