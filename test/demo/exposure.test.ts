import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { startDemo } from '../../src/demo/server.js';

/**
 * Issue 13, finding 5: the demo runs on development secrets and lets anyone act as the editor.
 * Reachable from the network, it refuses to start (emulator: public secrets, open control API) or,
 * against the sandbox (real secrets required), shows a banner and turns off the act-as switcher
 * and the public mailbox.
 */
const SANDBOX = {
  ORCID_ENV: 'sandbox', ORCID_CLIENT_ID: 'APP-ABCDEFGHIJKLMNOP', ORCID_CLIENT_SECRET: 'sandbox-client-secret',
  JOURNAL_TITLE: 'Sandbox Journal', JOURNAL_ISSN: '0000-0000', ORCID_PEER_REVIEWS: 'false',
  ORCID_TOKEN_KEY: createHash('sha256').update('demo exposure test').digest('base64'), SESSION_KEYS: 'Zq8-vR2p_Lk4mN7x', INVITATION_SECRET: 'Hn4rT8wQ2zX6cV0b',
};

async function startFails(options: Parameters<typeof startDemo>[0]): Promise<Error & { code?: string }> {
  try {
    const demo = await startDemo(options);
    await demo.close();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('the demo started');
}

describe('startDemo off loopback', function () {
  this.timeout(20_000);

  it('refuses to start the emulator demo on a non-loopback address or PUBLIC_URL', async () => {
    const bound = await startFails({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', host: '0.0.0.0', env: {} });
    expect([bound.code, bound.message]).to.deep.equal(['DEMO_NOT_LOOPBACK', 'The emulator demo runs on public development secrets: bind it to 127.0.0.1 and open it at a loopback URL (host "0.0.0.0" is reachable from the network). To show it to others, use ORCID_ENV=sandbox with real secrets.']);
    const publicUrl = await startFails({ port: 0, emulatorPort: 0, storeUrl: 'sqlite::memory:', env: { PUBLIC_URL: 'https://demo.example.org' } });
    expect(publicUrl.code).to.equal('DEMO_NOT_LOOPBACK');
  });

  it('refuses the sandbox without its secrets', async () => {
    const { ORCID_TOKEN_KEY: _k, SESSION_KEYS: _s, INVITATION_SECRET: _i, ...noSecrets } = SANDBOX;
    const err = await startFails({ port: 0, storeUrl: 'sqlite::memory:', env: { ...noSecrets, PUBLIC_URL: 'http://localhost:3000' } });
    expect(err.message).to.contain('tokenKey: is required when orcid.env is "sandbox"');
  });

  it('against the sandbox at a public URL: a banner, no act-as switcher, no mailbox, everyone is the author', async () => {
    const demo = await startDemo({ port: 0, storeUrl: 'sqlite::memory:', env: { ...SANDBOX, PUBLIC_URL: 'https://demo.example.org' } });
    try {
      const home = await fetch(`${demo.url}/`, { headers: { cookie: 'demo_act_as=editor' } });
      const html = await home.text();
      expect(html).to.contain('id="exposed-banner"');
      expect(html).not.to.contain('class="act-as"');
      expect(html).to.contain('Josiah Carberry');
      const actAs = await fetch(`${demo.url}/act-as`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=editor' });
      expect(actAs.status).to.equal(403);
      expect((await fetch(`${demo.url}/mailbox`)).status).to.equal(403);
      expect((await fetch(`${demo.url}/mailbox/0/open?link=x`, { redirect: 'manual' })).status).to.equal(403);
      // A hand-made act-as cookie does not make anyone the editor: the author has no part in
      // submission x, which answers as if it did not exist (issue 14).
      const status = await fetch(`${demo.url}/orcid/status?submission=x`, { headers: { cookie: 'demo_act_as=editor' } });
      expect(status.status).to.equal(404);
    } finally {
      await demo.close();
    }
  });
});
