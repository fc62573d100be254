/**
 * ORCID member API v3.0 client: the only code that sends researcher data to ORCID.
 * https://github.com/ORCID/ORCID-Source/blob/main/orcid-model/src/main/resources/record_3.0/README.md
 *
 * Every call takes a token from the rate limiter first, runs under a timeout, and either returns
 * or throws one of the typed errors from ../errors.ts (mapping in ./http.ts).
 */
import { NetworkError, RateLimitedError } from '../errors.js';
import type { RateLimiter } from './rate-limiter.js';
import {
  headersToRecord,
  processOrcidResponse,
  putCodeFromLocation,
  redact,
  type OrcidResponse,
} from './http.js';

export {
  ORCID_BAD_REQUEST,
  ORCID_CONFLICT,
  ORCID_FORBIDDEN,
  ORCID_NOT_FOUND,
  ORCID_SERVER_ERROR,
  ORCID_UNAUTHORIZED,
  ORCID_UNEXPECTED_RESPONSE,
  parseRetryAfter,
} from './http.js';

export type ItemKind = 'work' | 'peer-review' | 'service';

/** ORCID's media type for v3.0 XML, for both directions. */
export const ORCID_XML = 'application/vnd.orcid+xml';

/** Path segment of each section's summary list. */
const SUMMARIES: Record<ItemKind, string> = { work: 'works', 'peer-review': 'peer-reviews', service: 'services' };

export interface ResponseEvent {
  /** What was called: an item kind, or `person`, `employments`, `group-id-record`, `webhook`. */
  kind: string;
  method: string;
  /** HTTP status, or 0 when no answer came (timeout, connection reset). */
  status: number;
  ms: number;
}

export interface OrcidClientOptions {
  /** Member API base, e.g. `https://api.orcid.org/v3.0` (see `orcidHosts`). */
  apiBase: string;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Default `() => new Date()`. Used for Retry-After dates and latency. */
  now?: () => Date;
  /** Shared by every caller of this client; when absent, calls are not throttled. */
  limiter?: RateLimiter;
  /**
   * Per request, including reading the body; the time spent waiting for our own limiter is not
   * counted. ORCID queues requests beyond 24/s and slows them (a full burst of 40 drains in about
   * 1.7 s: ../shared/orcid-model/README.md "Rate limits"), so this must leave room for that queue
   * on top of ORCID's own work. Default 15000.
   */
  timeoutMs?: number;
  /**
   * How long every caller pauses after a throttled answer without Retry-After (ORCID's 503):
   * about the time ORCID's queue needs to drain. Default 2000.
   */
  throttlePauseMs?: number;
  /** Sent as `User-Agent`, e.g. `koa-orcid-connect/0.1.0 (+https://journal.example)`. */
  userAgent: string;
  /** Called after every request (metrics). Must not throw. */
  onResponse?: (event: ResponseEvent) => void;
}

export interface OrcidClient {
  /** POST a new item; ORCID answers 201 with the put-code in `Location`. */
  postItem(kind: ItemKind, orcid: string, accessToken: string, xml: string): Promise<{ putCode: string }>;
  /** PUT a new version of an item; the XML must carry the same put-code. */
  putItem(kind: ItemKind, orcid: string, accessToken: string, putCode: string, xml: string): Promise<void>;
  deleteItem(kind: ItemKind, orcid: string, accessToken: string, putCode: string): Promise<void>;
  getItem(kind: ItemKind, orcid: string, accessToken: string, putCode: string): Promise<string>;
  /** The section's summaries (`/works`, `/peer-reviews`, `/services`) as XML. */
  listSummaries(kind: ItemKind, orcid: string, accessToken: string): Promise<string>;
  readPerson(orcid: string, accessToken: string): Promise<string>;
  readEmployments(orcid: string, accessToken: string): Promise<string>;
  /** A group-id-record by its group id (e.g. `issn:1234-5678`) with a client-credentials token; null if none. */
  searchGroupId(accessToken: string, query: { groupId: string }): Promise<string | null>;
  /** Create a group-id-record (needs `/group-id-record/update`); returns its put-code. */
  createGroupId(accessToken: string, xml: string): Promise<string>;
  /** Premium: ask ORCID to call `callbackUrl` when the record changes (needs `/webhook`). */
  registerWebhook(orcid: string, callbackUrl: string, accessToken: string): Promise<void>;
  /**
   * Stop ORCID calling `callbackUrl` for the record. Done when ORCID answers 204, and also when it
   * answers 404 (9028: no such webhook, or 9016: no such record): nothing is registered, which is
   * what was wanted, so a retried unregistration job finishes. Resolves to which of the two it was.
   */
  unregisterWebhook(orcid: string, callbackUrl: string, accessToken: string): Promise<'removed' | 'not-registered'>;
}

interface Call {
  kind: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  accessToken: string;
  xml?: string;
  /** Statuses that are an answer, not an error (e.g. 404 for a search that found nothing). */
  accept?: number[];
}

/**
 * @example
 * const client = createOrcidClient({ apiBase: orcidHosts('sandbox').apiBase, userAgent: 'my-journal/1.0', limiter });
 * const { putCode } = await client.postItem('work', '0000-0001-2345-6789', token, workXml);
 */
