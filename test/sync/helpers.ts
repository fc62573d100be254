import { expect } from 'chai';
import { Browser, startHarness, type Harness } from '../flows/harness.js';
import type { OrcidConnectOptions } from '../../src/plugin.js';
import type { Article } from '../../src/types.js';
import { isItemKind, type ClaimedJob, type Deposit } from '../../src/store/store.js';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { openTokenSet, sealTokenSet } from '../../src/sync/tokens.js';

/** The demo client every emulator knows (the plugin's default client id in the emulator env). */
export const CLIENT_ID = 'APP-DEMO000000000000';

/** A clock the tests move by hand: the worker skips jobs whose runAt lies ahead of it. */
export function manualClock(start = Date.now()) {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

export function article(overrides: Partial<Article> = {}): Article {
  return {
    id: 'a1', submissionId: 's1', doi: '10.5555/sync.1', title: 'Synchronised results', url: 'https://journal.example/a1',
    publishedAt: '2026-11-01', journal: { title: 'Journal of Emulated Research', issn: '0000-0000' },
    authors: [{ contributorId: 'c1', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', sequence: 1 }],
    ...overrides,
  };
}

type HarnessOptions = Parameters<typeof startHarness>[0];

/** A harness with submission s1 (author c1 = user u1, editor e1 = user u-e1) — nobody connected yet. */
export async function startSyncHarness(options: HarnessOptions & Partial<OrcidConnectOptions> = {}): Promise<Harness> {
  const h = await startHarness(options);
  await h.orcid.submissionCreated({
    id: 's1', title: 'Synchronised results',
    contributors: [
      { contributorId: 'c1', role: 'author', givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org', hostUserId: 'u1' },
      { contributorId: 'e1', role: 'editor', givenNames: 'Amara', familyName: 'Okafor', email: 'amara@example.org', hostUserId: 'u-e1' },
    ],
  });
  return h;
}

/** The signed-in host user connects their own iD for submission s1 through the OAuth dance. */
export async function connectAs(h: Harness, hostUser: string, role: 'author' | 'reviewer' | 'editor', researcher: string, options: { runTasks?: boolean } = {}): Promise<Browser> {
  const b = new Browser();
  b.setUser(hostUser);
  const r = await h.connect(b, `${h.url}/orcid/connect?role=${role}&submission=s1&return=/submission/s1`, researcher);
  expect(r.status, r.text.slice(0, 200)).to.equal(302);
  expect(r.location).to.equal('/submission/s1');
  // Connecting queues the link's own tasks (the prefill read, the webhook): run them now, so that
  // each test's drain counts only the items it queues.
  if (options.runTasks !== false) await h.orcid.worker.drain();
  return b;
}

export const connectAuthor = (h: Harness, options: { runTasks?: boolean } = {}) => connectAs(h, 'u1', 'author', h.researchers.author!, options);

export function editor(): Browser {
  const b = new Browser({ accept: 'application/json' });
  b.setUser('editor-1');
  return b;
}

export async function emulatorPost(h: Harness, path: string, body: unknown): Promise<Response> {
  const res = await fetch(`${h.emulator.url}${path}`, { method: path === '/_emulator/faults' ? 'PUT' : 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).to.be.below(300);
  return res;
}

export const setFaults = (h: Harness, faults: Record<string, unknown>) => emulatorPost(h, '/_emulator/faults', faults);

/** Items of one section on the emulator's record (its control API also returns the title). */
export async function items(h: Harness, orcid: string, type: string): Promise<Array<{ type: string; putCode: string; xml: string; title?: string }>> {
  return (await h.record(orcid)).items.filter((i) => i.type === type);
}

export async function onlyDeposit(h: Harness, filter: { kind?: string } = {}): Promise<Deposit> {
  const all = (await h.orcid.store.listDeposits({ submissionId: 's1' })).filter((d) => !filter.kind || d.kind === filter.kind);
  expect(all, 'deposits').to.have.length(1);
  return all[0]!;
}

export async function onlyJob(h: Harness): Promise<ClaimedJob> {
  const jobs = (await h.orcid.store.listJobs({ limit: 100 })).filter((j) => j.job.status !== 'done' && isItemKind(j.deposit.kind));
  expect(jobs.map((j) => j.job.status), 'open jobs').to.have.length(1);
  return jobs[0]!;
}

/** History events of a deposit, oldest first. */
export async function historyOf(h: Harness, depositKey: string): Promise<Array<{ event: string; detail: Record<string, unknown> }>> {
  const rows = await h.orcid.store.listHistory({ depositKey, limit: 100 });
  return rows.reverse().map((r) => ({ event: r.event, detail: r.detail }));
}

function cipherOf(h: Harness): TokenCipher {
  const keys = h.orcid.config.tokenKeys;
  return TokenCipher.fromKeys(keys);
}

/** The access token the plugin holds for a researcher (decrypted the way the plugin does). */
export async function pluginAccessToken(h: Harness, orcid: string): Promise<string> {
  const identity = await h.orcid.store.findIdentityByOrcid(orcid);
  if (!identity?.sealedTokens) throw new Error(`no tokens for ${orcid}`);
  return openTokenSet(cipherOf(h), identity.sealedTokens).accessToken;
}

/** Mint a token for our client at the emulator (no browser). */
export async function mintToken(h: Harness, orcid: string, scope: string) {
  const res = await emulatorPost(h, '/_emulator/tokens', { orcid, clientId: CLIENT_ID, scope });
  return (await res.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string; name: string | null };
}

/** Replace the plugin's stored token for a researcher (as if ORCID had granted these scopes). */
export async function replaceTokens(h: Harness, orcid: string, scope: string): Promise<void> {
  const identity = (await h.orcid.store.findIdentityByOrcid(orcid))!;
  const t = await mintToken(h, orcid, scope);
  const scopes = t.scope.split(/\s+/).filter(Boolean);
  const expiresAt = new Date(Date.now() + t.expires_in * 1000);
  const sealed = sealTokenSet(cipherOf(h), { accessToken: t.access_token, refreshToken: t.refresh_token, tokenType: 'bearer', scope: scopes, expiresAt, orcid, name: t.name });
  await h.orcid.store.updateIdentityTokens(identity.id, sealed, scopes, expiresAt, new Date());
}

/** Wait (bounded) until `check` holds; webhooks and registration happen off the request path. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, { timeoutMs = 6000, stepMs = 50 } = {}): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; i < 1000 && Date.now() < until; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/**
 * Publish article() and park its job while the researcher stays linked: ORCID answers 5xx for
 * longer than `worker.parkAfterHours` (72 h by default), after which an outage parks a job
 * (README "What ORCID's answers lead to"; a 403/9038 would revoke the link instead). The harness
 * must run on `clock`.
 */
export async function parkedByOutage(h: Harness, clock: ReturnType<typeof manualClock>): Promise<ClaimedJob> {
  await connectAuthor(h);
  await h.orcid.articlePublished(article());
  await setFaults(h, { errorRate: 1 });
  await h.orcid.worker.runOnce();
  clock.advance(73 * 3_600_000);
  await h.orcid.worker.runOnce();
  await setFaults(h, {});
  const parked = await onlyJob(h);
  expect(parked.job.status, 'parked after 73 h of ORCID failing').to.equal('parked');
  return parked;
}
