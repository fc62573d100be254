/** The Directory contract: identities, contributors, invitations, webhooks, OAuth states, prefills, settings. */
import { expect } from 'chai';
import { ORCID_A, ORCID_B, T0, at, type StoreRef } from './contract.js';

export function directoryContract(ref: StoreRef): void {
  identityContract(ref);
  tokenPerClientContract(ref);
  contributorContract(ref);
  invitationContract(ref);
  webhookSettingsContract(ref);
  lifecycleRecordsContract(ref);
}

function lifecycleRecordsContract(ref: StoreRef): void {
  describe('identity status unlinking', () => {
    it('marks a linked identity unlinking (tokens kept for the deletes); a revoked one stays revoked', async () => {
      const a = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: 'sealed', scopes: ['/activities/update'], tokenExpiresAt: null }, T0);
      await ref.store.markIdentityUnlinking(a.id, at(1));
      expect(await ref.store.getIdentity(a.id)).to.deep.include({ status: 'unlinking', sealedTokens: 'sealed' });
      const b = await ref.store.linkIdentity({ orcid: ORCID_B, sealedTokens: 'sealed', scopes: [], tokenExpiresAt: null }, T0);
      await ref.store.revokeIdentity(b.id, at(1));
      await ref.store.markIdentityUnlinking(b.id, at(2));
      expect((await ref.store.getIdentity(b.id))!.status).to.equal('revoked');
    });
  });

  describe('upsertContributors / resolveContributors', () => {
    it('writes many contributors in one call and returns them with their identities, in input order', async () => {
      const idn = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: null, scopes: [], tokenExpiresAt: null }, T0);
      await ref.store.upsertContributor({ id: 'c2', submissionId: 's1', role: 'author', givenNames: 'B', familyName: 'B', email: 'b@example.org' }, T0);
      await ref.store.linkContributor('c2', idn.id, T0);
      const out = await ref.store.upsertContributors([
        { id: 'c1', submissionId: 's1', role: 'author', keepRole: true, givenNames: 'A', familyName: 'A' },
        { id: 'c2', submissionId: 's1', role: 'coauthor', keepRole: true, givenNames: 'B2', familyName: 'B' },
      ], at(1));
      expect(out.map((r) => [r.contributor.id, r.contributor.role, r.contributor.givenNames, r.contributor.email, r.identity?.orcid ?? null])).to.deep.equal([
        ['c1', 'author', 'A', null, null],
        ['c2', 'author', 'B2', 'b@example.org', ORCID_A], // role and email kept, link untouched
      ]);
      const resolved = await ref.store.resolveContributors(['c2', 'missing', 'c1']);
      expect(resolved.map((r) => [r.contributor.id, r.identity?.id ?? null])).to.deep.equal([['c2', idn.id], ['c1', null]]);
      expect(await ref.store.resolveContributors([])).to.deep.equal([]);
    });
  });

  describe('OAuth states', () => {
    it('are single use and expire', async () => {
      await ref.store.createOAuthState({ stateHash: 'h1', createdAt: T0, expiresAt: at(60) });
      await ref.store.createOAuthState({ stateHash: 'h2', createdAt: T0, expiresAt: at(60) });
      const [first, second] = await Promise.all([ref.store.consumeOAuthState('h1', at(1)), ref.store.consumeOAuthState('h1', at(1))]);
      expect([first, second].filter((r) => r.ok)).to.have.length(1);
      expect(await ref.store.consumeOAuthState('h1', at(2))).to.deep.equal({ ok: false, reason: 'used' });
      expect(await ref.store.consumeOAuthState('h2', at(61))).to.deep.equal({ ok: false, reason: 'expired' });
      expect(await ref.store.consumeOAuthState('nope', at(1))).to.deep.equal({ ok: false, reason: 'unknown' });
      const err = await ref.store.createOAuthState({ stateHash: 'h2', createdAt: T0, expiresAt: at(60) }).then(() => null, (e: unknown) => e);
      expect(err).to.have.property('code', 'STORE_CONFLICT');
    });
  });

  describe('prefills', () => {
    it('keeps the latest prefill read from a record', async () => {
      expect(await ref.store.getPrefill('idn')).to.equal(null);
      await ref.store.putPrefill('idn', { emails: [{ email: 'a@example.org' }] }, T0);
      await ref.store.putPrefill('idn', { emails: [], affiliations: [{ name: 'Org' }] }, at(1));
      expect(await ref.store.getPrefill('idn')).to.deep.equal({ emails: [], affiliations: [{ name: 'Org' }] });
    });
  });
}

