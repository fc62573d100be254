/**
 * fast-check generators of host inputs for the payload builders: unicode and very long text,
 * optional fields present or missing, 0 to many authors.
 */
import fc from 'fast-check';
import type { Article, ArticleAuthor, EditorAppointment, JournalInfo, Organization, Review } from '../../src/types.js';
import { issnCheckDigit } from '../../src/orcid/payload-common.js';

/** Any text, including astral characters, XML specials and control characters (stripped by the builders). */
const anyText = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: fc.constantFrom('a', ' ', '<', '&', '"', 'é', 'Ж', '李', '😀', '\u0007', '\n', '<b>', '&amp;'), maxLength }),
  );

/** Text with at least one visible character, sometimes far over ORCID's 1000-character limit. */
export const someText = (maxLength = 60): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('A', 'Ж', '李', '😀', 'é'), anyText(maxLength), fc.boolean())
    .map(([first, rest, huge]) => (huge ? first + rest + '😀x'.repeat(800) : first + rest));

// Valid ISSNs (check digit per ISO 3297), with or without the hyphen, `x` in either case.
export const issn = fc.tuple(fc.integer({ min: 0, max: 9_999_999 }), fc.boolean(), fc.boolean()).map(([n, hyphen, lower]) => {
  const d = String(n).padStart(7, '0');
  const c = issnCheckDigit(d);
  return `${d.slice(0, 4)}${hyphen ? '-' : ''}${d.slice(4)}${lower ? c.toLowerCase() : c}`;
});

export const doi = fc
  .tuple(fc.integer({ min: 1000, max: 999_999_999 }), fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', '-', '(', ')', ';', '<', '>', '/', 'é'), minLength: 1, maxLength: 30 }), fc.constantFrom('', 'https://doi.org/', 'doi:', 'DOI: '))
  .map(([prefix, suffix, scheme]) => `${scheme}10.${prefix}/x${suffix}`);

export const isoDate = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true });

/** A date as a host passes it: Date, `yyyy-mm-dd`, `yyyy-mm` or `yyyy`. */
export const hostDate = fc.tuple(isoDate, fc.constantFrom('date', 'day', 'month', 'year')).map(([d, form]): string | Date => {
  const iso = d.toISOString();
  return form === 'date' ? d : form === 'day' ? iso.slice(0, 10) : form === 'month' ? iso.slice(0, 7) : iso.slice(0, 4);
});

export const journal: fc.Arbitrary<JournalInfo> = fc.record(
  { title: someText(), issn, eissn: issn },
  { requiredKeys: ['title'] },
);

export const organization: fc.Arbitrary<Organization> = fc.record(
  {
    name: someText(),
    city: someText(20),
    region: someText(20),
    country: fc.constantFrom('GB', 'US', 'CN', 'BR', 'de'),
    disambiguatedId: fc.constantFrom('https://ror.org/052gg0110', '052gg0110', '385488', 'grid.4991.5'),
    disambiguationSource: fc.constantFrom('ROR', 'GRID', 'RINGGOLD', 'LEI', 'FUNDREF') as fc.Arbitrary<Organization['disambiguationSource']>,
  },
  { requiredKeys: ['name', 'city', 'country', 'disambiguatedId', 'disambiguationSource'] },
);

const author = (i: number): fc.Arbitrary<ArticleAuthor> =>
  fc.record({ givenNames: anyText(30), familyName: someText(30) }).map((n) => ({ contributorId: `c-${i}`, sequence: i + 1, ...n }));

export const authors: fc.Arbitrary<ArticleAuthor[]> = fc
  .oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 90, max: 160 }) })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => author(i))));

export const article: fc.Arbitrary<Article> = fc.record(
  {
    id: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/),
    submissionId: fc.constant('s-1'),
    doi,
    title: someText(),
    subtitle: anyText(40),
    abstract: someText(300),
    language: fc.constantFrom('en', 'fr', 'zh-Hant', 'zh-Hans', 'he', 'pt_BR', 'xx', 'EN-us', ''),
    url: fc.webUrl(),
    publishedAt: hostDate,
    journal,
    authors,
  },
  { requiredKeys: ['id', 'submissionId', 'title', 'url', 'publishedAt', 'journal', 'authors'] },
);

export const review: fc.Arbitrary<Review> = fc.record(
  {
    id: fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/),
    submissionId: fc.constant('s-1'),
    reviewerContributorId: fc.constant('c-9'),
    completedAt: hostDate,
    reviewDoi: doi,
    reviewUrl: fc.webUrl(),
    articleDoi: doi,
    manuscriptTitle: anyText(80),
    journal,
    type: fc.constantFrom('review', 'evaluation') as fc.Arbitrary<'review' | 'evaluation'>,
  },
  { requiredKeys: ['id', 'submissionId', 'reviewerContributorId', 'completedAt', 'journal'] },
);

/** An appointment whose end date (when present) is not before its start date. */
export const appointment: fc.Arbitrary<EditorAppointment> = fc
  .tuple(isoDate, fc.option(fc.integer({ min: 0, max: 3650 }), { nil: undefined }), someText(40), fc.option(organization, { nil: undefined }))
  .map(([start, days, role, org]) => {
    const end = days === undefined ? undefined : new Date(Math.min(start.getTime() + days * 86_400_000, Date.UTC(2100, 11, 31)));
    return {
      contributorId: 'ed-1',
      role,
      startDate: start.toISOString().slice(0, 10),
      ...(end === undefined ? {} : { endDate: end }),
      ...(org === undefined ? {} : { organization: org }),
    };
  });
