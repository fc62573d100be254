import type { ExternalId, GroupIdRecord, Researcher, Section, StoredItem } from './state.js';

/**
 * What the emulator sends back: ORCID v3.0 XML or ORCID JSON for errors, items, summaries,
 * the person section and group-id records. Pure functions of the state.
 */

export const MORE_INFO = 'https://members.orcid.org/api/resources/troubleshooting';
const NS = (p: string) => `xmlns:${p}="http://www.orcid.org/ns/${p}"`;

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export interface OrcidErrorBody {
  status: number;
  developerMessage: string;
  userMessage: string;
  errorCode: number;
}

export function errorXml(e: OrcidErrorBody): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<error:error ${NS('error')}>
  <error:response-code>${e.status}</error:response-code>
  <error:developer-message>${xmlEscape(e.developerMessage)}</error:developer-message>
  <error:user-message>${xmlEscape(e.userMessage)}</error:user-message>
  <error:error-code>${e.errorCode}</error:error-code>
  <error:more-info>${MORE_INFO}</error:more-info>
</error:error>
`;
}

export function errorJson(e: OrcidErrorBody): Record<string, unknown> {
  return {
    'response-code': e.status,
    'developer-message': e.developerMessage,
    'user-message': e.userMessage,
    'error-code': e.errorCode,
    'more-info': MORE_INFO,
  };
}

export interface RenderContext {
  /** e.g. `http://127.0.0.1:8080` — ORCID's api host in the sandbox */
  baseUrl: string;
  clientName: (clientId: string) => string;
}

const ITEM_PATH: Record<Section, string> = { work: 'work', 'peer-review': 'peer-review', service: 'service' };

function sourceXml(item: StoredItem, rc: RenderContext): string {
  return `<common:source ${NS('common')}><common:source-client-id><common:uri>${rc.baseUrl}/client/${item.sourceClientId}</common:uri><common:path>${item.sourceClientId}</common:path><common:host>${new URL(rc.baseUrl).host}</common:host></common:source-client-id><common:source-name>${xmlEscape(rc.clientName(item.sourceClientId))}</common:source-name></common:source>`;
}

function metaXml(item: StoredItem, rc: RenderContext): string {
  return `<common:created-date ${NS('common')}>${item.createdAt}</common:created-date><common:last-modified-date ${NS('common')}>${item.modifiedAt}</common:last-modified-date>${sourceXml(item, rc)}`;
}

function extIdsXml(ids: ExternalId[]): string {
  return `<common:external-ids ${NS('common')}>${ids
    .map(
      (e) =>
        `<common:external-id><common:external-id-type>${xmlEscape(e.type)}</common:external-id-type><common:external-id-value>${xmlEscape(e.value)}</common:external-id-value>${e.url ? `<common:external-id-url>${xmlEscape(e.url)}</common:external-id-url>` : ''}<common:external-id-relationship>${xmlEscape(e.relationship ?? 'self')}</common:external-id-relationship></common:external-id>`,
    )
    .join('')}</common:external-ids>`;
}

/**
 * One item as ORCID returns it on GET: the stored XML with put-code, path, visibility and
 * the created/modified/source elements ORCID adds (they come first in every activity type).
 */
