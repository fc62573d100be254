/**
 * Tokens belong to the ORCID client that obtained them (issue 19): a researcher who connected for
 * one journal is recognised in another journal of the same credentials, never in a journal of other
 * credentials; and a token is refreshed (and revoked) only with its own client's id and secret, at
 * its own environment's token endpoint. ORCID is faked at the HTTP boundary with nock.
 */
import { expect } from 'chai';
import nock from 'nock';
import { orcidConnect, type OrcidConnect } from '../../src/plugin.js';
import { createLogger } from '../../src/log.js';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { sealTokenSet } from '../../src/sync/tokens.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ORCID = '0000-0002-1825-0097';
const PUB_B = { id: 'pub-b', env: 'emulator' as const, clientId: 'APP-BBBBBBBBBBBBBBBB', clientSecret: 'secret-of-publisher-b' };
const PUB_C = { id: 'pub-c', env: 'emulator' as const, clientId: 'APP-CCCCCCCCCCCCCCCC', clientSecret: 'secret-of-publisher-c' };
const JOURNALS = [
  { id: 'jb1', title: 'B One', credentialsId: 'pub-b' },
  { id: 'jb2', title: 'B Two', credentialsId: 'pub-b' },
  { id: 'jc', title: 'C', credentialsId: 'pub-c' },
];

/** A plugin serving JOURNALS, opened afresh for each test, with ORCID reachable only through nock. */
function openForEachTest(use: (orcid: OrcidConnect) => void): void {
  let opened: OrcidConnect;
  beforeEach(async () => {
    nock.disableNetConnect();
    opened = await orcidConnect({ storeUrl: 'sqlite::memory:', env: {}, logger: createLogger({ level: 'silent' }), orcidCredentials: [PUB_B, PUB_C], journals: JOURNALS });
    use(opened);
  });
  afterEach(async () => {
    await opened.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });
}

