import { expect } from 'chai';
import nock from 'nock';
import { harness, sample, type Harness } from './helpers.js';

/** The official ORCID write samples go in; broken variants come back as ORCID 400 errors. */
describe('emulator: official write samples (XSD validation on)', function () {
  this.timeout(30000);
  let h: Harness;
  let orcid: string;
  let token: string;
  before(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    h = await harness({ validateXml: true });
    orcid = await h.researcher();
    token = (await h.token(orcid, '/activities/update /read-limited')).access_token;
    // No group set-up: the samples' `issn:` group is created by the first review (orcid-model README, "Peer-review groups").
  });
  after(async () => {
    await h.emu.close();
    nock.enableNetConnect();
  });

  const cases: [string, string][] = [
    ['work', 'work-simple-3.0.xml'],
    ['work', 'work-full-3.0.xml'],
    ['peer-review', 'peer-review-simple-3.0.xml'],
    ['peer-review', 'peer-review-full-3.0.xml'],
    ['peer-review', 'peer-review-full-award-subject-type-3.0.xml'],
    ['service', 'service-3.0.xml'],
  ];
  for (const [section, file] of cases) {
    it(`accepts ${file} with 201 and a Location, and reads it back`, async () => {
      // Each sample has its own researcher: several samples share external ids.
      const o = await h.researcher('Sam', file);
      const t = (await h.token(o, '/activities/update')).access_token;
      const res = await h.api('POST', `/v3.0/${o}/${section}`, t, sample(file));
      expect(res.status, await res.clone().text()).to.equal(201);
      const location = res.headers.get('location')!;
      expect(location).to.match(new RegExp(`^${h.url}/v3\\.0/${o}/${section}/\\d+$`));
      const back = await h.api('GET', new URL(location).pathname, t);
      expect(back.status).to.equal(200);
      expect(await back.text()).to.contain(`put-code="${location.split('/').pop()}"`);
    });
  }

  it('accepts the JSON samples (work, peer-review, service)', async () => {
    for (const [section, file] of [['work', 'work-full-3.0.json'], ['peer-review', 'peer-review-simple-3.0.json'], ['service', 'service-3.0.json']]) {
      const res = await h.api('POST', `/v3.0/${orcid}/${section}`, token, sample(file), { 'content-type': 'application/orcid+json' });
      expect(res.status, `${file}: ${await res.clone().text()}`).to.equal(201);
    }
  });

  it('accepts the bulk sample and answers per work', async () => {
    const o = await h.researcher('Bulk', 'Poster');
    const t = (await h.token(o, '/activities/update')).access_token;
    const res = await h.api('POST', `/v3.0/${o}/works`, t, sample('bulk-work-3.0.xml'));
    expect(res.status).to.equal(200);
    const body = await res.text();
    expect(body.match(/<work:work /g)?.length).to.be.greaterThan(1);
    const again = await (await h.api('POST', `/v3.0/${o}/works`, t, sample('bulk-work-3.0.xml'))).text();
    expect(again).to.not.contain('<work:work ');
    expect(again).to.contain('<error:error-code>9021</error:error-code>');
  });

  const broken: [string, string, (xml: string) => string][] = [
    ['a work without a type', 'work-simple-3.0.xml', (x) => x.replace(/<work:type>.*<\/work:type>/, '')],
    ['malformed XML', 'work-simple-3.0.xml', (x) => x.replace('</work:title>', '')],
    ['a peer review without a role', 'peer-review-simple-3.0.xml', (x) => x.replace(/<peer-review:reviewer-role>.*<\/peer-review:reviewer-role>/, '')],
    ['a service with month 13', 'service-3.0.xml', (x) => x.replace('<common:month>02</common:month>', '<common:month>13</common:month>')],
  ];
  for (const [what, file, breakIt] of broken) {
    it(`rejects ${what} with 400 and ORCID's error body`, async () => {
      const section = file.startsWith('work') ? 'work' : file.startsWith('peer') ? 'peer-review' : 'service';
      const res = await h.api('POST', `/v3.0/${orcid}/${section}`, token, breakIt(sample(file)));
      expect(res.status).to.equal(400);
      const body = await res.text();
      expect(body).to.match(/<error:error xmlns:error="http:\/\/www\.orcid\.org\/ns\/error">/);
      expect(body).to.contain('<error:response-code>400</error:response-code>');
      expect(body).to.contain('<error:error-code>9001</error:error-code>');
      expect(body).to.match(/<error:developer-message>400 Bad Request: Invalid incoming message: .+<\/error:developer-message>/);
    });
  }

  it('rejects an unknown work type with 400 and error code 9037, as ORCID does', async () => {
    const res = await h.api('POST', `/v3.0/${orcid}/work`, token, sample('work-simple-3.0.xml').replace('journal-article', 'blog-rant'));
    expect(res.status).to.equal(400);
    const body = await res.text();
    expect(body).to.contain('<error:error-code>9037</error:error-code>');
    expect(body).to.contain('Invalid work type &quot;blog-rant&quot;');
  });

  it('answers errors in JSON when asked', async () => {
    const res = await h.api('POST', `/v3.0/${orcid}/work`, token, '<work:work', { accept: 'application/orcid+json' });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).to.deep.equal(['response-code', 'developer-message', 'user-message', 'error-code', 'more-info']);
    expect(body['response-code']).to.equal(400);
    expect(body['error-code']).to.equal(9001);
  });

  // orcid-model README, "Peer-review groups": a missing non-ISSN group → 400, 9020.
  it('rejects a peer review whose non-ISSN group id does not exist with 9020', async () => {
    const xml = sample('peer-review-simple-3.0.xml').replace('issn:1741-4857', 'ringgold:4567');
    const res = await h.api('POST', `/v3.0/${orcid}/peer-review`, token, xml);
    expect(res.status).to.equal(400);
    expect(await res.text()).to.contain('<error:error-code>9020</error:error-code>');
  });
});
