/**
 * What the browser tests share: Debian's Chromium launched as the project runs it, one page, and
 * only local servers (the demo, the emulator) reachable. A machine without Chromium skips the file
 * with one visible line.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
export { localNetworkOnly } from '../local-network.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Skip the calling suite (from its `before`) when Chromium is not installed. */
export function skipWithoutChromium(context: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  console.log(`      skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);
  context.skip();
}

export async function launchPage(): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  page.setDefaultTimeout(10_000);
  return { browser, page };
}
