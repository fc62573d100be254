/**
 * CRediT contributor roles (https://credit.niso.org/) as ORCID 3.0 writes them. Pure.
 *
 * ORCID 3.0 accepts its legacy roles (`author` …) or the CRediT URIs
 * `http://credit.niso.org/contributor-roles/<role>/`; any other value is refused with 400, 9058
 * (../shared/orcid-model/README.md "Payload rules…", Contributor role; the list is in
 * common_3.0/common-3.0.xsd `contributor-role`). A contributor has at most one
 * `contributor-role` (contributor-attributes in work-3.0.xsd), so a person with several roles is
 * listed once per role.
 */
import { InvalidInputError } from '../errors.js';

/** The 14 CRediT roles by slug, as in common-3.0.xsd. */
export const CREDIT_ROLES = [
  'conceptualization', 'data-curation', 'formal-analysis', 'funding-acquisition', 'investigation', 'methodology',
  'project-administration', 'resources', 'software', 'supervision', 'validation', 'visualization',
  'writing-original-draft', 'writing-review-editing',
] as const;

export type CreditRole = (typeof CREDIT_ROLES)[number];

const KNOWN = new Set<string>(CREDIT_ROLES);

/**
 * ORCID's value for one CRediT role given as a term (`Writing – review & editing`), a slug
 * (`writing-review-editing`) or a URI (`https://credit.niso.org/contributor-roles/writing-review-editing/`,
 * as JATS 1.2+ `vocab-term-identifier` carries it).
 * @throws InvalidInputError naming `path` for anything that is not a CRediT role.
 * @example creditRoleUri('Formal analysis', 'author.roles[0]') // 'http://credit.niso.org/contributor-roles/formal-analysis/'
 */
export function creditRoleUri(input: unknown, path: string): string {
  if (typeof input !== 'string' || input.trim() === '') throw new InvalidInputError(path, 'must be a CRediT role');
  const uri = /^https?:\/\/credit\.niso\.org\/contributor-roles\/([a-z-]+)\/?$/i.exec(input.trim());
  const slug = uri
    ? uri[1]!.toLowerCase()
    : input
        .trim()
        .toLowerCase()
        .replace(/&/g, ' ')
        .replace(/[^a-z]+/g, '-')
        .replace(/^-|-$/g, '');
  if (!KNOWN.has(slug)) {
    throw new InvalidInputError(path, `is not a CRediT role (${JSON.stringify(input.slice(0, 60))}); use one of ${CREDIT_ROLES.join(', ')}`);
  }
  return `http://credit.niso.org/contributor-roles/${slug}/`;
}

/** The roles of one author as ORCID values, in order and without repeats; `['author']` when none are given. */
export function contributorRoles(roles: unknown, path: string): string[] {
  if (roles === undefined || roles === null) return ['author'];
  if (!Array.isArray(roles)) throw new InvalidInputError(path, 'must be an array of CRediT roles');
  const out = [...new Set(roles.map((r, i) => creditRoleUri(r, `${path}[${i}]`)))];
  return out.length === 0 ? ['author'] : out;
}
