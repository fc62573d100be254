import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { peerReviewXml, xsdErrors } from './payloads.js';
import { api, clientToken, errorCode, JSON_TYPE, needs, openGuardedTarget, releaseNetwork, unique, type Target } from './target.js';

/**
 * Conformance: ../shared/orcid-model/README.md, sections "Peer-review groups" and "Webhooks
 * (Premium)". Each test title names its fact.
 */

/** A valid ISSN no earlier run used (random 7 digits + check digit), so the group is new to ORCID. */
function freshIssn(): string {
  const d = String(Math.floor(1_000_000 + Math.random() * 8_999_999));
  const sum = [...d].reduce((acc, c, i) => acc + Number(c) * (8 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  return `${d.slice(0, 4)}-${d.slice(4)}${check === 10 ? 'X' : check}`;
}

const groupXml = (groupId: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><group-id:group-id-record xmlns:group-id="http://www.orcid.org/ns/group-id"><group-id:name>Conformance group ${groupId}</group-id:name><group-id:group-id>${groupId}</group-id:group-id><group-id:description>Conformance suite</group-id:description><group-id:type>journal</group-id:type></group-id:group-id-record>`;

describe('conformance: peer-review groups and webhooks', function () {
  this.timeout(120000);
  let t: Target;
  let readToken: string;
  before(async () => {
    t = await openGuardedTarget();
    readToken = String((await clientToken(t, '/group-id-record/read')).body.access_token);
  });
  after(async () => {
    await t.close();
    releaseNetwork();
  });
  const search = (groupId: string, token = readToken) => api(t, 'GET', `/v3.0/group-id-record?group-id=${encodeURIComponent(groupId)}`, token, undefined, { accept: JSON_TYPE });

  it('Peer-review groups: posting a review with an unknown issn: group creates the group (no set-up)', async () => {
    const issn = freshIssn();
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/peer-review`, t.token, peerReviewXml(unique(), { groupId: `issn:${issn}` }));
    expect(res.status, await res.clone().text()).to.equal(201);
    await api(t, 'DELETE', new URL(res.headers.get('location')!).pathname, t.token);
    const found = (await (await search(`issn:${issn}`)).json()) as Record<string, unknown>;
    expect(found['group-id']).to.equal(`issn:${issn}`);
  });

  it('Peer-review groups (search): an unknown issn: group is created and returned', async () => {
    const issn = freshIssn();
    const res = await search(`issn:${issn}`);
    expect(res.status).to.equal(200);
    expect(((await res.json()) as Record<string, unknown>)['group-id']).to.equal(`issn:${issn}`);
  });

  it('Peer-review groups (search): the record is valid against group-id-3.0.xsd', async () => {
    const res = await api(t, 'GET', `/v3.0/group-id-record?group-id=issn:${freshIssn()}`, readToken);
    expect(await xsdErrors(await res.text(), 'group')).to.deep.equal([]);
  });

  it('Peer-review groups: a review with an invalid ISSN group id → 400, 9053', async () => {
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/peer-review`, t.token, peerReviewXml(unique(), { groupId: 'issn:1234-5678' }));
    expect(res.status).to.equal(400);
    expect(errorCode(await res.text())).to.equal(9053);
  });

  it('Peer-review groups (search): an unknown group of another type → 200 with an empty group-id-record, not 404', async () => {
    const res = await search(`orcid-generated:conformance-${unique()}`);
    expect(res.status).to.equal(200);
    expect(((await res.json()) as Record<string, unknown>)['group-id'] ?? null).to.equal(null);
  });

  it('Peer-review groups (search): needs /group-id-record/read → 403, 9038 with /read-public', async () => {
    const pub = String((await clientToken(t, '/read-public')).body.access_token);
    const res = await search(`issn:${freshIssn()}`, pub);
    expect(res.status).to.equal(403);
    expect(errorCode(await res.text())).to.equal(9038);
  });

  it('Peer-review groups: a review citing a missing group of another type → 400, 9020', async () => {
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/peer-review`, t.token, peerReviewXml(unique(), { groupId: `orcid-generated:missing-${unique()}` }));
    expect(res.status).to.equal(400);
    expect(errorCode(await res.text())).to.equal(9020);
  });

  it('Peer-review groups: creating a group → 201 + Location …/v3.0/group-id-record/{put-code}; again → 409, 9025', async function () {
    needs(this, t.groupUpdate, 'set ORCID_CONFORMANCE_GROUP_UPDATE=1 for a client with /group-id-record/update (creates a lasting group)');
    const update = String((await clientToken(t, '/group-id-record/update')).body.access_token);
    const groupId = `orcid-generated:conformance-${unique()}`;
    const first = await api(t, 'POST', '/v3.0/group-id-record', update, groupXml(groupId));
    expect(first.status, await first.clone().text()).to.equal(201);
    expect(first.headers.get('location')).to.match(new RegExp(`^${t.api}/v3\\.0/group-id-record/\\d+$`));
    const again = await api(t, 'POST', '/v3.0/group-id-record', update, groupXml(groupId));
    expect(again.status).to.equal(409);
    expect(errorCode(await again.text())).to.equal(9025);
  });

  describe('webhooks', () => {
    let hook: Server;
    let calls: { method: string; body: string }[];
    let callback: string;
    before(async () => {
      calls = [];
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          calls.push({ method: req.method!, body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
      callback = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/orcid/webhook/${unique()}`;
    });
    after(() => new Promise<void>((r) => hook.close(() => r())));
    const hookPath = () => `/${t.orcid}/webhook/${encodeURIComponent(callback)}`;

    it('Webhooks: register → 201 + Location, again → 204; unregister → 204, again → 404, 9028', async function () {
      needs(this, t.premium, 'set ORCID_CONFORMANCE_PREMIUM=1 for a Premium client');
      const token = String((await clientToken(t, '/webhook')).body.access_token);
      const created = await api(t, 'PUT', hookPath(), token);
      expect(created.status).to.equal(201);
      expect(created.headers.get('location')).to.be.a('string');
      expect((await api(t, 'PUT', hookPath(), token)).status).to.equal(204);
      expect((await api(t, 'DELETE', hookPath(), token)).status).to.equal(204);
      const gone = await api(t, 'DELETE', hookPath(), token);
      expect(gone.status).to.equal(404);
      expect(errorCode(await gone.text())).to.equal(9028);
    });

    it('Webhooks (delivery): a record change → a POST with an empty body to the callback', async function () {
      needs(this, t.emulator, 'ORCID delivers in batches minutes later, to a public URL; the emulator’s notifier is observed instead');
      const token = String((await clientToken(t, '/webhook')).body.access_token);
      expect((await api(t, 'PUT', hookPath(), token)).status).to.equal(201);
      const res = await api(t, 'POST', `/v3.0/${t.orcid}/peer-review`, t.token, peerReviewXml(unique()));
      expect(res.status).to.equal(201);
      await t.emulator!.core.notifier.settle();
      expect(calls).to.deep.equal([{ method: 'POST', body: '' }]);
      await api(t, 'DELETE', new URL(res.headers.get('location')!).pathname, t.token);
      await api(t, 'DELETE', hookPath(), token);
    });
  });
});
