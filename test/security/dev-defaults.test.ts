import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { orcidConnect } from '../../src/plugin.js';
import { createLogger } from '../../src/log.js';
import { DEV_DEFAULTS_IN_USE } from '../../src/config.js';

/** Issue 13, finding 1: start-up says so, with a stable code, whenever a development default is in use. */
describe('orcidConnect: start-up warning for development defaults', () => {
  async function startupLines(env: Record<string, string>) {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
    const orcid = await orcidConnect({ storeUrl: 'sqlite::memory:', env, logger });
    await orcid.close();
    return lines;
  }

  it('warns once, naming every development default in use, with no secret value in the line', async () => {
    const lines = await startupLines({});
    const warnings = lines.filter((l) => l.code === DEV_DEFAULTS_IN_USE);
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.level).to.equal(40);
    expect(warnings[0]!.settings).to.deep.equal(['orcid.clientId', 'orcid.clientSecret', 'tokenKey', 'sessionKeys', 'invitationSecret']);
    expect(JSON.stringify(warnings[0])).not.to.match(/dev-only-session-key|dev-only-invitation|ZGV2LW9ubHk/);
  });

  it('does not warn when the secrets are real', async () => {
    const lines = await startupLines({
      ORCID_CLIENT_ID: 'APP-1A2B3C4D5E6F7G8H', ORCID_CLIENT_SECRET: 'emulated-client-secret',
      ORCID_TOKEN_KEY: createHash('sha256').update('k').digest('base64'), SESSION_KEYS: 'Zq8-vR2p_Lk4mN7x', INVITATION_SECRET: 'Hn4rT8wQ2zX6cV0b',
    });
    expect(lines.filter((l) => l.code === DEV_DEFAULTS_IN_USE)).to.deep.equal([]);
  });
});
