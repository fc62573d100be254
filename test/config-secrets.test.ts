import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { loadConfig, DEV_ONLY_DEFAULTS, DEV_DEFAULTS_IN_USE } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

/**
 * Issue 13, finding 1 (high) and 5: outside the emulator every development default is refused,
 * because a public session key lets anyone forge a session cookie.
 */
// Stand-ins for `openssl rand -base64 32`: 32 bytes that look random.
const KEY = createHash('sha256').update('current key').digest('base64');
const OLD_KEY = createHash('sha256').update('previous key').digest('base64');

const base = {
  ORCID_CLIENT_ID: 'APP-1A2B3C4D5E6F7G8H',
  ORCID_CLIENT_SECRET: 'real-secret',
  PUBLIC_URL: 'https://journal.example.org',
  ORCID_TOKEN_KEY: KEY,
  SESSION_KEYS: 'Zq8-vR2p_Lk4mN7x,Wt5yB1cD9fG3hJ6s',
  INVITATION_SECRET: 'Hn4rT8wQ2zX6cV0b',
  JOURNAL_TITLE: 'Journal of Examples',
  ORCID_PEER_REVIEWS: 'false',
  SMTP_URL: 'smtp://mail.example.org:587',
};

function problems(env: Record<string, string>): [string, string][] {
  try {
    loadConfig({}, env);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => [p.setting, p.problem.split(' [')[0]!]);
  }
  return [];
}

describe('loadConfig: development defaults outside the emulator', () => {
  for (const orcidEnv of ['production', 'sandbox']) {
    describe(orcidEnv, () => {
      const env = { ...base, ORCID_ENV: orcidEnv };

      it('accepts real secrets', () => {
        expect(problems(env)).to.deep.equal([]);
        expect(loadConfig({}, env).devOnly).to.deep.equal([]);
      });

      it('refuses the public development session key, also as a second (older) key', () => {
        expect(problems({ ...env, SESSION_KEYS: DEV_ONLY_DEFAULTS.sessionKeys[0] })).to.deep.equal([
          ['sessionKeys', 'item 0 is the public development value; generate a secret (openssl rand -base64 32)'],
        ]);
        expect(problems({ ...env, SESSION_KEYS: `Zq8-vR2p_Lk4mN7x,${DEV_ONLY_DEFAULTS.sessionKeys[0]}` }).map((p) => p[0])).to.deep.equal(['sessionKeys']);
      });

      it('refuses the development invitation secret and token key, also as a previous token key', () => {
        expect(problems({ ...env, INVITATION_SECRET: DEV_ONLY_DEFAULTS.invitationSecret }).map((p) => p[0])).to.deep.equal(['invitationSecret']);
        expect(problems({ ...env, ORCID_TOKEN_KEY: DEV_ONLY_DEFAULTS.tokenKey }).map((p) => p[0])).to.deep.equal(['tokenKey']);
        expect(problems({ ...env, ORCID_TOKEN_KEYS_PREVIOUS: `${OLD_KEY},${DEV_ONLY_DEFAULTS.tokenKey}` })).to.deep.equal([
          ['previousTokenKeys', 'item 1 is the public development value; generate a secret (openssl rand -base64 32)'],
        ]);
      });

      it('refuses a well-known webhook secret', () => {
        const hooks = { ...env, ORCID_PREMIUM: 'true', ORCID_WEBHOOKS: 'true' };
        expect(problems({ ...hooks, ORCID_WEBHOOK_SECRET: 'Pq7rS1tU5vW9xY3z' })).to.deep.equal([]);
        expect(problems({ ...hooks, ORCID_WEBHOOK_SECRET: DEV_ONLY_DEFAULTS['webhooks.secret'] }).map((p) => p[0])).to.deep.equal(['webhooks.secret']);
      });

      it('refuses an all-zero or low-entropy token key', () => {
        for (const weak of [Buffer.alloc(32), Buffer.alloc(32, 7), Buffer.from('abababababababababababababababab'), Buffer.from('my-very-own-password-for-tokens!')]) {
          expect(problems({ ...env, ORCID_TOKEN_KEY: weak.toString('base64') }), weak.toString('hex')).to.deep.equal([
            ['tokenKey', 'is not random enough (32 random bytes have many distinct values and are not text); generate one with: openssl rand -base64 32'],
          ]);
        }
        expect(problems({ ...env, ORCID_TOKEN_KEYS_PREVIOUS: Buffer.alloc(32).toString('base64') }).map((p) => p[0])).to.deep.equal(['previousTokenKeys']);
      });

      it('refuses a low-entropy session key or invitation secret', () => {
        expect(problems({ ...env, SESSION_KEYS: 'aaaaaaaaaaaaaaaaaaaa' }).map((p) => p[0])).to.deep.equal(['sessionKeys']);
        expect(problems({ ...env, INVITATION_SECRET: 'changeme-changeme' }).map((p) => p[0])).to.deep.equal(['invitationSecret']);
      });

      it('requires every secret instead of falling back to a development default', () => {
        const { ORCID_TOKEN_KEY: _t, SESSION_KEYS: _s, INVITATION_SECRET: _i, ...missing } = env;
        expect(problems(missing).map((p) => p[0])).to.deep.equal(['tokenKey', 'sessionKeys', 'invitationSecret']);
      });
    });
  }

  it('still runs the emulator on development defaults, and names them for the start-up warning', () => {
    const c = loadConfig({}, { SESSION_KEYS: DEV_ONLY_DEFAULTS.sessionKeys[0] });
    expect(c.devOnly).to.deep.equal(['orcid.clientId', 'orcid.clientSecret', 'tokenKey', 'sessionKeys', 'invitationSecret']);
    expect(DEV_DEFAULTS_IN_USE).to.equal('ORCID_DEV_DEFAULTS_IN_USE');
  });
});
