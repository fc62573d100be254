/**
 * The LISTEN side of instant wake-ups: one dedicated connection per store (not a pool one: LISTEN
 * belongs to a session) that relays NOTIFY on the schema's channel to the process's workers. It
 * opens when the first worker subscribes, and reconnects with backoff after the server drops it;
 * after reconnecting it signals once, since a NOTIFY sent while it was away is lost.
 */
import type { Client } from 'pg';
import type { PgHandle } from './handle.js';
import type { WorkSignal } from '../work-signal.js';

export interface ListenerOptions {
  /** First wait before reconnecting (`?? 100` ms), doubled up to `maxBackoffMs` (`?? 5000`). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export class NotifyListener {
  private client: Client | null = null;
  private stopped = true;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly h: PgHandle, private readonly signal: WorkSignal, options: ListenerOptions = {}) {
    this.backoffMs = options.backoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
  }

  /** Whether the LISTEN connection is up (for tests and health checks). */
  get listening(): boolean {
    return this.client !== null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let setup: Awaited<ReturnType<PgHandle['clientConfig']>>;
    try {
      setup = await this.h.clientConfig();
    } catch {
      this.retry();
      return;
    }
    const { pg, config } = setup;
    const client = new pg.Client(config);
    let gone = false;
    const lost = () => {
      if (gone) return;
      gone = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('end');
      client.end().catch(() => undefined);
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.signal.emit());
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.h.channel)}`);
    } catch {
      lost();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.failures > 0;
    this.failures = 0;
    this.client = client;
    if (reconnected) this.signal.emit();
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    const wait = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** this.failures);
    this.failures++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, wait);
    this.timer.unref();
  }
}
