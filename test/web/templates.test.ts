import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrcidIcon } from '../../src/web/orcid-icon.js';
import { BUILTIN_TEMPLATES_DIR, createRenderer, resolveLocale } from '../../src/web/templates.js';

const EVIL = '<script>alert(1)</script>';
const ID = '0000-0002-1825-0097';
const expiresAt = new Date('2025-01-31T12:00:00Z');

const ICON = loadOrcidIcon(join(BUILTIN_TEMPLATES_DIR, 'assets'));

const htmlTemplates: [string, Record<string, unknown>][] = [
  ['connect-result.njk', { outcome: 'success', orcid: ID, name: EVIL, journalTitle: EVIL, returnUrl: '/x' }],
  ['connect-result.njk', { outcome: 'denied', retryUrl: '/orcid/connect', journalTitle: EVIL }],
  // zh-Hans says an error handler's (English) message by its status: the title is what reaches the page there.
  ['connect-result.njk', { outcome: 'error', reason: EVIL, status: 400, journalTitle: EVIL, returnUrl: '/x', retryUrl: '/orcid/connect' }],
  ['invitation-email.njk', { name: EVIL, journalTitle: EVIL, submissionTitle: EVIL, role: 'co-author', link: 'https://j.example/i/abc', expiresAt }],
  ['reminder-email.njk', { name: EVIL, journalTitle: EVIL, submissionTitle: EVIL, role: 'reviewer', link: 'https://j.example/i/abc', expiresAt }],
  ['reinvitation-email.njk', { name: EVIL, journalTitle: EVIL, submissionTitle: EVIL, role: 'author', link: 'https://j.example/i/abc', expiresAt }],
  ['status.njk', { actionBase: '/orcid/status', submissions: [{ id: 's1', title: EVIL, people: [{ name: EVIL, orcid: ID, authenticated: true, items: [{ key: 'k1', jobId: 'j1', kind: 'work', state: 'failed-retrying', putCode: null, error: EVIL, nextAttemptAt: expiresAt, actions: ['retry'] }] }] }] }],
];

