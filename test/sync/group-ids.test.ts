import { expect } from 'chai';
import nock from 'nock';
import { SqliteStore } from '../../src/store/sqlite.js';
import { createOrcidClient } from '../../src/orcid/client.js';
import { createOAuth } from '../../src/orcid/oauth.js';
import { orcidHosts } from '../../src/orcid/hosts.js';
import { createGroupIdEnsurer, groupIdOfPayload } from '../../src/sync/group-ids.js';

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

  function token() {
    nock('https://sandbox.orcid.org').post('/oauth/token').reply(200, {
      access_token: 'cc-token', token_type: 'bearer', expires_in: 3600, scope: '/group-id-record/update',
    });
  }

  it('creates the group when ORCID does not know it, once', async () => {
    token();
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': 'issn:1234-5679' }).reply(404);
    const create = nock(BASE).post('/v3.0/group-id-record').reply(201, '', { Location: `${BASE}/v3.0/group-id-record/77` });
    await ensurer().ensure('issn:1234-5679');
    expect(create.isDone()).to.equal(true);
    expect(await store.getSetting('group-id-ready:issn:1234-5679')).to.equal('1');
    await ensurer().ensure('issn:1234-5679'); // cached: no HTTP (nock would refuse it)
  });

  it('takes a 409 on create as "another worker created it first"', async () => {
    token();
    nock(BASE).get('/v3.0/group-id-record').query({ 'group-id': 'issn:1234-5679' }).reply(404);
    nock(BASE).post('/v3.0/group-id-record').reply(409, '<error><developer-message>The group-id issn:1234-5679 already exists</developer-message></error>');
    await ensurer().ensure('issn:1234-5679');
    expect(await store.getSetting('group-id-ready:issn:1234-5679')).to.equal('1');
  });

  it('reads the group id out of a peer-review payload', () => {
    expect(groupIdOfPayload('<peer-review:review-group-id>issn:0000-0000</peer-review:review-group-id>')).to.equal('issn:0000-0000');
    expect(groupIdOfPayload('<work/>')).to.equal(null);
  });
});
