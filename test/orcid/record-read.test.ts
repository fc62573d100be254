import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XmlError, XML_MALFORMED, XML_UNSAFE } from '../../src/errors.js';
import { selfExternalId } from '../../src/orcid/payload-common.js';
import {
  findOwnItemByExternalId,
  findOwnItemBySelfIds,
  selfExternalIdsOfPayload,
  parseEmploymentsForPrefill,
  parsePersonForPrefill,
  parsePutCodeFromLocation,
} from '../../src/orcid/record-read.js';
import { ORCID_MODEL_DIR } from '../../src/orcid/xsd.js';
import { buildWorkXml } from '../../src/orcid/work.js';
import { buildPeerReviewXml } from '../../src/orcid/peer-review.js';
import { buildServiceXml } from '../../src/orcid/service.js';

const sample = (name: string): string => readFileSync(join(ORCID_MODEL_DIR, 'record_3.0', 'samples', 'read_samples', name), 'utf8');

/** The official samples' items are mostly sourced by the researcher; this re-sources them to a client. */
function asClientSourced(xml: string, clientId: string): string {
  return xml.replace(
    /<common:source-orcid>[\s\S]*?<\/common:source-orcid>/g,
    `<common:source-client-id><common:uri>https://orcid.org/client/${clientId}</common:uri><common:path>${clientId}</common:path><common:host>orcid.org</common:host></common:source-client-id>`,
  );
}

function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(XmlError);
    return (e as XmlError).code;
  }
  throw new Error('expected an XmlError');
}

describe('parsePutCodeFromLocation', () => {
  it('reads the put-code at the end of the Location ORCID returns', () => {
    const table: [string | undefined, string | null][] = [
      ['https://api.sandbox.orcid.org/v3.0/0000-0002-1825-0097/work/733535', '733535'],
      ['http://127.0.0.1:8787/v3.0/0000-0002-1825-0097/peer-review/12/', '12'],
      ['/v3.0/0000-0002-1825-0097/service/5?x=1', '5'],
      ['https://api.orcid.org/v3.0/0000-0002-1825-0097/work/', null],
      ['', null],
      [undefined, null],
    ];
    for (const [location, putCode] of table) expect(parsePutCodeFromLocation(location), String(location)).to.equal(putCode);
  });
});

describe('findOwnItemByExternalId', () => {
  it('finds our work and peer review in the official activities sample', () => {
    const xml = sample('activities-3.0.xml');
    expect(findOwnItemByExternalId(xml, { type: 'agr', value: 'external-id-value' }, '8888-8888-8888-8880')).to.equal('0');
    expect(findOwnItemByExternalId(xml, { type: 'something', value: 'external-id-value' }, 'APP-9999999999999901')).to.equal('12345');
  });

  it('finds a peer review in the /peer-reviews sample, trimming the value ORCID wrapped', () => {
    const xml = sample('peer-reviews-3.0.xml');
    expect(findOwnItemByExternalId(xml, { type: 'agr', value: 'Work Id 14846757430241484675744468' }, 'APP-9999999999999902')).to.equal('1994');
    expect(findOwnItemByExternalId(xml, { type: 'DOI', value: 'DOI-EXT-ID1484675744468' }, 'APP-9999999999999902')).to.equal('1994');
  });

  it('ignores items other sources added, even with the same external id', () => {
    expect(findOwnItemByExternalId(sample('works-3.0.xml'), { type: 'arxiv', value: '123456' }, 'APP-9999999999999902')).to.equal(null);
    expect(findOwnItemByExternalId(sample('peer-reviews-3.0.xml'), { type: 'agr', value: 'Work Id 14846757430241484675744468' }, 'APP-0000000000000000')).to.equal(null);
  });

  it('matches only self external ids of our items in /works and /services', () => {
    const works = asClientSourced(sample('works-3.0.xml'), 'APP-1');
    expect(findOwnItemByExternalId(works, { type: 'bibcode', value: '4567' }, 'APP-1')).to.equal('3358');
    expect(findOwnItemByExternalId(works, { type: 'doi', value: '123456' }, 'APP-1')).to.equal(null); // part-of
    const services = asClientSourced(sample('services-3.0.xml'), 'APP-1');
    expect(findOwnItemByExternalId(services, { type: 'agr', value: 'external-id-value2' }, 'APP-1')).to.equal(null); // part-of
    const ours = services.replace(/part-of/g, 'self');
    expect(findOwnItemByExternalId(ours, { type: 'agr', value: 'external-id-value2' }, 'APP-1')).to.equal('1');
  });

  it('finds what selfExternalId names in a summary of what we posted', () => {
    const article = { id: 'a-1', journal: { title: 'J', issn: '1234-5679' } };
    const id = selfExternalId('work', article);
    const xml = `<activities:works xmlns:activities="http://www.orcid.org/ns/activities" xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work">
  <activities:group><work:work-summary put-code="77"><common:source><common:source-client-id><common:path>APP-1</common:path></common:source-client-id></common:source>
  <common:external-ids><common:external-id><common:external-id-type>${id.type}</common:external-id-type><common:external-id-value>${id.value}</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id></common:external-ids>
  </work:work-summary></activities:group></activities:works>`;
    expect(findOwnItemByExternalId(xml, id, 'APP-1')).to.equal('77');
  });

  it('refuses a DOCTYPE (no external entity is ever read) and reports malformed XML', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><activities:works xmlns:activities="http://www.orcid.org/ns/activities">&e;</activities:works>';
    expect(thrownCode(() => findOwnItemByExternalId(xxe, { type: 'doi', value: 'x' }, 'APP-1'))).to.equal(XML_UNSAFE);
    expect(thrownCode(() => findOwnItemByExternalId('<a><b></a>', { type: 'doi', value: 'x' }, 'APP-1'))).to.equal(XML_MALFORMED);
  });
});

