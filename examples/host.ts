// examples/host.ts: a complete Koa host with koa-orcid-connect mounted. Run it with
// `npx tsx examples/host.ts` (ORCID_ENV, ORCID_CLIENT_ID, … from the environment; without them it
// talks to the emulator: `npx koa-orcid-connect emulator` in another shell).
import Koa from 'koa';
import { pathToFileURL } from 'node:url';
import { orcidConnect, type Article, type OrcidConnect, type OrcidConnectOptions } from 'koa-orcid-connect';

/** The journal as ORCID shows it on researchers' records. */
const JOURNAL = { title: 'Journal of Examples', issn: '0317-8471', publisher: 'Example Press' };

export async function createHost(overrides: OrcidConnectOptions = {}): Promise<{ app: Koa; orcid: OrcidConnect }> {
  const app = new Koa();
  app.proxy = true; // behind a TLS-terminating proxy, so secure cookies work
  app.keys = [process.env.HOST_COOKIE_KEY ?? 'host-dev-key-change-me']; // the host's own cookies

  // The host's own login, before the plugin (a real host looks its session up here).
  app.use(async (ctx, next) => {
    const id = ctx.cookies.get('host-user', { signed: true });
    ctx.state.user = id ? { id, roles: id.startsWith('editor') ? ['editor'] : [] } : null;
    if (ctx.path === '/login') {
      ctx.cookies.set('host-user', String(ctx.query.user), { signed: true, httpOnly: true, sameSite: 'lax' });
      ctx.body = `signed in as ${String(ctx.query.user)}`;
      return;
    }
    await next();
  });

  const orcid = await orcidConnect({
    // Credentials and secrets come from the environment (ORCID_ENV, ORCID_CLIENT_ID, SESSION_KEYS, …).
    journal: JOURNAL,
    convening: { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' },
    storeUrl: process.env.STORE_URL ?? 'sqlite:./data/orcid.db', // or mongodb://db1,db2/orcid?replicaSet=rs0
    currentUser: (ctx) => ctx.state.user ?? null, // { id, roles: ['editor'?], name?, email? }
    ...overrides,
  });
  app.use(orcid.routes()); // everything under /orcid
  app.use((ctx) => {
    ctx.body = `Journal page ${ctx.path}. Connect your ORCID iD: /orcid/connect?role=author&submission=s1&return=${ctx.path}`;
  });
  return { app, orcid };
}

/** The host's editorial system calls this when a manuscript is submitted. */
export async function onSubmission(orcid: OrcidConnect): Promise<void> {
  await orcid.submissionCreated({ id: 's1', title: 'On emulated results', contributors: [
    // Has an account on the host: connects from the link above while signed in as u1.
    { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
    // Has no account: gets an invitation email with a single-use link.
    { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
  ] });
}

/** The host calls this on publication; it gets the JATS back with authenticated iDs embedded. */
export async function onPublication(orcid: OrcidConnect): Promise<{ jats: string | undefined; queued: number }> {
  const article: Article = {
    id: 'a1', submissionId: 's1', doi: '10.5555/example.1', title: 'On emulated results',
    url: 'https://journal.example.org/a1', publishedAt: '2026-11-01', journal: JOURNAL,
    authors: [
      { contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 },
      { contributorId: 'c2', givenNames: 'Sofia', familyName: 'Garcia', sequence: 2 },
    ],
    jats: `<article><front><article-meta><contrib-group>
      <contrib contrib-type="author"><name><surname>Carberry</surname><given-names>Josiah</given-names></name></contrib>
      <contrib contrib-type="author"><name><surname>Garcia</surname><given-names>Sofia</given-names></name></contrib>
    </contrib-group></article-meta></front></article>`,
  };
  const { jats, queued } = await orcid.articlePublished(article); // one work per connected author
  return { jats, queued };
}

// Run directly: listen, and post to ORCID from this process (or run `koa-orcid-connect worker`).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { app, orcid } = await createHost();
  orcid.worker.start();
  const server = app.listen(Number(process.env.PORT ?? 3000));
  process.once('SIGTERM', () => server.close(() => void orcid.close()));
}
