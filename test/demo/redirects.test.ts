import { expect } from 'chai';
import fc from 'fast-check';
import { startDemo, type RunningDemo } from '../../src/demo/server.js';

/** The demo's own redirects (act-as `return`, mailbox links) stay on the demo for any input (issue 13). */
describe('demo redirects (fast-check)', function () {
  this.timeout(60_000);
  let demo: RunningDemo;
  before(async () => {
    demo = await startDemo({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: {} });
  });
  after(() => demo?.close());

  const piece = fc.constantFrom('/', '//', '.', '..', '%2e', '%2f', '\\', '\t', '@', ':', 'evil.example', 'https:', '?', '#', 'x');
  const hostile = fc.oneof(fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')), fc.string(), fc.webUrl());

  it('act-as goes back to a same-origin path whatever `return` says', async () => {
    await fc.assert(fc.asyncProperty(hostile, async (back) => {
      const r = await fetch(`${demo.url}/act-as`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: 'editor', return: back }).toString() });
      expect(r.status, back).to.equal(302);
      expect(new URL(r.headers.get('location')!, `${demo.url}/x`).origin, `${back} → ${r.headers.get('location')}`).to.equal(demo.url);
    }), { numRuns: 200 });
  });

  it('a mailbox link opens only links of that message, on the demo', async () => {
    await fc.assert(fc.asyncProperty(hostile, async (link) => {
      const r = await fetch(`${demo.url}/mailbox/0/open?link=${encodeURIComponent(link)}`, { redirect: 'manual' });
      expect(r.status, link).to.be.below(500);
      if (r.status === 302) expect(new URL(r.headers.get('location')!).origin).to.equal(demo.url);
    }), { numRuns: 100 });
  });
});
