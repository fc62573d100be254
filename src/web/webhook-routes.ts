import type Router from '@koa/router';
import { timingSafeEqual } from 'node:crypto';
import type { PluginContext } from '../context.js';
import { isOrcidId, parseOrcidId } from '../orcid/id.js';
import { ForbiddenError, NotFoundError, OrcidPluginError } from '../errors.js';
import { createKeyedRateLimiter } from './request-limit.js';

/** `POST <mount>/webhook/:secret/:orcid`: ORCID's record-change notification (empty body). */
export function webhookRoutes(router: Router, pc: PluginContext) {
  const { settings } = pc;
  const limit = createKeyedRateLimiter({ perSecond: 50, burst: 100, now: pc.now });
  router.post('/webhook/:secret/:orcid', async (ctx) => {
    if (!settings.webhooks.enabled || !settings.webhooks.secret || !pc.webhooks) throw new NotFoundError('Webhooks are not enabled.');
    // The secret first, then the rate limit per source: forged calls must not use up the allowance
    // of ORCID's real notifications (issue 13, finding 6). The comparison is constant-time and cheap.
    const given = Buffer.from(String(ctx.params.secret));
    const expected = Buffer.from(settings.webhooks.secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ForbiddenError('Wrong webhook secret.');
    if (!limit.tryTake(ctx.ip)) {
      ctx.set('Retry-After', '1');
      throw new OrcidPluginError('RATE_LIMITED', 'Too many notifications; slow down.', { status: 429 });
    }
    if (!isOrcidId(ctx.params.orcid)) throw new NotFoundError('Not an ORCID iD.');
    await pc.webhooks.notify(parseOrcidId(ctx.params.orcid).id);
    ctx.status = 204;
  });
}