/** A `/works` answer with one summary per entry: put-code, source client id, external ids as [type, value, relationship]. */
function works(items: Array<[string, string, Array<[string, string, string]>]>): string {
  const summary = ([putCode, client, ids]: (typeof items)[number]) =>
    `<activities:group><work:work-summary put-code="${putCode}"><common:source><common:source-client-id><common:uri>https://orcid.org/client/${client}</common:uri><common:path>${client}</common:path><common:host>orcid.org</common:host></common:source-client-id></common:source>` +
    `<common:external-ids>${ids.map(([t, v, r]) => `<common:external-id><common:external-id-type>${t}</common:external-id-type><common:external-id-value>${v}</common:external-id-value><common:external-id-relationship>${r}</common:external-id-relationship></common:external-id>`).join('')}</common:external-ids></work:work-summary></activities:group>`;
  return `<activities:works xmlns:activities="http://www.orcid.org/ns/activities" xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work">${items.map(summary).join('')}</activities:works>`;
}

describe('findOwnItemBySelfIds', () => {
  const ours = [{ type: 'source-work-id', value: 'issn:1234-5679:a1' }, { type: 'doi', value: '10.5555/abc' }];

  // README "Duplicates": ORCID's 409 matches any self id (normalised) of an item from the same client.
  it('finds an item the same client posted from another system by its DOI (the migration case)', () => {
    const xml = works([['501', 'APP-1', [['doi', 'https://doi.org/10.5555/ABC', 'self'], ['source-work-id', 'ojs-article-12', 'self']]]]);
    expect(findOwnItemBySelfIds(xml, ours, 'APP-1')).to.equal('501');
  });

  it('prefers the id given first when two items match different ids', () => {
    const xml = works([
      ['1', 'APP-1', [['doi', '10.5555/abc', 'self']]],
      ['2', 'APP-1', [['source-work-id', 'issn:1234-5679:a1', 'self']]],
    ]);
    expect(findOwnItemBySelfIds(xml, ours, 'APP-1')).to.equal('2');
  });

  it('ignores items of other sources and ids that are not self', () => {
    const xml = works([
      ['1', 'APP-OTHER', [['doi', '10.5555/abc', 'self']]],
      ['2', 'APP-1', [['doi', '10.5555/abc', 'part-of']]],
    ]);
    expect(findOwnItemBySelfIds(xml, ours, 'APP-1')).to.equal(null);
  });
});

