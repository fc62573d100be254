/**
 * Bring a MongoDB store made by the first release up to date, the counterpart of SQLite migration 3:
 * domain data kept as JSON in `orcid_settings` moves to its own collections, the mirrored `open`
 * flag and its index go (open is `status` not done, one definition), and `maxAttempts` goes (the
 * worker's setting is the one limit); and, for many journals, submissions and jobs get the journal `default`. Idempotent: every step finds nothing to do the second time.
 */
import type * as M from './models.js';
import { DEFAULT_JOURNAL_ID } from '../store.js';

const DOMAIN_KEYS = /^(submission-title|article|submission-article|review|contributor-reviews|editor|prefill|pending-revoke):|^open-submissions$/;

export async function migrateMongo(m: M.Models): Promise<void> {
  // Many journals (SQLite migration 6): a submission made before journals belongs to `default`.
  await m.Submission.collection.updateMany({ journalId: { $exists: false } }, { $set: { journalId: 'default' } });

  // One token per identity and client (SQLite migration 8): a token stored before is `default`'s.
  await m.Identity.collection.updateMany({ tokens: { $exists: false }, sealedTokens: { $type: 'string' } }, [
    { $set: { tokens: [{ credentialsId: 'default', sealedTokens: '$sealedTokens', scopes: '$scopes', tokenExpiresAt: '$tokenExpiresAt', linkedAt: '$updatedAt', updatedAt: '$updatedAt' }] } },
  ]);
  await m.Identity.collection.updateMany({ tokens: { $exists: false } }, { $set: { tokens: [] } });

  const indexes = await m.Job.collection.indexes().catch(() => []);
  if (indexes.some((i) => i.name === 'one_open_job_per_deposit')) await m.Job.collection.dropIndex('one_open_job_per_deposit');
  await m.Job.collection.updateMany({ $or: [{ open: { $exists: true } }, { maxAttempts: { $exists: true } }] }, { $unset: { open: '', maxAttempts: '' } });
  // Jobs made before journals belong to the one journal the store served (SQL migrations 5 and 3).
  await m.Job.collection.updateMany({ journalId: { $exists: false } }, { $set: { journalId: DEFAULT_JOURNAL_ID } });

  const epoch = new Date(0);
  for await (const s of m.Setting.find({ _id: DOMAIN_KEYS }).lean<M.SettingDoc[]>().cursor()) {
    const [prefix, ...rest] = s._id.split(':');
    const id = rest.join(':');
    const json = (): Record<string, unknown> | null => {
      try {
        return JSON.parse(s.value) as Record<string, unknown>;
      } catch {
        return null;
      }
    };
    const v = json();
    if (prefix === 'submission-title') {
      await m.Submission.updateOne({ _id: id }, { $setOnInsert: { title: s.value, createdAt: epoch, updatedAt: epoch } }, { upsert: true });
    } else if (prefix === 'article' && v && typeof v.submissionId === 'string') {
      const { retraction, ...doc } = v;
      await m.Article.updateOne({ _id: id }, { $setOnInsert: { submissionId: v.submissionId, doc, retraction: retraction ?? null, updatedAt: epoch } }, { upsert: true });
    } else if (prefix === 'review' && v && typeof v.reviewerContributorId === 'string') {
      await m.Review.updateOne({ _id: id }, { $setOnInsert: { reviewerContributorId: v.reviewerContributorId, submissionId: (v.submissionId as string) ?? null, doc: v, updatedAt: epoch } }, { upsert: true });
    } else if (prefix === 'editor' && v) {
      await m.Appointment.updateOne({ _id: id }, { $setOnInsert: { doc: v, updatedAt: epoch } }, { upsert: true });
    } else if (prefix === 'prefill' && v) {
      await m.Prefill.updateOne({ _id: id }, { $setOnInsert: { doc: v, readAt: epoch } }, { upsert: true });
    } else if (prefix === 'pending-revoke' && s.value === '1') {
      await m.Identity.updateOne({ _id: id, status: 'linked' }, { $set: { status: 'unlinking' } });
    }
    await m.Setting.deleteOne({ _id: s._id });
  }
}
