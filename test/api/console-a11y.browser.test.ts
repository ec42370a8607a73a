import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { startCentraleProcess, type CentraleProcess } from '../helpers/centrale-process.ts';

// Against centrale as `npm start` runs it, in a child process (see web-chat-a11y.browser.test.ts).
describe('staff console accessibility (axe-core in Chromium)', () => {
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
    it(`login, inbox and conversation pages have no serious or critical violations (${lang})`, async () => {
      // A web-chat conversation handed over to a human, through the public chat API.
      const created = (await (await fetch(`${server.url}/chat/web/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ locale: lang }) })).json()) as { sessionId: string; token: string };
      await fetch(`${server.url}/chat/web/sessions/${created.sessionId}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${created.token}` },
        body: JSON.stringify({ text: lang === 'it' ? 'voglio parlare con un operatore' : 'I want to talk to an operator' }),
      });

      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/staff/login?lang=${lang}`);
      await page.locator('#login').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath(`console-a11y-login-${lang}`), fullPage: true });

      await page.locator('#username').fill('admin');
      await page.locator('#password').fill('test-admin-password');
      await page.locator('#login button[type=submit]').click();
      await page.locator('#conversations li.item').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath(`console-a11y-inbox-${lang}`), fullPage: true });

      await page.locator('#conversations li.item a').first().click();
      await page.locator('#messages li').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: screenshotPath(`console-a11y-conversation-${lang}`), fullPage: true });
      await context.close();
    }, 90_000);
  }
});
