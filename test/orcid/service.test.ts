import { expect } from 'chai';
import fc from 'fast-check';
import { InvalidInputError } from '../../src/errors.js';
import { selfExternalId } from '../../src/orcid/payload-common.js';
import { buildServiceXml } from '../../src/orcid/service.js';
import { validateOrcidXml } from '../../src/orcid/xsd.js';
import type { EditorAppointment, Organization } from '../../src/types.js';
import { appointment as appointmentArb, organization as organizationArb } from './arbitraries.js';

const publisher: Organization = {
  name: 'Example Press',
  city: 'Oxford',
  country: 'GB',
  disambiguatedId: '385488',
  disambiguationSource: 'RINGGOLD',
};

const appointment: EditorAppointment = { contributorId: 'ed-4', role: 'Handling Editor', startDate: '2023-01', endDate: new Date('2024-12-31T12:00:00Z') };

const EXPECTED = `<?xml version="1.0" encoding="UTF-8"?>
<service:service xmlns:service="http://www.orcid.org/ns/service" xmlns:common="http://www.orcid.org/ns/common" put-code="99">
  <common:department-name>Journal of Examples</common:department-name>
  <common:role-title>Handling Editor</common:role-title>
  <common:start-date>
    <common:year>2023</common:year>
    <common:month>01</common:month>
  </common:start-date>
  <common:end-date>
    <common:year>2024</common:year>
    <common:month>12</common:month>
    <common:day>31</common:day>
  </common:end-date>
  <common:organization>
    <common:name>Example Press</common:name>
    <common:address>
      <common:city>Oxford</common:city>
      <common:country>GB</common:country>
    </common:address>
    <common:disambiguated-organization>
      <common:disambiguated-organization-identifier>385488</common:disambiguated-organization-identifier>
      <common:disambiguation-source>RINGGOLD</common:disambiguation-source>
    </common:disambiguated-organization>
  </common:organization>
  <common:url>https://journal.example/board</common:url>
  <common:external-ids>
    <common:external-id>
      <common:external-id-type>source-work-id</common:external-id-type>
      <common:external-id-value>issn:1234-5679:editor:ed-4:handling-editor:2023-01</common:external-id-value>
      <common:external-id-relationship>self</common:external-id-relationship>
    </common:external-id>
  </common:external-ids>
</service:service>`;

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidInputError);
    return (e as InvalidInputError).path;
  }
  throw new Error('expected an InvalidInputError');
}

const options = { organization: publisher, journalTitle: 'Journal of Examples', journalIssn: '1234-5679', url: 'https://journal.example/board' };

describe('buildServiceXml', () => {
  it('writes a representative appointment exactly, in XSD order, and ORCID accepts it', async () => {
    const xml = buildServiceXml(appointment, { ...options, putCode: '99' });
    expect(xml).to.equal(EXPECTED);
    expect(await validateOrcidXml(xml, 'service')).to.deep.equal({ valid: true, errors: [] });
  });

  it('keeps the same self external id when the term ends, so ending it updates the same item', () => {
    const open = buildServiceXml({ ...appointment, endDate: undefined }, options);
    expect(open).not.to.include('end-date');
    const id = selfExternalId('service', { appointment: { ...appointment, endDate: undefined }, ...options });
    expect(id).to.deep.equal(selfExternalId('service', { appointment, ...options }));
    expect(open).to.include(`<common:external-id-value>${id.value}</common:external-id-value>`);
  });

  it('uses the appointment’s own organization over the default', () => {
    const xml = buildServiceXml({ ...appointment, organization: { ...publisher, name: 'Other Society' } }, options);
    expect(xml).to.include('<common:name>Other Society</common:name>');
  });

  it('names the missing or invalid field', () => {
    expect(pathOf(() => buildServiceXml({ ...appointment, startDate: '' }, options))).to.equal('appointment.startDate');
    expect(pathOf(() => buildServiceXml({ ...appointment, endDate: '2022-12-31' }, options))).to.equal('appointment.endDate');
    expect(pathOf(() => buildServiceXml({ ...appointment, role: '' }, options))).to.equal('appointment.role');
    expect(pathOf(() => buildServiceXml(appointment, { ...options, journalTitle: '' }))).to.equal('options.journalTitle');
    expect(pathOf(() => buildServiceXml(appointment, { ...options, organization: undefined as never }))).to.equal('options.organization');
    expect(pathOf(() => buildServiceXml(appointment, { ...options, organization: { ...publisher, disambiguationSource: 'ISNI' as never } }))).to.equal(
      'options.organization.disambiguationSource',
    );
    expect(pathOf(() => buildServiceXml(appointment, { ...options, url: 'board' }))).to.equal('options.url');
  });

  it('accepts an end date of coarser precision in the start year', () => {
    expect(buildServiceXml({ ...appointment, endDate: '2023' }, options)).to.include('<common:end-date>\n    <common:year>2023</common:year>\n  </common:end-date>');
  });

  it('produces payloads ORCID’s XSD accepts for generated appointments and organizations', async function () {
    this.timeout(120_000); // XSD validation in WebAssembly: CPU-bound, slow on a loaded 2-core machine
    await fc.assert(
      fc.asyncProperty(appointmentArb, organizationArb, fc.string({ minLength: 1, maxLength: 40 }).map((s) => `J ${s}`), async (a, org, title) => {
        const xml = buildServiceXml(a, { organization: org, journalTitle: title });
        expect((await validateOrcidXml(xml, 'service')).errors).to.deep.equal([]);
      }),
      { numRuns: 25 },
    );
  });
});
