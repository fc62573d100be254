/** A message body cut into text and links; links go through `/mailbox/:n/open` (open as the recipient). */
export interface MailPart {
  text: string;
  href?: string;
}

const URL_RE = /https?:\/\/[^\s<>"']+/g;

export function mailParts(text: string, n: number, publicUrl: string): MailPart[] {
  const parts: MailPart[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[).,;]+$/, '');
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at) });
    const ours = url.startsWith(`${publicUrl}/`);
    parts.push({ text: url, href: ours ? `/mailbox/${n}/open?link=${encodeURIComponent(url)}` : url });
    last = at + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