describe('selfExternalIdsOfPayload', () => {
  const convening = { name: 'P', city: 'Oxford', country: 'GB', disambiguatedId: 'https://ror.org/052gg0110', disambiguationSource: 'ROR' as const };

  it('reads exactly the self ids our builders write (work, peer review, service)', () => {
    const journal = { title: 'J', issn: '1234-5679' };
    const work = buildWorkXml({ id: 'a1', submissionId: 's', doi: '10.5555/ABC', title: 'T', url: '', publishedAt: '2024', journal, authors: [] });
    expect(selfExternalIdsOfPayload(work)).to.deep.equal([{ type: 'doi', value: '10.5555/abc' }, { type: 'source-work-id', value: 'issn:1234-5679:a1' }]);
    const review = buildPeerReviewXml({ id: 'r1', submissionId: 's', reviewerContributorId: 'c', completedAt: '2024', reviewDoi: '10.5555/rev', articleDoi: '10.5555/subject', journal }, { convening, groupId: 'issn:1234-5679' });
    expect(selfExternalIdsOfPayload(review)).to.deep.equal([{ type: 'doi', value: '10.5555/rev' }, { type: 'source-work-id', value: 'issn:1234-5679:review:r1' }]);
    const service = buildServiceXml({ contributorId: 'e1', role: 'Handling Editor', startDate: '2024-01-01' }, { organization: convening, journalTitle: 'J', journalIssn: '1234-5679' });
    expect(selfExternalIdsOfPayload(service)).to.deep.equal([{ type: 'source-work-id', value: 'issn:1234-5679:editor:e1:handling-editor:2024-01-01' }]);
  });

  it('reads a work\'s self ids, not its part-of ISSN', () => {
    const xml = `<work:work xmlns:work="http://www.orcid.org/ns/work" xmlns:common="http://www.orcid.org/ns/common"><common:external-ids>
      <common:external-id><common:external-id-type>doi</common:external-id-type><common:external-id-value>10.5555/abc</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id>
      <common:external-id><common:external-id-type>source-work-id</common:external-id-type><common:external-id-value>k:a1</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id>
      <common:external-id><common:external-id-type>issn</common:external-id-type><common:external-id-value>1234-5679</common:external-id-value><common:external-id-relationship>part-of</common:external-id-relationship></common:external-id>
    </common:external-ids></work:work>`;
    expect(selfExternalIdsOfPayload(xml)).to.deep.equal([{ type: 'doi', value: '10.5555/abc' }, { type: 'source-work-id', value: 'k:a1' }]);
  });

  it('reads a peer review\'s review identifiers, never its subject\'s id', () => {
    const xml = `<peer-review:peer-review xmlns:peer-review="http://www.orcid.org/ns/peer-review" xmlns:common="http://www.orcid.org/ns/common">
      <peer-review:review-identifiers><common:external-id><common:external-id-type>source-work-id</common:external-id-type><common:external-id-value>k:review:r1</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></common:external-id></peer-review:review-identifiers>
      <peer-review:subject-external-identifier><common:external-id-type>doi</common:external-id-type><common:external-id-value>10.5555/subject</common:external-id-value><common:external-id-relationship>self</common:external-id-relationship></peer-review:subject-external-identifier>
    </peer-review:peer-review>`;
    expect(selfExternalIdsOfPayload(xml)).to.deep.equal([{ type: 'source-work-id', value: 'k:review:r1' }]);
  });
});

describe('parsePersonForPrefill', () => {
  it('reads names and emails from the /person sample', () => {
    expect(parsePersonForPrefill(sample('person-3.0.xml'))).to.deep.equal({
      givenNames: 'give-names',
      familyName: 'family-name',
      creditName: 'credit-name',
      emails: [{ email: 'user1@email.com', verified: false, primary: false }],
    });
  });

  it('reads verified and primary flags from the /email sample', () => {
    expect(parsePersonForPrefill(sample('emails-3.0.xml')).emails).to.deep.equal([
      { email: 'user1@email.com', verified: true, primary: true },
      { email: 'user2@email.com', verified: false, primary: false },
    ]);
  });

  it('reads the person inside a whole /record', () => {
    const p = parsePersonForPrefill(sample('record-3.0.xml'));
    expect([p.givenNames, p.familyName, p.creditName]).to.deep.equal(['give-names', 'family-name', 'credit-name']);
  });
});

describe('parseEmploymentsForPrefill', () => {
  it('reads the /employments sample', () => {
    const employment = {
      organization: 'employment',
      department: 'employment',
      role: 'employment:role-title',
      city: 'x',
      region: null,
      country: 'AS',
      disambiguatedId: null,
      source: null,
      startDate: '1948-02-02',
      endDate: '1948-02-02',
    };
    expect(parseEmploymentsForPrefill(sample('employments-3.0.xml'))).to.deep.equal([employment, employment]);
  });

  it('reads the disambiguated organization in the /activities sample', () => {
    const [first] = parseEmploymentsForPrefill(sample('activities-3.0.xml'));
    expect(first.disambiguatedId).to.equal('common:disambiguated-organization-identifier');
    expect(first.source).to.equal('common:disambiguation-source');
  });
});
