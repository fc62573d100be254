import type { Webhook } from './state.js';

/**
 * ORCID webhook notifications: when a record changes, ORCID calls every callback registered
 * for that iD with an empty-bodied POST. Failed calls are retried with exponential backoff.
 * https://info.orcid.org/documentation/api-tutorials/api-tutorial-register-a-webhook/
 */

export interface WebhookDelivery {
  url: string;
  orcid: string;
  attempt: number;
  status: number | null;
  error?: string;
  at: string;
}

export interface WebhookOptions {
  /** attempts in total per notification; default 4 */
  attempts?: number;
  /** first retry delay, doubled each time; default 200 ms */
  baseDelayMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export class WebhookNotifier {
  readonly deliveries: WebhookDelivery[] = [];
  private pending = new Set<Promise<void>>();
  private closed = false;
  constructor(private readonly opts: WebhookOptions = {}) {}

  /** Fire-and-forget: notify every hook of `orcid`. */
  notify(hooks: Webhook[], orcid: string): void {
    for (const h of hooks.filter((w) => w.orcid === orcid)) {
      const p = this.deliver(h.url, orcid).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private async deliver(url: string, orcid: string): Promise<void> {
    const attempts = this.opts.attempts ?? 4;
    const base = this.opts.baseDelayMs ?? 200;
    const doFetch = this.opts.fetch ?? fetch;
    for (let attempt = 1; attempt <= attempts && !this.closed; attempt++) {
      const at = (this.opts.now ?? (() => new Date()))().toISOString();
      try {
        const res = await doFetch(url, { method: 'POST', body: '', signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer().catch(() => undefined);
        this.deliveries.push({ url, orcid, attempt, status: res.status, at });
        if (res.status < 300) return;
      } catch (e) {
        this.deliveries.push({ url, orcid, attempt, status: null, error: (e as Error).message, at });
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1)).unref());
    }
  }

  /** Wait for deliveries in flight (tests, close). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settle();
  }
}