function identityContract(ref: StoreRef): void {
  describe('identities', () => {
    it('links a new iD with its sealed tokens and finds it by orcid, id and host user', async () => {
      const id = await ref.store.linkIdentity(
        { orcid: ORCID_A, hostUserId: 'u1', name: 'Josiah Carberry', sealedTokens: 'v1.k.sealed', scopes: ['/authenticate', '/activities/update'], tokenExpiresAt: at(3600) },
        T0,
      );
      expect(id).to.deep.include({
        orcid: ORCID_A, hostUserId: 'u1', name: 'Josiah Carberry', sealedTokens: 'v1.k.sealed', scopes: ['/authenticate', '/activities/update'],
        status: 'linked', authenticated: true,
      });
      expect(id.tokenExpiresAt).to.deep.equal(at(3600));
      expect(id.createdAt).to.deep.equal(T0);
      expect(await ref.store.getIdentity(id.id)).to.deep.equal(id);
      expect(await ref.store.findIdentityByOrcid(ORCID_A)).to.deep.equal(id);
      expect(await ref.store.findIdentityByHostUser('u1')).to.deep.equal(id);
      expect(await ref.store.findIdentityByOrcid(ORCID_B)).to.equal(null);
      expect(await ref.store.findIdentityByHostUser('nobody')).to.equal(null);
      expect(await ref.store.getIdentity('missing')).to.equal(null);
    });

    it('re-linking the same iD updates the row in place and keeps what was not given', async () => {
      const first = await ref.store.linkIdentity({ orcid: ORCID_A, hostUserId: 'u1', name: 'J. C.', sealedTokens: 'old', scopes: ['/authenticate'], tokenExpiresAt: null }, T0);
      await ref.store.revokeIdentity(first.id, at(5));
      const again = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: 'new', scopes: ['/authenticate', '/activities/update'], tokenExpiresAt: at(100) }, at(10));
      expect(again).to.deep.include({ id: first.id, hostUserId: 'u1', name: 'J. C.', sealedTokens: 'new', status: 'linked' });
      expect(again.createdAt).to.deep.equal(T0);
      expect(again.updatedAt).to.deep.equal(at(10));
    });

    it('records an iD typed by hand as not authenticated', async () => {
      const id = await ref.store.linkIdentity({ orcid: ORCID_B, sealedTokens: null, scopes: [], tokenExpiresAt: null, authenticated: false }, T0);
      expect(id.authenticated).to.equal(false);
      expect(id.hostUserId).to.equal(null);
    });

    it('revoking deletes the sealed tokens', async () => {
      const id = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: 'secret', scopes: ['/authenticate'], tokenExpiresAt: at(60) }, T0);
      await ref.store.revokeIdentity(id.id, at(1));
      const after = await ref.store.getIdentity(id.id);
      expect(after).to.deep.include({ status: 'revoked', sealedTokens: null, tokenExpiresAt: null });
      expect(after!.updatedAt).to.deep.equal(at(1));
    });

    it('replaces tokens after a refresh and updates the name', async () => {
      const id = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: 'one', scopes: ['/authenticate'], tokenExpiresAt: at(60) }, T0);
      await ref.store.updateIdentityTokens(id.id, 'two', ['/read-limited'], at(7200), at(2));
      await ref.store.updateIdentityName(id.id, 'Josiah S. Carberry', at(3));
      expect(await ref.store.getIdentity(id.id)).to.deep.include({ sealedTokens: 'two', scopes: ['/read-limited'], name: 'Josiah S. Carberry' });
      expect((await ref.store.getIdentity(id.id))!.tokenExpiresAt).to.deep.equal(at(7200));
    });

    it('finds the most recently linked iD of a host user', async () => {
      await ref.store.linkIdentity({ orcid: ORCID_A, hostUserId: 'u1', sealedTokens: null, scopes: [], tokenExpiresAt: null }, T0);
      await ref.store.linkIdentity({ orcid: ORCID_B, hostUserId: 'u1', sealedTokens: null, scopes: [], tokenExpiresAt: null }, at(1));
      expect((await ref.store.findIdentityByHostUser('u1'))!.orcid).to.equal(ORCID_B);
    });

    it('prefers the linked iD of a host user to one being released later', async () => {
      await ref.store.linkIdentity({ orcid: ORCID_A, hostUserId: 'u1', sealedTokens: null, scopes: [], tokenExpiresAt: null }, T0);
      const b = await ref.store.linkIdentity({ orcid: ORCID_B, hostUserId: 'u1', sealedTokens: null, scopes: [], tokenExpiresAt: null }, at(1));
      const a = await ref.store.findIdentityByOrcid(ORCID_A);
      await ref.store.markIdentityUnlinking(a!.id, at(2));
      expect((await ref.store.findIdentityByHostUser('u1'))!.id).to.equal(b.id);
      await ref.store.revokeIdentity(b.id, at(3));
      expect((await ref.store.findIdentityByHostUser('u1'))!.id).to.equal(b.id);
    });
  });
}

