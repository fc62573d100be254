/**
 * Where to send the browser after connecting: only a same-origin path. Absolute URLs,
 * protocol-relative `//host`, backslash tricks (`/\host`, browsers treat `\` as `/`) and control
 * characters fall back to `fallback`, so the callback is never an open redirect.
 */
export function safeReturnPath(input: unknown, fallback = '/'): string {
  if (typeof input !== 'string' || input.length === 0 || input.length > 2000) return fallback;
  if (!input.startsWith('/')) return fallback;
  if (input.startsWith('//') || input.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(input)) return fallback;
  try {
    const base = 'http://same-origin.invalid';
    const url = new URL(input, base);
    if (url.origin !== base) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
