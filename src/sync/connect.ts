import type { Directory, Ledger, Sources } from '../store/ports.js';
import type { Contributor, DesireDepositInput, Identity, ResolvedContributor, StoredArticle } from '../store/store.js';
import { isItemKind } from '../store/store.js';
import type { Article, EditorAppointment } from '../types.js';
import type { RuntimeSettings } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { buildWorkXml, workSelfExternalId } from '../orcid/work.js';
import { buildServiceXml, serviceSelfExternalId } from '../orcid/service.js';
import { depositInput, mayPost, mayPost as mayPostAny } from './deposit-input.js';
import { isEmailAddress } from '../email-address.js';
import { createPeerReviews } from './peer-reviews.js';

/**
 * Connect: turns host events into desired deposits (one per item per record). Nothing here talks
 * to ORCID; the outbox worker does, later. Every function is safe to call again with the same
 * input: an unchanged payload queues nothing.
 *
 * One pass per event (STYLE rule 19): the people of an event are resolved to identities in one
 * read, each payload is built once, and the event's deposits are desired in one transaction. An
 * `articlePublished` is at most five store round trips whatever the number of authors
 * (`bench/publish-store-calls.ts` counts them).
 */
export interface ConnectDeps {
  ledger: Ledger;
  directory: Directory;
  sources: Sources;
  settings: RuntimeSettings;
  now: () => Date;
  /**
   * Whether this journal may post with the identity's token: tokens belong to the ORCID client that
   * obtained them, and a journal posts only with its own client's (issue 19). Default: always.
   */
  postsWith?: (identity: Identity) => boolean;
}

export { mayPost };

