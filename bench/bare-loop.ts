/**
 * The baseline of drain-unlimited: a bare keep-alive HTTP loop that posts prepared work payloads
 * to the emulator with `BENCH_CONCURRENCY` requests in flight and does nothing else (no store, no
 * token decryption, no ledger). Reads `[{ orcid, token, xml }]` from the file `BENCH_PAYLOADS`
 * and prints one JSON line like bench/worker-process.ts.
 */
import { readFileSync } from 'node:fs';
import { rssMb } from './common.js';

const base = process.env.ORCID_BASE_URL!;
const posts = JSON.parse(readFileSync(process.env.BENCH_PAYLOADS!, 'utf8')) as { orcid: string; token: string; xml: string }[];
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const statuses: Record<string, number> = {};
let next = 0;
const firstAt = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < posts.length) {
      const p = posts[next++];
      const res = await fetch(`${base}/v3.0/${p.orcid}/work`, {
        method: 'POST',
        headers: { Accept: 'application/vnd.orcid+xml', 'Content-Type': 'application/vnd.orcid+xml', Authorization: `Bearer ${p.token}`, 'User-Agent': 'bench-bare-loop' },
        body: p.xml,
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  }),
);
const lastAt = Date.now();
process.stdout.write(`${JSON.stringify({ settled: statuses['201'] ?? 0, statuses, firstClaimAt: firstAt, lastSettleAt: lastAt, peakRssMb: rssMb().peak })}\n`);
