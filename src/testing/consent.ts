/**
 * Drive the emulator's OAuth consent page the way a researcher's browser would, so a host's tests
 * can connect a researcher without a browser. Cookies are kept per host in a small jar, because the
 * plugin's session cookie links the start of the connect to its callback.
 */

export interface ConnectOptions {
  /** A plugin URL that starts a connect, e.g. `http://127.0.0.1:3000/orcid/connect?role=author&submission=s1`, or an invitation link. */
  startUrl: string;
  /** The researcher (already added to the emulator) who signs in and consents. */
  orcid: string;
  /** `deny` clicks "Deny" instead. Default `authorize`. */
  decision?: 'authorize' | 'deny';
  /** Extra headers on the requests to the host, e.g. the host's own login cookie. */
  headers?: Record<string, string>;
}

export interface ConnectOutcome {
  /** The plugin's answer to ORCID's redirect back (a 302 to the return page when connected). */
  status: number;
  location: string | null;
}

/** Cookies by host, as a browser keeps them (names and values only: enough for a test). */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();
  header(url: string): string | undefined {
    const jar = this.byHost.get(new URL(url).host);
    return jar && jar.size > 0 ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
  keep(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    for (const cookie of res.headers.getSetCookie()) {
      const pair = cookie.split(';')[0]!;
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(pair.slice(0, i).trim());
      else jar.set(pair.slice(0, i).trim(), value);
    }
    this.byHost.set(host, jar);
  }
  /** A request that sends and keeps this jar's cookies and does not follow redirects. */
  async fetch(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = this.header(url);
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    this.keep(url, res);
    return res;
  }
}

/**
 * Follow a connect from the plugin to the emulator's consent page and back: start, consent as
 * `orcid`, and hand ORCID's redirect to the plugin's callback. Returns the callback's answer.
 * @example
 * const { status } = await connectResearcher({ startUrl: `${hostUrl}/orcid/connect?role=author&submission=s1`, orcid: josiah });
 * // status 302: the researcher is connected, and their works can be posted
 */
export async function connectResearcher(options: ConnectOptions, jar: CookieJar = new CookieJar()): Promise<ConnectOutcome> {
  let url = options.startUrl;
  let res = await jar.fetch(url, { headers: options.headers });
  // An invitation link redirects to the plugin's connect route first; follow until ORCID's authorize page.
  for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400; hops++) {
    const next = new URL(res.headers.get('location')!, url);
    if (next.pathname.endsWith('/oauth/authorize')) break;
    url = next.toString();
    res = await jar.fetch(url, { headers: options.headers });
  }
  const authorize = res.headers.get('location');
  if (res.status !== 302 || !authorize || !new URL(authorize, url).pathname.endsWith('/oauth/authorize')) {
    throw new Error(`the plugin did not redirect to ORCID (status ${res.status}): ${(await res.text()).slice(0, 200)}`);
  }
  const authorizeUrl = new URL(authorize, url);
  const form = new URLSearchParams(authorizeUrl.searchParams);
  form.set('orcid', options.orcid);
  form.set('decision', options.decision ?? 'authorize');
  const consent = await jar.fetch(`${authorizeUrl.origin}/oauth/authorize`, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const back = consent.headers.get('location');
  if (!back) throw new Error(`the emulator's consent page answered ${consent.status}: ${(await consent.text()).slice(0, 200)}`);
  const callback = await jar.fetch(back, { headers: options.headers });
  return { status: callback.status, location: callback.headers.get('location') };
}
