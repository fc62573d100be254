import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { embedOrcidInJats } from '../src/metadata/jats.js';
import { scanJats } from '../src/metadata/jats.js';
import { orcidCheckDigit } from '../src/orcid/id.js';
import type { EmbedContributor } from '../src/types.js';
import { ROOT, progress } from './common.js';
import { checkOf, holds, spread, type Check, type Spread } from './stats.js';

/**
 * Throughput of embedOrcidInJats against saxes parsing the same string, on each shared JATS
 * fixture and a generated 2,000-author article. The ratio embed/parse is the price of our
 * bookkeeping on top of the tokenizer; target ≤ 1.5.
 *
 * The baseline is the least a consumer of saxes does: a parser with `opentag` and `closetag`
 * handlers attached (doing nothing) and an error handler. The ratio against a parser with no tag
 * handlers at all is printed too (`bare`), for comparison: attaching the handlers costs saxes a
 * few percent.
 *
 * Timing: the machine is shared, so the three functions run interleaved, round after round, and
 * each ratio is the median of the per-round ratios — load that comes and goes hits both sides of
 * a round alike.
 */

const FIXTURES = join(process.env.KOC_SHARED_DIR ?? join(ROOT, '..', 'shared'), 'fixtures', 'jats');
/** Generated consortium-size articles (ATLAS and CMS papers run to 3,000 authors). */
const GENERATED_AUTHORS = [2000, 5000];

function testOrcid(n: number): string {
  const base = `0009${String(n).padStart(11, '0')}`;
  return (base + orcidCheckDigit(base)).match(/.{4}/g)!.join('-');
}

/** saxes with the handlers a minimal consumer attaches: open and close tags, errors. */
function parseWithTagHandlers(xml: string): void {
  const p = new SaxesParser({ xmlns: false, position: true });
  p.on('error', () => undefined);
  p.on('opentag', () => undefined);
  p.on('closetag', () => undefined);
  p.write(xml).close();
}

/** saxes with no handler but errors. */
function parseBare(xml: string): void {
  const p = new SaxesParser({ xmlns: false, position: true });
  p.on('error', () => undefined);
  p.write(xml).close();
}

/** Every named contrib of the document as a contributor with a test iD. */
function contributorsOf(xml: string): EmbedContributor[] {
  const seen = new Set<string>();
  const out: EmbedContributor[] = [];
  for (const c of scanJats(xml).candidates) {
    const n = c.names[0];
    if (!n || n.full !== undefined || seen.has(`${n.given}|${n.surname}`)) continue;
    seen.add(`${n.given}|${n.surname}`);
    out.push({ givenNames: n.given, familyName: n.surname, orcid: testOrcid(out.length + 1), authenticated: true });
  }
  return out;
}

