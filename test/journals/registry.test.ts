import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { TokenCipher } from '../../src/store/token-cipher.js';
import { orcidConnect, type OrcidConnect } from '../../src/plugin.js';
import { ConfigError } from '../../src/errors.js';
import { JOURNAL_INVALID, JournalInvalidError, UnknownJournalError } from '../../src/journals/errors.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const silent = createLogger({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'orcid-journals-registry-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

const PUB_A = { id: 'pub-a', env: 'emulator' as const, clientId: 'APP-AAAAAAAAAAAAAAAA', clientSecret: 'a-secret-only-publisher-a-knows', premium: true, webhookSecret: 'a-webhook-secret-of-publisher-a' };
const JEX = { id: 'jex', title: 'Journal of Examples', issn: '0317-8471', languages: ['en'], reviewPolicy: 'open-identities' as const, credentialsId: 'pub-a' };

describe('journals registry (orcid.journals)', () => {
  const opened: OrcidConnect[] = [];
  const open = async (options: Parameters<typeof orcidConnect>[0] = {}, path = join(dir, `r-${++n}.db`)) => {
    const orcid = await orcidConnect({ storeUrl: `sqlite:${path}`, env: {}, logger: silent, ...options });
    opened.push(orcid);
    return orcid;
  };
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.close();
  });

  it('makes today\'s single-journal settings the journal "default" with the credentials "default"', async () => {
    const orcid = await open({ journal: { title: 'Journal of Emulated Research', issn: '0000-0000', reviewPolicy: 'open-review' }, policies: { retraction: 'delete' } });
    const journal = await orcid.journals.get();
    expect(journal).to.deep.include({ id: 'default', title: 'Journal of Emulated Research', issn: '0000-0000', reviewPolicy: 'open-review', peerReviewGroupId: 'issn:0000-0000', credentialsId: 'default', locale: 'en', languages: ['en'] });
    expect(journal.policies).to.deep.equal({ retraction: 'delete', unlink: 'delete' });
    expect(await orcid.journals.get('default')).to.deep.equal(journal);
    expect((await orcid.journals.list()).map((j) => j.id)).to.deep.equal(['default']);
    expect(await orcid.journals.listCredentialIds()).to.deep.equal(['default']);
  });

  it('reads the journals at start, so that an event costs no journal read, and sees another process\'s journal', async () => {
    const path = join(dir, `r-${++n}.db`);
    const store = new SqliteStore({ path });
    await store.init();
    const reads: string[] = [];
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function' || !['getJournal', 'listJournals'].includes(String(prop))) return typeof value === 'function' ? value.bind(target) : value;
        return (...args: unknown[]) => {
          reads.push(String(prop));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const orcid = await open({ store: counted });
    reads.length = 0;
    await orcid.submissionCreated({ id: 's1', title: 'T', contributors: [{ contributorId: 'c1', role: 'author', givenNames: 'A', familyName: 'B' }] });
    await orcid.articlePublished({ id: 'a1', submissionId: 's1', title: 'T', url: 'https://example.org/a1', publishedAt: '2026-11-01', authors: [{ contributorId: 'c1', givenNames: 'A', familyName: 'B', sequence: 1 }] });
    expect(reads, 'journal reads during two events').to.deep.equal([]);
    // Another process adds a journal: found in the store when an event names it.
    const other = await open({ storeUrl: `sqlite:${path}` });
    await other.journals.upsertCredentials(PUB_A);
    await other.journals.upsert(JEX);
    expect((await orcid.journals.get('jex')).title).to.equal('Journal of Examples');
    await store.close();
  });

  it('adds the journals and credentials of the settings, each left-out field from the global settings', async () => {
    const orcid = await open({ orcidCredentials: [PUB_A], journals: [JEX, { id: 'zh', title: '仿真研究学报', eissn: '2049-3630', locale: 'zh-Hans', credentialsId: 'pub-a', invitations: { reminderDays: 3 } }], invitations: { expiryDays: 14 } });
    expect((await orcid.journals.list()).map((j) => j.id)).to.deep.equal(['default', 'jex', 'zh']);
    const zh = await orcid.journals.get('zh');
    expect(zh).to.deep.include({ locale: 'zh-Hans', languages: ['zh-Hans'], reviewPolicy: 'blind', peerReviewGroupId: 'issn:2049-3630', credentialsId: 'pub-a' });
    expect(zh.invitations).to.deep.equal({ expiryDays: 14, reminderDays: 3 });
    expect(await orcid.journals.listCredentialIds()).to.deep.equal(['default', 'pub-a']);
  });

  it('refuses bad journals in the settings with one error naming each path, never echoing a secret', async () => {
    const err = await open({
      orcidCredentials: [{ ...PUB_A, env: 'sandbox', clientId: 'APP-SHORT' }],
      journals: [{ ...JEX, issn: '0317-8472' }, { ...JEX, id: 'b', credentialsId: 'nobody' }, { ...JEX, id: 'c', reviewPolicy: 'secret' as never }, { ...JEX, id: 'd', issn: '2049-3630' }, { ...JEX, id: 'e', issn: undefined, eissn: '2049-3630' }],
    }).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    const problems = (err as ConfigError).problems.map((p) => p.setting);
    expect(problems).to.include.members(['journals[4].eissn', 'orcidCredentials[0].env', 'orcidCredentials[0].clientId', 'journals[0].issn', 'journals[1].credentialsId', 'journals[2].reviewPolicy']);
    expect((err as Error).message).to.contain('check digit should be 1');
    expect((err as Error).message).to.contain('orcidCredentials[0].env: must be orcid.env ("emulator"): one instance posts to one ORCID environment (got "sandbox")');
    expect((err as Error).message).not.to.contain(PUB_A.clientSecret);
  });

  it('upserts a journal at run time, validated by the same schema, and stores nothing when it is bad', async () => {
    const orcid = await open();
    await orcid.journals.upsertCredentials(PUB_A);
    const bad = await orcid.journals.upsert({ ...JEX, eissn: '1234-5678', languages: [], unknown: 1 } as never).then(() => null, (e: unknown) => e);
    expect(bad).to.be.instanceOf(JournalInvalidError);
    expect((bad as JournalInvalidError).code).to.equal(JOURNAL_INVALID);
    expect((bad as JournalInvalidError).problems.map((p) => p.setting).sort()).to.deep.equal(['journal.languages', 'journal.unknown']);
    const noCredentials = await orcid.journals.upsert({ ...JEX, credentialsId: 'pub-z' }).then(() => null, (e: unknown) => e);
    expect((noCredentials as JournalInvalidError).problems).to.deep.equal([{ setting: 'journal.credentialsId', problem: 'names no credentials record ("pub-z"): upsert the credentials first' }]);
    expect((await orcid.journals.list()).map((j) => j.id)).to.deep.equal(['default']);

    const jex = await orcid.journals.upsert(JEX);
    const clash = await orcid.journals.upsert({ ...JEX, id: 'jex-2', eissn: JEX.issn, issn: undefined }).then(() => null, (e: unknown) => e);
    expect((clash as JournalInvalidError).problems).to.deep.equal([{ setting: 'journal.eissn', problem: '"0317-8471" is already the ISSN of journal "jex"' }]);
    expect(jex).to.deep.include({ id: 'jex', title: 'Journal of Examples', reviewPolicy: 'open-identities', credentialsId: 'pub-a' });
    await orcid.journals.upsert({ ...JEX, title: 'Journal of Examples, Series B' });
    expect((await orcid.journals.get('jex')).title).to.equal('Journal of Examples, Series B');
    const unknown = await orcid.journals.get('nope').then(() => null, (e: unknown) => e);
    expect(unknown).to.be.instanceOf(UnknownJournalError);
    expect((unknown as Error).message).to.equal('No journal "nope" is known: add it to the settings or upsert it first');
  });

  it('seals client and webhook secrets at rest and opens them again after a restart', async () => {
    const path = join(dir, 'sealed.db');
    const first = await open({ orcidCredentials: [PUB_A] }, path);
    await first.close();
    opened.splice(0);
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT * FROM orcid_credentials ORDER BY id').all() as Array<Record<string, unknown>>;
    db.close();
    expect(rows.map((r) => r.id)).to.deep.equal(['default', 'pub-a']);
    const raw = JSON.stringify(rows);
    expect(raw).not.to.contain(PUB_A.clientSecret);
    expect(raw).not.to.contain(PUB_A.webhookSecret);
    expect(String(rows[1]!.sealed_secret)).to.match(/^v1\./);

    const again = await open({ orcidCredentials: [PUB_A] }, path);
    expect(await again.journals.listCredentialIds()).to.deep.equal(['default', 'pub-a']);
    // Unchanged settings are not written again at start.
    const db2 = new Database(path, { readonly: true });
    const after = db2.prepare('SELECT sealed_secret, updated_at FROM orcid_credentials WHERE id = ?').get('pub-a') as Record<string, unknown>;
    db2.close();
    expect(after).to.deep.equal({ sealed_secret: rows[1]!.sealed_secret, updated_at: rows[1]!.updated_at });
  });

  it('moves configured secrets to the current token key at start, also when the old key is gone', async () => {
    const path = join(dir, 'rotated.db');
    const [keyA, keyB] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const sealedOf = () => {
      const db = new Database(path, { readonly: true });
      const row = db.prepare('SELECT sealed_secret FROM orcid_credentials WHERE id = ?').get('pub-a') as { sealed_secret: string };
      db.close();
      return row.sealed_secret.split('.')[1];
    };
    const idOf = (key: string) => TokenCipher.fromKeys([Buffer.from(key, 'base64')]).seal('x').split('.')[1];
    await (await open({ tokenKey: keyA, orcidCredentials: [PUB_A] }, path)).close();
    opened.splice(0);
    expect(sealedOf()).to.equal(idOf(keyA));
    // Rotated: B seals, A still opens; the record moves to B.
    await (await open({ tokenKey: keyB, previousTokenKeys: [keyA], orcidCredentials: [PUB_A] }, path)).close();
    opened.splice(0);
    expect(sealedOf()).to.equal(idOf(keyB));
    // A record sealed under a key that is gone is written anew from the settings, not an error.
    const keyC = randomBytes(32).toString('base64');
    const orcid = await open({ tokenKey: keyC, orcidCredentials: [PUB_A] }, path);
    expect(sealedOf()).to.equal(idOf(keyC));
    expect(await orcid.journals.listCredentialIds()).to.deep.equal(['default', 'pub-a']);
  });
});
