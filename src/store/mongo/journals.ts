/**
 * Journals over a MongoDB handle, one operation each in the order of `sqlite/journals.ts`. Each
 * upsert is one `findOneAndUpdate` writing the whole document (`createdAt` only on insert); secrets
 * arrive sealed.
 */
import type * as S from '../store.js';
import { retryDuplicate, type MongoHandle } from './handle.js';
import type * as M from './models.js';

const toJournal = (d: M.JournalDoc): S.JournalRecord => ({
  id: d._id, credentialsId: d.credentialsId, issn: d.issn ?? null, eissn: d.eissn ?? null, settings: d.settings ?? {}, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

const toCredentials = (d: M.CredentialsDoc): S.CredentialsRecord => ({
  id: d._id, env: d.env, clientId: d.clientId, sealedSecret: d.sealedSecret, sealedWebhookSecret: d.sealedWebhookSecret ?? null,
  settings: d.settings ?? {}, createdAt: d.createdAt, updatedAt: d.updatedAt,
});

export async function upsertJournal(h: MongoHandle, j: S.JournalRecordInput, now: Date): Promise<S.JournalRecord> {
  return h.guard(async () => {
    const doc = await retryDuplicate(() => h.m.Journal.findOneAndUpdate(
      { _id: j.id },
      { $set: { credentialsId: j.credentialsId, issn: j.issn, eissn: j.eissn, settings: j.settings, updatedAt: now }, $setOnInsert: { createdAt: now } },
      { upsert: true, returnDocument: 'after' },
    ).lean<M.JournalDoc>().exec());
    return toJournal(doc!);
  });
}

export async function getJournal(h: MongoHandle, id: string): Promise<S.JournalRecord | null> {
  return h.guard(async () => {
    const doc = await h.m.Journal.findById(id).lean<M.JournalDoc>().exec();
    return doc ? toJournal(doc) : null;
  });
}

export async function listJournals(h: MongoHandle, filter: { credentialsId?: string; issn?: string } = {}): Promise<S.JournalRecord[]> {
  const query: Record<string, unknown> = {};
  if (filter.credentialsId !== undefined) query.credentialsId = filter.credentialsId;
  if (filter.issn !== undefined) query.$or = [{ issn: filter.issn }, { eissn: filter.issn }];
  return h.guard(async () => (await h.m.Journal.find(query).sort({ _id: 1 }).lean<M.JournalDoc[]>().exec()).map(toJournal));
}

export async function upsertCredentials(h: MongoHandle, c: S.CredentialsRecordInput, now: Date): Promise<S.CredentialsRecord> {
  return h.guard(async () => {
    const doc = await retryDuplicate(() => h.m.Credentials.findOneAndUpdate(
      { _id: c.id },
      {
        $set: { env: c.env, clientId: c.clientId, sealedSecret: c.sealedSecret, sealedWebhookSecret: c.sealedWebhookSecret, settings: c.settings, updatedAt: now },
        $setOnInsert: { createdAt: now },
      },
      { upsert: true, returnDocument: 'after' },
    ).lean<M.CredentialsDoc>().exec());
    return toCredentials(doc!);
  });
}

export async function getCredentials(h: MongoHandle, id: string): Promise<S.CredentialsRecord | null> {
  return h.guard(async () => {
    const doc = await h.m.Credentials.findById(id).lean<M.CredentialsDoc>().exec();
    return doc ? toCredentials(doc) : null;
  });
}

export async function listCredentials(h: MongoHandle): Promise<S.CredentialsRecord[]> {
  return h.guard(async () => (await h.m.Credentials.find({}).sort({ _id: 1 }).lean<M.CredentialsDoc[]>().exec()).map(toCredentials));
}
