import { htmlEscape as h } from './http.js';
import { displayName } from './render.js';
import type { ClientRegistration, Researcher, StoredItem } from './state.js';

/**
 * The HTML the emulator shows people: ORCID's sign-in + consent screen, its error screen
 * and the public record page. Every interpolated value goes through `h` (HTML escaping).
 */

const SCOPE_TEXT: Record<string, string> = {
  '/authenticate': 'Get your ORCID iD',
  '/read-limited': 'Read your information with visibility set to Trusted Organizations',
  '/activities/update': 'Add/update your research activities (works, affiliations, etc)',
  '/person/update': 'Add/update information about you (country, keywords, etc.)',
  openid: 'Get your ORCID iD (OpenID Connect)',
};

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}fieldset{margin:1rem 0}.badge{color:#a6ce39;font-weight:bold}li{margin:.3rem 0}</style>
</head><body><p class="badge">ORCID emulator</p>${body}</body></html>`;
}

export interface AuthorizePage {
  client: ClientRegistration;
  scopes: string[];
  /** original query parameters, re-sent as hidden fields */
  query: Record<string, string>;
  researchers: Researcher[];
  prefill: { givenNames?: string; familyNames?: string; email?: string; showLogin: boolean };
}

export function authorizePage(p: AuthorizePage): string {
  const hidden = Object.entries(p.query)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join('');
  const guess = p.researchers.find(
    (r) => (p.prefill.email && r.email === p.prefill.email) || (p.prefill.familyNames && r.familyName.toLowerCase() === p.prefill.familyNames.toLowerCase()),
  );
  const list = p.researchers
    .map(
      (r) =>
        `<li><label><input type="radio" name="orcid" value="${h(r.orcid)}"${r === guess ? ' checked' : ''}> ${h(displayName(r))} (${h(r.orcid)})${r.email ? ` &lt;${h(r.email)}&gt;` : ''}</label></li>`,
    )
    .join('');
  const scopes = p.scopes.map((s) => `<li>${h(SCOPE_TEXT[s] ?? s)} <code>${h(s)}</code></li>`).join('');
  return layout(
    'ORCID: authorize access',
    `<h1>${h(p.client.name)} has asked for the following access to your ORCID record</h1><ul id="scopes">${scopes}</ul>
<form method="post" action="/oauth/authorize">${hidden}
<fieldset><legend>${p.prefill.showLogin ? 'Sign in as' : 'Sign in as (or register below)'}</legend><ul id="researchers">${list || '<li>No test researchers yet.</li>'}</ul></fieldset>
<fieldset><legend>Or register a new test researcher</legend>
<label>Given names <input name="new_given_names" value="${h(p.prefill.givenNames ?? '')}"></label>
<label>Family name <input name="new_family_name" value="${h(p.prefill.familyNames ?? '')}"></label>
<label>Email <input name="new_email" value="${h(p.prefill.email ?? '')}"></label></fieldset>
<button type="submit" name="decision" value="authorize" id="authorize">Authorize access</button>
<button type="submit" name="decision" value="deny" id="deny">Deny access</button>
</form>`,
  );
}

export function errorPage(status: number, message: string): string {
  return layout('ORCID: error', `<h1>Oops, an error happened!</h1><p id="error">${h(String(status))}: ${h(message)}</p>`);
}

export function recordPage(r: Researcher, items: StoredItem[], clientName: (id: string) => string): string {
  const section = (title: string, list: StoredItem[]) =>
    `<h2>${h(title)} (${list.length})</h2><ul>${list
      .map(
        (i) =>
          `<li><strong>${h(i.title || i.type)}</strong> <em>${h(i.type)}</em>${i.model?.journalTitle ? ` · <span class="journal-title">${h(i.model.journalTitle)}</span>` : ''}${i.externalIds.map((e) => ` · ${h(e.type)}: ${h(e.value)}`).join('')}<br><small>Source: ${h(clientName(i.sourceClientId))} · put-code ${h(i.putCode)}</small></li>`,
      )
      .join('')}</ul>`;
  const aff = r.affiliations.map((a) => `<li>${h(a.organization)}${a.city ? `, ${h(a.city)}` : ''}${a.disambiguatedId ? ` (${h(a.disambiguatedId)})` : ''}</li>`).join('');
  return layout(
    `${displayName(r)} (${r.orcid})`,
    `<h1 id="name">${h(displayName(r))}</h1><p>ORCID iD: <code>${h(r.orcid)}</code></p>
<h2>Employment</h2><ul>${aff}</ul>
${section('Works', items.filter((i) => i.section === 'work'))}
${section('Peer review', items.filter((i) => i.section === 'peer-review'))}
${section('Service', items.filter((i) => i.section === 'service'))}`,
  );
}