/** Tokens belong to the ORCID client that obtained them: one per identity and credentials record (issue 19). */
function tokenPerClientContract(ref: StoreRef): void {
  describe('tokens per ORCID client', () => {
    const link = (sealedTokens: string, credentialsId: string | undefined, now: Date) =>
      ref.store.linkIdentity({ orcid: ORCID_A, hostUserId: 'u1', sealedTokens, scopes: ['/activities/update'], tokenExpiresAt: at(3600), ...(credentialsId ? { credentialsId } : {}) }, now);

    it('a token without a credentials record is `default`\'s', async () => {
      const id = await link('d', undefined, T0);
      expect(id.tokenClients).to.deep.equal(['default']);
      expect(await ref.store.getIdentityToken(id.id, 'default')).to.deep.include({ identityId: id.id, credentialsId: 'default', sealedTokens: 'd', scopes: ['/activities/update'] });
      expect(await ref.store.getIdentityToken(id.id, 'pub-b')).to.equal(null);
    });

    it('connecting through client B keeps client A\'s token; the last connected client comes last', async () => {
      const a = await link('token-a', 'pub-a', T0);
      const b = await link('token-b', 'pub-b', at(10));
      expect(b.id).to.equal(a.id);
      expect(b.tokenClients).to.deep.equal(['pub-a', 'pub-b']);
      expect(b.sealedTokens).to.equal('token-b');
      expect((await ref.store.getIdentityToken(a.id, 'pub-a'))!.sealedTokens).to.equal('token-a');
      expect((await ref.store.getIdentityToken(a.id, 'pub-b'))!.sealedTokens).to.equal('token-b');
      expect((await ref.store.listIdentityTokens(a.id)).map((t) => [t.credentialsId, t.sealedTokens])).to.deep.equal([['pub-a', 'token-a'], ['pub-b', 'token-b']]);
      // Connecting through A again replaces A's token only, and A is now the last one.
      const again = await link('token-a2', 'pub-a', at(20));
      expect(again.tokenClients).to.deep.equal(['pub-b', 'pub-a']);
      expect((await ref.store.listIdentityTokens(a.id)).map((t) => [t.credentialsId, t.sealedTokens])).to.deep.equal([['pub-b', 'token-b'], ['pub-a', 'token-a2']]);
      expect((await ref.store.resolveContributors([])).length).to.equal(0);
    });

    it('a refresh replaces the token of its own client only', async () => {
      const a = await link('token-a', 'pub-a', T0);
      await link('token-b', 'pub-b', at(10));
      await ref.store.updateIdentityTokens(a.id, 'token-a-refreshed', ['/activities/update'], at(7200), at(20), 'pub-a');
      const tokenA = await ref.store.getIdentityToken(a.id, 'pub-a');
      expect(tokenA).to.deep.include({ sealedTokens: 'token-a-refreshed' });
      expect(tokenA!.tokenExpiresAt).to.deep.equal(at(7200));
      expect(tokenA!.updatedAt).to.deep.equal(at(20));
      expect((await ref.store.getIdentityToken(a.id, 'pub-b'))!.sealedTokens).to.equal('token-b');
      // The identity's own copy is the last connected client's (B's), untouched by A's refresh.
      expect((await ref.store.getIdentity(a.id))!.sealedTokens).to.equal('token-b');
      await ref.store.updateIdentityTokens(a.id, 'token-b-refreshed', ['/activities/update'], at(7200), at(30), 'pub-b');
      expect((await ref.store.getIdentity(a.id))!.sealedTokens).to.equal('token-b-refreshed');
      // A refresh never brings back a token that is gone.
      await ref.store.updateIdentityTokens(a.id, 'ghost', [], null, at(40), 'pub-c');
      expect(await ref.store.getIdentityToken(a.id, 'pub-c')).to.equal(null);
    });

    it('revoking one client\'s token keeps the identity linked with the other\'s; revoking the last one revokes it', async () => {
      const a = await link('token-a', 'pub-a', T0);
      await link('token-b', 'pub-b', at(10));
      await ref.store.revokeIdentity(a.id, at(20), 'pub-b');
      const afterB = await ref.store.getIdentity(a.id);
      expect(afterB).to.deep.include({ status: 'linked', sealedTokens: 'token-a', tokenClients: ['pub-a'] });
      expect(await ref.store.getIdentityToken(a.id, 'pub-b')).to.equal(null);
      await ref.store.revokeIdentity(a.id, at(30), 'pub-a');
      expect(await ref.store.getIdentity(a.id)).to.deep.include({ status: 'revoked', sealedTokens: null, tokenExpiresAt: null, tokenClients: [] });
      expect(await ref.store.listIdentityTokens(a.id)).to.deep.equal([]);
    });

    it('revoking without a client deletes every client\'s token', async () => {
      const a = await link('token-a', 'pub-a', T0);
      await link('token-b', 'pub-b', at(10));
      await ref.store.revokeIdentity(a.id, at(20));
      expect(await ref.store.getIdentity(a.id)).to.deep.include({ status: 'revoked', sealedTokens: null, tokenClients: [] });
      expect(await ref.store.listIdentityTokens(a.id)).to.deep.equal([]);
    });

    it('contributors resolve with their identity\'s token clients', async () => {
      const a = await link('token-a', 'pub-a', T0);
      await link('token-b', 'pub-b', at(10));
      await ref.store.upsertContributor({ id: 'c1', submissionId: 's1', role: 'author', givenNames: 'Ada', familyName: 'Lovelace' }, T0);
      await ref.store.linkContributor('c1', a.id, at(11));
      const [resolved] = await ref.store.resolveContributors(['c1']);
      expect(resolved!.identity!.tokenClients).to.deep.equal(['pub-a', 'pub-b']);
    });
  });
}

