import { expect } from 'chai';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';
import { localNetworkOnly } from '../local-network.js';
import { actingClient } from './act-as.js';

/**
 * Issue 14: the demo's manuscript page showed the reviewer's name and email to the author and to
 * "nobody". It now applies the plugin's rule: reviewers are shown to editors and to themselves.
 */
describe('the demo manuscript page under blind review', function () {
  localNetworkOnly();
  this.timeout(20_000);
  let demo: RunningDemo;
  let submissionId: string;

  const { get, post } = actingClient(() => demo.url);

  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
    const res = await post('/submit', 'author', { title: 'Blind', abstract: 'A', given_1: 'Josiah', family_1: 'Carberry', email_1: 'josiah.carberry@example.edu' });
    submissionId = decodeURIComponent(res.location!.replace('/submissions/', ''));
    expect((await post(`/submissions/${submissionId}/reviewers`, 'editor', { reviewer: 'reviewer' })).status).to.equal(302);
  });
  after(() => demo?.close());

  it('hides the reviewer from the author and from nobody', async () => {
    for (const as of ['author', 'nobody']) {
      const page = await get(`/submissions/${submissionId}`, as);
      expect(page.status).to.equal(200);
      // The act-as switcher names every demo user; the manuscript's own sections must not.
      expect(page.text, as).not.to.match(/data-contributor="[^"]*-r-reviewer"|id="reviews"|amara\.okafor@/);
    }
  });

  it('shows the reviewer to the editor, and to the reviewer herself', async () => {
    for (const as of ['editor', 'reviewer']) {
      const page = (await get(`/submissions/${submissionId}`, as)).text;
      expect(page, as).to.match(/data-contributor="[^"]*-r-reviewer"/);
      expect(page, as).to.contain('id="reviews"');
    }
    // The reviewer does not see the authors either (double-blind).
    expect((await get(`/submissions/${submissionId}`, 'reviewer')).text).not.to.contain('josiah.carberry@example.edu');
  });
});
