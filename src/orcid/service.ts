/**
 * Editorial appointment → ORCID v3.0 `service` XML (an affiliation in "Professional activities"), pure.
 * Element order follows `common:affiliation` in `vendor/orcid-model/common_3.0/common-3.0.xsd`;
 * namespaces follow the official sample `write_samples/service-3.0.xml`.
 */
import { InvalidInputError } from '../errors.js';
import type { EditorAppointment, Organization } from '../types.js';
import {
  LIMITS,
  addExternalIds,
  addFuzzyDate,
  addOrganization,
  cleanRequired,
  requiredId,
  el,
  fuzzyDate,
  fuzzyDateKey,
  httpUrl,
  journalKey,
  orcidRoot,
  payloadHash,
  serialize,
  type ExternalId,
} from './payload-common.js';

export interface ServiceOptions {
  /** The organization the service is for (the publisher); `appointment.organization` wins when set. */
  organization: Organization;
  /** Written as the department: the editorial board the role belongs to. */
  journalTitle: string;
  /** Print or electronic ISSN; keys the self external id when given (else the title is). */
  journalIssn?: string;
  /** Set when updating an item ORCID already holds. */
  putCode?: string;
  /** e.g. the journal's editorial board page. */
  url?: string;
}

/**
 * The self external id that names an appointment on a record: `source-work-id`
 * `<journal key>:editor:<contributor id>:<role slug>:<start date>`. The end date is left out so that
 * ending a term updates the same item.
 */
export function serviceSelfExternalId(appointment: EditorAppointment, journal: { journalTitle: string; journalIssn?: string }): ExternalId {
  const contributorId = requiredId(appointment?.contributorId, 200, 'appointment.contributorId');
  const role = roleSlug(cleanRequired(appointment.role, LIMITS.longText, 'appointment.role'));
  const start = fuzzyDateKey(fuzzyDate(appointment.startDate, 'appointment.startDate'));
  const key = journalKey({ title: journal.journalTitle, issn: journal.journalIssn }, 'options.journal');
  return { type: 'source-work-id', value: `${key}:editor:${contributorId}:${role}:${start}`, relationship: 'self' };
}

/**
 * The role as a slug for the id; a long one keeps 180 characters and a hash of the whole role, so
 * two long roles that start alike never share an id (the role is text, not an id, so it is not refused).
 */
function roleSlug(role: string): string {
  const slug = role.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '');
  return slug.length > 200 ? `${slug.slice(0, 180).replace(/-$/, '')}-${payloadHash(role).slice(0, 12)}` : slug;
}

/**
 * Build the ORCID `service` for an editorial appointment: department = journal title,
 * role-title = the role (ORCID shows them as "Role (Department)" under the organization).
 * @throws InvalidInputError naming the field (`appointment.startDate`, `options.organization`, …).
 * @example buildServiceXml({ contributorId: 'u1', role: 'Handling Editor', startDate: '2024-01-01' }, { organization, journalTitle: 'J' })
 */
export function buildServiceXml(appointment: EditorAppointment, options: ServiceOptions): string {
  if (appointment === null || typeof appointment !== 'object') throw new InvalidInputError('appointment', 'is required');
  if (options === undefined || options === null) throw new InvalidInputError('options', 'is required');
  const journalTitle = cleanRequired(options.journalTitle, LIMITS.longText, 'options.journalTitle');
  const role = cleanRequired(appointment.role, LIMITS.longText, 'appointment.role');
  const selfId = serviceSelfExternalId(appointment, options);
  const start = fuzzyDate(appointment.startDate, 'appointment.startDate');
  const end = appointment.endDate === undefined || appointment.endDate === null ? undefined : fuzzyDate(appointment.endDate, 'appointment.endDate');
  if (end !== undefined && compareFuzzy(end, start) < 0) throw new InvalidInputError('appointment.endDate', 'is before appointment.startDate');
  const url = options.url?.trim() ? httpUrl(options.url, 'options.url') : undefined;
  const organization = appointment.organization ?? options.organization;
  const orgPath = appointment.organization ? 'appointment.organization' : 'options.organization';

  const root = orcidRoot('service', 'service', options.putCode);
  el(root, 'common', 'department-name', journalTitle);
  el(root, 'common', 'role-title', role);
  addFuzzyDate(root, 'common', 'start-date', start);
  if (end !== undefined) addFuzzyDate(root, 'common', 'end-date', end);
  addOrganization(root, 'common', 'organization', organization, orgPath);
  if (url !== undefined) el(root, 'common', 'url', url);
  addExternalIds(root, 'common', 'external-ids', [selfId]);
  return serialize(root);
}

/** Compares at the precision both dates share (`2024` is not before `2024-05`). */
function compareFuzzy(a: { year: string; month?: string; day?: string }, b: { year: string; month?: string; day?: string }): number {
  const pairs: [string | undefined, string | undefined][] = [[a.year, b.year], [a.month, b.month], [a.day, b.day]];
  for (const [x, y] of pairs) {
    if (x === undefined || y === undefined) return 0;
    if (x !== y) return Number(x) - Number(y);
  }
  return 0;
}