export function createOrcidClient(options: OrcidClientOptions): OrcidClient {
  const apiBase = options.apiBase.replace(/\/+$/, '');
  // Webhooks live outside the versioned API: https://api.orcid.org/{orcid}/webhook/{encoded-url}
  const webhookBase = apiBase.replace(/\/v\d+\.\d+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 15_000;
  const throttlePauseMs = options.throttlePauseMs ?? 2000; // ORCID's burst of 40 at 24/s, rounded up
  const { limiter, userAgent, onResponse } = options;

  async function send(call: Call): Promise<OrcidResponse> {
    // The limiter's wait comes before the timeout starts: queueing on our side is not ORCID being slow.
    await limiter?.take();
    const what = `${call.method} ${call.kind}`;
    const headers: Record<string, string> = {
      Accept: ORCID_XML,
      Authorization: `Bearer ${call.accessToken}`,
      'User-Agent': userAgent,
    };
    if (call.xml !== undefined) headers['Content-Type'] = ORCID_XML;
    const started = now().getTime();
    let response: OrcidResponse;
    try {
      const res = await doFetch(call.url, {
        method: call.method,
        headers,
        body: call.xml,
        // ORCID answers 301 (9007) for a deprecated iD; following it would turn a POST into a GET
        // of another record. The answer itself is the signal (RecordUnavailableError).
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await res.text();
      response = { status: res.status, headers: headersToRecord(res.headers), body: redact(body, [call.accessToken]) };
    } catch (e) {
      onResponse?.({ kind: call.kind, method: call.method, status: 0, ms: now().getTime() - started });
      throw toNetworkError(e, what, timeoutMs);
    }
    onResponse?.({ kind: call.kind, method: call.method, status: response.status, ms: now().getTime() - started });
    if (call.accept?.includes(response.status)) return response;
    try {
      processOrcidResponse(response, what, now());
    } catch (e) {
      // Throttling (503, 429) slows every caller sharing the limiter, not just this one.
      if (e instanceof RateLimitedError) limiter?.throttled(e.retryAfterMs ?? throttlePauseMs);
      throw e;
    }
    return response;
  }

  const itemUrl = (kind: ItemKind, orcid: string, putCode?: string): string =>
    `${apiBase}/${encodeURIComponent(orcid)}/${kind}${putCode === undefined ? '' : `/${encodeURIComponent(putCode)}`}`;
  const webhookUrl = (orcid: string, callbackUrl: string): string =>
    `${webhookBase}/${encodeURIComponent(orcid)}/webhook/${encodeURIComponent(callbackUrl)}`;

  return {
    async postItem(kind, orcid, accessToken, xml) {
      const res = await send({ kind, method: 'POST', url: itemUrl(kind, orcid), accessToken, xml });
      return { putCode: putCodeFromLocation(res) };
    },
    async putItem(kind, orcid, accessToken, putCode, xml) {
      await send({ kind, method: 'PUT', url: itemUrl(kind, orcid, putCode), accessToken, xml });
    },
    async deleteItem(kind, orcid, accessToken, putCode) {
      await send({ kind, method: 'DELETE', url: itemUrl(kind, orcid, putCode), accessToken });
    },
    async getItem(kind, orcid, accessToken, putCode) {
      return (await send({ kind, method: 'GET', url: itemUrl(kind, orcid, putCode), accessToken })).body;
    },
    async listSummaries(kind, orcid, accessToken) {
      const url = `${apiBase}/${encodeURIComponent(orcid)}/${SUMMARIES[kind]}`;
      return (await send({ kind: SUMMARIES[kind], method: 'GET', url, accessToken })).body;
    },
    async readPerson(orcid, accessToken) {
      const url = `${apiBase}/${encodeURIComponent(orcid)}/person`;
      return (await send({ kind: 'person', method: 'GET', url, accessToken })).body;
    },
    async readEmployments(orcid, accessToken) {
      const url = `${apiBase}/${encodeURIComponent(orcid)}/employments`;
      return (await send({ kind: 'employments', method: 'GET', url, accessToken })).body;
    },
    async searchGroupId(accessToken, query) {
      const url = `${apiBase}/group-id-record?group-id=${encodeURIComponent(query.groupId)}`;
      const res = await send({ kind: 'group-id-record', method: 'GET', url, accessToken, accept: [404] });
      return res.status === 404 ? null : res.body;
    },
    async createGroupId(accessToken, xml) {
      const res = await send({ kind: 'group-id-record', method: 'POST', url: `${apiBase}/group-id-record`, accessToken, xml });
      return putCodeFromLocation(res);
    },
    async registerWebhook(orcid, callbackUrl, accessToken) {
      await send({ kind: 'webhook', method: 'PUT', url: webhookUrl(orcid, callbackUrl), accessToken });
    },
    async unregisterWebhook(orcid, callbackUrl, accessToken) {
      const res = await send({ kind: 'webhook', method: 'DELETE', url: webhookUrl(orcid, callbackUrl), accessToken, accept: [404] });
      return res.status === 404 ? 'not-registered' : 'removed';
    },
  };
}

/** Timeouts, resets, DNS failures: anything where ORCID's answer never arrived. */
function toNetworkError(e: unknown, what: string, timeoutMs: number): NetworkError {
  const err = e as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new NetworkError(`${what}: no answer from ORCID within ${timeoutMs} ms`, e);
  }
  const code = err?.code ?? err?.cause?.code;
  return new NetworkError(`${what}: connection to ORCID failed${code ? ` (${code})` : ''}`, e);
}
