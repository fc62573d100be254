import { Registry, Counter, Gauge, Histogram } from 'prom-client';
import type Router from '@koa/router';
import type { Store } from '../store/store.js';
import type { PluginContext } from '../context.js';
import { NotFoundError } from '../errors.js';

/** Prometheus metrics (opt-in, served at `<mount>/metrics`). One registry per plugin instance. */
export function createMetrics(store: Store) {
  const registry = new Registry();
  const outcomes = new Counter({ name: 'orcid_jobs_settled_total', help: 'Outbox jobs settled, by outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
  const attempts = new Counter({ name: 'orcid_attempts_total', help: 'Attempts against ORCID, by outcome', labelNames: ['kind', 'outcome'], registers: [registry] });
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
    jobSettled: (kind: string, outcome: string) => outcomes.inc({ kind, outcome }),
    attempt: (kind: string, outcome: string) => attempts.inc({ kind, outcome }),
    response: (e: { kind: string; method: string; status: number; ms: number }) => latency.observe({ kind: e.kind, method: e.method, status: String(e.status) }, e.ms / 1000),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `GET <mount>/metrics`: Prometheus text, only when metrics are enabled (404 otherwise). */
export function metricsRoute(router: Router, pc: PluginContext) {
  router.get('/metrics', async (ctx) => {
    if (!pc.metrics) throw new NotFoundError('Metrics are not enabled.');
    const { contentType, body } = await pc.metrics.render();
    ctx.type = contentType;
    ctx.body = body;
  });
}