function generated(authors: number): string {
  const contribs = Array.from(
    { length: authors },
    (_, i) => `      <contrib contrib-type="author">\n        <name><surname>Surname${i}</surname><given-names>Given ${i % 7}</given-names></name>\n        <xref ref-type="aff" rid="aff${i % 40}"/>\n      </contrib>\n`,
  ).join('');
  const body = '<p>Text with <italic>markup</italic>, &amp; entities &#x2019; and numbers 12345.</p>\n'.repeat(4000);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<article>\n  <front>\n    <article-meta>\n    <contrib-group>\n${contribs}    </contrib-group>\n    </article-meta>\n  </front>\n  <body>\n${body}  </body>\n</article>\n`;
}

/**
 * Interleaved rounds of `fns` (at least 25, and until 1.5 s have passed, at most 2,000): the
 * median time of each, and `ratio(i, j)`, the median over rounds of fns[i]'s time / fns[j]'s.
 */
function race(fns: (() => void)[]): { median: number[]; ratio(i: number, j: number): Spread; cpuRatio(i: number, j: number): Spread } {
  const times: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  const start = performance.now();
  for (const f of fns) f(); // warm up
  while (times[0].length < 25 || (performance.now() - start < 1500 && times[0].length < 2000)) {
    fns.forEach((f, i) => {
      const c = process.cpuUsage();
      const t = performance.now();
      f();
      times[i].push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[i].push(d.user + d.system);
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    median: times.map(median),
    ratio: (i, j) => spread(times[i].map((t, r) => t / times[j][r])),
    // CPU time is counted in whole microseconds and can read 0 for a tiny input: those rounds are skipped.
    cpuRatio: (i, j) => spread(cpu[i].flatMap((t, r) => (cpu[j][r] > 0 ? [t / cpu[j][r]] : []))),
  };
}

export interface EmbedBenchRow {
  input: string;
  mb: number;
  contributors: number;
  embedMBps: number;
  /** saxes with no-op opentag/closetag handlers: the baseline. */
  parseMBps: number;
  /** embed time / baseline time: median of per-round ratios, with the min–max and a 90% bootstrap interval. */
  ratio: Spread;
  /** the same ratio of CPU time (process.cpuUsage), beside wall time. */
  cpuRatio: Spread;
  /** embed time / time of saxes with no tag handlers, for comparison. */
  ratioBare: number;
}

export async function benchEmbed(): Promise<{
  name: 'embed';
  rows: EmbedBenchRow[];
  worstRatio: number;
  peakRssMb: number;
  checks: Check[];
}> {
  const inputs = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => ({ input: f, xml: readFileSync(join(FIXTURES, f), 'utf8') }));
  const all = [
    ...inputs.map((i) => ({ ...i, authors: 0 })),
    ...GENERATED_AUTHORS.map((n) => ({ input: `generated-${n}-authors`, xml: generated(n), authors: n })),
  ];
  const rows: EmbedBenchRow[] = [];
  let peakRss = process.memoryUsage().rss;
  for (const [k, { input, xml, authors }] of all.entries()) {
    progress('inputs', k, all.length);
    const contributors = authors
      ? Array.from({ length: authors }, (_, i) => ({ givenNames: `Given ${i % 7}`, familyName: `Surname${i}`, orcid: testOrcid(i + 1), authenticated: true }))
      : contributorsOf(xml);
    const mb = Buffer.byteLength(xml) / 1024 / 1024;
    const { median, ratio, cpuRatio } = race([() => parseWithTagHandlers(xml), () => embedOrcidInJats(xml, contributors), () => parseBare(xml)]);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    rows.push({
      input,
      mb: round(mb, 3),
      contributors: contributors.length,
      embedMBps: round(mb / (median[1] / 1000), 1),
      parseMBps: round(mb / (median[0] / 1000), 1),
      ratio: ratio(1, 0),
      cpuRatio: cpuRatio(1, 0),
      ratioBare: round(ratio(1, 2).median, 2),
    });
  }
  const worst = rows.reduce((w, r) => (r.ratio.interval[1] > w.ratio.interval[1] ? r : w));
  const worstRatio = worst.ratio.median;
  const peakRssMb = round(peakRss / 1024 / 1024, 0);
  return {
    name: 'embed',
    rows,
    worstRatio,
    peakRssMb,
    checks: [
      ...rows.filter((r) => r.input.startsWith('generated')).map((r) => checkOf(`embed time / saxes parse time, ${r.input}`, r.ratio, '<=', 1.5)),
      checkOf(`embed time / saxes parse time, worst input (${worst.input})`, worst.ratio, '<=', 1.5),
      { what: 'peak RSS during the benchmark (MB)', value: peakRssMb, op: '<=', target: 512 },
    ],
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await benchEmbed();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  else {
    console.log('embedOrcidInJats vs saxes with no-op opentag/closetag handlers (medians of interleaved rounds)');
    for (const r of result.rows) {
      console.log(
        `  ${r.input.padEnd(26)} ${r.mb.toFixed(3).padStart(7)} MB  ${String(r.contributors).padStart(5)} contribs  embed ${r.embedMBps.toFixed(1).padStart(6)} MB/s  parse ${r.parseMBps.toFixed(1).padStart(6)} MB/s  ratio ${r.ratio.median.toFixed(2)} [${r.ratio.interval.join('–')}]  (vs no-handler parse ${r.ratioBare.toFixed(2)})`,
      );
    }
    for (const c of result.checks) console.log(`  ${holds(c) ? 'ok  ' : 'FAIL'} ${c.what}: ${c.value} ${c.op} ${c.target}`);
  }
}
