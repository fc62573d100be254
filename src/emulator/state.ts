import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { orcidCheckDigit } from '../orcid/id.js';

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
  clientId: 'APP-DEMO0000000000',
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

/** Holds the state and persists it when asked; `changed()` schedules a debounced write. */
export class EmulatorState {
  data: StateData;
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly file: string | undefined,
    private readonly debounceMs = 50,
  ) {
    this.data = file && existsSync(file) ? load(file) : emptyState();
    if (!this.data.clients.some((c) => c.clientId === DEMO_CLIENT.clientId)) this.data.clients.push({ ...DEMO_CLIENT });
  }

  client(id: string | undefined): ClientRegistration | undefined {
    return this.data.clients.find((c) => c.clientId === id);
  }
  researcher(orcid: string): Researcher | undefined {
    return this.data.researchers.find((r) => r.orcid === orcid);
  }
  token(accessToken: string): TokenRecord | undefined {
    return this.data.tokens.find((t) => t.accessToken === accessToken);
  }
  items(orcid: string, section?: Section): StoredItem[] {
    return this.data.items.filter((i) => i.orcid === orcid && (section === undefined || i.section === section));
  }
  nextPutCode(): string {
    return String(this.data.nextPutCode++);
  }

  /** Replace everything by a fresh state (keeps the demo client and `clients` passed at start). */
  reset(keepClients: ClientRegistration[]): void {
    this.data = emptyState();
    for (const c of keepClients) if (!this.client(c.clientId)) this.data.clients.push({ ...c });
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
