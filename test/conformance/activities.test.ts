import { expect } from 'chai';
import { peerReviewXml, serviceXml, workXml, xsdErrors } from './payloads.js';
import { api, errorCode, JSON_TYPE, openGuardedTarget, releaseNetwork, putCodeOf, unique, type Target } from './target.js';

/**
 * Conformance: ../shared/orcid-model/README.md, sections "Activities endpoints" (calls, summary
 * layout, content types) and "Other facts" (client ids, put-codes). Each test title names its fact.
 */
describe('conformance: activities endpoints', function () {
  this.timeout(120000);
  let t: Target;
  const created: string[] = [];
  const post = async (section: string, xml: string) => {
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/${section}`, t.token, xml);
    if (res.status === 201) created.push(new URL(res.headers.get('location')!).pathname);
    return res;
  };
  const key = unique();
  const items: Record<string, string> = {};

  before(async () => {
    t = await openGuardedTarget();
    for (const [section, xml] of [['work', workXml(key)], ['peer-review', peerReviewXml(key)], ['service', serviceXml(key)]]) {
      const res = await post(section, xml);
      expect(res.status, `${section}: ${await res.clone().text()}`).to.equal(201);
      items[section] = putCodeOf(res);
    }
  });
  after(async () => {
    // Leave the sandbox record as it was.
    for (const path of created) await api(t, 'DELETE', path.replace(/^\/v3\.0/, '/v3.0'), t.token);
    await t.close();
    releaseNetwork();
  });

  it('Activities endpoints (create): 201, empty body, Location …/v3.0/{orcid}/{section}/{put-code} with an integer put-code', async () => {
    const k = unique();
    const res = await post('work', workXml(k));
    expect(res.status).to.equal(201);
    expect(await res.text()).to.equal('');
    expect(res.headers.get('location')).to.match(new RegExp(`^${t.api}/v3\\.0/${t.orcid}/work/\\d+$`));
  });

  for (const section of ['work', 'peer-review', 'service'] as const) {
    it(`Activities endpoints (read one): GET /${section}/{put-code} → 200, valid against ${section}-3.0.xsd, with source and put-code`, async () => {
      const res = await api(t, 'GET', `/v3.0/${t.orcid}/${section}/${items[section]}`, t.token);
      expect(res.status).to.equal(200);
      const xml = await res.text();
      expect(await xsdErrors(xml, section)).to.deep.equal([]);
      expect(xml).to.match(new RegExp(`put-code="${items[section]}"`));
    });
  }

  for (const [view, section] of [['works', 'work'], ['peer-reviews', 'peer-review'], ['services', 'service']] as const) {
    it(`Activities endpoints (summary layout): GET /${view} is valid against activities-3.0.xsd and lists our ${section} with its required fields`, async () => {
      const xml = await (await api(t, 'GET', `/v3.0/${t.orcid}/${view}`, t.token)).text();
      expect(await xsdErrors(xml, 'activities')).to.deep.equal([]);
      const summary = new RegExp(`<${section}:${section}-summary [^>]*put-code="${items[section]}"[\\s\\S]*?</${section}:${section}-summary>`).exec(xml)?.[0];
      expect(summary, `${view} lists put-code ${items[section]}`).to.be.a('string');
      for (const field of ['common:source', 'common:external-ids', ...(section === 'peer-review' ? ['peer-review:reviewer-role', 'peer-review:review-type', 'peer-review:completion-date', 'peer-review:review-group-id', 'peer-review:convening-organization'] : section === 'work' ? ['work:title', 'work:type'] : ['common:organization'])]) {
        expect(summary, field).to.contain(`<${field}>`);
      }
    });
  }

  it('Activities endpoints (read): GET /record is valid against record-3.0.xsd, employments and activities included', async () => {
    const res = await api(t, 'GET', `/v3.0/${t.orcid}/record`, t.token);
    expect(res.status).to.equal(200);
    expect(await xsdErrors(await res.text(), 'record')).to.deep.equal([]);
  });

  it('Other facts (client ids): sources are https://…orcid.org/client/APP- + 16 alphanumerics', async () => {
    const xml = await (await api(t, 'GET', `/v3.0/${t.orcid}/works`, t.token)).text();
    const uri = /<common:source-client-id><common:uri>([^<]+)<\/common:uri><common:path>([^<]+)<\/common:path>/.exec(xml.replace(/>\s+</g, '><'));
    expect(uri?.[1]).to.match(/^https:\/\/([^/]*orcid\.org)\/client\/APP-[\dA-Za-z]{16}$/);
    expect(uri?.[2]).to.equal(t.clientId);
    expect(t.clientId).to.match(/^APP-[\dA-Za-z]{16}$/);
  });

  it('Activities endpoints (content types): the same content in JSON and XML, JSON keys = element names, enums lower-case, dates {value: epoch ms}', async () => {
    const xml = await (await api(t, 'GET', `/v3.0/${t.orcid}/work/${items.work}`, t.token)).text();
    const json = (await (await api(t, 'GET', `/v3.0/${t.orcid}/work/${items.work}`, t.token, undefined, { accept: JSON_TYPE })).json()) as any;
    expect(json['put-code']).to.equal(Number(items.work));
    expect(json.type).to.equal('journal-article');
    expect(xml).to.contain(`<common:title>${json.title.title.value}</common:title>`);
    expect(json['external-ids']['external-id'][0]).to.include({ 'external-id-type': 'doi', 'external-id-value': `10.5555/conf.${key}` });
    expect(json['created-date'].value).to.be.a('number');
    const works = (await (await api(t, 'GET', `/v3.0/${t.orcid}/works`, t.token, undefined, { accept: JSON_TYPE })).json()) as any;
    const summaries = works.group.flatMap((g: any) => g['work-summary']);
    const ours = summaries.find((s: any) => s['put-code'] === Number(items.work));
    expect(ours.title.title.value).to.equal(json.title.title.value);
    expect(ours.source['source-client-id'].path).to.equal(t.clientId);
    const reviews = (await (await api(t, 'GET', `/v3.0/${t.orcid}/peer-reviews`, t.token, undefined, { accept: JSON_TYPE })).json()) as any;
    const review = reviews.group.flatMap((g: any) => g['peer-review-group'].flatMap((p: any) => p['peer-review-summary'])).find((s: any) => s['put-code'] === Number(items['peer-review']));
    expect(review).to.include({ 'reviewer-role': 'reviewer', 'review-type': 'review', 'review-group-id': 'issn:1741-4857' });
    expect(review['convening-organization'].name).to.equal('Journal of Conformance');
  });

  it('Activities endpoints (update): PUT with the URL’s put-code in the body → 200 with the updated item', async () => {
    const k = unique();
    const putCode = putCodeOf(await post('work', workXml(k)));
    const res = await api(t, 'PUT', `/v3.0/${t.orcid}/work/${putCode}`, t.token, workXml(k, { putCode, title: `Updated ${k}` }));
    expect(res.status).to.equal(200);
    expect(await res.text()).to.contain(`Updated ${k}`);
  });

  it('Error responses (9019): PUT whose body put-code differs from the URL’s, or has none → 400, 9019', async () => {
    const k = unique();
    const putCode = putCodeOf(await post('work', workXml(k)));
    for (const body of [workXml(k, { putCode: String(Number(putCode) + 1) }), workXml(k)]) {
      const res = await api(t, 'PUT', `/v3.0/${t.orcid}/work/${putCode}`, t.token, body);
      expect(res.status).to.equal(400);
      expect(errorCode(await res.text())).to.equal(9019);
    }
  });

  it('Activities endpoints (delete): DELETE → 204, then GET → 404, 9016', async () => {
    const path = new URL((await post('work', workXml(unique()))).headers.get('location')!).pathname;
    expect((await api(t, 'DELETE', path, t.token)).status).to.equal(204);
    const gone = await api(t, 'GET', path, t.token);
    expect(gone.status).to.equal(404);
    expect(errorCode(await gone.text())).to.equal(9016);
  });

  it('Activities endpoints (bulk): POST /works answers per work, an item or an <error:error>', async () => {
    const k = unique();
    const works = [workXml(`${k}a`), workXml(key)].map((w) => w.replace(/^<\?xml[^>]*\?>/, ''));
    const bulk = `<?xml version="1.0" encoding="UTF-8"?><bulk:bulk xmlns:bulk="http://www.orcid.org/ns/bulk" xmlns:work="http://www.orcid.org/ns/work" xmlns:common="http://www.orcid.org/ns/common">${works.join('')}</bulk:bulk>`;
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/works`, t.token, bulk);
    expect(res.status).to.equal(200);
    const body = await res.text();
    for (const m of body.matchAll(/<work:work [^>]*path="([^"]+)"/g)) created.push(`/v3.0${m[1]}`);
    expect(body.match(/<work:work /g)).to.have.length(1);
    expect(await xsdErrors(body, 'bulk')).to.deep.equal([]);
    expect(errorCode(body)).to.equal(9021);
  });

  it('Activities endpoints (bulk): GET /works/{pc1},{pc2} answers each work, an unknown put-code with an <error:error>', async () => {
    const res = await api(t, 'GET', `/v3.0/${t.orcid}/works/${items.work},999999999`, t.token);
    expect(res.status).to.equal(200);
    const body = await res.text();
    expect(await xsdErrors(body, 'bulk')).to.deep.equal([]);
    expect(body).to.match(new RegExp(`<work:work [^>]*put-code="${items.work}"`));
    expect(errorCode(body)).to.equal(9016);
  });

  it('Activities endpoints (content types): an unsupported Content-Type → 415', async () => {
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/work`, t.token, workXml(unique()), { 'content-type': 'text/plain' });
    expect(res.status).to.equal(415);
  });

  it('Activities endpoints (content types): Accept: text/html → 406', async () => {
    const res = await api(t, 'GET', `/v3.0/${t.orcid}/works`, t.token, undefined, { accept: 'text/html' });
    expect(res.status).to.equal(406);
  });

  it('Activities endpoints (content types): JSON in, with application/orcid+json → 201', async () => {
    const k = unique();
    const body = { title: { title: { value: `JSON ${k}` } }, type: 'journal-article', 'external-ids': { 'external-id': [{ 'external-id-type': 'doi', 'external-id-value': `10.5555/json.${k}`, 'external-id-relationship': 'self' }] } };
    const res = await api(t, 'POST', `/v3.0/${t.orcid}/work`, t.token, JSON.stringify(body), { 'content-type': 'application/orcid+json' });
    expect(res.status, await res.clone().text()).to.equal(201);
    created.push(new URL(res.headers.get('location')!).pathname);
    const xml = await (await api(t, 'GET', new URL(res.headers.get('location')!).pathname, t.token)).text();
    expect(await xsdErrors(xml, 'work')).to.deep.equal([]);
  });
});
