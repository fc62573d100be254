import { expect } from 'chai';
import { workXml, xsdErrors } from './payloads.js';
import { api, clientToken, errorCode, JSON_TYPE, needs, openGuardedTarget, releaseNetwork, unique, type Target } from './target.js';

/**
 * Conformance: ../shared/orcid-model/README.md, sections "Error responses" and "Rate limits".
 * Each test title names its fact.
 */
describe('conformance: error responses and rate limits', function () {
  this.timeout(120000);
  let t: Target;
  before(async () => {
    t = await openGuardedTarget();
  });
  after(async () => {
    await t.close();
    releaseNetwork();
  });

  it('Error responses (body): <error:error> valid against error-3.0.xsd; JSON with the same five keys', async () => {
    const xml = await api(t, 'GET', `/v3.0/${t.orcid}/work/999999999`, t.token);
    expect(xml.status).to.equal(404);
    expect(await xsdErrors(await xml.text(), 'error')).to.deep.equal([]);
    const json = (await (await api(t, 'GET', `/v3.0/${t.orcid}/work/999999999`, t.token, undefined, { accept: JSON_TYPE })).json()) as Record<string, unknown>;
    expect(Object.keys(json).sort()).to.deep.equal(['developer-message', 'error-code', 'more-info', 'response-code', 'user-message']);
    expect(json).to.include({ 'response-code': 404, 'error-code': 9016 });
  });

  it('Error responses (9038): a token of the record without /activities/update → 403, 9038', async function () {
    needs(this, t.readOnlyToken, 'set ORCID_CONFORMANCE_READ_TOKEN to a /read-limited token of the same record');
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/work`, t.readOnlyToken!, workXml(unique()));
    expect(res.status).to.equal(403);
    expect(errorCode(await res.text())).to.equal(9038);
  });

  it('Error responses (9017): a client-credentials token, which is for no record, cannot write → 401, 9017', async () => {
    const { body } = await clientToken(t, '/read-public');
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/work`, String(body.access_token), workXml(unique()));
    expect(res.status).to.equal(401);
    expect(errorCode(await res.text())).to.equal(9017);
  });

  it('Error responses (9017): a token issued for another record → 401, 9017', async function () {
    needs(this, t.otherOrcid, 'set ORCID_CONFORMANCE_OTHER_ORCID to a second sandbox record');
    const res = await api(t, 'POST', `/v3.0/${t.otherOrcid}/work`, t.token, workXml(unique()));
    expect(res.status).to.equal(401);
    expect(errorCode(await res.text())).to.equal(9017);
  });

  it('Error responses (9024): a put-code in a POST body → 400, 9024', async () => {
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/work`, t.token, workXml(unique(), { putCode: '12345' }));
    expect(res.status).to.equal(400);
    expect(errorCode(await res.text())).to.equal(9024);
  });

  it('Error responses (9034): a put-code that is not a number → 400, 9034', async () => {
    const res = await api(t, 'GET', `/v3.0/${t.orcid}/work/abc`, t.token);
    expect(res.status).to.equal(400);
    expect(errorCode(await res.text())).to.equal(9034);
  });

  it('Error responses (9010): updating or deleting an item another client posted → 403, 9010', async function () {
    needs(this, t.emulator, 'needs a second API client on the same record (the emulator’s control API)');
    const control = (path: string, body: unknown) => fetch(`${t.emulator!.url}/_emulator${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, string>>);
    const other = await control('/clients', { name: 'Another journal', redirectUris: ['https://other.example/cb'] });
    const otherToken = (await control('/tokens', { orcid: t.orcid, clientId: other.clientId, scope: '/activities/update' })).access_token;
    const location = (await api(t, 'POST', `/v3.0/${t.orcid}/work`, t.token, workXml(unique()))).headers.get('location')!;
    const res = await api(t, 'DELETE', new URL(location).pathname, otherToken);
    expect(res.status).to.equal(403);
    expect(errorCode(await res.text())).to.equal(9010);
  });

  it('Rate limits: past a burst of 40 queued requests ORCID answers 503 without Retry-After (never 429); the rest are served', async () => {
    const answers = await Promise.all(Array.from({ length: 80 }, () => api(t, 'GET', `/v3.0/${t.orcid}/works`, t.token)));
    const statuses = answers.map((r) => r.status);
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    expect(statuses.filter((s) => s !== 200 && s !== 503), 'only 200 or 503').to.deep.equal([]);
    expect(statuses.filter((s) => s === 503).length, 'some refused').to.be.greaterThan(0);
    expect(statuses.filter((s) => s === 200).length, 'at least the burst served').to.be.at.least(40);
    expect(answers.filter((r) => r.status === 503).every((r) => r.headers.get('retry-after') === null)).to.equal(true);
  });
});