describe('createRenderer', () => {
  const renderer = createRenderer();

  for (const locale of ['en', 'zh-Hans']) {
    for (const [name, ctx] of htmlTemplates) {
      it(`escapes a script given as a name or title in ${locale}/${name} (${String(ctx.outcome ?? ctx.role ?? 'page')})`, () => {
        const html = renderer.render(name, ctx, locale);
        expect(html).not.to.contain('<script>');
        expect(html).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
      });
    }
  }

  it('shows the badge and the success text after connecting', () => {
    const html = renderer.render('connect-result.njk', { outcome: 'success', orcid: `https://orcid.org/${ID}` });
    expect(html).to.contain('<h1>Your ORCID iD is connected</h1>');
    expect(html).to.contain(`<a class="orcid-badge" href="https://orcid.org/${ID}" target="_blank" rel="noopener noreferrer">${ICON} https://orcid.org/${ID}</a>`);
  });

  it('offers "Try again" when access was denied', () => {
    const html = renderer.render('connect-result.njk', { outcome: 'denied', retryUrl: '/orcid/connect?role=author' });
    expect(html).to.contain('<a class="button" href="/orcid/connect?role=author">Try again</a>');
  });

  it('picks zh-Hans from a locale tag or an Accept-Language header, and falls back to en', () => {
    expect(renderer.render('connect-result.njk', { outcome: 'success', orcid: ID }, 'zh-CN')).to.contain('<h1>您的 ORCID iD 已关联</h1>');
    expect(renderer.render('connect-result.njk', { outcome: 'denied' }, 'fr-FR,zh-Hans;q=0.8')).to.contain('<h1>未授予 ORCID 访问权限</h1>');
    expect(renderer.render('connect-result.njk', { outcome: 'denied' }, 'de')).to.contain('<h1>ORCID access not granted</h1>');
    expect([resolveLocale('zh-TW'), resolveLocale('zh-Hans-CN'), resolveLocale('en-GB', 'zh-Hans'), resolveLocale(undefined, 'zh-Hans')]).to.deep.equal(['en', 'zh-Hans', 'en', 'zh-Hans']);
  });

  it('uses a journal override directory first, per file, and bundled templates for the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orcid-templates-'));
    try {
      mkdirSync(join(dir, 'en'));
      writeFileSync(join(dir, 'en', 'layout.njk'), '<div class="journal-shell">{% block content %}{% endblock %}</div>');
      const r = createRenderer({ templatesDir: dir });
      const html = r.render('connect-result.njk', { outcome: 'denied' });
      expect(html.startsWith('<div class="journal-shell">')).to.equal(true);
      expect(html).to.contain('<h1>ORCID access not granted</h1>');
      // zh-Hans has no override: its own layout falls back to the journal's English one, before the bundled one.
      expect(r.render('connect-result.njk', { outcome: 'denied' }, 'zh-Hans').startsWith('<div class="journal-shell">')).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('badge', () => {
    it('renders an authenticated iD as icon plus full URI link', () => {
      expect(renderer.badge(`https://orcid.org/${ID}`)).to.equal(`<a class="orcid-badge" href="https://orcid.org/${ID}" target="_blank" rel="noopener noreferrer">${ICON} https://orcid.org/${ID}</a>`);
    });

    it('hides an unauthenticated iD unless the journal shows them, then without icon and marked', () => {
      expect(renderer.badge({ orcid: ID, authenticated: false })).to.equal('');
      const shown = createRenderer({ showUnauthenticated: true });
      expect(shown.badge({ orcid: ID, authenticated: false })).to.equal(
        `<span class="orcid-badge orcid-badge--unverified"><a href="https://orcid.org/${ID}" target="_blank" rel="noopener noreferrer">https://orcid.org/${ID}</a> <span class="orcid-unverified">(not verified)</span></span>`,
      );
      expect(shown.badge({ orcid: ID, authenticated: false }, 'zh-Hans')).to.contain('（未验证）');
    });

    it('renders nothing for an invalid iD and links to the sandbox when told', () => {
      expect(renderer.badge('0000-0002-1825-0098')).to.equal('');
      expect(renderer.badge(`"><script>`)).to.equal('');
      expect(createRenderer({ orcidBaseUrl: 'https://sandbox.orcid.org' }).badge(ID)).to.contain(`href="https://sandbox.orcid.org/${ID}"`);
    });
  });

  it('lists status rows in words with put-code, error, next attempt and a POST form for each action offered', () => {
    const html = renderer.render('status.njk', {
      actionBase: '/orcid/status',
      csrfToken: 'tok',
      submissions: [{ id: 's1', title: 'On Things', people: [{ name: 'Ada', orcid: ID, items: [
        { key: 'k1', jobId: null, kind: 'work', state: 'sent', putCode: '12345', actions: [] },
        { key: 'k2', jobId: 'j2', kind: 'peer-review', state: 'parked', parkCause: 'token-revoked', error: '', actions: ['unpark'] },
        { key: 'k3', jobId: 'j3', kind: 'work', state: 'failed-retrying', error: '500', nextAttemptAt: '2025-01-31T12:00:00Z', actions: ['retry'] },
      ] }] }],
    });
    expect(html).to.contain('<td>12345</td>');
    expect(html).to.contain('<form method="post" action="/orcid/status/jobs/j2/unpark"><input type="hidden" name="_csrf" value="tok"><button type="submit">Un-park</button></form>');
    expect(html).to.contain('<form method="post" action="/orcid/status/jobs/j3/retry">');
    expect(html).not.to.contain('/k1/');
    expect(html).to.contain('Failed, will retry at January 31, 2025 at 12:00 PM UTC');
    expect(html).to.contain("Stopped (parked): the researcher's permission was revoked");
  });

  it('keeps plain-text email bodies unescaped', () => {
    const text = renderer.render('invitation-email.txt.njk', { name: 'Ann & Bob', journalTitle: 'J', submissionTitle: 'T', role: 'author', link: 'https://j.example/i/a?b=1&c=2', expiresAt });
    expect(text).to.contain('Dear Ann & Bob,');
    expect(text).to.contain('Connect your ORCID iD: https://j.example/i/a?b=1&c=2');
    expect(text).to.contain('This link expires on January 31, 2025.');
  });
});
