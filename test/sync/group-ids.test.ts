import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import nock from 'nock';
import { SqliteStore } from '../../src/store/sqlite.js';
import { createOrcidClient } from '../../src/orcid/client.js';
import { createOAuth } from '../../src/orcid/oauth.js';
import { orcidHosts } from '../../src/orcid/hosts.js';
import { createGroupIdEnsurer, groupIdOfPayload } from '../../src/sync/group-ids.js';
import { orcidConnect } from '../../src/plugin.js';
import { createLogger } from '../../src/log.js';
import { GroupScopeMissingError, ORCID_GROUP_SCOPE_MISSING } from '../../src/orcid/api-errors.js';

const BASE = 'https://api.sandbox.orcid.org';

describe('createGroupIdEnsurer', () => {
  let store: SqliteStore;
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
  });
  afterEach(async () => {
    nock.cleanAll();
    await store.close();
  });

  function ensurer() {
    const hosts = orcidHosts('sandbox');
    const oauth = createOAuth({ clientId: 'APP-1', clientSecret: 's', hosts });
    const client = createOrcidClient({ apiBase: hosts.apiBase, userAgent: 'test' });
    return createGroupIdEnsurer({ store, client, oauth, journalTitle: 'Journal of Tests' });
  }

  function token(scope: string, reply: [number, object] = [200, { access_token: `cc-${scope}`, token_type: 'bearer', expires_in: 3600, scope }]) {
    return nock('https://sandbox.orcid.org').post('/oauth/token', (body: Record<string, string>) => body.scope === scope).reply(...reply);
  }
  const GROUP = 'orcid-generated:journal-of-tests';
  const EMPTY = '<group-id:group-id-record xmlns:group-id="http://www.orcid.org/ns/group-id"/>';

  // README "Peer-review groups": ISSN groups need no set-up; ORCID creates them when a review is posted.
  it('does nothing for an issn: group: no token, no search, no creation', async () => {
    await ensurer().ensure('issn:1234-5679'); // nock refuses any request
    await ensurer().checkConfigured('issn:1234-5679');
    expect(nock.pendingMocks()).to.deep.equal([]);
  });

  // README "Peer-review groups": other groups must exist first; search answers an empty record (200) when absent.
  it('creates another group when ORCID does not know it, once', async () => {
    token('/group-id-record/read');
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': GROUP }).reply(200, EMPTY);
    token('/group-id-record/update');
    const create = nock(BASE).post('/v3.0/group-id-record').reply(201, '', { Location: `${BASE}/v3.0/group-id-record/77` });
    await ensurer().ensure(GROUP);
    expect(create.isDone()).to.equal(true);
    expect(await store.getSetting(`group-id-ready:${GROUP}`)).to.equal('1');
    await ensurer().ensure(GROUP); // cached: no HTTP (nock would refuse it)
  });

  it('uses an existing group with only the read scope', async () => {
    token('/group-id-record/read');
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': GROUP }).reply(200, `<group-id:group-id-record xmlns:group-id="http://www.orcid.org/ns/group-id" put-code="5"><group-id:group-id>${GROUP}</group-id:group-id></group-id:group-id-record>`);
    await ensurer().ensure(GROUP); // no update token asked for (nock would refuse it)
    expect(await store.getSetting(`group-id-ready:${GROUP}`)).to.equal('1');
  });

  it('takes a 409 on create as "another worker created it first"', async () => {
    token('/group-id-record/read');
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': GROUP }).reply(404);
    token('/group-id-record/update');
    nock(BASE).post('/v3.0/group-id-record').reply(409, '<error><developer-message>The group-id already exists</developer-message><error-code>9025</error-code></error>');
    await ensurer().ensure(GROUP);
    expect(await store.getSetting(`group-id-ready:${GROUP}`)).to.equal('1');
  });

  // README "Scopes": /group-id-record/update is mapped to clients by hand; OAuth refuses it with 400 Invalid scope.
  it('checkConfigured fails with a clear typed error when the group is missing and the client may not create it', async () => {
    token('/group-id-record/read');
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': GROUP }).reply(200, EMPTY);
    token('/group-id-record/update', [400, { error: 'invalid_scope', error_description: 'Invalid scope: /group-id-record/update' }]);
    let caught: unknown;
    try {
      await ensurer().checkConfigured(GROUP);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(GroupScopeMissingError);
    const err = caught as GroupScopeMissingError;
    expect([err.code, err.groupId, err.statusCode]).to.deep.equal([ORCID_GROUP_SCOPE_MISSING, GROUP, 400]);
    expect(err.message).to.match(/^peerReviews\.groupId "orcid-generated:journal-of-tests" must exist at ORCID before reviews are posted, and this ORCID client may not create it/);
    expect(await store.getSetting(`group-id-ready:${GROUP}`)).to.equal(null);
  });

  it('orcidConnect refuses to start with a configured group it can neither find nor create', async () => {
    token('/group-id-record/read');
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': GROUP }).reply(200, EMPTY);
    token('/group-id-record/update', [400, { error: 'invalid_scope', error_description: 'Invalid scope: /group-id-record/update' }]);
    const options = {
      orcid: { env: 'sandbox' as const, clientId: 'APP-1A2B3C4D5E6F7G8H', clientSecret: 's' }, journal: { title: 'Journal of Tests' },
      peerReviews: { groupId: GROUP }, store, env: {}, logger: createLogger({ level: 'silent' }),
      // The sandbox refuses development secrets (issue 13): random ones, as a deployment has.
      tokenKey: randomBytes(32).toString('base64'), sessionKeys: [randomBytes(24).toString('hex')], invitationSecret: randomBytes(24).toString('hex'),
      convening: { name: 'Example Press', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' as const },
    };
    let caught: unknown;
    await orcidConnect(options).catch((e) => (caught = e));
    expect((caught as GroupScopeMissingError)?.code, String((caught as Error)?.message)).to.equal(ORCID_GROUP_SCOPE_MISSING);
  });

  it('reads the group id out of a peer-review payload', () => {
    expect(groupIdOfPayload('<peer-review:review-group-id>issn:0000-0000</peer-review:review-group-id>')).to.equal('issn:0000-0000');
    expect(groupIdOfPayload('<work/>')).to.equal(null);
  });
});
