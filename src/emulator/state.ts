import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { selfIdKeys as selfKeysOf } from '../orcid/external-id.js';
import { orcidCheckDigit } from '../orcid/id.js';
import type { ItemModel } from './items.js';

/**
 * Everything the emulator knows, as plain JSON-serialisable data, plus the small
 * persistence layer (debounced write to `stateFile`, flushed on close).
 */

/** An API client (what ORCID calls a "member API client" / "public API client"). */
export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  name: string;
  /** Exact URIs; an entry ending in `*` matches any URI starting with the part before it (emulator-only). */
  redirectUris: string[];
  /** Member API client (may use /activities/update, /read-limited); default true. */
  member?: boolean;
  /** Premium member (may register webhooks); default false. */
  premium?: boolean;
}

/** An employment shown in the researcher's record, so a plugin can prefill affiliations. */
export interface Affiliation {
  organization: string;
  city?: string;
  country?: string;
  /** e.g. `https://ror.org/021nxhr62` or a Ringgold number */
  disambiguatedId?: string;
  /** `ROR`, `RINGGOLD`, `GRID`, `FUNDREF` */
  disambiguationSource?: string;
  department?: string;
  roleTitle?: string;
  startYear?: string;
}

export interface Researcher {
  orcid: string;
  givenNames: string;
  familyName: string;
  email?: string;
  affiliations: Affiliation[];
  createdAt: string;
  modifiedAt: string;
}

export interface ResearcherInput {
  orcid?: string;
  givenNames: string;
  familyName: string;
  email?: string;
  affiliations?: Affiliation[];
}

export interface TokenRecord {
  accessToken: string;
  refreshToken: string;
  clientId: string;
  /** null for client-credentials (2-legged) tokens */
  orcid: string | null;
  scope: string[];
  /** epoch ms */
  expiresAt: number;
  revoked: boolean;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  orcid: string;
  scope: string[];
  expiresAt: number;
  used: boolean;
  /** OpenID Connect `nonce` of the authorize request, echoed in the id_token */
  nonce?: string;
  /** when the researcher signed in (epoch ms), the id_token's `auth_time` */
  authTime?: number;
}

export type Section = 'work' | 'peer-review' | 'service';

export interface ExternalId {
  type: string;
  value: string;
  url?: string;
  relationship?: string;
}

/** One activity on a record, as posted by a client. */
export interface StoredItem {
  putCode: string;
  section: Section;
  orcid: string;
  sourceClientId: string;
  createdAt: string;
  modifiedAt: string;
  /** The body exactly as received (XML, or ORCID JSON when `format` is json). */
  body: string;
  format: 'xml' | 'json';
  externalIds: ExternalId[];
  title: string;
  /** work type / peer-review type / service role title */
  type: string;
  groupId?: string;
  /** what the summaries show; absent in state files written before it existed */
  model?: ItemModel;
}

export interface GroupIdRecord {
  putCode: string;
  name: string;
  groupId: string;
  description: string;
  type: string;
  sourceClientId: string;
}

export interface Webhook {
  orcid: string;
  url: string;
  clientId: string;
}

export interface StateData {
  clients: ClientRegistration[];
  researchers: Researcher[];
  tokens: TokenRecord[];
  codes: AuthCode[];
  items: StoredItem[];
  groups: GroupIdRecord[];
  webhooks: Webhook[];
  nextPutCode: number;
}

export const DEMO_CLIENT: ClientRegistration = {
  clientId: 'APP-DEMO000000000000',
  clientSecret: 'demo-secret',
  name: 'Demo Journal',
  redirectUris: ['http://localhost*', 'http://127.0.0.1*'],
  member: true,
  premium: true,
};

export function emptyState(): StateData {
  return { clients: [{ ...DEMO_CLIENT }], researchers: [], tokens: [], codes: [], items: [], groups: [], webhooks: [], nextPutCode: 1000 };
}

/** Random hex string for secrets, tokens and codes (ORCID's tokens are UUIDs; codes are 6 chars). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

export function randomUuid(): string {
  const h = randomToken(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** An unused ORCID iD in ORCID's issued block (0000-0001-5000-0007 … 0000-0003-xxxx-xxxx). */
export function newOrcidId(taken: (id: string) => boolean, random: () => number): string {
  for (;;) {
    const n = 15_000_000 + Math.floor(random() * 25_000_000);
    const base = `0000${String(n).padStart(11, '0')}`;
    const full = base + orcidCheckDigit(base);
    const id = full.match(/.{4}/g)!.join('-');
    if (!taken(id)) return id;
  }
}

/**
 * Holds the state and persists it when asked; `changed()` schedules a debounced write.
 *
 * Lookups by iD, token and record go through maps (a benchmark seeds 100,000 items over
 * thousands of researchers; linear scans made every API call O(state)). The maps index the
 * arrays in `data`, so items, tokens and researchers are added and removed through the methods
 * below; code that edits `data` directly must call `reindex()`.
 */
