import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { loadConfig, pluginManifest } from '../src/config.js';
import { ConfigError, INVALID_CONFIG } from '../src/errors.js';

// 32 bytes that look random (an all-7 key is refused outside the emulator as low-entropy).
const KEY = createHash('sha256').update('config test key').digest('base64');
/** Sandbox needs its own secrets, as production does. */
const SECRETS = { tokenKey: KEY, sessionKeys: ['Zq8-vR2p_Lk4mN7x'], invitationSecret: 'Hn4rT8wQ2zX6cV0b' };
const ORG = { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' as const };

function problemsOf(fn: () => unknown): { setting: string; problem: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    expect((e as ConfigError).code).to.equal(INVALID_CONFIG);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

const productionEnv = {
  ORCID_ENV: 'production',
  ORCID_CLIENT_ID: 'APP-1A2B3C4D5E6F7G8H',
  ORCID_CLIENT_SECRET: 'real-secret',
  PUBLIC_URL: 'https://journal.example.org',
  ORCID_TOKEN_KEY: KEY,
  SESSION_KEYS: 'a-long-session-key-1,a-long-session-key-0',
  INVITATION_SECRET: 'invitation-secret-0123',
  JOURNAL_TITLE: 'Journal of Examples',
  JOURNAL_ISSN: '0317-8471',
  CONVENING_ORG_NAME: 'Example Press',
  CONVENING_ORG_CITY: 'Oxford',
  CONVENING_ORG_COUNTRY: 'GB',
  CONVENING_ORG_ID: 'https://ror.org/052gg0110',
  CONVENING_ORG_ID_SOURCE: 'ROR',
  SMTP_URL: 'smtp://mail.example.org:587',
};

describe('plugin-manifest.json', () => {
  it('lists the eight host events with their method names', () => {
    expect(pluginManifest.events.map((e) => `${e.name}:${e.method}`)).to.deep.equal([
      'submission.created:submissionCreated',
      'reviewer.assigned:reviewerAssigned',
      'review.completed:reviewCompleted',
      'article.published:articlePublished',
      'article.updated:articleUpdated',
      'article.retracted:articleRetracted',
      'editor.appointed:editorAppointed',
      'editor.term-ended:editorTermEnded',
    ]);
    expect(pluginManifest.mountPath).to.equal('/orcid');
    expect(pluginManifest.scopes.default).to.deep.equal(['/authenticate', '/activities/update', '/read-limited']);
  });
});

describe('loadConfig', () => {
  it('runs against the emulator with no configuration, using marked dev-only values', () => {
    const c = loadConfig({}, {});
    expect(c.orcid).to.deep.equal({
      env: 'emulator',
      baseUrl: 'http://127.0.0.1:8787',
      apiUrl: 'http://127.0.0.1:8787/v3.0',
      clientId: 'APP-DEMO000000000000',
      clientSecret: 'demo-secret',
      scopes: ['/authenticate', '/activities/update', '/read-limited'],
      authenticateOnly: false,
      premium: false,
    });
    expect(c.storeUrl).to.equal('sqlite:./data/orcid.db');
    expect(c.redirectUri).to.equal('http://localhost:3000/orcid/callback');
    expect(c.tokenKeys.map((k) => k.length)).to.deep.equal([32]);
    expect(c.devOnly).to.deep.equal(['orcid.clientId', 'orcid.clientSecret', 'tokenKey', 'sessionKeys', 'invitationSecret']);
    expect(c.worker).to.deep.equal({ concurrency: 4, rateLimit: { perSecond: 20, burst: 40, batch: 4 }, maxAttempts: 8, parkAfterHours: 72, leaseMs: 60000, timeoutMs: 15000, pollMs: 1000 });
    expect(c.invitations).to.deep.equal({ expiryDays: 30, reminderDays: 7 });
    expect(c.policies).to.deep.equal({ retraction: 'update', unlink: 'delete' });
    expect(c.display.unauthenticatedIds).to.equal('hide');
    expect(c.mail.transport).to.equal('capture');
    expect(c.peerReviews).to.deep.equal({ enabled: true, groupId: 'issn:0000-0000' });
    expect([c.logLevel, c.locale, c.webhooks.enabled, c.metrics.enabled]).to.deep.equal(['info', 'en', false, false]);
  });

  it('reads the environment, coercing booleans, numbers and comma lists', () => {
    const c = loadConfig({}, {
      ORCID_PREMIUM: 'yes',
      ORCID_RATE_LIMIT: '12.5',
      ORCID_TOKEN_KEYS_PREVIOUS: ` ${KEY} , ${Buffer.alloc(32, 1).toString('base64')} `,
      SESSION_KEYS: 'first-session-key-000,second-session-key-00',
      ORCID_SCOPES: '/authenticate /read-limited',
      JOURNAL_TITLE: 'Env Journal',
      JOURNAL_ISSN: '2049-3630',
      ORCID_PEER_REVIEWS: 'false',
      ORCID_METRICS: '1',
      MOUNT_PATH_IGNORED: '/x',
      ORCID_SANDBOX_EMPTY: '',
    });
    expect(c.orcid.premium).to.equal(true);
    expect(c.worker.rateLimit.perSecond).to.equal(12.5);
    expect(c.previousTokenKeys).to.have.length(2);
    expect(c.tokenKeys).to.have.length(3);
    expect(c.sessionKeys).to.deep.equal(['first-session-key-000', 'second-session-key-00']);
    expect(c.orcid.scopes).to.deep.equal(['/authenticate', '/read-limited']);
    expect(c.journal).to.deep.equal({ title: 'Env Journal', issn: '2049-3630', reviewPolicy: 'blind' });
    expect(c.peerReviews.enabled).to.equal(false);
    expect(c.metrics.enabled).to.equal(true);
    expect(c.devOnly).to.deep.equal(['orcid.clientId', 'orcid.clientSecret', 'tokenKey', 'invitationSecret']);
  });

  it('reads worker.parkAfterHours (hours of continuous throttling or outage before parking) and refuses 0', () => {
    expect(loadConfig({}, { ORCID_PARK_AFTER_HOURS: '1.5' }).worker.parkAfterHours).to.equal(1.5);
    expect(problemsOf(() => loadConfig({}, { ORCID_PARK_AFTER_HOURS: '0' })).map((p) => [p.setting, p.problem])).to.deep.equal([
      ['worker.parkAfterHours', 'must be > 0, got 0 (from environment variable ORCID_PARK_AFTER_HOURS)'],
    ]);
  });

  it('lets options win over the environment', () => {
    const c = loadConfig({ worker: { concurrency: 2 }, publicUrl: 'http://127.0.0.1:4000/', mountPath: '/ids' }, { ORCID_WORKER_CONCURRENCY: '9', PUBLIC_URL: 'http://env.example' });
    expect(c.worker.concurrency).to.equal(2);
    expect(c.redirectUri).to.equal('http://127.0.0.1:4000/ids/callback');
  });

  it('reports every problem at once, naming the setting and its environment variable', () => {
    const problems = problemsOf(() => loadConfig({ journal: { issn: '12345678' }, worker: { concurrency: 0 } }, { ORCID_PREMIUM: 'maybe', ORCID_RATE_LIMIT: 'fast', STORE_URL: 'nope' }));
    expect(problems).to.deep.equal([
      { setting: 'orcid.premium', env: 'ORCID_PREMIUM', problem: 'must be true or false (also accepted: 1/0, yes/no, on/off), got "maybe" (from environment variable ORCID_PREMIUM)' },
      { setting: 'worker.rateLimit.perSecond', env: 'ORCID_RATE_LIMIT', problem: 'must be a number, got "fast" (from environment variable ORCID_RATE_LIMIT)' },
      { setting: 'storeUrl', env: 'STORE_URL', problem: 'must look like sqlite:./data/orcid.db, got "nope" (from environment variable STORE_URL)' },
      { setting: 'journal.issn', env: 'JOURNAL_ISSN', problem: 'must look like 0317-8471, got "12345678" [option "journal.issn" or environment variable JOURNAL_ISSN]' },
      { setting: 'worker.concurrency', env: 'ORCID_WORKER_CONCURRENCY', problem: 'must be >= 1, got 0 [option "worker.concurrency" or environment variable ORCID_WORKER_CONCURRENCY]' },
    ]);
  });

  it('names an unknown option instead of ignoring a typo', () => {
    const problems = problemsOf(() => loadConfig({ orcid: { clientID: 'x' } } as never, {}));
    expect(problems).to.deep.equal([{ setting: 'orcid.clientID', problem: 'is not a known setting (check the spelling against plugin-manifest.json)' }]);
  });

  it('accepts a complete production configuration from the environment', () => {
    const c = loadConfig({}, productionEnv);
    expect(c.orcid.baseUrl).to.equal('https://orcid.org');
    expect(c.orcid.apiUrl).to.equal('https://api.orcid.org/v3.0');
    expect(c.mail.transport).to.equal('smtp');
    expect(c.devOnly).to.deep.equal([]);
    expect(c.convening).to.deep.equal(ORG);
    expect(c.peerReviews.groupId).to.equal('issn:0317-8471');
  });

  it('refuses production without a token key, with http publicUrl, or with dev-only secrets', () => {
    const { ORCID_TOKEN_KEY: _k, ...noKey } = productionEnv;
    expect(problemsOf(() => loadConfig({}, noKey)).map((p) => [p.setting, p.problem])).to.deep.equal([
      ['tokenKey', 'is required in production [option "tokenKey" or environment variable ORCID_TOKEN_KEY]'],
    ]);
    expect(problemsOf(() => loadConfig({ publicUrl: 'http://journal.example.org' }, productionEnv)).map((p) => p.problem)).to.deep.equal([
      'must be an https URL in production (got "http://journal.example.org") [option "publicUrl" or environment variable PUBLIC_URL]',
    ]);
    const devKey = problemsOf(() => loadConfig({ tokenKey: 'ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=' }, productionEnv));
    expect(devKey.map((p) => p.setting)).to.deep.equal(['tokenKey']);
  });

  it('requires ORCID client credentials for sandbox and production', () => {
    const problems = problemsOf(() => loadConfig({ ...SECRETS, orcid: { env: 'sandbox', clientId: 'APP-123' }, peerReviews: { enabled: false }, journal: { title: 'J' } }, {}));
    expect(problems.map((p) => [p.setting, p.problem.split(' [')[0]])).to.deep.equal([
      ['orcid.clientSecret', 'is required when orcid.env is "sandbox"'],
      ['orcid.clientId', 'must be an ORCID client id, APP- and 16 characters (got "APP-123")'],
    ]);
  });

  it('rejects a token key that does not decode to 32 bytes', () => {
    const problems = problemsOf(() => loadConfig({ tokenKey: Buffer.alloc(16).toString('base64') }, {}));
    expect(problems.map((p) => [p.setting, p.problem.split(' (generate')[0]])).to.deep.equal([['tokenKey', 'must be the base64 of exactly 32 bytes, decodes to 16 bytes']]);
  });

  it('needs a convening organization while peer reviews are enabled, not when disabled', () => {
    const base = { ...SECRETS, orcid: { env: 'sandbox' as const, clientId: 'APP-1A2B3C4D5E6F7G8H', clientSecret: 's' }, journal: { title: 'J', issn: '0317-8471' } };
    const problems = problemsOf(() => loadConfig({ ...base, convening: { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'x' } }, {}));
    expect(problems.map((p) => p.setting)).to.deep.equal(['convening.disambiguationSource']);
    expect(problems[0].problem).to.contain('CONVENING_ORG_ID_SOURCE');
    const c = loadConfig({ ...base, peerReviews: { enabled: false } }, {});
    expect(c.convening).to.equal(undefined);
    expect(c.orcid.apiUrl).to.equal('https://api.sandbox.orcid.org/v3.0');
  });

  it('rejects an empty storeUrl and a path-less sqlite: but leaves unknown schemes to openStore', () => {
    expect(problemsOf(() => loadConfig({ storeUrl: '' }, {})).map((p) => [p.setting, p.problem.split(' [')[0]])).to.deep.equal([['storeUrl', 'must not be empty']]);
    expect(problemsOf(() => loadConfig({ storeUrl: 'sqlite:' }, {})).map((p) => p.setting)).to.deep.equal(['storeUrl']);
    expect(loadConfig({ storeUrl: 'postgres://db/orcid' }, {}).storeUrl).to.equal('postgres://db/orcid');
  });

  it('limits a public-API client to /authenticate and turns peer reviews off', () => {
    const c = loadConfig({}, { ORCID_AUTHENTICATE_ONLY: 'true' });
    expect(c.orcid.scopes).to.deep.equal(['/authenticate']);
    expect(c.peerReviews.enabled).to.equal(false);
    const problems = problemsOf(() => loadConfig({ orcid: { authenticateOnly: true, scopes: ['/authenticate', '/activities/update'] } }, {}));
    expect(problems.map((p) => p.setting)).to.deep.equal(['orcid.scopes']);
  });

  it('requires Premium and a secret for webhooks', () => {
    const problems = problemsOf(() => loadConfig({ webhooks: { enabled: true } }, {}));
    expect(problems.map((p) => p.setting)).to.deep.equal(['webhooks.enabled', 'webhooks.secret']);
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf(() => loadConfig({ invitationSecret: 'short-secret' }, {}));
    expect(problems).to.have.length(1);
    expect(problems[0].setting).to.equal('invitationSecret');
    expect(problems[0].problem).not.to.contain('short-secret');
  });
});

describe('the ORCID environment when NODE_ENV is production (issue 20)', () => {
  const { ORCID_ENV: _omitted, ...withoutOrcidEnv } = productionEnv;

  it('refuses a missing ORCID_ENV with a config error naming the setting and its variable', () => {
    const problems = problemsOf(() => loadConfig({}, { ...withoutOrcidEnv, NODE_ENV: 'production' }));
    expect(problems).to.have.length(1);
    expect(problems[0]!.setting).to.equal('orcid.env');
    expect(problems[0]!.problem).to.include('NODE_ENV').and.to.include('ORCID_ENV');
  });

  it('accepts an explicit environment, from the option or the variable', () => {
    expect(loadConfig({}, { ...productionEnv, NODE_ENV: 'production' }).orcid.env).to.equal('production');
    expect(loadConfig({ orcid: { env: 'emulator' } }, { NODE_ENV: 'production' }).orcid.env).to.equal('emulator');
  });

  it('still defaults to the emulator outside production', () => {
    expect(loadConfig({}, { NODE_ENV: 'development' }).orcid.env).to.equal('emulator');
    expect(loadConfig({}, {}).orcid.env).to.equal('emulator');
  });
});
