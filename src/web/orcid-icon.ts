/**
 * ORCID's own iD icon (templates/assets/orcid-id-icon.svg, see SOURCE.md there), inlined into the
 * badge so that a page needs no extra request and a host needs no static route. ORCID's display
 * guidelines ask for the published icon, unaltered: only the wrapper changes here (size, class,
 * accessible name); every shape, colour and transform is kept as ORCID drew it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ORCID_ICON_FILE = 'orcid-id-icon.svg';

/** The icon as inline `<svg>` markup, `size` pixels square, named "ORCID iD" for screen readers. */
export function inlineOrcidIcon(svgText: string, size = 16): string {
  const body = svgText
    .replace(/<\?xml[^>]*\?>/, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<title>[\s\S]*?<\/title>/, '')
    .replace(/<desc>[\s\S]*?<\/desc>/, '')
    .replace(/>\s+</g, '><')
    .trim();
  const open = body.match(/^<svg\b[^>]*>/);
  const viewBox = open?.[0].match(/viewBox="([^"]+)"/)?.[1];
  if (!open || !viewBox) throw new Error(`${ORCID_ICON_FILE} is not an <svg> with a viewBox`);
  const wrapper = `<svg class="orcid-id-icon" xmlns="http://www.w3.org/2000/svg" viewBox="${viewBox}" width="${size}" height="${size}" role="img" aria-label="ORCID iD">`;
  return wrapper + body.slice(open[0].length);
}

/** Read the bundled icon once from `assetsDir` and inline it. */
export function loadOrcidIcon(assetsDir: string, size = 16): string {
  return inlineOrcidIcon(readFileSync(join(assetsDir, ORCID_ICON_FILE), 'utf8'), size);
}
