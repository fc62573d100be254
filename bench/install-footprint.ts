/**
 * `install-footprint`: pack the package, install the tarball into an empty folder with koa and
 * better-sqlite3 (scripts/pack-install.ts), and count the packages and megabytes. Goal (issue 20):
 * under a third of the 157 MB it took before the drivers became optional peer dependencies.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { BASELINE_MB, footprint, packAndInstall } from '../scripts/pack-install.js';
import type { BenchResult } from './common.js';

export async function benchInstallFootprint(): Promise<BenchResult> {
  const { dir } = packAndInstall();
  try {
    const { packages, megabytes, diskMegabytes } = footprint(dir);
    // On disk (du), as the baseline was measured; the files alone are smaller.
    const ratio = Math.round((diskMegabytes / BASELINE_MB) * 1000) / 1000;
    return {
      name: 'install-footprint',
      packages,
      megabytes,
      diskMegabytes,
      baselineMegabytes: BASELINE_MB,
      notes: [`npm pack + npm install <tarball> koa better-sqlite3 in an empty folder: ${packages} packages, ${diskMegabytes} MB on disk (${ratio} of ${BASELINE_MB} MB), ${megabytes} MB of files`],
      checks: [{ what: `install size ÷ ${BASELINE_MB} MB`, value: ratio, op: '<', target: 1 / 3 }],
    };
  } finally {
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}
