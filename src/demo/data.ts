import type { Store } from '../store/store.js';

/**
 * The demo journal's own records (manuscripts, review assignments, published articles). A real
 * host has its own database; the demo keeps them as JSON in the plugin's store settings under
 * `demo:`, so one `storeUrl` holds everything and a restart keeps the journey.
 */

export interface DemoAuthor {
  contributorId: string;
  givenNames: string;
  familyName: string;
  email?: string;
  locale?: 'en' | 'zh-Hans';
  /** The demo user who submitted (connects on the spot instead of being invited). */
  hostUserId?: string;
}

export interface DemoReviewer extends DemoAuthor {
  accepted: boolean;
  completedAt?: string;
}

export interface DemoPublication {
  doi: string;
  publishedAt: string;
  url: string;
  /** JATS and Crossref XML as `articlePublished` returned them (authenticated iDs embedded). */
  jats: string;
  crossref: string;
  queued: number;
}

export interface DemoSubmission {
  id: string;
  /** The journal it was submitted to (journals.ts); absent in manuscripts saved before the demo had two: `default`. */
  journalId?: string;
  title: string;
  abstract: string;
  submittedBy: string;
  submittedAt: string;
  authors: DemoAuthor[];
  reviewers: DemoReviewer[];
  /** The handling editor the demo appointed (the editor's service item on ORCID). */
  editor?: DemoEditor;
  published?: DemoPublication;
}

export interface DemoEditor {
  contributorId: string;
  hostUserId: string;
  /** The editor's own Connect link from `editorAppointed` (null: already connected). */
  connectUrl: string | null;
}

const INDEX = 'demo:submissions';
const key = (id: string) => `demo:submission:${id}`;

export class DemoData {
  constructor(private readonly store: Store) {}

  async list(): Promise<DemoSubmission[]> {
    const ids = JSON.parse((await this.store.getSetting(INDEX)) ?? '[]') as string[];
    const out: DemoSubmission[] = [];
    for (const id of ids.reverse()) {
      const s = await this.get(id);
      if (s) out.push(s);
    }
    return out;
  }

  async get(id: string): Promise<DemoSubmission | null> {
    const raw = await this.store.getSetting(key(id));
    return raw ? (JSON.parse(raw) as DemoSubmission) : null;
  }

  async save(s: DemoSubmission): Promise<void> {
    await this.store.setSetting(key(s.id), JSON.stringify(s));
    const ids = JSON.parse((await this.store.getSetting(INDEX)) ?? '[]') as string[];
    if (!ids.includes(s.id)) await this.store.setSetting(INDEX, JSON.stringify([...ids, s.id]));
  }
}
