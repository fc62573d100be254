/**
 * The worker against ORCID's real signals, with nock at the HTTP boundary (everything of ours is
 * real: store, token source, client, policy). Each case cites the section of
 * ../shared/orcid-model/README.md it encodes.
 */
import { expect } from 'chai';
import nock from 'nock';
import { randomBytes } from 'node:crypto';
import { SqliteStore } from '../../src/store/sqlite.js';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { createOrcidClient } from '../../src/orcid/client.js';
import { createOAuth } from '../../src/orcid/oauth.js';
import { orcidHosts } from '../../src/orcid/hosts.js';
import { decideRetry } from '../../src/orcid/retry-policy.js';
import { findOwnItemBySelfIds } from '../../src/orcid/record-read.js';
import { buildWorkXml, workSelfExternalId } from '../../src/orcid/work.js';
import { payloadHash } from '../../src/orcid/payload-common.js';
import { createWorker } from '../../src/sync/worker.js';
import { createTokenSource, sealTokenSet } from '../../src/sync/tokens.js';
import type { Identity } from '../../src/store/store.js';
import type { Article } from '../../src/types.js';

const API = 'https://api.sandbox.orcid.org';
const ORCID = '0000-0002-1825-0097';
const CLIENT = 'APP-ABCDEFGHIJKLMNOP';
const TOKEN = 'access-token-of-josiah';
const NOW = new Date('2026-11-30T12:00:00Z');

const ARTICLE: Article = {
  id: 'a1', submissionId: 's1', doi: '10.5555/Sync.1', title: 'Synchronised results', url: 'https://journal.example/a1',
  publishedAt: '2026-11-01', journal: { title: 'Journal of Emulated Research', issn: '1234-5679' },
  authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', sequence: 1 }],
};

