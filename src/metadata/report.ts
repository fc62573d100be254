/**
 * What an embedding did, and the options that steer it: the public shapes of the JATS and
 * Crossref embedders (re-exported by match.ts and the package root).
 */

export type MatchVia = 'email' | 'corresp-email' | 'name' | 'initials';

/** How a contributor is named in report entries. */
export interface ReportContributor {
  givenNames: string;
  familyName: string;
  orcid: string;
}

export interface ReportEntry {
  contributor: ReportContributor;
  scope: string;
  /** Line and column (1-based) of the `<contrib>` / `<person_name>` start tag in the input. */
  line: number;
  column: number;
  /** What matched: `email`, `corresp-email`, `name`, `initials`. */
  via: MatchVia;
}

export interface ReplacedEntry extends ReportEntry {
  /** The value of the element that was replaced. */
  previous: string;
}

export interface AmbiguousEntry {
  contributor: ReportContributor;
  scope: string;
  /** Where every element involved starts, as `line:column`. */
  at: string[];
  reason: 'several-elements-match' | 'element-matches-several-contributors';
}

/** A same-iD element made more precise, never otherwise changed (`upgraded`). */
export interface UpgradedEntry extends ReportEntry {
  /** The value as the element held it. */
  previous: string;
  /**
   * What changed: `authenticated` — the attribute was added (or set to `true`), nothing else;
   * `id-form` — the value was rewritten to `https://orcid.org/…` (only with `normalizeIdForm`).
   */
  changes: ('authenticated' | 'id-form')[];
}

/** A different iD left in place under `onConflict: 'keep-and-report'`. */
export interface KeptEntry extends ReportEntry {
  /** The value the element holds (and still holds). */
  existing: string;
}

export interface EmbedReport {
  inserted: ReportEntry[];
  /** A different iD was there and was replaced (`onConflict: 'replace'`, the default). */
  replaced: ReplacedEntry[];
  /** The same iD was there and got `authenticated="true"` (and, on request, the `https://orcid.org/` form). */
  upgraded: UpgradedEntry[];
  unchanged: ReportEntry[];
  /** A different iD was there and was kept (`onConflict: 'keep-and-report'`). */
  kept: KeptEntry[];
  ambiguous: AmbiguousEntry[];
  unmatched: { contributor: ReportContributor }[];
  /** Contributors left out because `onlyAuthenticated` was set and they were not authenticated. */
  skipped: { contributor: ReportContributor; reason: 'not-authenticated' }[];
}

/**
 * What to do when a matched element already holds a *different* iD:
 * `replace` it (reported under `replaced`, with the old value), `keep-and-report` it (under `kept`),
 * or throw `EmbedConflictError` (`EMBED_CONFLICT`, listing every conflict) and embed nothing.
 */
export type EmbedConflictPolicy = 'replace' | 'keep-and-report' | 'error';

export interface EmbedOptions {
  /** Leave out contributors whose iD was not collected through OAuth. Default: false (embed them without `authenticated`). */
  onlyAuthenticated?: boolean;
  /** A matched element that holds a different iD. Default: `'replace'`. */
  onConflict?: EmbedConflictPolicy;
  /**
   * Rewrite the value of an element that already holds the same iD to `https://orcid.org/…`.
   * Default: false — such an element only gets `authenticated="true"` added, its value kept as
   * written, because publishers' validators differ on the form (SciELO's packtools rejects a URL).
   */
  normalizeIdForm?: boolean;
}

/** What an embedder returns for a string input. */
export interface EmbedResult {
  xml: string;
  report: EmbedReport;
}

export function emptyReport(): EmbedReport {
  return { inserted: [], replaced: [], upgraded: [], unchanged: [], kept: [], ambiguous: [], unmatched: [], skipped: [] };
}