const person = (id: string, submissionId = 's1') => ({ id, submissionId, role: 'author' as const, givenNames: 'Ada', familyName: 'Lovelace', email: `${id}@example.org` });

function contributorContract(ref: StoreRef): void {
  describe('contributors', () => {
    it('creates a contributor with no link, no denial and no invitation', async () => {
      const c = await ref.store.upsertContributor(person('c1'), T0);
      expect(c).to.deep.equal({
        id: 'c1', submissionId: 's1', role: 'author', givenNames: 'Ada', familyName: 'Lovelace', email: 'c1@example.org', locale: null,
        hostUserId: null, identityId: null, unauthenticatedOrcid: null, deniedAt: null, invitationState: 'none', invitedAt: null,
        remindedAt: null, createdAt: T0, updatedAt: T0,
      });
      expect(await ref.store.getContributor('c1')).to.deep.equal(c);
      expect(await ref.store.getContributor('nope')).to.equal(null);
    });

    it('editing a linked contributor keeps its identity link and invitation state', async () => {
      const idn = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: null, scopes: [], tokenExpiresAt: null }, T0);
      await ref.store.upsertContributor({ ...person('c1'), locale: 'zh-Hans' }, T0);
      await ref.store.linkContributor('c1', idn.id, at(1));
      await ref.store.setInvitationState('c1', 'sent', at(2));
      const edited = await ref.store.upsertContributor({ ...person('c1'), role: 'coauthor', familyName: 'King' }, at(3));
      expect(edited).to.deep.include({ identityId: idn.id, role: 'coauthor', familyName: 'King', locale: 'zh-Hans', invitationState: 'sent' });
      expect(edited.invitedAt).to.deep.equal(at(2));
      expect(edited.createdAt).to.deep.equal(T0);
      expect(edited.updatedAt).to.deep.equal(at(3));
    });

    it('lists contributors by submission and by identity, in creation order', async () => {
      const idn = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: null, scopes: [], tokenExpiresAt: null }, T0);
      await ref.store.upsertContributor(person('b', 's1'), at(2));
      await ref.store.upsertContributor(person('a', 's1'), at(1));
      await ref.store.upsertContributor(person('z', 's2'), at(3));
      await ref.store.linkContributor('a', idn.id, at(4));
      await ref.store.linkContributor('z', idn.id, at(4));
      expect((await ref.store.listContributors('s1')).map((c) => c.id)).to.deep.equal(['a', 'b']);
      expect((await ref.store.listContributors('s3'))).to.deep.equal([]);
      expect((await ref.store.listContributorsByIdentity(idn.id)).map((c) => c.id)).to.deep.equal(['a', 'z']);
      await ref.store.unlinkContributorsOf(idn.id, at(5));
      expect(await ref.store.listContributorsByIdentity(idn.id)).to.deep.equal([]);
      expect((await ref.store.getContributor('a'))!.identityId).to.equal(null);
    });

    it('records a denial, and linking later clears it', async () => {
      await ref.store.upsertContributor(person('c1'), T0);
      await ref.store.markContributorDenied('c1', at(1));
      expect((await ref.store.getContributor('c1'))!.deniedAt).to.deep.equal(at(1));
      const idn = await ref.store.linkIdentity({ orcid: ORCID_A, sealedTokens: null, scopes: [], tokenExpiresAt: null }, T0);
      await ref.store.linkContributor('c1', idn.id, at(2));
      expect(await ref.store.getContributor('c1')).to.deep.include({ deniedAt: null, identityId: idn.id });
    });

    it('tracks the invitation state with the times it was sent and reminded', async () => {
      await ref.store.upsertContributor(person('c1'), T0);
      await ref.store.setInvitationState('c1', 'sent', at(1));
      await ref.store.setInvitationState('c1', 'reminded', at(2));
      await ref.store.setInvitationState('c1', 'used', at(3));
      const c = (await ref.store.getContributor('c1'))!;
      expect(c.invitationState).to.equal('used');
      expect([c.invitedAt, c.remindedAt, c.updatedAt]).to.deep.equal([at(1), at(2), at(3)]);
    });
  });
}

