/** A non-blocking token bucket for inbound requests: answer 429 instead of queueing. */
export function createRateLimiterSync(options: { perSecond: number; burst: number; now: () => Date }) {
  let tokens = options.burst;
  let last = options.now().getTime();
  return {
    tryTake(): boolean {
      const t = options.now().getTime();
      tokens = Math.min(options.burst, tokens + ((t - last) / 1000) * options.perSecond);
      last = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/**
 * One bucket per source (a client address), so one noisy source cannot use up the others'
 * allowance. At most `maxSources` buckets are kept; the least recently used goes first.
 */
export function createKeyedRateLimiter(options: { perSecond: number; burst: number; now: () => Date; maxSources?: number }) {
  const max = options.maxSources ?? 10_000;
  const buckets = new Map<string, ReturnType<typeof createRateLimiterSync>>();
  return {
    tryTake(source: string): boolean {
      let bucket = buckets.get(source);
      if (bucket) buckets.delete(source);
      else {
        bucket = createRateLimiterSync(options);
        if (buckets.size >= max) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(source, bucket);
      return bucket.tryTake();
    },
  };
}