export class EmulatorState {
  data: StateData;
  private timer: NodeJS.Timeout | null = null;
  private researchersById = new Map<string, Researcher>();
  private tokensByAccess = new Map<string, TokenRecord>();
  private itemsByOrcid = new Map<string, StoredItem[]>();
  /** `orcid|section|client|type:normalized value` → items with that self external id (duplicate check). */
  private itemsBySelfId = new Map<string, Set<StoredItem>>();
  constructor(
    private readonly file: string | undefined,
    private readonly debounceMs = 50,
  ) {
    this.data = file && existsSync(file) ? load(file) : emptyState();
    if (!this.data.clients.some((c) => c.clientId === DEMO_CLIENT.clientId)) this.data.clients.push({ ...DEMO_CLIENT });
    this.reindex();
  }

  /** Rebuild every index from `data` (after loading or replacing it). */
  reindex(): void {
    this.researchersById = new Map(this.data.researchers.map((r) => [r.orcid, r]));
    this.tokensByAccess = new Map(this.data.tokens.map((t) => [t.accessToken, t]));
    this.itemsByOrcid = new Map();
    this.itemsBySelfId = new Map();
    for (const i of this.data.items) this.indexItem(i);
  }

  client(id: string | undefined): ClientRegistration | undefined {
    return this.data.clients.find((c) => c.clientId === id);
  }
  researcher(orcid: string): Researcher | undefined {
    return this.researchersById.get(orcid);
  }
  addResearcher(r: Researcher): void {
    this.data.researchers.push(r);
    this.researchersById.set(r.orcid, r);
  }
  token(accessToken: string): TokenRecord | undefined {
    return this.tokensByAccess.get(accessToken);
  }
  addToken(t: TokenRecord): void {
    this.data.tokens.push(t);
    this.tokensByAccess.set(t.accessToken, t);
  }
  items(orcid: string, section?: Section): StoredItem[] {
    const all = this.itemsByOrcid.get(orcid) ?? [];
    return section === undefined ? [...all] : all.filter((i) => i.section === section);
  }
  addItem(item: StoredItem): void {
    this.data.items.push(item);
    this.indexItem(item);
  }
  removeItem(item: StoredItem): void {
    const at = this.data.items.indexOf(item);
    if (at >= 0) this.data.items.splice(at, 1);
    const mine = this.itemsByOrcid.get(item.orcid);
    if (mine) mine.splice(mine.indexOf(item), 1);
    this.unindexSelfIds(item);
  }
  /** Replace an item's fields in place (PUT); its self external ids may change. */
  updateItem(item: StoredItem, fields: Partial<StoredItem>): void {
    this.unindexSelfIds(item);
    Object.assign(item, fields);
    this.indexSelfIds(item);
  }
  /** An item of `client` in `section` of `orcid` sharing one of `selfIds`, other than `exceptPutCode`. */
  itemWithSelfId(orcid: string, section: Section, clientId: string, selfIds: string[], exceptPutCode?: string): StoredItem | undefined {
    for (const k of selfIds) {
      for (const i of this.itemsBySelfId.get(`${orcid}|${section}|${clientId}|${k}`) ?? []) if (i.putCode !== exceptPutCode) return i;
    }
    return undefined;
  }
  nextPutCode(): string {
    return String(this.data.nextPutCode++);
  }

  private indexItem(item: StoredItem): void {
    const mine = this.itemsByOrcid.get(item.orcid);
    if (mine) mine.push(item);
    else this.itemsByOrcid.set(item.orcid, [item]);
    this.indexSelfIds(item);
  }
  private indexSelfIds(item: StoredItem): void {
    for (const k of selfIdKeys(item)) {
      const set = this.itemsBySelfId.get(k);
      if (set) set.add(item);
      else this.itemsBySelfId.set(k, new Set([item]));
    }
  }
  private unindexSelfIds(item: StoredItem): void {
    for (const k of selfIdKeys(item)) {
      const set = this.itemsBySelfId.get(k);
      set?.delete(item);
      if (set?.size === 0) this.itemsBySelfId.delete(k);
    }
  }

  /** Replace everything by a fresh state (keeps the demo client and `clients` passed at start). */
  reset(keepClients: ClientRegistration[]): void {
    this.data = emptyState();
    for (const c of keepClients) if (!this.client(c.clientId)) this.data.clients.push({ ...c });
    this.reindex();
    this.changed();
  }

  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Write now (atomically: temp file + rename, so a crash never leaves half a file). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 2));
    renameSync(tmp, this.file);
  }
}

function load(file: string): StateData {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<StateData>;
  return { ...emptyState(), ...parsed, clients: parsed.clients ?? emptyState().clients };
}

function selfIdKeys(item: StoredItem): string[] {
  return selfKeysOf(item.externalIds).map((k) => `${item.orcid}|${item.section}|${item.sourceClientId}|${k}`);
}
