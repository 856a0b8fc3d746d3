import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium (`apt-get install chromium`; .ci/run installs it when
 * missing) through playwright-core, which downloads no browser. CHROMIUM_PATH overrides the path.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** Screenshots for review go to test-results/screenshots/<suite>/ (git-ignored). */
export function screenshotDir(suite: string): string {
  const dir = join(__dirname, '..', '..', 'test-results', 'screenshots', suite);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Takes a full-page screenshot named `<step>.png` in the suite's directory. */
export async function screenshot(page: Page, suite: string, step: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir(suite), `${step}.png`), fullPage: true });
}
