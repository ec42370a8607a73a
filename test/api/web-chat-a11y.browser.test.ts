import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { startCentraleProcess, type CentraleProcess } from '../helpers/centrale-process.ts';

// Against centrale as `npm start` runs it, in a child process. (With the server inside the
// vitest worker next to other browser tests, axe.run was seen never to settle; cause not found.)
describe('web chat accessibility (axe-core in Chromium)', () => {
  let server: CentraleProcess;
  let browser: Browser;
  beforeAll(async () => {
    server = await startCentraleProcess();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const lang of ['it', 'en'] as const) {
    it(`has no serious or critical violations (${lang})`, async () => {
      // bypassCSP only to inject axe: the page's own CSP forbids inline scripts, as it should.
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/?lang=${lang}`);
      await page.getByRole('button', { name: lang === 'it' ? 'Parlare con un operatore' : 'Talk to an operator' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath(`web-chat-${lang}`), fullPage: true });
      await context.close();
    });
  }
});
