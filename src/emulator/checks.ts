import { ERR } from './errors.js';
import type { ItemModel } from './items.js';
import type { ExternalId, Section } from './state.js';

/**
 * ORCID's server-side checks on incoming activities, the ones its XSD cannot make (the XSD types
 * these values as plain strings; ORCID validates them in code). Source of every rule:
 * ../shared/orcid-model/README.md, "Payload rules that the XSD does not enforce".
 */

export interface CheckFailure {
  status: 400;
  code: number;
  message: string;
}

/** Work types ORCID accepts in v3.0 (9037; the `bulk-work-err.xml` read sample). */
export const WORK_TYPES = new Set(
  ('annotation artistic-performance book-chapter book-review book conference-abstract conference-paper conference-poster ' +
    'data-set data-management-plan dictionary-entry disclosure dissertation-thesis dissertation edited-book encyclopedia-entry ' +
    'invention journal-article journal-issue lecture-speech license magazine-article manual newsletter-article ' +
    'newspaper-article online-resource other patent physical-object preprint registered-copyright report research-protocol ' +
    'research-technique research-tool review software spin-off-company standards-and-policy supervised-student-publication ' +
    'technical-standard test trademark translation website working-paper undefined').split(' '),
);

/**
 * ORCID's identifier types (`https://pub.orcid.org/v3.0/identifiers`, which cannot be fetched
 * offline): the list as we know it. Any other `external-id-type` → 400, 9023.
 */
export const EXTERNAL_ID_TYPES = new Set(
  ('agr ark arxiv asin asin-tld authenticusid bibcode cba cienciaiul cit ctx dnb doi eid emdb empiar ethos grant_number ' +
    'hal handle hir isbn ismn issn jfm jstor k10plus kuid lccn lensid mr oclc ol osti other-id pat pdb pmc pmid ppr ' +
    'proposal-id rfc rrid source-work-id ssrn swh uri urn wosuid zbl').split(' '),
);

export const RELATIONSHIPS = new Set(['self', 'part-of', 'version-of', 'funded-by']);
export const REVIEWER_ROLES = new Set(['reviewer', 'editor', 'member', 'chair', 'organizer']);
export const REVIEW_TYPES = new Set(['review', 'evaluation']);
export const SUBJECT_TYPES = new Set([...WORK_TYPES, 'award', 'contract', 'grant', 'salary-award', 'research-resource-proposal']);
export const SEQUENCES = new Set(['first', 'additional']);
const LEGACY_ROLES = ['author', 'assignee', 'editor', 'chair-or-translator', 'co-investigator', 'co-inventor', 'graduate-student', 'other-inventor', 'principal-investigator', 'postdoctoral-researcher', 'support-staff'];
const CREDIT_ROLES = ['conceptualization', 'data-curation', 'formal-analysis', 'funding-acquisition', 'investigation', 'methodology', 'project-administration', 'resources', 'software', 'supervision', 'validation', 'visualization', 'writing-original-draft', 'writing-review-editing'];
/** Contributor roles: the legacy values or CRediT URIs; anything else → 400, 9058. */
export const CONTRIBUTOR_ROLES = new Set([...LEGACY_ROLES, ...CREDIT_ROLES.map((r) => `http://credit.niso.org/contributor-roles/${r}/`)]);

const fail = (code: number, message: string): CheckFailure => ({ status: 400, code, message });

function enumProblem(what: string, value: string | undefined, allowed: Set<string>): CheckFailure | null {
  if (value === undefined || allowed.has(value)) return null;
  return fail(ERR.invalidEnum, `Invalid ${what} value '${value}'. Valid values are: ${[...allowed].join(', ')}.`);
}

function externalIdProblem(ids: ExternalId[]): CheckFailure | null {
  for (const e of ids) {
    if (!EXTERNAL_ID_TYPES.has(e.type)) return fail(ERR.externalId, `Invalid external-id: type '${e.type}' is not in ORCID's list of identifier types.`);
    const bad = enumProblem('relationship', e.relationship, RELATIONSHIPS);
    if (bad) return bad;
  }
  return null;
}

/** The first rule `model` breaks, or null. */
export function checkModel(section: Section, m: ItemModel): CheckFailure | null {
  const all = [...m.externalIds, ...(m.subjectExternalId ? [m.subjectExternalId] : [])];
  const idProblem = externalIdProblem(all);
  if (idProblem) return idProblem;
  const selfCount = m.externalIds.filter((e) => e.relationship === 'self').length;
  if (section === 'work') {
    if (!m.title) return fail(ERR.titleMissing, 'Title field is required.');
    if (!WORK_TYPES.has(m.type)) return fail(ERR.workType, `Invalid work type ${JSON.stringify(m.type)}, valid values are: ${[...WORK_TYPES].join(', ')}.`);
    if (selfCount === 0) return fail(ERR.externalId, "Invalid external-id: At least one identifier with 'self' relationship is required.");
    for (const c of m.contributors) {
      const seq = enumProblem('contributor-sequence', c.sequence, SEQUENCES);
      if (seq) return seq;
      if (c.role !== undefined && !CONTRIBUTOR_ROLES.has(c.role)) return fail(ERR.contributorRole, `Invalid contributor role '${c.role}': use a legacy role or a CRediT URI.`);
    }
  }
  if (section === 'peer-review') {
    for (const p of [enumProblem('reviewer-role', m.reviewerRole, REVIEWER_ROLES), enumProblem('review-type', m.type, REVIEW_TYPES), enumProblem('subject-type', m.subjectType, SUBJECT_TYPES)]) if (p) return p;
    if (m.externalIds.some((e) => e.relationship === 'version-of') && selfCount === 0) return fail(ERR.externalId, "Invalid external-id: a 'version-of' identifier needs a 'self' identifier too.");
  }
  return null;
}

/** `issn:1234-567X` (check digit valid) → the normalized ISSN; null when it is not a valid ISSN. */
export function validIssn(groupIdValue: string): string | null {
  const s = groupIdValue.trim().toUpperCase().replace('-', '');
  if (!/^\d{7}[\dX]$/.test(s)) return null;
  const sum = [...s.slice(0, 7)].reduce((acc, d, i) => acc + Number(d) * (8 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  if ((check === 10 ? 'X' : String(check)) !== s[7]) return null;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}
