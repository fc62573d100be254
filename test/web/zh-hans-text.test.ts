/**
 * zh-Hans pages and emails carry no English (issue 14, "Languages"): every template is rendered in
 * each of its states with Chinese data, and what a reader sees (tags, the icon, URLs and the product
 * names ORCID / iD removed) must hold no Latin word.
 */
import { expect } from 'chai';
import { createRenderer } from '../../src/web/templates.js';

const ID = '0000-0002-1825-0097';
const expiresAt = new Date('2025-01-31T12:00:00Z');
const mail = { name: '王芳', journalTitle: '示例学报', submissionTitle: '论文', link: 'https://j.example/orcid/invite/abc', expiresAt };
const ALLOWED = new Set(['ORCID', 'iD', 'Cookie']);

/** The words a reader sees that are not Chinese, product names aside. */
function latinWords(html: string): string[] {
  const visible = html
    .replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<title>[\s\S]*?<\/title>/g, (t) => t.replace(/<\/?title>/g, ' '))
    .replace(/<!doctype[^>]*>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/https?:\/\/\S+/g, ' ');
  return (visible.match(/[A-Za-z][A-Za-z'-]+/g) ?? []).filter((w) => !ALLOWED.has(w));
}

const cases: [string, Record<string, unknown>][] = [
  ['connect-result.njk', { outcome: 'success', orcid: ID, name: '王芳', journalTitle: '示例学报', canUpdate: true, role: 'author', manageUrl: '/orcid/me', returnUrl: '/' }],
  ['connect-result.njk', { outcome: 'success', orcid: ID, canUpdate: true, role: 'reviewer' }],
  ['connect-result.njk', { outcome: 'denied', retryUrl: '/orcid/connect', returnUrl: '/' }],
  ...['state-invalid', 'state-used', 'orcid-failed', 'no-code', 'not-confirmed', 'invitation-spent', 'invitation-expired', 'invitation-invalid', 'invitation-used', 'submission-gone', 'invitation-connected', 'not-connected-here']
    .map((reasonKey): [string, Record<string, unknown>] => ['connect-result.njk', { outcome: 'error', reasonKey, retryUrl: '/orcid/connect' }]),
  ...[400, 403, 404, 410, 500, 503].map((status): [string, Record<string, unknown>] => ['connect-result.njk', { outcome: 'error', status, reason: 'Only editors may do this.' }]),
  ['connected-as.njk', { orcid: ID, manageUrl: '/orcid/me' }],
  ['researcher.njk', { status: 'linked', orcid: ID, name: '王芳', scopes: ['authenticate', 'activities-update', 'read-limited', 'openid'], unlinkPolicy: 'delete', csrfToken: 't', unlinkUrl: '/u', returnTo: '/me', connectUrl: '/c',
    items: ['on-record', 'waiting', 'removing', 'removed', 'removed-by-you', 'held'].map((state, i) => ({ kind: ['work', 'peer-review', 'service'][i % 3], title: '标题', state })) }],
  ['researcher.njk', { status: 'unlinking', orcid: ID, scopes: [], items: [], unlinkPolicy: 'keep' }],
  ['researcher.njk', { status: 'none', unlinked: ID, journalTitle: '示例学报', connectUrl: '/c', scopes: [], items: [] }],
];
for (const kind of ['invitation-email', 'reminder-email', 'reinvitation-email']) {
  for (const role of ['author', 'co-author', 'reviewer', 'editor']) {
    for (const ext of ['njk', 'txt.njk', 'subject.njk']) cases.push([`${kind}.${ext}`, { ...mail, role, ...(role === 'editor' ? { position: '主编' } : {}) }]);
  }
}

describe('zh-Hans pages and emails', () => {
  const renderer = createRenderer();
  for (const [template, context] of cases) {
    it(`hold no English: ${template} (${String(context.outcome ?? context.status ?? context.role ?? '')}${context.reasonKey ? ` ${String(context.reasonKey)}` : ''})`, () => {
      expect(latinWords(renderer.render(template, context, 'zh-Hans'))).to.deep.equal([]);
    });
  }

  it('would see English if a template had it (the check itself)', () => {
    expect(latinWords(renderer.render('connect-result.njk', { outcome: 'denied' }, 'en'))).to.include('problem');
  });
});
