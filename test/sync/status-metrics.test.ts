import { expect } from 'chai';
import { Browser, type Harness } from '../flows/harness.js';
import { article, connectAuthor, editor, items, manualClock, onlyJob, parkedByOutage, setFaults, startSyncHarness } from './helpers.js';

describe('editors\' sync status and metrics', function () {
  this.timeout(30_000);
  let h: Harness;
  afterEach(() => h?.close());

  let clock: ReturnType<typeof manualClock>;

  const parkedWork = () => parkedByOutage(h, clock);

  describe('status', () => {
    beforeEach(async () => {
      clock = manualClock();
      h = await startSyncHarness({ now: clock.now });
    });

    it('lists each person and item with status, put-code, last error and next attempt (JSON, editors only)', async () => {
      const { job } = await parkedWork();
      const url = `${h.url}/orcid/api/submissions/s1/status`;
      const other = new Browser();
      other.setUser('u1');
      expect((await other.request(url)).status).to.equal(403);
      const r = await editor().request(url);
      expect(r.status).to.equal(200);
      const body = JSON.parse(r.text) as { items: Array<Record<string, unknown>>; contributors: Array<{ contributorId: string; status: string }> };
      expect(body.contributors.map((c) => [c.contributorId, c.status])).to.deep.equal([['c1', 'linked'], ['e1', 'invited']]);
      expect(body.items).to.have.length(1);
      const { lastError, parkReason, error, ...rest } = body.items[0]!;
      expect(rest).to.deep.equal({
        key: `work:a1:${h.researchers.author}`, kind: 'work', orcid: h.researchers.author, desired: 'present', status: 'parked',
        putCode: null, jobId: job.id, jobStatus: 'parked', attempts: job.attempts, nextAttempt: null, state: 'parked',
      });
      // The park reason's words after its prefix, for the live progress page.
      expect(error).to.be.a('string').and.not.match(/^ORCID throttled/).and.not.match(/<|error-code/);
      expect(parkReason).to.match(/^ORCID throttled or unreachable for 3 days: /);
      // The last error is ORCID's answer (a 5xx or a 503 throttle), the park reason says what the worker decided.
      expect(lastError).to.match(/^ORCID_(SERVER_ERROR 50[02]|RATE_LIMITED 503): /);
    });

    it('shows the next attempt and the last error of a job waiting to be retried', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { errorRate: 1 });
      await h.orcid.worker.runOnce();
      await setFaults(h, {});
      const { job } = await onlyJob(h);
      const body = JSON.parse((await editor().request(`${h.url}/orcid/api/submissions/s1/status`)).text) as { items: Array<Record<string, unknown>> };
      const item = body.items[0]!;
      // A 503 is throttling and gives its attempt back (README "Rate limits"); 500 and 502 count.
      const counted = String(item.lastError).startsWith('ORCID_RATE_LIMITED') ? 0 : 1;
      expect([item.jobStatus, item.attempts, item.nextAttempt, item.status]).to.deep.equal(['queued', counted, job.runAt.toISOString(), 'pending']);
      expect(item.lastError).to.match(/^(ORCID_SERVER_ERROR 50[02]|ORCID_RATE_LIMITED 503): /);
    });

    // README "Error responses": ORCID's error body is kept on the error, and shown in words, never as XML.
    it('shows the last error of a retried job in words on the page, not ORCID\'s XML', async () => {
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await setFaults(h, { errorRate: 1 });
      await h.orcid.worker.runOnce();
      await setFaults(h, {});
      const page = await new Browser({ 'x-user': 'editor-1' }).request(`${h.url}/orcid/status?submission=s1`);
      expect(page.text).to.match(/ORCID_(SERVER_ERROR 50[02]|RATE_LIMITED 503): /);
      expect(page.text).to.not.match(/&lt;|developer-message|error-code/);
    });

    it('shows a page under the mount path to editors only', async () => {
      const { job } = await parkedWork();
      const url = `${h.url}/orcid/status?submission=s1`;
      expect((await new Browser().request(url)).status).to.equal(401);
      const page = await new Browser({ 'x-user': 'editor-1' }).request(url);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
      expect(page.text).to.include('Josiah Carberry');
      expect(page.text).to.include(h.researchers.author!);
      expect(page.text).to.include('parked');
      expect(page.text).to.include(`/orcid/status/jobs/${job.id}/`);
      // ORCID's refusal in words, never its XML (README "Error responses": user- and developer-message).
      expect(page.text).to.not.match(/&lt;|developer-message|error-code/);
    });

    it('un-parks a job on an editor\'s request, and it then completes', async () => {
      const { job } = await parkedWork();
      const action = `${h.url}/orcid/api/jobs/${job.id}/unpark`;
      // Not an editor of the job's submission: the 404 of a job that does not exist (test/security/job-scope.test.ts).
      expect((await new Browser({ 'x-user': 'u1' }).request(action, { json: {} })).status).to.equal(404);
      const r = await editor().request(action, { json: {} });
      expect([r.status, r.text]).to.deep.equal([200, '{"ok":true}']);
      // Only parked jobs can be retried.
      expect((await editor().request(`${h.url}/orcid/api/jobs/${job.id}/retry`, { json: {} })).status).to.equal(400);
      await h.orcid.worker.drain();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
      const history = await h.orcid.store.listHistory({ limit: 100 });
      expect(history.filter((e) => e.event === 'job.unpark').map((e) => [e.jobId, e.detail.by])).to.deep.equal([[job.id, 'editor']]);
    });

    it('retries a parked job on an editor\'s request', async () => {
      const { job } = await parkedWork();
      const r = await editor().request(`${h.url}/orcid/api/jobs/${job.id}/retry`, { json: {} });
      expect(r.status).to.equal(200);
      await h.orcid.worker.drain();
      expect(await items(h, h.researchers.author!, 'work')).to.have.length(1);
    });
  });

  describe('metrics', () => {
    it('are served on /orcid/metrics when enabled: settled jobs, queue depth, ORCID latency', async () => {
      h = await startSyncHarness({ metrics: { enabled: true } });
      await connectAuthor(h);
      await h.orcid.articlePublished(article());
      await h.orcid.worker.drain();
      const r = await fetch(`${h.url}/orcid/metrics`);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.match(/^text\/plain/);
      const text = await r.text();
      expect(text).to.include('orcid_jobs_settled_total{kind="work",outcome="synced"} 1');
      // The work, and the record read for prefill that connecting queued (a durable task).
      expect(text).to.include('orcid_outbox_jobs{state="done"} 2');
      expect(text).to.include('orcid_outbox_jobs{state="queued"} 0');
      expect(text).to.match(/orcid_request_duration_seconds_count\{kind="work",method="POST",status="201"\} 1/);
    });

    it('are not served when off (the default)', async () => {
      h = await startSyncHarness();
      expect((await fetch(`${h.url}/orcid/metrics`)).status).to.equal(404);
    });
  });
});