export function createConnect({ ledger, directory, sources, settings, now, postsWith }: ConnectDeps) {
  const deposit = depositInput;
  const mayPost = (identity: Identity | null): identity is Identity => mayPostAny(identity) && (!postsWith || postsWith(identity));
  // Peer reviews follow the journal's review policy (sync/peer-reviews.ts).
  const peerReviews = createPeerReviews({ ledger, directory, sources, settings, now, mayPost });

  const orcidHost = settings.recordBase.includes('sandbox') ? 'sandbox.orcid.org' : 'orcid.org';
  function workXml(article: Omit<Article, 'jats' | 'crossref'>, retraction: { notice?: string } | null): string {
    return buildWorkXml(article as Article, { orcidHost, ...(retraction ? { retraction } : {}) });
  }

  /** The work's payload for every author, or null when the journal's policy deletes retracted works. */
  function workOf(stored: StoredArticle, built: string | null): string | null {
    if (stored.retraction !== null && settings.retractionPolicy === 'delete') return null;
    return stored.retraction === null && built !== null ? built : workXml(stored, stored.retraction);
  }

  /**
   * The work of `article` on every consenting author's record, and removed from the record of
   * anyone who is no longer an author (or unlinked): two round trips (read the deposits, write them).
   */
  async function syncArticle(stored: StoredArticle, authors: ResolvedContributor[], xml: string | null): Promise<number> {
    const externalId = workSelfExternalId(stored as Article);
    const inputs: DesireDepositInput[] = [];
    const current = new Set<string>();
    for (const { identity } of authors) {
      if (!mayPost(identity) || current.has(identity.id)) continue;
      current.add(identity.id);
      inputs.push(deposit('work', stored.id, stored.submissionId, identity, externalId, xml));
    }
    const authorsQueued = inputs.length;
    for (const d of await ledger.listDeposits({ sourceId: stored.id })) {
      if (d.kind !== 'work' || current.has(d.identityId) || d.desiredState === 'absent') continue;
      inputs.push(deposit('work', stored.id, stored.submissionId, { id: d.identityId, orcid: d.orcid }, externalId, null));
    }
    const results = await ledger.desireDeposits(inputs, now());
    // What the authors' records get; removals from former authors are not counted.
    return results.slice(0, authorsQueued).filter((r) => r.jobId && r.changed).length;
  }

  /**
   * Store the article and its authors, and queue its work for each consenting author. `built`: the
   * work XML `checkArticle` returned, so that it is built once.
   */
  async function articlePublished(article: Article, built: string = check(article)): Promise<{ queued: number; authors: ResolvedContributor[] }> {
    const stored = await sources.putArticle(article, undefined, now());
    const authors = await directory.upsertContributors(article.authors.map((a, i) => ({
      id: a.contributorId, submissionId: article.submissionId, role: i === 0 ? 'author' as const : 'coauthor' as const, keepRole: true,
      givenNames: a.givenNames, familyName: a.familyName, email: a.email,
    })), now());
    const queued = await syncArticle(stored, authors, workOf(stored, built));
    await peerReviews.articlePublished(stored);
    return { queued, authors };
  }

  /** `checkArticle` with this journal's options: the work XML as published, built once. */
  function check(article: Article): string {
    return checkArticle(article, { orcidHost });
  }

  async function articleRetracted(article: Article, notice?: string): Promise<number> {
    check(article);
    const stored = await sources.putArticle(article, { notice }, now());
    const authors = await directory.resolveContributors(article.authors.map((a) => a.contributorId));
    return syncArticle(stored, authors, workOf(stored, null));
  }

  function serviceDeposit(appointment: EditorAppointment, who: { id: string; orcid: string }): DesireDepositInput {
    const organization = appointment.organization ?? settings.convening;
    if (!organization) throw new InvalidInputError('appointment.organization', 'is required when no convening organization is configured');
    const journal = { journalTitle: settings.journal.title, journalIssn: settings.journal.issn ?? settings.journal.eissn };
    const xml = buildServiceXml(appointment, { organization, ...journal });
    const externalId = serviceSelfExternalId(appointment, journal);
    return deposit('service', `service:${externalId.value}`, null, who, externalId, xml);
  }

  /** Every problem of an appointment, before anything is stored. */
  function checkAppointment(appointment: EditorAppointment): void {
    if (!appointment || typeof appointment !== 'object') throw new InvalidInputError('appointment', 'is required');
    if (!appointment.contributorId) throw new InvalidInputError('appointment.contributorId', 'is required');
    serviceDeposit(appointment, { id: '', orcid: '' }); // built for nobody: validates the payload
  }

  async function editorAppointed(appointment: EditorAppointment): Promise<number> {
    checkAppointment(appointment);
    const { editor: _who, ...stored } = appointment; // who the editor is lives on their contributor row
    await sources.putAppointment(stored, now());
    const [editor] = await directory.resolveContributors([appointment.contributorId]);
    if (!mayPost(editor?.identity ?? null)) return 0;
    const r = await ledger.desireDeposit(serviceDeposit(appointment, editor!.identity!), now());
    return r.jobId && r.changed ? 1 : 0;
  }

  /**
   * Late consent: a person who connects gets every item they are owed, at once — three round trips
   * (their contributor rows, the sources of those, one batch of deposits).
   */
  async function backfill(identity: Identity, of?: Contributor[]): Promise<number> {
    if (!mayPost(identity)) return 0;
    // `of`: the identity's slots in this journal, when the caller split them by journal.
    const contributors = of ?? await directory.listContributorsByIdentity(identity.id);
    if (contributors.length === 0) return 0;
    const mine = new Set(contributors.map((c) => c.id));
    const found = await sources.sourcesOfContributors(contributors);
    const inputs: DesireDepositInput[] = [];
    for (const stored of found.articles) {
      if (!stored.authors.some((a) => mine.has(a.contributorId))) continue;
      inputs.push(deposit('work', stored.id, stored.submissionId, identity, workSelfExternalId(stored as Article), workOf(stored, null)));
    }
    inputs.push(...peerReviews.backfill(found.reviews, found.articles, identity));
    for (const appointment of found.appointments) inputs.push(serviceDeposit(appointment, identity));
    const results = await ledger.desireDeposits(inputs, now());
    return results.filter((r) => r.jobId && r.changed).length;
  }

  /** The researcher unlinked: remove our items (or keep them) by the journal's policy. */
  async function unlinkDeposits(identity: Identity): Promise<number> {
    if (settings.unlinkPolicy === 'keep') return 0;
    const inputs: DesireDepositInput[] = [];
    for (const d of await ledger.listDeposits({ identityId: identity.id })) {
      if (!isItemKind(d.kind) || d.desiredState === 'absent') continue;
      inputs.push(deposit(d.kind, d.sourceId, d.submissionId, identity, { type: d.externalIdType, value: d.externalIdValue }, null));
    }
    return (await ledger.desireDeposits(inputs, now())).filter((r) => r.jobId).length;
  }

  /** "Send again" after the researcher removed an item: clear the put-code and post anew. */
  async function sendAgain(depositKey: string): Promise<boolean> {
    const d = await ledger.getDeposit(depositKey);
    if (!d || d.desiredState !== 'present' || !isItemKind(d.kind)) return false;
    await ledger.desireDeposit(
      {
        key: d.key, kind: d.kind, identityId: d.identityId, orcid: d.orcid, sourceId: d.sourceId,
        submissionId: d.submissionId, externalIdType: d.externalIdType, externalIdValue: d.externalIdValue,
        desiredState: 'present', payload: d.payload, payloadHash: d.payloadHash, force: true,
      },
      now(),
    );
    return true;
  }

  return { checkArticle: check, articlePublished, articleRetracted, reviewCompleted: peerReviews.reviewCompleted, editorAppointed, checkAppointment,
    editorTermEnded: editorAppointed, backfill, unlinkDeposits, sendAgain, groupIdFor: peerReviews.groupIdFor };
}

export type Connect = ReturnType<typeof createConnect>;

/**
 * Every problem of a host article, thrown as InvalidInputError naming the field, before anything is
 * stored. Returns the work XML it built (without a retraction), so that publishing builds it once.
 */
export function checkArticle(article: Article, options: Parameters<typeof buildWorkXml>[1] = {}): string {
  if (!article || typeof article !== 'object') throw new InvalidInputError('article', 'is required');
  if (typeof article.id !== 'string' || !article.id) throw new InvalidInputError('article.id', 'is required');
  if (typeof article.submissionId !== 'string' || !article.submissionId) throw new InvalidInputError('article.submissionId', 'is required');
  if (!Array.isArray(article.authors)) throw new InvalidInputError('article.authors', 'must be an array');
  article.authors.forEach((a, i) => {
    if (!a || typeof a.contributorId !== 'string' || !a.contributorId) throw new InvalidInputError(`article.authors[${i}].contributorId`, 'is required');
    if (a.email !== undefined && a.email !== null && !isEmailAddress(a.email)) throw new InvalidInputError(`article.authors[${i}].email`, 'is not one email address');
  });
  return buildWorkXml(article, options);
}