describe('credentials isolation between journals', () => {
  let orcid: OrcidConnect;
  openForEachTest((opened) => (orcid = opened));

  /** A researcher (host user u1) who connected through the client of `credentialsId`; their token expires in `expiresInMs`. */
  async function connectedThrough(credentialsId: string | undefined, expiresInMs: number) {
    const cipher = TokenCipher.fromKeys(orcid.config.tokenKeys);
    const sealed = sealTokenSet(cipher, {
      accessToken: 'old-access', refreshToken: 'old-refresh', tokenType: 'bearer', scope: ['/authenticate', '/activities/update'],
      expiresAt: new Date(Date.now() + expiresInMs), orcid: ORCID, name: null, ...(credentialsId ? { credentialsId } : {}),
    });
    await orcid.store.linkIdentity({ orcid: ORCID, hostUserId: 'u1', sealedTokens: sealed, scopes: ['/authenticate', '/activities/update'], tokenExpiresAt: new Date(Date.now() + expiresInMs),
      ...(credentialsId ? { credentialsId } : {}) }, new Date());
  }

  const submission = (id: string, journalId: string) => ({ id, journalId, title: id, contributors: [
    { contributorId: `c-${id}`, role: 'author' as const, givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' },
  ] });

  it('recognises a researcher in every journal of the client they connected through, and in no other', async () => {
    await connectedThrough('pub-b', 3_600_000);
    expect((await orcid.submissionCreated(submission('s-b1', 'jb1'))).recognised).to.equal(1);
    expect((await orcid.submissionCreated(submission('s-b2', 'jb2'))).recognised).to.equal(1);
    expect((await orcid.submissionCreated(submission('s-c', 'jc'))).recognised).to.equal(0);
    expect((await orcid.submissionCreated(submission('s-d', 'default'))).recognised).to.equal(0);
    expect((await orcid.store.getContributor('c-s-c'))?.identityId).to.equal(null);
  });

  it('never queues a journal\'s item for a token of another client, even on a slot linked to that iD', async () => {
    await connectedThrough('pub-b', 3_600_000);
    await orcid.submissionCreated(submission('s-b1', 'jb1'));
    await orcid.submissionCreated(submission('s-c', 'jc'));
    // However the slot in journal C came to be linked (an old link, a host's import), C has no token of its own.
    const identity = (await orcid.store.findIdentityByOrcid(ORCID))!;
    await orcid.store.linkContributor('c-s-c', identity.id, new Date());
    const work = (id: string, submissionId: string, contributorId: string) => ({ id, submissionId, doi: `10.5555/${id}`, title: id, url: `https://j.example/${id}`,
      publishedAt: '2026-11-01', authors: [{ contributorId, givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] });
    expect((await orcid.articlePublished(work('a-c', 's-c', 'c-s-c'))).queued).to.equal(0);
    expect(await orcid.store.listDeposits({ sourceId: 'a-c' })).to.deep.equal([]);
    expect((await orcid.articlePublished(work('a-b', 's-b1', 'c-s-b1'))).queued).to.equal(1);
  });

  it('treats a token sealed before journals as the default client\'s', async () => {
    await connectedThrough(undefined, 3_600_000);
    expect((await orcid.submissionCreated(submission('s-d', 'default'))).recognised).to.equal(1);
    expect((await orcid.submissionCreated(submission('s-b1', 'jb1'))).recognised).to.equal(0);
  });

  it('refreshes a token with its own client\'s id and secret only, and keeps it that client\'s', async () => {
    await connectedThrough('pub-b', -1000); // expired: recognising it needs a refresh
    const bodies: string[] = [];
    const sandbox = nock('http://127.0.0.1:8787')
      .post('/oauth/token', (body: Record<string, string>) => {
        bodies.push(JSON.stringify(body));
        return body.grant_type === 'refresh_token' && body.client_id === PUB_B.clientId && body.client_secret === PUB_B.clientSecret && body.refresh_token === 'old-refresh';
      })
      .reply(200, { access_token: 'new-access', token_type: 'bearer', refresh_token: 'new-refresh', expires_in: 631138518, scope: '/authenticate /activities/update', orcid: ORCID, name: null });
    expect((await orcid.submissionCreated(submission('s-b1', 'jb1'))).recognised).to.equal(1);
    expect(sandbox.isDone()).to.equal(true);
    expect(bodies).to.have.length(1);
    expect(bodies[0]).not.to.contain(PUB_C.clientId);
    expect(bodies[0]).not.to.contain('APP-DEMO');
    // Still pub-b's after the refresh: journal C does not get it.
    expect((await orcid.submissionCreated(submission('s-c', 'jc'))).recognised).to.equal(0);
    expect((await orcid.submissionCreated(submission('s-b2', 'jb2'))).recognised).to.equal(1);
  });
});

describe('connecting for a journal (journalOf, OAuth state)', () => {
  let orcid: OrcidConnect;
  afterEach(async () => {
    await orcid?.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  async function app(journalOf?: (ctx: import('koa').Context) => string | null) {
    const Koa = (await import('koa')).default;
    orcid = await orcidConnect({
      storeUrl: 'sqlite::memory:', env: {}, logger: createLogger({ level: 'silent' }), orcidCredentials: [PUB_B, PUB_C], journals: JOURNALS,
      currentUser: () => ({ id: 'u1' }), ...(journalOf ? { journalOf } : {}),
    });
    const koa = new Koa();
    koa.keys = ['test-session-key-that-is-long-enough'];
    koa.use(orcid.routes());
    return koa;
  }

  it('sends the researcher to the client of the submission\'s journal and exchanges the code with that client only', async () => {
    const { default: request } = await import('supertest');
    const koa = await app();
    await orcid.submissionCreated(submission2('s-c', 'jc'));
    const agent = request.agent(koa.callback());
    const start = await agent.get('/orcid/connect?role=author&submission=s-c&return=/s').expect(302);
    const authorize = new URL(start.headers.location!);
    expect(authorize.origin).to.equal('http://127.0.0.1:8787');
    expect(authorize.searchParams.get('client_id')).to.equal(PUB_C.clientId);
    nock.disableNetConnect();
    nock.enableNetConnect((host) => host.startsWith('127.0.0.1') && !host.endsWith(':8787')); // supertest's own server only
    const exchanged = nock('http://127.0.0.1:8787')
      .post('/oauth/token', (body: Record<string, string>) => body.grant_type === 'authorization_code' && body.client_id === PUB_C.clientId && body.client_secret === PUB_C.clientSecret && body.code === 'code-1')
      .reply(200, { access_token: 'a', token_type: 'bearer', refresh_token: 'r', expires_in: 631138518, scope: '/authenticate /activities/update', orcid: ORCID, name: 'Josiah Carberry' });
    await agent.get(`/orcid/callback?code=code-1&state=${authorize.searchParams.get('state')}`).expect(302);
    expect(exchanged.isDone()).to.equal(true);
    // The token is client C's: recognised in C's journal, not in B's.
    expect((await orcid.submissionCreated(submission2('s-c2', 'jc'))).recognised).to.equal(1);
    expect((await orcid.submissionCreated(submission2('s-b', 'jb1'))).recognised).to.equal(0);
    // Stored as C's token, in the store's token table too.
    const identity = (await orcid.store.findIdentityByOrcid(ORCID))!;
    expect(identity.tokenClients).to.deep.equal(['pub-c']);
    expect(await orcid.store.getIdentityToken(identity.id, 'pub-c')).to.not.equal(null);
  });

  it('takes the journal of a request from the host\'s journalOf(ctx) when no submission names it', async () => {
    const { default: request } = await import('supertest');
    const koa = await app((ctx) => (ctx.get('x-journal') || null));
    const agent = request.agent(koa.callback());
    const toB = await agent.get('/orcid/connect?role=author&return=/s').set('x-journal', 'jb2').expect(302);
    expect(new URL(toB.headers.location!).searchParams.get('client_id')).to.equal(PUB_B.clientId);
    const toDefault = await agent.get('/orcid/connect?role=author&return=/s').expect(302);
    expect(new URL(toDefault.headers.location!).searchParams.get('client_id')).to.equal('APP-DEMO000000000000');
    const unknown = await agent.get('/orcid/connect?role=author&return=/s').set('x-journal', 'nope');
    expect(unknown.status).to.equal(400);
  });
});

function submission2(id: string, journalId: string) {
  return { id, journalId, title: id, contributors: [{ contributorId: `c-${id}`, role: 'author' as const, givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' }] };
}

describe('an editor of journal B (journalOf)', () => {
  let orcid: OrcidConnect;
  afterEach(async () => {
    await orcid?.close();
  });

  it('sees B\'s submissions in the JSON API and on the status page, and nothing of A\'s', async () => {
    const { default: request } = await import('supertest');
    const Koa = (await import('koa')).default;
    orcid = await orcidConnect({
      storeUrl: 'sqlite::memory:', env: {}, logger: createLogger({ level: 'silent' }), journals: [{ id: 'jb', title: 'Journal B', credentialsId: 'default' }],
      currentUser: () => ({ id: 'ed', roles: ['editor'] }), journalOf: (ctx) => ctx.get('x-journal') || null,
    });
    const koa = new Koa();
    koa.keys = ['test-session-key-that-is-long-enough'];
    koa.use(orcid.routes());
    await orcid.submissionCreated({ id: 's-a', title: 'A paper', contributors: [{ contributorId: 'ca', role: 'author', givenNames: 'Ana', familyName: 'A' }] });
    await orcid.submissionCreated({ id: 's-b', journalId: 'jb', title: 'B paper', contributors: [{ contributorId: 'cb', role: 'author', givenNames: 'Ben', familyName: 'B' }] });
    const agent = request.agent(koa.callback());

    const bOwn = await agent.get('/orcid/api/submissions/s-b/contributors').set('x-journal', 'jb').expect(200);
    expect(bOwn.body.map((c: { contributorId?: string; id?: string }) => c.contributorId ?? c.id)).to.deep.equal(['cb']);
    const bOnA = await agent.get('/orcid/api/submissions/s-a/contributors').set('x-journal', 'jb');
    expect(bOnA.status).to.equal(404);
    expect(JSON.stringify(bOnA.body)).not.to.contain('Ana');
    const statusA = await agent.get('/orcid/status?submission=s-a').set('x-journal', 'jb');
    expect(statusA.status).to.equal(404);
    expect(statusA.text).not.to.contain('Ana');
    const statusB = await agent.get('/orcid/status?submission=s-b').set('x-journal', 'jb').expect(200);
    expect(statusB.text).to.contain('Ben');
    // The default journal's editor, likewise, sees A and not B.
    await agent.get('/orcid/api/submissions/s-a/contributors').set('x-journal', 'default').expect(200);
    expect((await agent.get('/orcid/api/submissions/s-b/contributors').set('x-journal', 'default')).status).to.equal(404);
  });
});

describe('one token per iD and client (issue 19)', () => {
  let orcid: OrcidConnect;
  openForEachTest((opened) => (orcid = opened));

  /** The researcher (host user u1) connects through the client of `credentialsId`, getting `accessToken`. */
  async function connectThrough(credentialsId: string, accessToken: string) {
    const cipher = TokenCipher.fromKeys(orcid.config.tokenKeys);
    const expiresAt = new Date(Date.now() + 3_600_000);
    const tokens = { accessToken, refreshToken: `${accessToken}-refresh`, tokenType: 'bearer', scope: ['/authenticate', '/activities/update'], expiresAt, orcid: ORCID, name: null, credentialsId };
    // As the OAuth callback's link does: the token is stored as its client's.
    await orcid.store.linkIdentity({ orcid: ORCID, hostUserId: 'u1', sealedTokens: sealTokenSet(cipher, tokens), scopes: tokens.scope, tokenExpiresAt: expiresAt, credentialsId }, new Date());
  }
  const submission = (id: string, journalId: string) => ({ id, journalId, title: id, contributors: [
    { contributorId: `c-${id}`, role: 'author' as const, givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1', email: 'josiah@example.org' },
  ] });
  const work = (id: string, submissionId: string) => ({ id, submissionId, doi: `10.5555/${id}`, title: id, url: `https://j.example/${id}`,
    publishedAt: '2026-11-01', authors: [{ contributorId: `c-${submissionId}`, givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] });

  it('runs a job queued through client B with B\'s token after the researcher connected through C, and C\'s with C\'s', async () => {
    await connectThrough('pub-b', 'token-b');
    expect((await orcid.submissionCreated(submission('s-b1', 'jb1'))).recognised).to.equal(1);
    expect((await orcid.articlePublished(work('a-b', 's-b1'))).queued).to.equal(1);
    // Connecting through C queues nothing of B's and must not take B's token away.
    await connectThrough('pub-c', 'token-c');
    expect((await orcid.submissionCreated(submission('s-c', 'jc'))).recognised).to.equal(1);
    expect((await orcid.articlePublished(work('a-c', 's-c'))).queued).to.equal(1);
    const posts: Array<{ doi: string; auth: string }> = [];
    nock('http://127.0.0.1:8787').persist()
      .post(`/v3.0/${ORCID}/work`).reply(function (_uri, body) {
        posts.push({ doi: /10\.5555\/(a-[bc])/.exec(String(body))?.[1] ?? '?', auth: String(this.req.headers.authorization) });
        return [201, '', { Location: `http://127.0.0.1:8787/v3.0/${ORCID}/work/${posts.length}` }];
      });
    await orcid.worker.drain();
    expect(posts.sort((x, y) => x.doi.localeCompare(y.doi))).to.deep.equal([{ doi: 'a-b', auth: 'Bearer token-b' }, { doi: 'a-c', auth: 'Bearer token-c' }]);
  });

  it('parks only the jobs of the client whose token ORCID refused, and keeps the iD linked with the other', async () => {
    await connectThrough('pub-b', 'token-b');
    await orcid.submissionCreated(submission('s-b1', 'jb1'));
    await connectThrough('pub-c', 'token-c');
    await orcid.submissionCreated(submission('s-c', 'jc'));
    await orcid.articlePublished(work('a-b', 's-b1'));
    await orcid.articlePublished(work('a-c', 's-c'));
    await orcid.articlePublished(work('a-c2', 's-c'));
    const seen: string[] = [];
    const api = nock('http://127.0.0.1:8787').persist();
    api.post(`/v3.0/${ORCID}/work`).reply(function () {
      const auth = String(this.req.headers.authorization);
      seen.push(auth);
      // C's token was revoked at ORCID; B's works.
      return auth === 'Bearer token-c'
        ? [401, { error: 'invalid_token', error_description: 'Invalid access token: token-c' }]
        : [201, '', { Location: `http://127.0.0.1:8787/v3.0/${ORCID}/work/1` }];
    });
    api.post('/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Refresh token revoked' });
    await orcid.worker.drain();
    const status = async (id: string) => (await orcid.store.listDeposits({ sourceId: id }))[0]!.status;
    expect([await status('a-b'), await status('a-c'), await status('a-c2')]).to.deep.equal(['synced', 'parked', 'parked']);
    expect(seen).to.include('Bearer token-b');
    const identity = (await orcid.store.findIdentityByOrcid(ORCID))!;
    expect(identity).to.deep.include({ status: 'linked', tokenClients: ['pub-b'] });
    expect(await orcid.store.getIdentityToken(identity.id, 'pub-c')).to.equal(null);
    const reinvitations = () => orcid.mailer.outbox().filter((m) => m.to === 'josiah@example.org').length;
    const asked = reinvitations();
    expect(asked).to.equal(1);
    const postsBefore = seen.length;
    const revocations = async () => (await orcid.store.listHistory({ orcid: ORCID, limit: 1000 })).filter((e) => e.event === 'identity.revoked').length;
    expect(await revocations()).to.equal(1);
    // Connecting through B again un-parks the iD's jobs: C's have no token and park again, with no
    // revocation of a token that is gone (and no email).
    await connectThrough('pub-b', 'token-b2');
    expect(await orcid.store.unparkJobs({ identityId: identity.id }, new Date())).to.equal(2); // as the callback's link does
    await orcid.worker.drain();
    expect([await status('a-c'), await status('a-c2')]).to.deep.equal(['parked', 'parked']);
    expect(reinvitations()).to.equal(asked);
    expect(await revocations()).to.equal(1);
    expect(seen.length).to.equal(postsBefore);
  });
});

describe('one rate budget per ORCID client (issue 19)', () => {
  let orcid: OrcidConnect;
  let dir: string;
  beforeEach(async () => {
    nock.disableNetConnect();
    dir = mkdtempSync(join(tmpdir(), 'clients-budget-'));
    orcid = await orcidConnect({ storeUrl: `sqlite:${join(dir, 'orcid.db')}`, env: {}, logger: createLogger({ level: 'silent' }), orcidCredentials: [PUB_B, PUB_C], journals: JOURNALS });
  });
  afterEach(async () => {
    await orcid.close();
    rmSync(dir, { recursive: true, force: true });
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('draws the requests of each journal\'s jobs from its own client\'s budget in the store', async () => {
    const cipher = TokenCipher.fromKeys(orcid.config.tokenKeys);
    const expiresAt = new Date(Date.now() + 3_600_000);
    for (const [credentialsId, accessToken] of [['pub-b', 'token-b'], ['pub-c', 'token-c']] as const) {
      const tokens = { accessToken, refreshToken: null, tokenType: 'bearer', scope: ['/authenticate', '/activities/update'], expiresAt, orcid: ORCID, name: null, credentialsId };
      await orcid.store.linkIdentity({ orcid: ORCID, hostUserId: 'u1', sealedTokens: sealTokenSet(cipher, tokens), scopes: tokens.scope, tokenExpiresAt: expiresAt, credentialsId }, new Date());
    }
    for (const [sid, jid] of [['s-b1', 'jb1'], ['s-b2', 'jb2'], ['s-c', 'jc']] as const) {
      await orcid.submissionCreated({ id: sid, journalId: jid, title: sid, contributors: [{ contributorId: `c-${sid}`, role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' }] });
      expect((await orcid.articlePublished({ id: `a-${sid}`, submissionId: sid, doi: `10.5555/${sid}`, title: sid, url: `https://j.example/${sid}`,
        publishedAt: '2026-11-01', authors: [{ contributorId: `c-${sid}`, givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }] })).queued).to.equal(1);
    }
    let n = 0;
    nock('http://127.0.0.1:8787').persist().post(`/v3.0/${ORCID}/work`).reply(() => [201, '', { Location: `http://127.0.0.1:8787/v3.0/${ORCID}/work/${++n}` }]);
    await orcid.worker.drain();
    expect(n).to.equal(3);
    const db = new Database(join(dir, 'orcid.db'), { readonly: true });
    try {
      const keys = (db.prepare('SELECT key FROM rate_budgets ORDER BY key').all() as Array<{ key: string }>).map((r) => r.key);
      // B's two journals share B's budget; C has its own; the instance's own client posted nothing.
      expect(keys).to.deep.equal([PUB_B.clientId, PUB_C.clientId]);
    } finally {
      db.close();
    }
  });
});
