import type { Contributor, DepositKind, Identity, Store } from '../store/store.js';
import type { Article, EditorAppointment, Review } from '../types.js';
import type { RuntimeSettings } from '../context.js';
import { InvalidInputError } from '../errors.js';
import { buildWorkXml, workSelfExternalId } from '../orcid/work.js';
import { buildPeerReviewXml, peerReviewSelfExternalId, journalGroupId } from '../orcid/peer-review.js';
import { buildServiceXml, serviceSelfExternalId } from '../orcid/service.js';
import { payloadHash } from '../orcid/payload-common.js';
import { sources } from './sources.js';

/**
 * Connect: turns host events into desired deposits (one per item per record). Nothing here talks
 * to ORCID; the outbox worker does, later. Every function is safe to call again with the same
 * input: an unchanged payload queues nothing.
 */
export interface ConnectDeps {
  store: Store;
  settings: RuntimeSettings;
  now: () => Date;
}

const ACTIVITIES_UPDATE = '/activities/update';

/** An identity that may receive items: linked, authenticated, and granted /activities/update. */
export function mayPost(identity: Identity | null): identity is Identity {
  return !!identity && identity.status === 'linked' && identity.scopes.includes(ACTIVITIES_UPDATE);
}

export function createConnect({ store, settings, now }: ConnectDeps) {
  const src = sources(store);

  async function identityOf(contributor: Contributor | null): Promise<Identity | null> {
    if (!contributor?.identityId) return null;
    return store.getIdentity(contributor.identityId);
  }

  async function desire(kind: DepositKind, sourceId: string, submissionId: string | null, identity: Identity,
    externalId: { type: string; value: string }, xml: string | null) {
    const key = `${kind}:${sourceId}:${identity.orcid}`;
    return store.desireDeposit(
      {
        key,
        kind,
        identityId: identity.id,
        orcid: identity.orcid,
        sourceId,
        submissionId,
        externalIdType: externalId.type,
        externalIdValue: externalId.value,
        desiredState: xml === null ? 'absent' : 'present',
        payload: xml,
        payloadHash: xml === null ? null : payloadHash(xml),
      },
      now(),
    );
  }

  function workXml(article: Article, retraction: { notice?: string } | null): string {
    return buildWorkXml(article, {
      orcidHost: settings.recordBase.includes('sandbox') ? 'sandbox.orcid.org' : 'orcid.org',
      ...(retraction ? { retraction } : {}),
    });
  }

  /** Queue (or update) the work of `article` on every consenting author's record. */
  async function syncArticle(article: Article): Promise<number> {
    const stored = await src.getArticle(article.id);
    const retraction = stored?.retraction ?? null;
    const deleteAll = retraction !== null && settings.retractionPolicy === 'delete';
    const externalId = workSelfExternalId(article);
    const xml = deleteAll ? null : workXml(article, retraction);
    let queued = 0;
    const current = new Set<string>();
    for (const author of article.authors) {
      const identity = await identityOf(await store.getContributor(author.contributorId));
      if (!mayPost(identity)) continue;
      current.add(identity.id);
      const r = await desire('work', article.id, article.submissionId, identity, externalId, xml);
      if (r.jobId && r.changed) queued++;
    }
    // Authors removed from the article (or who unlinked) get the work removed from their record.
    for (const d of await store.listDeposits({ sourceId: article.id })) {
      if (d.kind !== 'work' || current.has(d.identityId) || d.desiredState === 'absent') continue;
      const identity = await store.getIdentity(d.identityId);
      if (identity) await desire('work', article.id, article.submissionId, identity, externalId, null);
    }
    return queued;
  }

  async function articlePublished(article: Article): Promise<number> {
    checkArticle(article);
    await ensureContributors(article);
    await src.putArticle(article, null);
    return syncArticle(article);
  }

  async function articleRetracted(article: Article, notice?: string): Promise<number> {
    checkArticle(article);
    await src.putArticle(article, { notice });
    return syncArticle(article);
  }

  async function ensureContributors(article: Article) {
    for (const [i, a] of article.authors.entries()) {
      const existing = await store.getContributor(a.contributorId);
      await store.upsertContributor(
        {
          id: a.contributorId,
          submissionId: article.submissionId,
          role: existing?.role ?? (i === 0 ? 'author' : 'coauthor'),
          givenNames: a.givenNames,
          familyName: a.familyName,
          email: a.email ?? existing?.email ?? null,
        },
        now(),
      );
    }
  }

  async function reviewCompleted(review: Review): Promise<number> {
    if (!review || typeof review !== 'object') throw new InvalidInputError('review', 'is required');
    if (!review.id) throw new InvalidInputError('review.id', 'is required');
    if (!review.reviewerContributorId) throw new InvalidInputError('review.reviewerContributorId', 'is required');
    const xml = peerReviewXml(review); // validates before anything is stored
    await src.putReview(review);
    const identity = await identityOf(await store.getContributor(review.reviewerContributorId));
    if (!mayPost(identity)) return 0;
    const r = await desire('peer-review', review.id, review.submissionId, identity, peerReviewSelfExternalId(review), xml);
    return r.jobId && r.changed ? 1 : 0;
  }

  function peerReviewXml(review: Review): string {
    if (!settings.peerReviewsEnabled || !settings.convening) {
      throw new InvalidInputError('review', 'peer reviews are disabled: configure the convening organization (convening.*) to post them');
    }
    return buildPeerReviewXml(review, { convening: settings.convening, groupId: groupIdFor(review) });
  }

  function groupIdFor(review: Review): string {
    return settings.groupId ?? journalGroupId(review.journal ?? settings.journal);
  }

  async function editorAppointed(appointment: EditorAppointment): Promise<number> {
    if (!appointment || typeof appointment !== 'object') throw new InvalidInputError('appointment', 'is required');
    if (!appointment.contributorId) throw new InvalidInputError('appointment.contributorId', 'is required');
    const organization = appointment.organization ?? settings.convening;
    if (!organization) throw new InvalidInputError('appointment.organization', 'is required when no convening organization is configured');
    const journal = { journalTitle: settings.journal.title, journalIssn: settings.journal.issn ?? settings.journal.eissn };
    const xml = buildServiceXml(appointment, { organization, ...journal });
    const externalId = serviceSelfExternalId(appointment, journal);
    await src.putAppointment(appointment);
    const identity = await identityOf(await store.getContributor(appointment.contributorId));
    if (!mayPost(identity)) return 0;
    const r = await desire('service', `service:${externalId.value}`, null, identity, externalId, xml);
    return r.jobId && r.changed ? 1 : 0;
  }

  /** Late consent: a person who connects gets every item they are owed, at once. */
  async function backfill(identity: Identity): Promise<number> {
    if (!mayPost(identity)) return 0;
    let queued = 0;
    for (const c of await store.listContributorsByIdentity(identity.id)) {
      const article = await src.getArticleOfSubmission(c.submissionId);
      if (article && article.authors.some((a) => a.contributorId === c.id)) queued += await syncArticle(article);
      for (const review of await src.reviewsOf(c.id)) queued += await reviewCompleted(review);
      const appointment = await src.getAppointment(c.id);
      if (appointment) queued += await editorAppointed(appointment);
    }
    return queued;
  }

  /** The researcher unlinked: remove our items (or keep them) by the journal's policy. */
  async function unlinkDeposits(identity: Identity): Promise<number> {
    if (settings.unlinkPolicy === 'keep') return 0;
    let queued = 0;
    for (const d of await store.listDeposits({ identityId: identity.id })) {
      if (d.desiredState === 'absent') continue;
      const r = await desire(d.kind, d.sourceId, d.submissionId, identity, { type: d.externalIdType, value: d.externalIdValue }, null);
      if (r.jobId) queued++;
    }
    return queued;
  }

  /** "Send again" after the researcher removed an item: clear the put-code and post anew. */
  async function sendAgain(depositKey: string): Promise<boolean> {
    const d = await store.getDeposit(depositKey);
    if (!d || d.desiredState !== 'present') return false;
    await store.desireDeposit(
      {
        key: d.key, kind: d.kind, identityId: d.identityId, orcid: d.orcid, sourceId: d.sourceId,
        submissionId: d.submissionId, externalIdType: d.externalIdType, externalIdValue: d.externalIdValue,
        desiredState: 'present', payload: d.payload, payloadHash: d.payloadHash, force: true,
      },
      now(),
    );
    return true;
  }

  return { articlePublished, articleUpdated: articlePublished, articleRetracted, reviewCompleted, editorAppointed,
    editorTermEnded: editorAppointed, backfill, unlinkDeposits, sendAgain, groupIdFor };
}

export type Connect = ReturnType<typeof createConnect>;

/** Every problem of a host article, thrown as InvalidInputError naming the field, before anything is stored. */
export function checkArticle(article: Article) {
  if (!article || typeof article !== 'object') throw new InvalidInputError('article', 'is required');
  if (typeof article.id !== 'string' || !article.id) throw new InvalidInputError('article.id', 'is required');
  if (typeof article.submissionId !== 'string' || !article.submissionId) throw new InvalidInputError('article.submissionId', 'is required');
  if (!Array.isArray(article.authors)) throw new InvalidInputError('article.authors', 'must be an array');
  article.authors.forEach((a, i) => {
    if (!a || typeof a.contributorId !== 'string' || !a.contributorId) throw new InvalidInputError(`article.authors[${i}].contributorId`, 'is required');
  });
  buildWorkXml(article); // every payload problem is reported before anything is stored
}
