import type { GroupIdRecord, Researcher, StoredItem } from './state.js';
import { itemBodyXml, xmlEscape } from './summaries.js';
import { orcidXmlToJson } from './xml-json.js';

export { xmlEscape };

/**
 * What the emulator sends back: ORCID v3.0 XML or ORCID JSON for errors, items, summaries,
 * the person section and group-id records. Pure functions of the state.
 */

export const MORE_INFO = 'https://members.orcid.org/api/resources/troubleshooting';
const NS = (p: string) => `xmlns:${p}="http://www.orcid.org/ns/${p}"`;


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
  /** e.g. `http://127.0.0.1:8080`: where the emulator serves the API */
  baseUrl: string;
  /** host of source URIs, e.g. `sandbox.orcid.org` (ORCID's XSD wants `https://…orcid.org/client/…`) */
  orcidHost: string;
  clientName: (clientId: string) => string;
}

/** `common:source` as ORCID writes it: `https://{host}/client/APP-…`, path, host, source-name. */
export function sourceXml(clientId: string, rc: RenderContext): string {
  return `<common:source><common:source-client-id><common:uri>https://${rc.orcidHost}/client/${clientId}</common:uri><common:path>${clientId}</common:path><common:host>${rc.orcidHost}</common:host></common:source-client-id><common:source-name>${xmlEscape(rc.clientName(clientId))}</common:source-name></common:source>`;
}

export function sourceJson(clientId: string, rc: RenderContext): Record<string, unknown> {
  return {
    'source-orcid': null,
    'source-client-id': { uri: `https://${rc.orcidHost}/client/${clientId}`, path: clientId, host: rc.orcidHost },
    'source-name': { value: rc.clientName(clientId) },
  };
}

const NSDECL = ['common', 'work', 'peer-review', 'service'].map(NS).join(' ');

/** `created-date`, `last-modified-date`, `source`: what ORCID adds first to every activity it returns. */
function metaXml(item: StoredItem, rc: RenderContext): string {
  return `<common:created-date>${item.createdAt}</common:created-date><common:last-modified-date>${item.modifiedAt}</common:last-modified-date>${sourceXml(item.sourceClientId, rc)}`;
}

/**
 * One item as ORCID returns it on GET: the stored XML with put-code, path, visibility and the
 * created/modified/source elements ORCID adds; an item posted as JSON is rendered from its model.
 */
export function itemXml(item: StoredItem, rc: RenderContext): string {
  const attrs = `put-code="${item.putCode}" path="/${item.orcid}/${item.section}/${item.putCode}" visibility="public"`;
  if (item.format === 'xml') {
    const body = item.body.replace(/^\uFEFF/, '');
    const m = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(\s[^>]*?)?(\/?)>/.exec(body.replace(/<\?[\s\S]*?\?>/g, (s) => ' '.repeat(s.length)).replace(/<!--[\s\S]*?-->/g, (s) => ' '.repeat(s.length)));
    if (m) {
      const cleaned = (m[3] ?? '').replace(/\s(put-code|path|visibility)\s*=\s*("[^"]*"|'[^']*')/g, '');
      // The inserted elements use the `common:` prefix, which the stored root may not declare.
      const declare = /\sxmlns:common\s*=/.test(cleaned) ? '' : ` ${NS('common')}`;
      const open = `<${m[1] ?? ''}${m[2]}${cleaned}${declare} ${attrs}>`;
      const rest = body.slice(m.index + m[0].length);
      return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${open}${metaXml(item, rc)}${m[4] ? `</${m[1] ?? ''}${m[2]}>` : rest}`;
    }
  }
  const p = item.section;
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<${p}:${p} ${NSDECL} ${attrs}>${metaXml(item, rc)}${itemBodyXml(item)}</${p}:${p}>`;
}

/** ORCID JSON's date form: epoch milliseconds. */
const dateJson = (iso: string) => ({ value: Date.parse(iso) });

export function metaJson(item: StoredItem, rc: RenderContext): Record<string, unknown> {
  return {
    'created-date': dateJson(item.createdAt),
    'last-modified-date': dateJson(item.modifiedAt),
    source: sourceJson(item.sourceClientId, rc),
    'put-code': Number(item.putCode),
    path: `/${item.orcid}/${item.section}/${item.putCode}`,
    visibility: 'public',
  };
}

/** One item in ORCID JSON: the stored JSON, or the stored XML converted, with ORCID's fields. */
export function itemJson(item: StoredItem, rc: RenderContext): Record<string, unknown> {
  const base = item.format === 'json' ? (JSON.parse(item.body) as Record<string, unknown>) : orcidXmlToJson(item.body);
  return { ...base, ...metaJson(item, rc) };
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
