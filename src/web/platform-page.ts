/**
 * The platform status page (issue 19, "Operating many journals"): per journal, the queued, parked
 * and synced counts, the latest standing error and the oldest waiting item, each linking to the
 * per-submission status page. For editors-in-chief and platform staff.
 *
 * Who sees what: host editors and admins only (401 signed out, 403 for anyone else). When the host's
 * `journalOf(ctx)` names a journal for the request, the page shows that journal alone (an editor of
 * journal B never sees journal A's row); a journal it names that does not exist is a 404. When it
 * names none (platform staff, or a single-journal host), the page shows every journal.
 */
import type Router from '@koa/router';
import { isEditor, type PluginContext } from '../context.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.js';
import type { Journal } from '../journals/model.js';
import type { Pages } from './pages.js';
import { journalRows } from './platform-view.js';

export function platformPageRoutes(router: Router, pc: PluginContext, pages: Pages) {
  const { settings, store } = pc;
  router.get('/status/journals', async (ctx) => {
    const user = await pc.currentUser(ctx);
    if (!user) throw new UnauthenticatedError('Sign in to the journal first.');
    if (!isEditor(user)) throw new ForbiddenError('Only editors may see this page.');
    const named = (await pc.journalOf(ctx)) || null;
    let journals: Journal[];
    if (named) {
      const one = (await pc.journals.list()).find((j) => j.id === named);
      if (!one) throw new NotFoundError('No such journal.');
      journals = [one];
    } else journals = await pc.journals.list();
    const queues = await store.journalQueues(named ? { journalId: named } : {});
    ctx.set('Cache-Control', 'no-store');
    await pages.send(ctx, 200, 'status-journals.njk', {
      mountPath: settings.mountPath,
      journal: named ? journals[0] : settings.journal, journalTitle: named ? journals[0]!.title : undefined,
      journals: journalRows(journals, queues, settings.mountPath, !named),
    });
  });
}
