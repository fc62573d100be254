/** One progress line: `[=====>    ] 1200/5000 24% 19.8/s ETA 3m12s` (no bar when width is 0). */
export function formatProgress(p: { done: number; total: number; elapsedMs: number; width: number }): string {
  const total = Math.max(p.total, p.done);
  const ratio = total === 0 ? 1 : p.done / total;
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const etaS = rate > 0 ? Math.round((total - p.done) / rate) : null;
  const eta = etaS === null ? '?' : etaS >= 60 ? `${Math.floor(etaS / 60)}m${String(etaS % 60).padStart(2, '0')}s` : `${etaS}s`;
  const filled = Math.round(ratio * p.width);
  const bar = p.width > 0 ? `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(p.width - filled)}] ` : '';
  return `${bar}${p.done}/${total} ${Math.round(ratio * 100)}% ${rate.toFixed(1)}/s ETA ${eta}`;
}