const errorXml = (status: number, code: number, user: string, developer: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>${status}</error:response-code>` +
  `<error:developer-message>${developer}</error:developer-message><error:user-message>${user}</error:user-message>` +
  `<error:error-code>${code}</error:error-code><error:more-info>https://members.orcid.org/api/resources/troubleshooting</error:more-info></error:error>`;

/** A `/works` answer with one work from `client` carrying the given self ids. */
function worksWith(putCode: string, client: string, ids: Array<[string, string]>): string {
  const extIds = ids.map(([t, v]) =>
    `<common:external-id><common:external-id-type>${t}</common:external-id-type><common:external-id-value>${v}</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id>`).join('');
  return `<activities:works xmlns:activities="http://www.orcid.org/ns/activities" xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work">` +
    `<activities:group><common:external-ids>${extIds}</common:external-ids><work:work-summary put-code="${putCode}" visibility="public" display-index="0" path="/${ORCID}/work/${putCode}">` +
    `<common:source><common:source-client-id><common:uri>https://sandbox.orcid.org/client/${client}</common:uri><common:path>${client}</common:path><common:host>sandbox.orcid.org</common:host></common:source-client-id></common:source>` +
    `<common:external-ids>${extIds}</common:external-ids></work:work-summary></activities:group></activities:works>`;
}

describe('worker: ORCID error codes and 409 adoption (nock)', () => {
  let store: SqliteStore;
  let identity: Identity;
  let revoked: string[];
  before(() => nock.disableNetConnect());
  after(() => nock.enableNetConnect());
  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    await store.init();
    revoked = [];
  });
  afterEach(async () => {
    nock.cleanAll();
    await store.close();
  });

  async function setUp(options: { putCode?: string; expiresAt?: Date } = {}) {
    const cipher = TokenCipher.fromKeys([randomBytes(32)]);
    const scope = ['/activities/update', '/read-limited'];
    const sealed = sealTokenSet(cipher, {
      accessToken: TOKEN, refreshToken: 'refresh-of-josiah', tokenType: 'bearer', scope,
      expiresAt: options.expiresAt ?? new Date(NOW.getTime() + 3_600_000), orcid: ORCID, name: 'Josiah Carberry',
    });
    identity = await store.linkIdentity({ orcid: ORCID, sealedTokens: sealed, scopes: scope, tokenExpiresAt: new Date(NOW.getTime() + 3_600_000) }, NOW);
    const payload = buildWorkXml(ARTICLE, { orcidHost: 'sandbox.orcid.org' });
    const self = workSelfExternalId(ARTICLE);
    const key = `work:a1:${ORCID}`;
    await store.desireDeposit({
      key, kind: 'work', identityId: identity.id, orcid: ORCID, sourceId: 'a1', submissionId: 's1',
      externalIdType: self.type, externalIdValue: self.value, desiredState: 'present', payload, payloadHash: payloadHash(payload),
    }, NOW);
    if (options.putCode) await store.adoptPutCode(key, options.putCode, NOW);
    const hosts = orcidHosts('sandbox');
    const oauth = createOAuth({ clientId: CLIENT, clientSecret: 'secret', hosts, now: () => NOW });
    const worker = createWorker({
      ledger: store, directory: store, clientId: CLIENT, now: () => NOW,
      client: createOrcidClient({ apiBase: hosts.apiBase, userAgent: 'test', now: () => NOW }),
      tokens: createTokenSource({ directory: store, cipher, oauth, now: () => NOW }),
      findOwnPutCode: findOwnItemBySelfIds,
      decideRetry: (e, attempt, failing) => decideRetry(e, attempt, { failingSince: failing.since, failures: failing.failures, now: NOW, random: () => 0.5 }),
      // As the plugin wires it (src/sync/lifecycle.ts tokenRevoked): the identity is revoked, the person re-invited.
      onTokenRevoked: async (i) => {
        revoked.push(i.orcid);
        await store.revokeIdentity(i.id, NOW);
      },
    });
    return { worker, key, payload };
  }

  const api = () => nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } });

  describe('409 is adopted by any self id of ours', () => {
    // README "Payload rules…", Duplicates: a POST whose self id (normalised) equals a self id of an
    // item from the same client → 409, 9021. The item may come from another system on our client.
    it('adopts a work the same client posted from another system (OJS: same DOI, other source-work-id), and updates it', async () => {
      const { worker, key } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(409, errorXml(409, 9021, 'The activity already exists.', '409 Conflict: You have already added this activity (matched by external identifiers).'));
      // ORCID's own normalisation: the OJS item wrote the DOI in upper case behind the resolver.
      api().get(`/v3.0/${ORCID}/works`).reply(200, worksWith('733', CLIENT, [['doi', 'https://doi.org/10.5555/SYNC.1'], ['source-work-id', 'ojs-article-12']]));
      let putBody = '';
      api().put(`/v3.0/${ORCID}/work/733`, (body) => ((putBody = String(body)), true)).reply(200, '<work:work/>');
      expect(await worker.drain()).to.equal(1);
      const d = (await store.getDeposit(key))!;
      expect([d.status, d.putCode]).to.deep.equal(['synced', '733']);
      expect(putBody).to.include('put-code="733"').and.include('issn:1234-5679:a1');
      expect((await store.listHistory({ depositKey: key })).map((e) => e.event).reverse()).to.deep.equal(['item.adopted', 'job.completed']);
      expect(nock.isDone()).to.equal(true);
    });

    it('adopts the put-code ORCID names in the 9021 message without reading the record', async () => {
      const { worker, key } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(409, errorXml(409, 9021, 'Exists.', '409 Conflict: You have already added this activity (matched by external identifiers), please see element with put-code 9001. If you are trying to edit the item, please use PUT instead of POST.'));
      api().put(`/v3.0/${ORCID}/work/9001`).reply(200, '<work:work/>');
      await worker.drain();
      expect((await store.getDeposit(key))!.putCode).to.equal('9001');
      expect(nock.isDone()).to.equal(true);
    });

    it('does not adopt another client\'s item with the same DOI', async () => {
      const { worker, key } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(409, errorXml(409, 9021, 'Exists.', '409 Conflict'));
      api().get(`/v3.0/${ORCID}/works`).reply(200, worksWith('733', 'APP-SOMEONEELSE0001', [['doi', '10.5555/sync.1']]));
      await worker.drain();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect(job!.status).to.equal('parked');
      expect((await store.getDeposit(key))!.putCode).to.equal(null);
    });
  });

  // README "Error responses": status and code per exception.
  describe('the error code decides the outcome', () => {
    const parked: Array<[string, number, number, 'post' | 'put', RegExp]> = [
      ['token for another record', 401, 9017, 'post', /^identity-mismatch: the access token belongs to a different ORCID record \(ORCID error 9017\)\. ORCID says: Access token is for a different record\. Details: /],
      ['not the source', 403, 9010, 'put', /^not-source: the item on the ORCID record was not added by this journal, so it cannot change it \(ORCID error 9010\)/],
      ['no self id', 400, 9023, 'post', /^ORCID rejected the payload \(400\): an identifier is invalid or none identifies the item itself \(ORCID error 9023\)\. ORCID says: .*Details: .*self/],
      ['bad enum', 400, 9051, 'post', /^ORCID rejected the payload \(400\): a value is not one ORCID allows/],
      ['bad contributor role', 400, 9058, 'post', /^ORCID rejected the payload \(400\): a contributor role is not one ORCID allows \(ORCID error 9058\)/],
      ['record locked (a 409 that is no duplicate)', 409, 9018, 'post', /^record-unavailable: the ORCID record is locked/],
      ['record full', 409, 9048, 'post', /^record-unavailable: the ORCID record holds the most works it may/],
    ];
    for (const [name, status, code, method, reason] of parked) {
      it(`${status}/${code} (${name}) parks the job with ORCID's messages in words`, async () => {
        const { worker } = await setUp(method === 'put' ? { putCode: '55' } : {});
        const body = errorXml(status, code, code === 9017 ? 'Access token is for a different record.' : 'The client application sent a bad request to ORCID.',
          `${status}: At least one identifier with 'self' relationship is required &lt;self&gt;`);
        if (method === 'put') api().put(`/v3.0/${ORCID}/work/55`).reply(status, body);
        else api().post(`/v3.0/${ORCID}/work`).reply(status, body);
        await worker.drain();
        const [{ job }] = await store.listJobs({ identityId: identity.id });
        expect(job!.status).to.equal('parked');
        expect(job!.parkReason).to.match(reason);
        expect(job!.parkReason).to.not.match(/<\??[a-z:]*error|<\?xml|&lt;/); // ORCID's text (with its <self> decoded), never its XML
        expect((await store.getIdentity(identity.id))!.status).to.equal('linked');
        expect(revoked).to.deep.equal([]);
        expect(nock.isDone()).to.equal(true);
      });
    }

    it('403/9038 (scope missing): the researcher must reconnect — link revoked, jobs parked, one re-invitation', async () => {
      const { worker } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(403, errorXml(403, 9038, 'Insufficient or wrong scope.', '409 Conflict: The client application is forbidden to perform the action.'));
      await worker.drain();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect([job!.status, job!.parkReason]).to.deep.equal(['parked', 'scope-missing']);
      const after = (await store.getIdentity(identity.id))!;
      expect([after.status, after.sealedTokens]).to.deep.equal(['revoked', null]);
      expect(revoked).to.deep.equal([ORCID]);
    });

    it('403/9038 after a 401 and a successful refresh also means reconnecting', async () => {
      const { worker } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(401, { error: 'invalid_token', error_description: 'Invalid access token: …' });
      nock('https://sandbox.orcid.org').post('/oauth/token').reply(200, {
        access_token: 'fresh', token_type: 'bearer', refresh_token: 'r2', expires_in: 3600, scope: '/read-limited', orcid: ORCID, name: null,
      });
      nock(API, { reqheaders: { authorization: 'Bearer fresh' } }).post(`/v3.0/${ORCID}/work`).reply(403, errorXml(403, 9038, 'Insufficient scope.', '403: scope'));
      await worker.runOnce();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect([job!.status, job!.parkReason]).to.deep.equal(['parked', 'scope-missing']);
      expect(revoked).to.deep.equal([ORCID]);
    });

    // README "Rate limits" and "OAuth": a throttled or failing token endpoint is no revocation.
    it('a 401 whose token refresh meets a 503 is retried later: the link stays, no re-invitation', async () => {
      const { worker } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(401, { error: 'invalid_token', error_description: 'Invalid access token: …' });
      nock('https://sandbox.orcid.org').post('/oauth/token').reply(503, '<html>Service Temporarily Unavailable</html>');
      await worker.runOnce();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect(job!.status).to.equal('queued');
      expect((await store.getIdentity(identity.id))!.status).to.equal('linked');
      expect(revoked).to.deep.equal([]);
      expect(nock.isDone()).to.equal(true);
    });

    it('a 401 whose refresh ORCID refuses (invalid_grant) revokes the link, as before', async () => {
      const { worker } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(401, { error: 'invalid_token', error_description: 'Invalid access token: …' });
      nock('https://sandbox.orcid.org').post('/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      await worker.runOnce();
      expect((await store.getIdentity(identity.id))!.status).to.equal('revoked');
      expect(revoked).to.deep.equal([ORCID]);
    });

    it('an expired token whose refresh ORCID refuses (invalid_grant) means reconnecting: revoked, one re-invitation', async () => {
      const { worker } = await setUp({ expiresAt: new Date(NOW.getTime() - 1000) });
      nock('https://sandbox.orcid.org').post('/oauth/token').reply(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      await worker.runOnce();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect([job!.status, job!.parkReason]).to.deep.equal(['parked', 'token-unavailable']);
      expect((await store.getIdentity(identity.id))!.status).to.equal('revoked');
      expect(revoked).to.deep.equal([ORCID]);
    });

    it('an expired token whose refresh meets a 503 is retried later', async () => {
      const { worker } = await setUp({ expiresAt: new Date(NOW.getTime() - 1000) });
      nock('https://sandbox.orcid.org').post('/oauth/token').reply(503, '');
      await worker.runOnce();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect(job!.status).to.equal('queued');
      expect((await store.getIdentity(identity.id))!.status).to.equal('linked');
    });

    it('a 503 is retried without counting the attempt, however often', async () => {
      const { worker } = await setUp();
      api().post(`/v3.0/${ORCID}/work`).reply(503, '<html>Service Temporarily Unavailable</html>');
      await worker.runOnce();
      const [{ job }] = await store.listJobs({ identityId: identity.id });
      expect([job!.status, job!.attempts]).to.deep.equal(['queued', 0]);
      expect(job!.lastError).to.equal('ORCID_RATE_LIMITED 503: ORCID is throttling requests (503)');
    });
  });
});
