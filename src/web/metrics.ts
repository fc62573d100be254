import { Registry, Counter, Gauge, Histogram } from 'prom-client';
import type Router from '@koa/router';
import type { Store } from '../store/store.js';
import type { PluginContext } from '../context.js';
import { BlockList, isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, NotFoundError, OrcidPluginError } from '../errors.js';

/** Journals that get a `journal` label of their own; the others are counted as `other`. */
export const JOURNAL_LABELS = 20;

/**
 * A journal id as a metrics label, bounded: the first `cap` journals seen keep their id, later ones
 * are `other`, so a platform with hundreds of journals cannot blow up the series count.
 */
export function boundedLabel(cap: number = JOURNAL_LABELS): (journalId: string) => string {
  const kept = new Set<string>();
  return (journalId) => {
    if (kept.has(journalId)) return journalId;
    if (kept.size >= cap) return 'other';
    kept.add(journalId);
    return journalId;
  };
}

/** Prometheus metrics (opt-in, served at `<mount>/metrics`). One registry per plugin instance. */
export function createMetrics(store: Store, options: { journalLabels?: number } = {}) {
  const registry = new Registry();
  const outcomes = new Counter({ name: 'orcid_jobs_settled_total', help: 'Outbox jobs settled, by outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
  const attempts = new Counter({ name: 'orcid_attempts_total', help: 'Attempts against ORCID, by outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
  // Per journal, beside the totals above (whose series stay as they were for existing dashboards).
  const journalOutcomes = new Counter({ name: 'orcid_journal_jobs_settled_total', help: 'Outbox jobs settled, by journal (bounded: later journals are "other") and outcome', labelNames: ['journal', 'kind', 'outcome'], registers: [registry] });
  const journalAttempts = new Counter({ name: 'orcid_journal_attempts_total', help: 'Attempts against ORCID, by journal (bounded: later journals are "other") and outcome', labelNames: ['journal', 'kind', 'outcome'], registers: [registry] });
  const journalLabel = boundedLabel(options.journalLabels);
  const latency = new Histogram({
    name: 'orcid_request_duration_seconds', help: 'Latency of calls to ORCID', labelNames: ['kind', 'method', 'status'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15], registers: [registry],
  });
  new Gauge({
    name: 'orcid_outbox_jobs', help: 'Outbox jobs by state', labelNames: ['state'], registers: [registry],
    async collect() {
      const counts = await store.countJobs();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return {
    registry,
    jobSettled(kind: string, outcome: string, journalId?: string) {
      outcomes.inc({ kind, outcome });
      if (journalId !== undefined) journalOutcomes.inc({ journal: journalLabel(journalId), kind, outcome });
    },
    attempt: (kind: string, outcome: string) => attempts.inc({ kind, outcome }),
    journalAttempt: (kind: string, outcome: string, journalId: string) => journalAttempts.inc({ journal: journalLabel(journalId), kind, outcome }),
    response: (e: { kind: string; method: string; status: number; ms: number }) => latency.observe({ kind: e.kind, method: e.method, status: String(e.status) }, e.ms / 1000),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Who may read the metrics: a bearer token, an address allow-list, or both (both must pass). */
export interface MetricsAccess {
  token?: string;
  /** Addresses and CIDR blocks (`10.0.0.0/8`, `::1`); matched against `ctx.ip` (mind `app.proxy`). */
  allowFrom?: string[];
}

/** `GET <mount>/metrics`: Prometheus text, only when metrics are enabled (404 otherwise). */
export function metricsRoute(router: Router, pc: PluginContext, access: MetricsAccess = {}) {
  const allowed = access.allowFrom?.length ? addressList(access.allowFrom) : null;
  const expected = access.token ? Buffer.from(`Bearer ${access.token}`) : null;
  router.get('/metrics', async (ctx) => {
    if (!pc.metrics) throw new NotFoundError('Metrics are not enabled.');
    // Same answer for a wrong address and a wrong token: a prober learns nothing about which failed.
    if (allowed && !allowed(ctx.ip)) throw new ForbiddenError('Metrics are not available to this client.');
    if (expected) {
      const given = Buffer.from(ctx.get('authorization'));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new OrcidPluginError('UNAUTHORIZED', 'Metrics are not available to this client.', { status: 401 });
      }
    }
    const { contentType, body } = await pc.metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });
}

/** A matcher for addresses and CIDR blocks; IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) count as IPv4. */
export function addressList(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.trim().split('/');
    const family = isIP(address ?? '') === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(bits), family);
  }
  return (ip) => {
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
