/** Requests to the demo as one of its users (the act-as cookie), without following redirects. */
export interface DemoAnswer {
  status: number;
  location: string | null;
  type: string;
  text: string;
}

export function actingClient(baseUrl: () => string) {
  async function get(path: string, as = 'author', init: RequestInit = {}): Promise<DemoAnswer> {
    const res = await fetch(`${baseUrl()}${path}`, { redirect: 'manual', ...init, headers: { cookie: `demo_act_as=${as}`, ...(init.headers as Record<string, string>) } });
    return { status: res.status, location: res.headers.get('location'), type: res.headers.get('content-type') ?? '', text: await res.text() };
  }
  /** A form post, as the demo's own forms send it. */
  const post = (path: string, as: string, form: Record<string, string>) =>
    get(path, as, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return { get, post };
}