export function itemXml(item: StoredItem, rc: RenderContext): string {
  const attrs = `put-code="${item.putCode}" path="/${item.orcid}/${ITEM_PATH[item.section]}/${item.putCode}" visibility="public"`;
  if (item.format === 'xml') {
    const body = item.body.replace(/^\uFEFF/, '');
    const m = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(\s[^>]*?)?(\/?)>/.exec(body.replace(/<\?[\s\S]*?\?>/g, (s) => ' '.repeat(s.length)).replace(/<!--[\s\S]*?-->/g, (s) => ' '.repeat(s.length)));
    if (m) {
      const cleaned = (m[3] ?? '').replace(/\s(put-code|path|visibility)\s*=\s*("[^"]*"|'[^']*')/g, '');
      const open = `<${m[1] ?? ''}${m[2]}${cleaned} ${attrs}>`;
      const rest = body.slice(m.index + m[0].length);
      return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${open}${metaXml(item, rc)}${m[4] ? `</${m[1] ?? ''}${m[2]}>` : rest}`;
    }
  }
  // Posted as JSON: answer with the fields the emulator understood (documented limitation).
  const p = item.section;
  const inner =
    p === 'work'
      ? `<work:title><common:title ${NS('common')}>${xmlEscape(item.title)}</common:title></work:title><work:type>${xmlEscape(item.type)}</work:type>${extIdsXml(item.externalIds)}`
      : p === 'peer-review'
        ? `<peer-review:review-identifiers>${extIdsXml(item.externalIds).replace(/^<common:external-ids[^>]*>|<\/common:external-ids>$/g, '')}</peer-review:review-identifiers><peer-review:review-type>${xmlEscape(item.type)}</peer-review:review-type><peer-review:review-group-id>${xmlEscape(item.groupId ?? '')}</peer-review:review-group-id>`
        : `<common:role-title ${NS('common')}>${xmlEscape(item.type)}</common:role-title><common:organization ${NS('common')}><common:name>${xmlEscape(item.title)}</common:name></common:organization>${extIdsXml(item.externalIds)}`;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}:${p} ${NS(p)} ${attrs}>${metaXml(item, rc)}${inner}</${p}:${p}>`;
}

function extIdsJson(ids: ExternalId[]): Record<string, unknown> {
  return {
    'external-id': ids.map((e) => ({
      'external-id-type': e.type,
      'external-id-value': e.value,
      'external-id-url': e.url ? { value: e.url } : null,
      'external-id-relationship': e.relationship ?? 'self',
    })),
  };
}

function metaJson(item: StoredItem, rc: RenderContext): Record<string, unknown> {
  return {
    'created-date': { value: Date.parse(item.createdAt) },
    'last-modified-date': { value: Date.parse(item.modifiedAt) },
    source: {
      'source-client-id': { uri: `${rc.baseUrl}/client/${item.sourceClientId}`, path: item.sourceClientId, host: new URL(rc.baseUrl).host },
      'source-name': { value: rc.clientName(item.sourceClientId) },
    },
    'put-code': Number(item.putCode),
    path: `/${item.orcid}/${ITEM_PATH[item.section]}/${item.putCode}`,
    visibility: 'public',
  };
}

/** One item in ORCID JSON: the stored JSON with ORCID's fields, or the understood fields of stored XML. */
export function itemJson(item: StoredItem, rc: RenderContext): Record<string, unknown> {
  const base: Record<string, unknown> = item.format === 'json' ? (JSON.parse(item.body) as Record<string, unknown>) : summaryFields(item);
  return { ...base, ...metaJson(item, rc) };
}

function summaryFields(item: StoredItem): Record<string, unknown> {
  if (item.section === 'work') return { title: { title: { value: item.title } }, type: item.type, 'external-ids': extIdsJson(item.externalIds) };
  if (item.section === 'peer-review') {
    return { 'review-type': item.type, 'review-identifiers': extIdsJson(item.externalIds), 'review-group-id': item.groupId, 'subject-name': item.title ? { title: { value: item.title } } : null };
  }
  return { 'role-title': item.type, organization: { name: item.title }, 'external-ids': extIdsJson(item.externalIds) };
}

/** Group items the way ORCID does for works: items sharing a `self` external id form one group. */
export function groupItems(items: StoredItem[], key: (i: StoredItem) => string[]): StoredItem[][] {
  const groups: { keys: Set<string>; items: StoredItem[] }[] = [];
  for (const item of items) {
    const ks = key(item);
    const hits = groups.filter((g) => ks.some((k) => g.keys.has(k)));
    const merged = { keys: new Set(ks), items: [item] };
    for (const h of hits) {
      h.keys.forEach((k) => merged.keys.add(k));
      merged.items.unshift(...h.items);
      groups.splice(groups.indexOf(h), 1);
    }
    groups.push(merged);
  }
  return groups.map((g) => g.items);
}

export function latest(items: StoredItem[]): string {
  return items.reduce((m, i) => (i.modifiedAt > m ? i.modifiedAt : m), '1970-01-01T00:00:00.000Z');
}

export function groupIdXml(g: GroupIdRecord): string {
  return `<group-id:group-id-record ${NS('group-id')} ${NS('common')} put-code="${g.putCode}"><group-id:name>${xmlEscape(g.name)}</group-id:name><group-id:group-id>${xmlEscape(g.groupId)}</group-id:group-id><group-id:description>${xmlEscape(g.description)}</group-id:description><group-id:type>${xmlEscape(g.type)}</group-id:type></group-id:group-id-record>`;
}

export function groupIdJson(g: GroupIdRecord): Record<string, unknown> {
  return { 'put-code': Number(g.putCode), name: g.name, 'group-id': g.groupId, description: g.description, type: g.type };
}

export function displayName(r: Researcher): string {
  return `${r.givenNames} ${r.familyName}`.trim();
}
