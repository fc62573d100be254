/**
 * Issue 19, "Operating many journals": the platform status page (`/orcid/status/journals`) shows, per
 * journal, the queued, parked and synced counts, the last error and the oldest waiting item, each
 * linking to the submission's status page; host editors and admins only, and an editor whose request
 * the host's `journalOf(ctx)` puts in journal B sees B's row alone, never A's.
 */
import { expect } from 'chai';
import type { Context } from 'koa';
import { orcidConnect, type OrcidConnect } from '../../src/plugin.js';
import { createLogger } from '../../src/log.js';

const T = new Date('2026-11-02T09:00:00Z');
const at = (s: number) => new Date(T.getTime() + s * 1000);
const JOURNALS = [
  { id: 'ja', title: 'Journal of Examples', locale: 'en' as const, reviewPolicy: 'blind' as const, credentialsId: 'default' },
  { id: 'jb', title: '示例学报', locale: 'zh-Hans' as const, reviewPolicy: 'open-review' as const, credentialsId: 'default' },
];
const textOf = (html: string) => html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
/** The cells of journal `id`'s row: its counts and the links of its items. */
function rowOf(html: string, id: string) {
  const m = new RegExp(`<tr data-journal="${id}">([\\s\\S]*?)</tr>`).exec(html);
  if (!m) return null;
  const count = (k: string) => Number(new RegExp(`data-count="${k}">(\\d+)<`).exec(m[1]!)![1]);
  return {
    counts: { queued: count('queued'), leased: count('leased'), parked: count('parked'), done: count('done') },
    links: [...m[1]!.matchAll(/href="([^"]+)"/g)].map((l) => l[1]!.replace(/&amp;/g, '&')),
    text: textOf(m[1]!),
  };
}

