import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Debian's Chromium (`apt-get install -y chromium`), headless; never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Every error the pages of a context print to the browser console or throw, for the test to assert on. */
export function collectBrowserErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => errors.push(`page: ${error.message} (${page.url()})`));
    // The console line of a failed request does not name it: record which one it was.
    page.on('response', (response) => {
      if (response.status() >= 400)
        errors.push(`http: ${response.status()} ${response.request().method()} ${response.url()}`);
    });
  };
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
  return errors;
}

/** A full-page screenshot in test/e2e/artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A Chromium page signed in to the console of `h` with its admin key, on the home page. */
export async function signedInPage(
  h: { url: string; config: { home: string } },
  viewport = { width: 1280, height: 900 },
): Promise<{ browser: Browser; context: BrowserContext; page: Page; errors: string[] }> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport });
  const errors = collectBrowserErrors(context);
  const page = await context.newPage();
  await page.goto(`${h.url}/`);
  const adminKey = readFileSync(join(h.config.home, 'admin-api-key'), 'utf8').trim();
  await page.getByLabel('API key').fill(adminKey);
  await page.getByLabel('API key').press('Enter');
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  return { browser, context, page, errors };
}