function invitationContract(ref: StoreRef): void {
  describe('invitations', () => {
    const inv = { tokenHash: 'h'.repeat(64), contributorId: 'c1', createdAt: T0, expiresAt: at(3600) };
    /** As the store returns it: no language given, none kept. */
    const stored = { ...inv, locale: null };

    it('is single use: of two concurrent consumers exactly one gets it', async () => {
      await ref.store.createInvitation(inv);
      const results = await Promise.all([ref.store.consumeInvitation(inv.tokenHash, at(1)), ref.store.consumeInvitation(inv.tokenHash, at(1))]);
      const ok = results.filter((r) => r.ok);
      expect(ok).to.have.length(1);
      expect(ok[0]).to.deep.equal({ ok: true, invitation: { ...stored, usedAt: at(1) } });
      expect(results.find((r) => !r.ok)).to.deep.equal({ ok: false, reason: 'used', invitation: { ...stored, usedAt: at(1) } });
      expect(await ref.store.consumeInvitation(inv.tokenHash, at(2))).to.deep.equal({ ok: false, reason: 'used', invitation: { ...stored, usedAt: at(1) } });
    });

    it('checks an invitation without using it', async () => {
      await ref.store.createInvitation(inv);
      expect(await ref.store.checkInvitation(inv.tokenHash, at(1))).to.deep.equal({ ok: true, invitation: { ...stored, usedAt: null } });
      expect(await ref.store.checkInvitation(inv.tokenHash, at(2))).to.deep.equal({ ok: true, invitation: { ...stored, usedAt: null } });
      expect((await ref.store.consumeInvitation(inv.tokenHash, at(3))).ok).to.equal(true);
      expect(await ref.store.checkInvitation(inv.tokenHash, at(4))).to.deep.equal({ ok: false, reason: 'used', invitation: { ...stored, usedAt: at(3) } });
      expect(await ref.store.checkInvitation('f'.repeat(64), at(1))).to.deep.equal({ ok: false, reason: 'unknown' });
      await ref.store.createInvitation({ ...inv, tokenHash: 'e'.repeat(64) });
      expect(await ref.store.checkInvitation('e'.repeat(64), at(3600))).to.deep.equal({ ok: false, reason: 'expired', invitation: { ...stored, tokenHash: 'e'.repeat(64), usedAt: null } });
    });

    it('refuses an expired invitation and an unknown one', async () => {
      await ref.store.createInvitation(inv);
      expect(await ref.store.consumeInvitation(inv.tokenHash, at(3600))).to.deep.equal({ ok: false, reason: 'expired', invitation: { ...stored, usedAt: null } });
      expect(await ref.store.consumeInvitation('f'.repeat(64), at(1))).to.deep.equal({ ok: false, reason: 'unknown' });
    });

    it('keeps the language an invitation was written in, used or not', async () => {
      await ref.store.createInvitation({ ...inv, locale: 'zh-Hans' });
      expect(await ref.store.checkInvitation(inv.tokenHash, at(1))).to.deep.equal({ ok: true, invitation: { ...inv, locale: 'zh-Hans', usedAt: null } });
      expect((await ref.store.consumeInvitation(inv.tokenHash, at(2))).ok).to.equal(true);
      const spent = await ref.store.consumeInvitation(inv.tokenHash, at(3));
      expect(spent).to.deep.equal({ ok: false, reason: 'used', invitation: { ...inv, locale: 'zh-Hans', usedAt: at(2) } });
    });

    it('refuses a second invitation with the same token hash', async () => {
      await ref.store.createInvitation(inv);
      const err = await ref.store.createInvitation(inv).then(() => null, (e: unknown) => e);
      expect(err).to.have.property('code', 'STORE_CONFLICT');
    });
  });
}

