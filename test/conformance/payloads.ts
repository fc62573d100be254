import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { ORCID_MODEL_DIR } from '../../src/orcid/xsd.js';

/** Payloads the conformance suite posts, each with ids unique to the run, and an XSD check for what comes back. */

const NS = 'xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work"';

export interface Id {
  type: string;
  value: string;
  relationship?: string;
}

const idXml = (e: Id) =>
  `<common:external-id><common:external-id-type>${e.type}</common:external-id-type><common:external-id-value>${e.value}</common:external-id-value>${e.relationship === undefined ? '' : `<common:external-id-relationship>${e.relationship}</common:external-id-relationship>`}</common:external-id>`;

export interface WorkOptions {
  title?: string;
  type?: string;
  ids?: Id[];
  putCode?: string;
  contributorRole?: string;
}

/** A journal article with the given self ids (default: one DOI). */
export function workXml(key: string, o: WorkOptions = {}): string {
  const ids = o.ids ?? [{ type: 'doi', value: `10.5555/conf.${key}`, relationship: 'self' }];
  const contributors = o.contributorRole
    ? `<work:contributors><work:contributor><work:credit-name>Sofia Garcia</work:credit-name><work:contributor-attributes><work:contributor-sequence>first</work:contributor-sequence><work:contributor-role>${o.contributorRole}</work:contributor-role></work:contributor-attributes></work:contributor></work:contributors>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?><work:work ${NS}${o.putCode ? ` put-code="${o.putCode}"` : ''}><work:title><common:title>${o.title ?? `Conformance ${key}`}</common:title></work:title><work:journal-title>Journal of Conformance</work:journal-title><work:type>${o.type ?? 'journal-article'}</work:type><common:publication-date><common:year>2025</common:year><common:month>03</common:month></common:publication-date><common:external-ids>${ids.map(idXml).join('')}</common:external-ids>${contributors}</work:work>`;
}

export interface ReviewOptions {
  groupId?: string;
  role?: string;
  ids?: Id[];
}

export function peerReviewXml(key: string, o: ReviewOptions = {}): string {
  const ids = o.ids ?? [{ type: 'source-work-id', value: `review-${key}`, relationship: 'self' }];
  return `<?xml version="1.0" encoding="UTF-8"?><peer-review:peer-review xmlns:common="http://www.orcid.org/ns/common" xmlns:peer-review="http://www.orcid.org/ns/peer-review"><peer-review:reviewer-role>${o.role ?? 'reviewer'}</peer-review:reviewer-role><peer-review:review-identifiers>${ids.map(idXml).join('')}</peer-review:review-identifiers><peer-review:review-type>review</peer-review:review-type><peer-review:review-completion-date><common:year>2025</common:year><common:month>02</common:month></peer-review:review-completion-date><peer-review:review-group-id>${o.groupId ?? 'issn:1741-4857'}</peer-review:review-group-id><peer-review:convening-organization><common:name>Journal of Conformance</common:name><common:address><common:city>Bethesda</common:city><common:country>US</common:country></common:address><common:disambiguated-organization><common:disambiguated-organization-identifier>385488</common:disambiguated-organization-identifier><common:disambiguation-source>RINGGOLD</common:disambiguation-source></common:disambiguated-organization></peer-review:convening-organization></peer-review:peer-review>`;
}

export function serviceXml(key: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><service:service xmlns:service="http://www.orcid.org/ns/service" xmlns:common="http://www.orcid.org/ns/common"><common:role-title>Editorial board member</common:role-title><common:start-date><common:year>2024</common:year></common:start-date><common:organization><common:name>Journal of Conformance</common:name><common:address><common:city>Providence</common:city><common:country>US</common:country></common:address><common:disambiguated-organization><common:disambiguated-organization-identifier>https://ror.org/05gq02987</common:disambiguated-organization-identifier><common:disambiguation-source>ROR</common:disambiguation-source></common:disambiguated-organization></common:organization><common:external-ids>${idXml({ type: 'source-work-id', value: `service-${key}`, relationship: 'self' })}</common:external-ids></service:service>`;
}

/** Root schemas for what the API answers (orcid-model README, "Folder contents"). */
export const READ_SCHEMAS = {
  activities: 'record_3.0/activities-3.0.xsd',
  work: 'record_3.0/work-3.0.xsd',
  'peer-review': 'record_3.0/peer-review-3.0.xsd',
  service: 'record_3.0/service-3.0.xsd',
  record: 'record_3.0/record-3.0.xsd',
  error: 'record_3.0/error-3.0.xsd',
  group: 'group-id-3.0/group-id-3.0.xsd',
  bulk: 'record_3.0/bulk-3.0.xsd',
} as const;

let files: { fileName: string; contents: string }[] | null = null;

/** xmllint's messages for `xml` against `schema`; [] when valid. */
export async function xsdErrors(xml: string, schema: keyof typeof READ_SCHEMAS): Promise<string[]> {
  files ??= readdirSync(ORCID_MODEL_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(ORCID_MODEL_DIR, d.name)).filter((f) => f.endsWith('.xsd')).map((f) => ({ fileName: `/orcid/${d.name}/${f}`, contents: readFileSync(join(ORCID_MODEL_DIR, d.name, f), 'utf8') })));
  const root = files.find((f) => f.fileName === `/orcid/${READ_SCHEMAS[schema]}`)!;
  const r = await validateXML({ xml: [{ fileName: '/doc/read.xml', contents: xml }], schema: [root], preload: files.filter((f) => f !== root) });
  return r.errors.map((e) => e.message.trim());
}
