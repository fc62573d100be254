import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createHash, createHmac } from 'node:crypto';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import { DEV_ONLY_DEFAULTS } from '../../src/config.js';

/**
 * The probe of issue 13, replayed: an outsider with the README, a browser and a standard OAuth
 * client (openid-client, as the probe used) against the plugin over HTTP only. No store access
 * except to check afterwards that nothing changed.
 */
const SESSION_COOKIE = 'koa-orcid.sess';

async function attackerClient(h: Harness) {
  const res = await fetch(`${h.emulator.url}/_emulator/clients`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Attacker app', redirectUris: ['https://evil.example/cb'] }),
  });
  const { clientId, clientSecret } = (await res.json()) as { clientId: string; clientSecret: string };
  const server = { issuer: h.emulator.url, authorization_endpoint: `${h.emulator.url}/oauth/authorize`, token_endpoint: `${h.emulator.url}/oauth/token` };
  const config = new oidc.Configuration(server, clientId, clientSecret, oidc.ClientSecretPost(clientSecret));
  oidc.allowInsecureRequests(config); // the emulator speaks http on loopback
  return config;
}

/** The attacker consents as `orcid` for their own client; returns the redirect back with the code. */
async function attackerCode(h: Harness, config: oidc.Configuration, orcid: string, state: string): Promise<URL> {
  const authorize = oidc.buildAuthorizationUrl(config, { redirect_uri: 'https://evil.example/cb', scope: '/authenticate', state });
  const form = Object.fromEntries(authorize.searchParams) as Record<string, string>;
  const consent = await new Browser().request(`${h.emulator.url}/oauth/authorize`, { form: { ...form, orcid, decision: 'authorize' } });
  return new URL(consent.location!);
}

/** The plugin's session cookie for `session`, signed with `key` as the plugin signs it (`<payload>.<HMAC>`). */
function forgeSession(session: Record<string, unknown>, key: string, expire = Date.now() + 86_400_000): string {
  const value = Buffer.from(JSON.stringify({ ...session, _expire: expire, _maxAge: 86_400_000 })).toString('base64url');
  const sig = createHmac('sha256', key).update(`${SESSION_COOKIE}=${value}`).digest('base64url');
  return `${SESSION_COOKIE}=${value}.${sig}`;
}

