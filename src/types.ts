/**
 * Public types of koa-orcid-connect: the host events and the shapes the plugin returns.
 *
 * Glossary
 * - work: an item in the "Works" section of an ORCID record (our article).
 * - peer-review: an item in the "Peer review" section (a completed review, grouped by journal).
 * - service: an item in "Professional activities" (an editorial role at the journal).
 * - put-code: ORCID's id of an item on a record.
 * - outbox item / job: a durable request to bring one item on one record to the state we want.
 * - attempt: one try of a job against ORCID.
 */

/** The journal as it appears in payloads. */
export interface JournalInfo {
  title: string;
  /** Print ISSN, `1234-5678`. */
  issn?: string;
  /** Electronic ISSN. */
  eissn?: string;
}

/**
 * What the journal's review model lets a peer-review item on ORCID reveal (docs/peer-review.md).
 * - `blind`: single- or double-blind review. The journal, the role, the review type and the
 *   completion date; never the manuscript's title, DOI or URL, nor the review's.
 * - `open-identities`: as blind until the article is published; then its title, DOI and URL.
 * - `open-review`: as open-identities, and the review's own URL and DOI once the article is published.
 */
export type ReviewPolicy = 'blind' | 'open-identities' | 'open-review';

/** An organization with a disambiguated identifier, as ORCID requires for peer reviews and services. */
export interface Organization {
  name: string;
  city: string;
  region?: string;
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
  /** The organization identifier, e.g. `https://ror.org/04fa4r544`, a GRID id or a Ringgold number. */
  disambiguatedId: string;
  disambiguationSource: 'ROR' | 'GRID' | 'RINGGOLD' | 'LEI' | 'FUNDREF';
}

export interface ArticleAuthor {
  /** The host's id of this contributor (the same across submission, review and publication). */
  contributorId: string;
  givenNames: string;
  familyName: string;
  email?: string;
  /** 1-based position in the author list. */
  sequence: number;
  /**
   * CRediT contributor roles (https://credit.niso.org/), e.g. from JATS `<role vocab="credit">`:
   * the term (`Writing – original draft`), its slug (`writing-original-draft`) or its URI. Each is
   * written as ORCID 3.0's CRediT role URI; default: the single role `author`.
   */
  roles?: string[];
}

/** `articlePublished`, `articleUpdated`, `articleRetracted` input. */
export interface Article {
  /** The journal (`orcid.journals`) this belongs to. Default: the submission's journal, else `default`. */
  journalId?: string;
  id: string;
  submissionId: string;
  /** `10.1234/abcd` (no `https://doi.org/` prefix needed; either form is accepted). */
  doi?: string;
  title: string;
  subtitle?: string;
  /** The title in another language, written as ORCID's `translated-title`; `language` is an ISO 639-1 code (`fr`, `zh-Hant`). */
  translatedTitle?: { text: string; language: string };
  abstract?: string;
  /** ISO 639-1 code, e.g. `en`. */
  language?: string;
  /** The article's landing page. */
  url: string;
  /** ISO date (`2024-05-01`) or Date. */
  publishedAt: string | Date;
  /**
   * The title is optional here, as `journal-title` is in ORCID's work (work-3.0.xsd); a journal
   * without a title needs an ISSN, which then names it. Default: the configured journal.
   */
  journal?: Omit<JournalInfo, 'title'> & { title?: string };
  volume?: string;
  issue?: string;
  pages?: string;
  authors: ArticleAuthor[];
  /** The article's JATS XML; when given, `articlePublished` returns it with iDs embedded. */
  jats?: string;
  /** The article's Crossref deposit XML; when given, returned with iDs embedded. */
  crossref?: string;
}

/** `reviewCompleted` input. */
export interface Review {
  /** The journal (`orcid.journals`) this belongs to. Default: the submission's journal, else `default`. */
  journalId?: string;
  id: string;
  submissionId: string;
  reviewerContributorId: string;
  completedAt: string | Date;
  /** DOI of the published review, if the journal publishes reviews. */
  reviewDoi?: string;
  /** Public URL of the review (open review). */
  reviewUrl?: string;
  /** DOI of the reviewed article (the review's subject); posted only as `journal.reviewPolicy` allows. */
  articleDoi?: string;
  /** The reviewed article's landing page (`subject-url`); posted only as `journal.reviewPolicy` allows. */
  articleUrl?: string;
  /** Posted only as `journal.reviewPolicy` allows: never while the manuscript is unpublished. */
  manuscriptTitle?: string;
  /** Default: the configured journal. */
  journal?: JournalInfo;
  /** Default `review`. */
  type?: 'review' | 'evaluation';
}

/** `editorAppointed` / `editorTermEnded` input. */
export interface EditorAppointment {
  /** The journal (`orcid.journals`) of the appointment. Default `default`. */
  journalId?: string;
  contributorId: string;
  /** e.g. `Handling Editor`. */
  role: string;
  /** Defaults to the configured convening organization. */
  organization?: Organization;
  startDate: string | Date;
  endDate?: string | Date;
  /**
   * Who the editor is, so that one who never connected can be invited (`email`) or recognised
   * (`hostUserId`). Needed the first time the plugin hears of `contributorId`; later calls may leave it out.
   */
  editor?: Omit<SubmissionContributor, 'contributorId' | 'role' | 'orcid'>;
}

