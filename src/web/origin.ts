/**
 * Origins compared as the browser computes them (scheme, host, port), never as string prefixes:
 * `https://journal.example.org.evil.com` starts with `https://journal.example.org` but is another
 * site (issue 13, finding 8).
 */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** Whether `url` is an absolute URL on the same origin as `publicUrl`. */
export function isSameOrigin(url: string | null | undefined, publicUrl: string): boolean {
  const a = originOf(url);
  return a !== null && a === originOf(publicUrl);
}
