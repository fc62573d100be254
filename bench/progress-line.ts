/**
 * The progress line of `npm run bench` on stderr: which benchmark, how far, and the ETA of this
 * benchmark and of the whole run. The whole run's ETA uses each benchmark's wall time in the last
 * record (bench/results), when there is one. On a terminal the line rewrites itself; elsewhere
 * (CI logs) it prints at most one line every 15 s.
 */
export interface ProgressUpdate {
  what: string;
  done: number;
  total: number;
}

const QUIET_MS = 15_000;

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

export class ProgressLine {
  private current = '';
  private startedAt = 0;
  private lastPrinted = 0;

  constructor(
    private readonly names: string[],
    private readonly previous: Record<string, number>,
    private readonly out: { write(s: string): unknown; isTTY?: boolean },
    private readonly now: () => number = Date.now,
  ) {}

  start(name: string): void {
    this.current = name;
    this.startedAt = this.now();
    this.print(`${this.prefix()} started${this.previous[name] ? ` (last time ${formatSeconds(this.previous[name])})` : ''}`, true);
  }

  /** The text of the line for an update. */
  line(u: ProgressUpdate): string {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const fraction = u.total > 0 ? u.done / u.total : 0;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : (this.previous[this.current] ?? NaN) - elapsed;
    const later = this.names.slice(this.names.indexOf(this.current) + 1);
    const known = later.every((n) => this.previous[n] !== undefined);
    const rest = later.reduce((sum, n) => sum + (this.previous[n] ?? 0), 0);
    const whole = later.length === 0 ? '' : known ? `, whole run ~${formatSeconds(eta + rest)}` : '';
    return `${this.prefix()} ${u.what} ${u.done.toLocaleString('en')}/${u.total.toLocaleString('en')} (${Math.round(fraction * 100)}%), ETA ${formatSeconds(eta)}${whole}`;
  }

  update(u: ProgressUpdate): void {
    this.print(this.line(u), false);
  }

  finish(): void {
    this.print(`${this.prefix()} done in ${formatSeconds((this.now() - this.startedAt) / 1000)}`, true);
  }

  clear(): void {
    if (this.out.isTTY) this.out.write('\r\x1b[K');
  }

  private prefix(): string {
    return `[${this.names.indexOf(this.current) + 1}/${this.names.length} ${this.current}]`;
  }

  private print(text: string, always: boolean): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[K${text}`);
      return;
    }
    const t = this.now();
    if (!always && t - this.lastPrinted < QUIET_MS) return;
    this.lastPrinted = t;
    this.out.write(`${text}\n`);
  }
}
