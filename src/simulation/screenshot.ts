// Opens a rendered report page in headless Chromium: for the browser test and for the README's
// screenshot. playwright-core is imported lazily so the product never loads it otherwise.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';

/** The Chromium binary to use: CHROMIUM_PATH, else Debian's /usr/bin/chromium; null if neither exists. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? null;
}

// Nothing on the page needs the network; these keep Chromium itself from phoning home too.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedReport {
  page: Page;
  /** Uncaught exceptions and console errors (including CSP violations) since the page opened. */
  errors: string[];
  close(): Promise<void>;
}

/** Loads the report file and waits until it has loaded. Playwright gives each launch a new empty profile. */
export async function openHtmlReport(htmlPath: string): Promise<OpenedReport> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found: set CHROMIUM_PATH or run `apt-get install chromium`');
  const { chromium } = await import('playwright-core');
  const browser: Browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    return { page, errors, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** Writes a full-page PNG of the report file; throws if the page reported an error. */
export async function screenshotHtmlReport(htmlPath: string, pngPath: string): Promise<void> {
  const opened = await openHtmlReport(htmlPath);
  try {
    if (opened.errors.length > 0) throw new Error(`The report page failed:\n${opened.errors.join('\n')}`);
    await opened.page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await opened.close();
  }
}
