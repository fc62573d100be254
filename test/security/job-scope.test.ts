import { expect } from 'chai';
import { Browser, type Harness } from '../flows/harness.js';
import { article, connectAuthor, onlyJob, replaceTokens, startSyncHarness } from '../sync/helpers.js';
import type { SubmissionRoles } from '../../src/context.js';
import { POSTGRES_URL, dropSchema, freshSchema, withPostgres } from '../store/postgres-env.js';

/**
 * Issue 14, review: the editors' job actions (Retry, Un-park) and Send again act only for the
 * editors of the submission the job or item belongs to. The host says who edits what
 * (`submissionRoles`): `editor-s1` edits s1, `editor-s2` (an editor on the host too) edits s2 only,
 * `ed-s2` edits s2 without any host role. An editor of s2 acting on s1's job gets the 404 of a job
 * that does not exist, and nothing changes: the job, the history, ORCID.
 */
describe('editors act only on the jobs and items of their own submissions', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());

  const EDITS: Record<string, string> = { 'editor-s1': 's1', 'editor-s2': 's2', 'ed-s2': 's2', 'ed-s1': 's1' };
  const submissionRoles: SubmissionRoles = (user, submissionId) => (EDITS[user.id] === submissionId ? ['editor'] : []);

  async function parkedJobOfS1() {
    h = await startSyncHarness({ submissionRoles });
    await h.orcid.submissionCreated({ id: 's2', title: 'Another manuscript', contributors: [
      { contributorId: 'd1', role: 'author', givenNames: 'Ana', familyName: 'Other', hostUserId: 'u-other' },
    ] });
    await connectAuthor(h);
    await h.orcid.articlePublished(article());
    await replaceTokens(h, h.researchers.author!, '/read-limited');
    await h.orcid.worker.drain();
    const { job } = await onlyJob(h);
    expect(job.status).to.equal('parked');
    return job;
  }

  const editorActions = async () => (await h.orcid.store.listHistory({ limit: 200 })).filter((e) => e.detail.by === 'editor');

  for (const who of ['editor-s2', 'ed-s2']) {
    it(`${who} (an editor of s2) cannot retry or un-park a job of s1: 404 as for no job, nothing changes`, async () => {
      const job = await parkedJobOfS1();
      const b = new Browser({ 'x-user': who, accept: 'application/json' });
      const unknown = await b.request(`${h.url}/orcid/api/jobs/no-such-job/unpark`, { json: {} });
      for (const path of [`/orcid/api/jobs/${job.id}/unpark`, `/orcid/api/jobs/${job.id}/retry`, `/orcid/status/jobs/${job.id}/unpark`, `/orcid/status/jobs/${job.id}/retry`]) {
        const r = await b.request(`${h.url}${path}`, path.startsWith('/orcid/status/') ? { form: { return: '/orcid/status?submission=s2' } } : { json: {} });
        expect([r.status, r.text], path).to.deep.equal([unknown.status, unknown.text]);
        expect(r.status, path).to.equal(404);
      }
      expect((await onlyJob(h)).job).to.deep.include({ id: job.id, status: 'parked', attempts: job.attempts });
      expect(await editorActions()).to.deep.equal([]);
    });
  }

  it('the editor of s1 un-parks the same job (with or without an editor role on the host)', async () => {
    const job = await parkedJobOfS1();
    for (const who of ['editor-s1', 'ed-s1']) {
      const r = await new Browser({ 'x-user': who, accept: 'application/json' }).request(`${h.url}/orcid/api/jobs/${job.id}/unpark`, { json: {} });
      if (who === 'editor-s1') expect([r.status, JSON.parse(r.text)]).to.deep.equal([200, { ok: true }]);
      // Already queued again by the first: nothing to un-park, said as such (a 4xx), not a 404.
      else expect(r.status).to.equal(400);
    }
    expect((await onlyJob(h)).job.status).to.equal('queued');
    expect((await editorActions()).map((e) => e.event)).to.deep.equal(['job.unpark']);
  });

  it('an editor of s2 cannot send again an item of s1 either', async () => {
    await parkedJobOfS1();
    const [d] = await h.orcid.store.listDeposits({ submissionId: 's1' });
    const b = new Browser({ 'x-user': 'editor-s2', accept: 'application/json' });
    const r = await b.request(`${h.url}/orcid/api/deposits/${encodeURIComponent(d!.key)}/send-again`, { json: {} });
    const unknown = await b.request(`${h.url}/orcid/api/deposits/no-such-item/send-again`, { json: {} });
    expect([r.status, r.text]).to.deep.equal([404, unknown.text]);
    expect(await editorActions()).to.deep.equal([]);
  });

  it('an editor of s2 gets the 404 of a missing submission or contributor on every other route naming s1 or its people', async () => {
    await parkedJobOfS1();
    const b = new Browser({ 'x-user': 'editor-s2', accept: 'application/json' });
    const mails = h.orcid.mailer.outbox().length;
    const gone = await b.request(`${h.url}/orcid/api/submissions/no-such/status`);
    for (const path of ['/orcid/api/submissions/s1/status', '/orcid/api/submissions/s1/contributors', '/orcid/status?submission=s1']) {
      const r = await b.request(`${h.url}${path}`);
      expect([r.status, r.text], path).to.deep.equal([404, gone.text]);
    }
    // Resending: through s1 (not theirs), and through s2 naming s1's contributor.
    for (const path of ['/orcid/api/submissions/s1/contributors/c1/resend-invitation', '/orcid/api/submissions/s2/contributors/c1/resend-invitation']) {
      expect((await b.request(`${h.url}${path}`, { json: {} })).status, path).to.equal(404);
    }
    expect(h.orcid.mailer.outbox().length).to.equal(mails);
    // Their own submission still answers.
    expect((await b.request(`${h.url}/orcid/api/submissions/s2/status`)).status).to.equal(200);
  });

  withPostgres('Job and item ids a database cannot hold', () => {
    it('PostgreSQL: a job or item id with a NUL or too long answers 404, not the database\'s 500', async () => {
      const schema = freshSchema('ux_jobscope');
      h = await startSyncHarness({ storeUrl: `${POSTGRES_URL}${POSTGRES_URL!.includes('?') ? '&' : '?'}schema=${schema}` } as Parameters<typeof startSyncHarness>[0]);
      try {
        const b = new Browser({ 'x-user': 'editor-1', accept: 'application/json' });
        for (const id of ['%00', 'a%00b', 'x'.repeat(600)]) {
          for (const path of [`/orcid/api/jobs/${id}/unpark`, `/orcid/api/jobs/${id}/retry`, `/orcid/api/deposits/${id}/send-again`, `/orcid/status/jobs/${id}/unpark`,
            `/orcid/api/submissions/${id}/contributors/c1/resend-invitation`, `/orcid/api/submissions/s1/contributors/${id}/resend-invitation`]) {
            expect((await b.request(`${h.url}${path}`, { json: {} })).status, path.slice(0, 60)).to.equal(404);
          }
          for (const path of [`/orcid/api/submissions/${id}/contributors`, `/orcid/api/submissions/${id}/status`, `/orcid/status?submission=${id}`]) {
            expect((await b.request(`${h.url}${path}`)).status, path.slice(0, 60)).to.equal(404);
          }
          // Someone else's slot and one that does not exist are refused alike (403), whatever the id.
          const connect = await new Browser({ 'x-user': 'u1' }).request(`${h.url}/orcid/connect?role=author&contributor=${id}`);
          expect(connect.status).to.equal(403);
        }
      } finally {
        await h.close();
        await dropSchema(schema);
      }
    });
  });
});