describe('an outsider with a browser and a standard OAuth client', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(() => h?.close());

  async function withVictim(options: Parameters<typeof startHarness>[0] = {}) {
    h = await startHarness(options);
    await h.orcid.submissionCreated({ id: 's1', title: 'Target', contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
      { contributorId: 'c2', role: 'coauthor', givenNames: 'Sofia', familyName: 'Garcia', email: 'sofia@example.org' },
    ] });
    const victim = new Browser({ 'x-user': 'u1' });
    expect((await h.connect(victim, `${h.url}/orcid/connect?role=author&submission=s1`, h.researchers.author!)).status).to.equal(302);
    return victim;
  }

  it('a working code for the attacker\'s own client is refused by the plugin\'s callback, and links nothing', async () => {
    await withVictim();
    const config = await attackerClient(h);
    // The standard client proves the code kind is real: one exchanges fine for its own client.
    const own = await attackerCode(h, config, h.researchers.coauthor!, 'attacker-state-1');
    const tokens = await oidc.authorizationCodeGrant(config, own, { expectedState: 'attacker-state-1' });
    expect(tokens.access_token).to.be.a('string');
    // A second code, pasted into the plugin's callback in a browser that started a connect for c2's slot.
    const b = new Browser();
    const invite = /https?:\/\/\S+\/orcid\/invite\/[A-Za-z0-9_.-]+/.exec(h.orcid.mailer.outbox().at(-1)!.text)![0];
    const toOrcid = await b.request(invite);
    const state = new URL(toOrcid.location!).searchParams.get('state')!;
    const stolen = (await attackerCode(h, config, h.researchers.coauthor!, state)).searchParams.get('code')!;
    const r = await b.request(`${h.url}/orcid/callback?code=${stolen}&state=${state}`);
    expect(r.status).to.equal(400);
    expect(await h.orcid.store.findIdentityByOrcid(h.researchers.coauthor!)).to.equal(null);
  });

  it('a callback URL carried to another browser (login CSRF) is refused', async () => {
    await withVictim();
    const attacker = new Browser({ 'x-user': 'u2' });
    const toOrcid = await attacker.request(`${h.url}/orcid/connect?role=author`);
    const form = Object.fromEntries(new URL(toOrcid.location!).searchParams) as Record<string, string>;
    const consent = await attacker.request(`${h.emulator.url}/oauth/authorize`, { form: { ...form, orcid: h.researchers.reviewer!, decision: 'authorize' } });
    const victim = new Browser({ 'x-user': 'u1' });
    const r = await victim.request(consent.location!);
    expect(r.status).to.equal(403);
    expect(await h.orcid.store.findIdentityByOrcid(h.researchers.reviewer!)).to.equal(null);
  });

  it('finding 1: a session cookie forged with the public development key is worthless once real keys are set', async () => {
    const realKey = createHash('sha256').update('outsider real session key').digest('base64');
    await withVictim({ sessionKeys: [realKey] });
    const forged = forgeSession({ orcid: { orcid: h.researchers.author } }, DEV_ONLY_DEFAULTS.sessionKeys[0]);
    const prefill = await fetch(`${h.url}/orcid/api/me/prefill`, { headers: { cookie: forged } });
    expect(prefill.status).to.equal(404);
    // The control: the same forgery against a deployment still on the development key reads the victim's data.
    await h.close();
    await withVictim();
    const open = await fetch(`${h.url}/orcid/api/me/prefill`, { headers: { cookie: forgeSession({ orcid: { orcid: h.researchers.author } }, DEV_ONLY_DEFAULTS.sessionKeys[0]) } });
    expect(open.status, 'the forgery works against development keys: why production and sandbox refuse them').to.equal(200);
    // Even under the right key, an expired session is no session.
    const expired = forgeSession({ orcid: { orcid: h.researchers.author } }, DEV_ONLY_DEFAULTS.sessionKeys[0], Date.now() - 1000);
    expect((await fetch(`${h.url}/orcid/api/me/prefill`, { headers: { cookie: expired } })).status).to.equal(404);
  });

  it('finding 3: a dot-segment return path ends on the journal, through the whole redirect chain', async () => {
    h = await startHarness();
    await h.orcid.submissionCreated({ id: 's1', title: 'Target', contributors: [{ contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', hostUserId: 'u1' }] });
    for (const evil of ['/..//evil.example/', '/.//evil.example/x', '/%2e%2e//evil.example/']) {
      const b = new Browser({ 'x-user': 'u1' });
      const back = await h.connect(b, `${h.url}/orcid/connect?role=author&submission=s1&return=${encodeURIComponent(evil)}`, h.researchers.author!);
      expect(back.status).to.equal(302);
      expect(new URL(back.location!, `${h.url}/orcid/callback`).origin, `${evil} → ${back.location}`).to.equal(h.url);
    }
  });

  it('finding 2: a cross-site page cannot unlink the victim, even with the host\'s login riding along', async () => {
    await withVictim();
    const victim = new Browser({ 'x-user': 'u1' });
    const attempts: Parameters<Browser['request']>[1][] = [{ form: {} }, { form: { _csrf: 'x' } }, { method: 'POST', headers: { 'content-type': 'text/plain' } }];
    for (const attempt of attempts) {
      expect((await victim.request(`${h.url}/orcid/unlink`, { ...attempt, from: 'https://evil.example' })).status).to.equal(403);
    }
    expect((await h.orcid.store.findIdentityByOrcid(h.researchers.author!))!.status).to.equal('linked');
  });
});