describe('the platform status page', function () {
  this.timeout(30_000);
  let orcid: OrcidConnect;
  let agent: import('supertest').Agent;
  afterEach(async () => orcid?.close());

  beforeEach(async () => {
    const { default: request } = await import('supertest');
    const Koa = (await import('koa')).default;
    orcid = await orcidConnect({
      storeUrl: 'sqlite::memory:', env: {}, logger: createLogger({ level: 'silent' }), journals: JOURNALS,
      // The host: who is signed in, with which roles, and (for a journal's own editor) which journal the request is for.
      currentUser: (ctx: Context) => (ctx.get('x-user') ? { id: ctx.get('x-user'), roles: ctx.get('x-roles') ? ctx.get('x-roles').split(',') : [] } : null),
      journalOf: (ctx: Context) => ctx.get('x-journal') || null,
    });
    const koa = new Koa();
    koa.keys = ['test-session-key-that-is-long-enough'];
    koa.use(orcid.routes());
    agent = request.agent(koa.callback());
    const s = orcid.store;
    for (const [id, journalId] of [['sa1', 'ja'], ['sa2', 'ja'], ['sb1', 'jb']] as const) {
      await orcid.submissionCreated({ id, journalId, title: `Paper ${id}`, contributors: [{ contributorId: `c-${id}`, role: 'author', givenNames: 'Josiah', familyName: 'Carberry' }] });
    }
    const work = (key: string, submissionId: string | null, journalId: string, runAt?: Date) => ({
      key, kind: 'work' as const, identityId: 'idn-1', orcid: '0000-0002-1825-0097', sourceId: key, submissionId, externalIdType: 'doi', externalIdValue: `10.5555/${key}`,
      desiredState: 'present' as const, payload: '<work/>', payloadHash: `h-${key}`, journalId, ...(runAt ? { runAt } : {}),
    });
    // Journal A: one synced, one waiting since T+10 s, one failed and waiting for its retry.
    await s.desireDeposit(work('a-done', 'sa1', 'ja'), T);
    const [done] = await s.claimJobs('w', T, 1, 60_000);
    await s.completeJob({ jobId: done!.job.id, workerId: 'w', version: 1, putCode: '11', postedHash: 'h-a-done', outcome: 'synced' }, at(1));
    await s.desireDeposit(work('a-wait', 'sa2', 'ja', at(3600)), at(10));
    await s.desireDeposit(work('a-fail', 'sa1', 'ja'), at(20));
    const [failed] = await s.claimJobs('w', at(20), 1, 60_000);
    await s.retryJob(failed!.job.id, 'w', 'ORCID answered 503', at(3600), at(21));
    // Journal B: one parked.
    await s.desireDeposit(work('b-park', 'sb1', 'jb'), at(30));
    const [parked] = await s.claimJobs('w', at(30), 1, 60_000);
    await s.parkJob(parked!.job.id, 'w', 'ORCID refused access: not allowed', at(31));
  });

  it('answers 401 signed out, 403 to a user who is no editor, and 404 for a journal that does not exist', async () => {
    expect((await agent.get('/orcid/status/journals')).status).to.equal(401);
    const author = await agent.get('/orcid/status/journals').set('x-user', 'u1');
    expect(author.status).to.equal(403);
    expect(author.text).not.to.contain('Journal of Examples');
    const unknown = await agent.get('/orcid/status/journals').set('x-user', 'ed').set('x-roles', 'editor').set('x-journal', 'nope');
    expect(unknown.status).to.equal(404);
  });

  it('shows platform staff every journal: counts, the oldest waiting item and the last error, linking to the submissions\' pages', async () => {
    const page = await agent.get('/orcid/status/journals').set('x-user', 'staff').set('x-roles', 'admin').expect(200);
    expect(page.headers['cache-control']).to.equal('no-store');
    const a = rowOf(page.text, 'ja')!;
    const b = rowOf(page.text, 'jb')!;
    expect(a.counts).to.deep.equal({ queued: 2, leased: 0, parked: 0, done: 1 });
    expect(b.counts).to.deep.equal({ queued: 0, leased: 0, parked: 1, done: 0 });
    // Oldest waiting: a-wait (queued at T+10 s, before a-fail's job at T+20 s); last error: a-fail.
    expect(a.links).to.deep.equal(['/orcid/status?submission=sa2', '/orcid/status?submission=sa1']);
    expect(a.text).to.include('Journal of Examples').and.include('blind review').and.include('Failed, will retry — ORCID answered 503');
    expect(b.links).to.deep.equal(['/orcid/status?submission=sb1']);
    expect(b.text).to.include('示例学报').and.include('open review').and.include('Nothing waiting').and.include('Stopped (parked): ORCID refused access — not allowed');
    // The links lead to the submissions' pages, which staff may open.
    const sub = await agent.get('/orcid/status?submission=sb1').set('x-user', 'staff').set('x-roles', 'admin').expect(200);
    expect(textOf(sub.text)).to.include('Paper sb1');
  });

  it('shows an editor of journal B only B: nothing of journal A, and A\'s submission pages stay closed to them', async () => {
    const asB = (path: string) => agent.get(path).set('x-user', 'ed-b').set('x-roles', 'editor').set('x-journal', 'jb');
    const page = await asB('/orcid/status/journals').expect(200);
    expect(rowOf(page.text, 'ja')).to.equal(null);
    expect(rowOf(page.text, 'jb')!.counts).to.deep.equal({ queued: 0, leased: 0, parked: 1, done: 0 });
    expect(page.text).not.to.match(/Journal of Examples|sa1|sa2|ORCID answered 503/);
    expect((await asB('/orcid/status?submission=sa1')).status).to.equal(404);
    await asB('/orcid/status?submission=sb1').expect(200);
  });

  it('says it in Chinese for a zh-Hans reader', async () => {
    const page = await agent.get('/orcid/status/journals').set('x-user', 'staff').set('x-roles', 'editor').set('accept-language', 'zh-Hans').expect(200);
    const text = textOf(page.text);
    expect(text).to.include('各期刊的 ORCID 同步状态').and.include('等待最久的项目').and.include('已暂停：ORCID 拒绝访问').and.include('公开评审').and.include('匿名评审').and.include('稿件 sa2');
    expect(text).not.to.match(/Waiting|Parked|Last error|Nothing waiting|blind review/);
  });
});
