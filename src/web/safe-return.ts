/**
 * Where to send the browser after connecting: only a same-origin path. Absolute URLs,
 * protocol-relative `//host`, backslash tricks (`/\host`, browsers treat `\` as `/`) and control
 * characters fall back to `fallback`, so the callback is never an open redirect.
 *
 * The check is on the output as well as the input: normalising dot segments can turn a harmless
 * input into a protocol-relative one (`/..//evil.example/` → `//evil.example/`, issue 13 finding 3).
 */
export function safeReturnPath(input: unknown, fallback = '/'): string {
  if (!isLocalPath(input)) return fallback;
  try {
    const base = 'http://same-origin.invalid';
    const url = new URL(input, base);
    if (url.origin !== base) return fallback;
    const out = url.pathname + url.search + url.hash;
    return isLocalPath(out) && new URL(out, base).origin === base ? out : fallback;
  } catch {
    return fallback;
  }
}

/** A path-absolute reference that no browser resolves to another origin. */
function isLocalPath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return false;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return false;
  return !/[\u0000-\u001f\u007f\\]/.test(value);
}