function webhookSettingsContract(ref: StoreRef): void {
  describe('webhooks', () => {
    it('upserts, reads and deletes subscriptions', async () => {
      await ref.store.upsertWebhook({ orcid: ORCID_A, callbackUrl: 'https://j.example/orcid/webhook/a', registeredAt: T0 });
      await ref.store.upsertWebhook({ orcid: ORCID_B, callbackUrl: 'https://j.example/orcid/webhook/b', registeredAt: T0 });
      await ref.store.upsertWebhook({ orcid: ORCID_A, callbackUrl: 'https://j.example/orcid/webhook/a2', registeredAt: at(1) });
      expect(await ref.store.getWebhook(ORCID_A)).to.deep.equal({ orcid: ORCID_A, callbackUrl: 'https://j.example/orcid/webhook/a2', registeredAt: at(1) });
      expect(await ref.store.getWebhook(ORCID_B)).to.deep.include({ callbackUrl: 'https://j.example/orcid/webhook/b' });
      await ref.store.deleteWebhook(ORCID_A);
      expect(await ref.store.getWebhook(ORCID_A)).to.equal(null);
      expect(await ref.store.getWebhook(ORCID_B)).to.not.equal(null);
    });
  });

  describe('settings', () => {
    it('stores and overwrites small values', async () => {
      expect(await ref.store.getSetting('peerReviewGroupId')).to.equal(null);
      await ref.store.setSetting('peerReviewGroupId', 'issn:1234-5678');
      await ref.store.setSetting('peerReviewGroupId', 'issn:8765-4321');
      expect(await ref.store.getSetting('peerReviewGroupId')).to.equal('issn:8765-4321');
    });
  });
}
