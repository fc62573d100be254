import { expect } from 'chai';
import nock from 'nock';
import { harness, workXml, type Harness } from './helpers.js';

describe('emulator: member API rules', () => {
  let h: Harness;
  let orcid: string;
  let token: string;
  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    h = await harness();
  });
  beforeEach(async () => {
    orcid = await h.researcher();
    token = (await h.token(orcid, '/activities/update /read-limited')).access_token;
  });
  after(async () => {
    await h.emu.close();
    nock.enableNetConnect();
  });
  const post = (xml: string, t = token, o = orcid) => h.api('POST', `/v3.0/${o}/work`, t, xml);
  const putCodeOf = (res: Response) => res.headers.get('location')!.split('/').pop()!;

  it('answers 409 with error 9021 when the same client posts the same self DOI twice', async () => {
    const first = await post(workXml('10.1/dup'));
    expect(first.status).to.equal(201);
    const second = await post(workXml('10.1/DUP', 'Other title'));
    expect(second.status).to.equal(409);
    const body = await second.text();
    expect(body).to.contain('<error:error-code>9021</error:error-code>');
    expect(body).to.contain(`please see element with put-code ${putCodeOf(first)}`);
  });

  it('lets another client post the same DOI (ORCID groups them instead)', async () => {
    const other = (await h.control('POST', '/clients', { name: 'Other Journal', redirectUris: ['https://other.example/cb'] })).body;
    const t2 = (await h.token(orcid, '/activities/update', other.clientId)).access_token;
    expect((await post(workXml('10.1/shared'))).status).to.equal(201);
    expect((await post(workXml('10.1/shared'), t2)).status).to.equal(201);
    const works = await (await h.api('GET', `/v3.0/${orcid}/works`, token, undefined, { accept: 'application/orcid+json' })).json();
    expect((works as any).group).to.have.length(1);
    expect((works as any).group[0]['work-summary']).to.have.length(2);
  });

  // orcid-model README, "Error responses": isMyToken (401, 9017) then checkScopes (403, 9038).
  it('answers 403 (9038) without /activities/update, and 401 (9017) for a token of another iD', async () => {
    const readOnly = (await h.token(orcid, '/read-limited')).access_token;
    const res = await post(workXml('10.1/scope'), readOnly);
    expect(res.status).to.equal(403);
    expect(await res.text()).to.contain('<error:error-code>9038</error:error-code>');
    const someoneElse = await h.researcher('Other', 'Person');
    const other = await post(workXml('10.1/scope'), token, someoneElse);
    expect(other.status).to.equal(401);
    expect(await other.text()).to.contain('<error:error-code>9017</error:error-code>');
  });

  it("answers 403 (9010) when updating or deleting another source's item", async () => {
    const other = (await h.control('POST', '/clients', { name: 'Thief', redirectUris: ['https://t.example/cb'] })).body;
    const t2 = (await h.token(orcid, '/activities/update', other.clientId)).access_token;
    const putCode = putCodeOf(await post(workXml('10.1/mine')));
    const put = await h.api('PUT', `/v3.0/${orcid}/work/${putCode}`, t2, workXml('10.1/mine').replace('<work:work ', `<work:work put-code="${putCode}" `));
    expect(put.status).to.equal(403);
    expect(await put.text()).to.contain('<error:error-code>9010</error:error-code>');
    expect((await h.api('DELETE', `/v3.0/${orcid}/work/${putCode}`, t2)).status).to.equal(403);
  });

  it('answers 404 (9016) for an unknown put-code', async () => {
    const res = await h.api('GET', `/v3.0/${orcid}/work/999999`, token);
    expect(res.status).to.equal(404);
    expect(await res.text()).to.contain('<error:error-code>9016</error:error-code>');
    expect((await h.api('DELETE', `/v3.0/${orcid}/work/999999`, token)).status).to.equal(404);
  });

  it('updates with PUT only when the body carries the same put-code, then deletes', async () => {
    const putCode = putCodeOf(await post(workXml('10.1/upd')));
    const without = await h.api('PUT', `/v3.0/${orcid}/work/${putCode}`, token, workXml('10.1/upd', 'New'));
    expect(without.status).to.equal(400);
    expect(await without.text()).to.contain('<error:error-code>9019</error:error-code>');
    const ok = await h.api('PUT', `/v3.0/${orcid}/work/${putCode}`, token, workXml('10.1/upd', 'New').replace('<work:work ', `<work:work put-code="${putCode}" `));
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.contain('<common:title>New</common:title>');
    expect((await h.api('DELETE', `/v3.0/${orcid}/work/${putCode}`, token)).status).to.equal(204);
    expect((await h.api('GET', `/v3.0/${orcid}/work/${putCode}`, token)).status).to.equal(404);
  });

  it('answers 401 invalid_token for expired and unknown tokens', async () => {
    await h.control('POST', '/expire', { accessToken: token });
    const res = await h.api('GET', `/v3.0/${orcid}/works`, token);
    expect(res.status).to.equal(401);
    expect(await res.json()).to.deep.equal({ error: 'invalid_token', error_description: `Access token expired: ${token}` });
    expect((await h.api('GET', `/v3.0/${orcid}/works`, 'nope')).status).to.equal(401);
  });

  it('shows e-mails only to /read-limited, and employments with disambiguated ids', async () => {
    const o = (await h.control('POST', '/researchers', { givenNames: 'Marie', familyName: 'Curie', email: 'marie@example.org', affiliations: [{ organization: 'Sorbonne', city: 'Paris', country: 'FR', disambiguatedId: 'https://ror.org/02en5vm52', disambiguationSource: 'ROR' }] })).body.orcid;
    const limited = (await h.token(o, '/read-limited')).access_token;
    const pub = (await h.token(null, '/read-public')).access_token;
    const json = { accept: 'application/orcid+json' };
    const p1 = (await (await h.api('GET', `/v3.0/${o}/person`, limited, undefined, json)).json()) as any;
    expect(p1.emails.email[0]).to.include({ email: 'marie@example.org', visibility: 'limited' });
    const p2 = (await (await h.api('GET', `/v3.0/${o}/person`, pub, undefined, json)).json()) as any;
    expect(p2.emails.email).to.deep.equal([]);
    expect(p2.name['family-name'].value).to.equal('Curie');
    const emp = (await (await h.api('GET', `/v3.0/${o}/employments`, pub, undefined, json)).json()) as any;
    expect(emp['affiliation-group'][0].summaries[0]['employment-summary'].organization['disambiguated-organization']).to.deep.equal({ 'disambiguated-organization-identifier': 'https://ror.org/02en5vm52', 'disambiguation-source': 'ROR' });
    const record = await (await h.api('GET', `/v3.0/${o}/record`, pub)).text();
    expect(record).to.contain('<common:disambiguated-organization-identifier>https://ror.org/02en5vm52</common:disambiguated-organization-identifier>');
  });

  it('creates and finds group ids (by group-id and by name, paged)', async () => {
    const t = (await h.token(null, '/group-id-record/update')).access_token;
    const body = JSON.stringify({ name: 'Journal of Tests', 'group-id': 'issn:1234-5679', description: 'd', type: 'journal' });
    const res = await h.api('POST', '/v3.0/group-id-record', t, body, { 'content-type': 'application/orcid+json' });
    expect(res.status).to.equal(201);
    expect((await h.api('POST', '/v3.0/group-id-record', t, body, { 'content-type': 'application/orcid+json' })).status).to.equal(409);
    const byId = (await (await h.api('GET', '/v3.0/group-id-record?group-id=issn:1234-5679', t, undefined, { accept: 'application/orcid+json' })).json()) as any;
    expect(byId).to.include({ name: 'Journal of Tests', 'group-id': 'issn:1234-5679' });
    const byName = (await (await h.api('GET', '/v3.0/group-id-record?name=of%20tests&page-size=10', t, undefined, { accept: 'application/orcid+json' })).json()) as any;
    expect(byName).to.include({ total: 1, page: 1, 'page-size': 10 });
    const user = (await h.token(orcid, '/activities/update')).access_token;
    expect((await h.api('POST', '/v3.0/group-id-record', user, body, { 'content-type': 'application/orcid+json' })).status).to.equal(403);
  });

  it('shows what was posted, with source and XML, through the control API', async () => {
    const xml = workXml('10.1/ctl');
    const putCode = putCodeOf(await post(xml));
    const { body } = await h.control('GET', `/records/${orcid}`);
    expect(body.items).to.have.length(1);
    expect(body.items[0]).to.include({ putCode, type: 'work', sourceClientId: 'APP-DEMO000000000000', xml });
    expect(body.items[0].externalIds).to.deep.equal([{ type: 'doi', value: '10.1/ctl', relationship: 'self' }]);
  });
});
