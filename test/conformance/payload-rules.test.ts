import { expect } from 'chai';
import { peerReviewXml, workXml } from './payloads.js';
import { api, errorCode, openGuardedTarget, releaseNetwork, putCodeOf, unique, type Target } from './target.js';

/**
 * Conformance: ../shared/orcid-model/README.md, section "Payload rules that the XSD does not
 * enforce" (each value below is well-formed and XSD-valid; ORCID refuses it in code). Each test
 * title names its fact.
 */
describe('conformance: payload rules the XSD does not enforce', function () {
  this.timeout(120000);
  let t: Target;
  const created: string[] = [];
  before(async () => {
    t = await openGuardedTarget();
  });
  after(async () => {
    for (const path of created) await api(t, 'DELETE', path, t.token);
    await t.close();
    releaseNetwork();
  });
  const post = async (section: string, body: string, headers: Record<string, string> = {}) => {
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/${section}`, t.token, body, headers);
    if (res.status === 201) created.push(new URL(res.headers.get('location')!).pathname);
    return { status: res.status, code: errorCode(await res.text()), putCode: res.status === 201 ? putCodeOf(res) : null };
  };
  const refused = (status: number, code: number) => ({ status, code, putCode: null });

  it('Payload rules (work): no external id with relationship self → 400, 9023', async () => {
    const k = unique();
    expect(await post('work', workXml(k, { ids: [{ type: 'issn', value: '1741-4857', relationship: 'part-of' }] }))).to.deep.equal(refused(400, 9023));
  });

  it('Payload rules (work): an external-id-type outside ORCID’s identifier list → 400, 9023', async () => {
    const k = unique();
    expect(await post('work', workXml(k, { ids: [{ type: 'journal-internal-id', value: k, relationship: 'self' }] }))).to.deep.equal(refused(400, 9023));
  });

  it('Payload rules (relationship values): a relationship outside self, part-of, version-of, funded-by → 400, 9051', async () => {
    const k = unique();
    expect(await post('work', workXml(k, { ids: [{ type: 'doi', value: `10.5555/rel.${k}`, relationship: 'same-as' }] }))).to.deep.equal(refused(400, 9051));
  });

  it('Payload rules (peer review): a reviewer-role outside reviewer, editor, member, chair, organizer → 400, 9051', async () => {
    expect(await post('peer-review', peerReviewXml(unique(), { role: 'referee' }))).to.deep.equal(refused(400, 9051));
  });

  it('Payload rules (contributor role): a role that is neither legacy nor CRediT → 400, 9058', async () => {
    expect(await post('work', workXml(unique(), { contributorRole: 'first-author' }))).to.deep.equal(refused(400, 9058));
  });

  it('Payload rules (contributor role): a CRediT URI and a legacy role are accepted', async () => {
    expect((await post('work', workXml(unique(), { contributorRole: 'http://credit.niso.org/contributor-roles/writing-original-draft/' }))).status).to.equal(201);
    expect((await post('work', workXml(unique(), { contributorRole: 'author' }))).status).to.equal(201);
  });

  it('Payload rules (work): type from the work-type list, else 400, 9037', async () => {
    expect(await post('work', workXml(unique(), { type: 'blog-rant' }))).to.deep.equal(refused(400, 9037));
  });

  it('Payload rules (work): title required → 400, 9022 (JSON, where no XSD applies)', async () => {
    const k = unique();
    const body = { type: 'journal-article', 'external-ids': { 'external-id': [{ 'external-id-type': 'doi', 'external-id-value': `10.5555/notitle.${k}`, 'external-id-relationship': 'self' }] } };
    expect(await post('work', JSON.stringify(body), { 'content-type': 'application/orcid+json' })).to.deep.equal(refused(400, 9022));
  });

  it('Payload rules (duplicates): the same self id from the same client → 409, 9021, naming the existing put-code', async () => {
    const k = unique();
    const first = await post('work', workXml(k));
    expect(first.status).to.equal(201);
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/work`, t.token, workXml(k, { title: 'Another title' }));
    expect(res.status).to.equal(409);
    const body = await res.text();
    expect(errorCode(body)).to.equal(9021);
    expect(body).to.contain(`put-code ${first.putCode}`);
  });

  it('Payload rules (duplicates): DOIs are normalized — case and the https://doi.org/ prefix do not make a new id', async () => {
    const k = unique();
    expect((await post('work', workXml(k, { ids: [{ type: 'doi', value: `10.5555/norm.${k}`, relationship: 'self' }] }))).status).to.equal(201);
    for (const variant of [`10.5555/NORM.${k.toUpperCase()}`, `https://doi.org/10.5555/norm.${k}`]) {
      expect(await post('work', workXml(`${k}-x`, { ids: [{ type: 'doi', value: variant, relationship: 'self' }] })), variant).to.deep.equal(refused(409, 9021));
    }
  });

  it('Payload rules (duplicates): a part-of id shared with another work is no duplicate', async () => {
    const issn = { type: 'issn', value: '1741-4857', relationship: 'part-of' };
    for (const k of [unique(), unique()]) {
      expect((await post('work', workXml(k, { ids: [{ type: 'doi', value: `10.5555/part.${k}`, relationship: 'self' }, issn] }))).status).to.equal(201);
    }
  });
});