/** What `editorAppointed` did. */
export interface EditorAppointedResult {
  /** Items queued for ORCID (1 when the editor is connected and the service is new or changed). */
  queued: number;
  /** An invitation email went out now. */
  invited: boolean;
  /** Linked at once: their host user had already connected a working iD. */
  recognised: boolean;
  /**
   * Until they connect: the editor's own link (`<mount>/connect?role=editor&contributor=…`), for the
   * host to show them when signed in. Null once they are connected.
   */
  connectUrl: string | null;
}

export interface SubmissionContributor {
  contributorId: string;
  role: 'author' | 'coauthor' | 'reviewer' | 'editor';
  givenNames: string;
  familyName: string;
  email?: string;
  /** `en` or `zh-Hans`; picks the template language. */
  locale?: string;
  /** The host's user id, when the person has an account on the host. */
  hostUserId?: string;
  /** An iD typed by hand (never shown as authenticated). */
  orcid?: string;
}

/** `submissionCreated` input. */
export interface Submission {
  /** The journal (`orcid.journals`) the submission belongs to, kept from its first event. Default `default`. */
  journalId?: string;
  id: string;
  title: string;
  contributors: SubmissionContributor[];
}

/** `reviewerAssigned` input. */
export interface ReviewerAssignment {
  /** The journal (`orcid.journals`) this belongs to. Default: the submission's journal, else `default`. */
  journalId?: string;
  submissionId: string;
  manuscriptTitle?: string;
  reviewer: Omit<SubmissionContributor, 'role'>;
}

/** Which contributor a JATS/Crossref embedding works with. */
export interface EmbedContributor {
  givenNames: string;
  familyName: string;
  email?: string;
  /** Any form `parseOrcidId` accepts. */
  orcid: string;
  /** True only for iDs collected through OAuth. */
  authenticated: boolean;
}

/** `connectedAs(…)`: the iD a researcher connected, for the host's "Connected as …" line. */
export interface ConnectedAs {
  /** `0000-0002-1825-0097`. */
  orcid: string;
  /** `https://orcid.org/0000-0002-1825-0097` (the environment's host). */
  uri: string;
  /** The name ORCID returned when they connected; null when their record keeps it private. */
  name: string | null;
  /** The scopes they granted, e.g. `['/authenticate', '/activities/update']`. */
  scopes: string[];
  /** Whether we may add items to their record (`/activities/update` granted). */
  canUpdate: boolean;
  /** The plugin page where they see what the journal holds for them and can unlink (`<mount>/me`). */
  manageUrl: string;
  /** The iD badge followed by a link to `manageUrl`, as HTML (escaped), for the host's page. */
  html: string;
}

/**
 * A journal served by the plugin, as the host gives it (the `journals` setting, `orcid.journals.upsert`,
 * `koa-orcid-connect journals upsert`). Fields left out take the global setting of the same name.
 * @example
 * { id: 'jex', title: 'Journal of Examples', issn: '0317-8471', languages: ['en'], locale: 'en',
 *   reviewPolicy: 'open-identities', credentialsId: 'publisher-a' }
 */
export interface JournalSettings {
  /** Letters, digits, `_` and `-`; host events and routes name the journal by it. */
  id: string;
  title: string;
  /** Print ISSN, `1234-567X` (check digit verified). */
  issn?: string;
  /** Electronic ISSN. */
  eissn?: string;
  publisher?: string;
  /** Languages the journal publishes in (BCP 47). Default: `[locale]`. */
  languages?: string[];
  /** Default locale of its pages and emails. Default: the `locale` setting. */
  locale?: 'en' | 'zh-Hans';
  /** Default: `journal.reviewPolicy`. */
  reviewPolicy?: ReviewPolicy;
  /** Default: `issn:<issn or eissn>`, else `peerReviews.groupId` for the default journal. */
  peerReviewGroupId?: string;
  /** Default: the `convening` setting. */
  convening?: Organization;
  /** Default: the `policies` settings. */
  policies?: { retraction?: 'update' | 'delete'; unlink?: 'delete' | 'keep' };
  /** Default: the `invitations` settings. */
  invitations?: { expiryDays?: number; reminderDays?: number };
  /** Templates (`en/`, `zh-Hans/`) overriding the built-in ones for this journal (invitation wording, pages). */
  templatesDir?: string;
  /** The ORCID credentials record it posts with; `default` is the `orcid.*` settings. */
  credentialsId: string;
}

/** An ORCID member client, as the host gives it (the `orcidCredentials` setting). Secrets are sealed at rest. */
export interface OrcidCredentialsSettings {
  id: string;
  /**
   * Default: `orcid.env`, which it must be: the worker posts to one ORCID environment, at `orcid.baseUrl`
   * (the OAuth endpoints there take each record's own id and secret).
   */
  env?: 'production' | 'sandbox' | 'emulator';
  clientId: string;
  clientSecret: string;
  /** Default `false`. */
  premium?: boolean;
  /** The Premium webhook secret. */
  webhookSecret?: string;
}
