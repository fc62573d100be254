/**
 * The MongoDB handle every operation in this folder takes as its first argument (the counterpart
 * of `sqlite/handle.ts`): its own mongoose connection (never the host's global one), collections
 * and indexes, transactions retried on write conflicts and duplicate keys, and driver errors turned
 * into typed StorageErrors with the password masked. No operation lives here.
 */
import mongoose from 'mongoose';
import type { ClientSession, Connection } from 'mongoose';
import { OrcidPluginError, STORE_CONFLICT, STORE_UNAVAILABLE, StorageError, coerceError } from '../../errors.js';
import { OPEN_JOB_STATUSES } from '../deposit-rules.js';
import * as M from './models.js';
import { migrateMongo } from './migrate.js';
import type * as S from '../store.js';

export interface MongoStoreOptions {
  /** `mongodb://…` or `mongodb+srv://…` (a replica set: transactions need one). */
  uri: string;
  /** How long to look for a usable server before failing with STORE_UNAVAILABLE (`?? 5000` ms). */
  serverSelectionTimeoutMs?: number;
}

/** The one definition of an open job, for queries. */
export const OPEN = [...OPEN_JOB_STATUSES];

/** The URI with its password masked, for messages and logs. */
export function redactMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^:@/]*):([^@/]*)@/, '$1$2:****@');
}

export interface MongoHandle {
  readonly m: M.Models;
  /** Run `fn` in a transaction; conflicting transactions are retried by the driver. */
  tx<T>(fn: (session: ClientSession) => Promise<T>): Promise<T>;
  /** Run `fn` with driver errors translated. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
}

export class MongoConnection implements MongoHandle {
  private readonly uri: string;
  private readonly selectionMs: number;
  private conn: Connection | null = null;
  private models: M.Models | null = null;

  constructor(options: MongoStoreOptions) {
    this.uri = options.uri;
    this.selectionMs = options.serverSelectionTimeoutMs ?? 5000;
  }

  async open(): Promise<void> {
    if (this.conn) return;
    const conn = mongoose.createConnection(this.uri, { serverSelectionTimeoutMS: this.selectionMs, autoIndex: false, autoCreate: false, bufferCommands: false });
    // Errors reach callers through the failing operations; without a listener an 'error' event would crash the process.
    conn.on('error', () => undefined);
    try {
      await conn.asPromise();
      const models = M.defineModels(conn);
      // Collections first: transactions cannot create them on older servers.
      for (const model of Object.values(models) as M.Models[keyof M.Models][]) await model.createCollection();
      await migrateMongo(models);
      for (const model of Object.values(models) as M.Models[keyof M.Models][]) await model.createIndexes();
      this.conn = conn;
      this.models = models;
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw this.translate(e);
    }
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    this.models = null;
    await conn?.close();
  }

  get m(): M.Models {
    if (!this.models) throw new StorageError(STORE_UNAVAILABLE, `The MongoDB store at ${redactMongoUri(this.uri)} is not open: call init() first`);
    return this.models;
  }

  private get connection(): Connection {
    if (!this.conn) throw new StorageError(STORE_UNAVAILABLE, `The MongoDB store at ${redactMongoUri(this.uri)} is not open: call init() first`);
    return this.conn;
  }

  async tx<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      const session = await this.connection.startSession();
      try {
        // Two transactions inserting the same new key may also meet as E11000 (when the other
        // committed first); running again reads the committed row and takes the update path.
        for (let attempt = 1; ; attempt++) {
          try {
            let result: T | undefined;
            await session.withTransaction(async () => {
              result = await fn(session);
            });
            return result as T;
          } catch (e) {
            if (!isDuplicate(e) || attempt >= 3) throw e;
          }
        }
      } finally {
        await session.endSession();
      }
    });
  }

  async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.translate(e);
    }
  }

  /** Driver errors to typed StorageErrors (with the password masked), ours unchanged. */
  private translate(e: unknown): Error {
    if (e instanceof OrcidPluginError) return e;
    const err = coerceError(e);
    if (/^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(err.name)) {
      const detail = err.message.split('\n')[0].slice(0, 200);
      return new StorageError(STORE_UNAVAILABLE, `Cannot reach MongoDB at ${redactMongoUri(this.uri)} (${detail}): check STORE_URL and that the replica set is up`, { cause: e });
    }
    if (isDuplicate(e)) return new StorageError(STORE_CONFLICT, `MongoDB refused a duplicate (${err.message.split('\n')[0].slice(0, 200)})`, { cause: e });
    return err;
  }
}

export function isDuplicate(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/** An upsert racing another upsert of the same unique key fails once with E11000; the retry finds the row. */
export async function retryDuplicate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isDuplicate(e)) return fn();
    throw e;
  }
}

export function mapNull<D, T>(doc: D | null | undefined, f: (d: D) => T): T | null {
  return doc === null || doc === undefined ? null : f(doc);
}

/** The entries of a filter that are set (a missing filter field matches everything). */
export function defined(filter: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

export function historyDoc(e: S.HistoryInput) {
  return {
    _id: M.newObjectId(), at: e.at, event: e.event, orcid: e.orcid ?? null, identityId: e.identityId ?? null,
    submissionId: e.submissionId ?? null, depositKey: e.depositKey ?? null, jobId: e.jobId ?? null, detail: e.detail ?? {},
  };
}
