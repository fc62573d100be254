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
