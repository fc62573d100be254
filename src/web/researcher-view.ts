/**
 * What the journal holds for a researcher, in words, for their own page: pure, from the identity and
 * its deposits. Titles come from the payloads we built (so they are what ORCID shows).
 */
import type { Deposit, Identity } from '../store/store.js';
import { isItemKind } from '../store/store.js';

export interface ResearcherItem {
  kind: 'work' | 'peer-review' | 'service';
  title: string | null;
  /** `on-record` | `waiting` | `removing` | `removed` | `removed-by-you` | `held`. */
  state: string;
}

const SCOPES: Record<string, string> = {
  '/authenticate': 'authenticate',
  '/activities/update': 'activities-update',
  '/read-limited': 'read-limited',
  openid: 'openid',
};

/** A scope as a key the templates put in words; unknown scopes pass through. */
export const scopeKey = (scope: string) => SCOPES[scope] ?? scope;

export function itemsOf(deposits: Deposit[]): ResearcherItem[] {
  return deposits.filter((d) => isItemKind(d.kind)).map((d) => ({
    kind: d.kind as ResearcherItem['kind'],
    title: titleOf(d),
    state: stateOf(d),
  }));
}

function stateOf(d: Deposit): string {
  if (d.desiredState === 'absent') return d.status === 'synced' ? 'removed' : 'removing';
  if (d.status === 'removed-by-researcher') return 'removed-by-you';
  if (d.status === 'parked') return 'held';
  return d.status === 'synced' ? 'on-record' : 'waiting';
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };

/** The work's title, or the service's role; a peer review has no title of its own. */
function titleOf(d: Deposit): string | null {
  if (!d.payload) return null;
  const tag = d.kind === 'work' ? 'common:title' : d.kind === 'service' ? 'common:role-title' : null;
  if (!tag) return null;
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(d.payload);
  return m ? m[1]!.replace(/&(lt|gt|amp|quot|apos);/g, (e) => ENTITIES[e]!) : null;
}

export function statusOf(identity: Identity | null): 'linked' | 'unlinking' | 'none' {
  if (identity?.status === 'linked') return 'linked';
  if (identity?.status === 'unlinking') return 'unlinking';
  return 'none';
}
