/// <reference lib="dom" />
/**
 * Dashboard and administration pages in real headless Chromium (Debian's package, playwright-core):
 * every page in Italian and English with axe-core (no serious or critical violation) and a
 * screenshot, the main action of each page with its field-level Italian errors, and a social
 * worker who sees only her comuni on the dashboard and no administration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const istat = readFileSync(path.resolve(import.meta.dirname, '../fixtures/istat/popolazione-eta-abbiatense-2024.csv'), 'utf8');

describe('dashboard and administration in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page }> {
    // bypassCSP only so that axe-core can be injected; the pages themselves run under the real CSP.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const res = await context.request.post(`${base}/api/v1/auth/login`, { data: { username, password: t.passwords[username] } });
    expect(res.status()).toBe(200);
    const page = await context.newPage();
    page.on('pageerror', (e) => {
      throw e;
    });
    return { context, page };
  }
  async function check(page: Page, name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  for (const lang of ['it', 'en'] as const) {
    it(`every page is accessible and readable (${lang})`, async () => {
      const { context, page } = await signedIn('paola');
      await page.goto(`${base}/staff/dashboard?lang=${lang}`);
      // Four charts always; the requests chart only when the year has requests.
      expect(await page.locator('svg.chart[role=img] > title').count()).toBeGreaterThanOrEqual(4);
      expect(await page.locator('table caption').count()).toBeGreaterThanOrEqual(4);
      await check(page, `admin-dashboard-${lang}`);

      await page.goto(`${base}/staff/admin?lang=${lang}`);
      await check(page, `admin-home-${lang}`);
      await page.goto(`${base}/staff/admin/staff?lang=${lang}`);
      await page.locator('#staff-rows th', { hasText: 'paola' }).waitFor();
      await check(page, `admin-staff-${lang}`);
      await page.goto(`${base}/staff/admin/resources?lang=${lang}`);
      await page.locator('#resource-rows th').first().waitFor();
      await check(page, `admin-resources-${lang}`);
      await page.goto(`${base}/staff/admin/comuni?lang=${lang}`);
      await page.locator('#cf-onCallStaffId option').first().waitFor({ state: 'attached' });
      await check(page, `admin-comuni-${lang}`);
      await page.goto(`${base}/staff/admin/import?lang=${lang}`);
      await check(page, `admin-import-${lang}`);
      await page.goto(`${base}/staff/admin/budget?lang=${lang}`);
      await page.locator('#budget-state').filter({ hasText: /\d{4}/ }).waitFor();
      await check(page, `admin-budget-${lang}`);
      await context.close();

      // A social worker: her comuni only on the dashboard, no administration.
      const sara = await signedIn('sara');
      await sara.page.goto(`${base}/staff/dashboard?lang=${lang}`);
      const comuni = await sara.page.locator('#apps-h ~ .chart-pair tbody th').allTextContents();
      expect(comuni.sort()).toEqual(['Albairate', 'Cisliano']);
      await check(sara.page, `dashboard-social-worker-${lang}`);
      const forbidden = await sara.page.goto(`${base}/staff/admin/staff?lang=${lang}`);
      expect(forbidden?.status()).toBe(403);
      await sara.context.close();
    }, 120_000);
  }

  it('saves only valid input, with field-level Italian messages', async () => {
    const { context, page } = await signedIn('paola');

    // Staff: a bad username is refused next to the field; a good one shows the password once.
    await page.goto(`${base}/staff/admin/staff`);
    await page.locator('#staff-rows th').first().waitFor();
    await page.getByLabel('Nome utente').fill('x');
    await page.getByLabel('Nome visualizzato').fill('Laura Operatrice');
    await page.getByLabel('Ruolo').selectOption('operator');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.locator('#sf-username-error').waitFor();
    expect(await page.locator('#sf-username').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Nome utente').fill('laura.op');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.locator('#password-text', { hasText: 'laura.op' }).waitFor();
    await page.locator('#staff-rows th', { hasText: 'laura.op' }).waitFor();

    // Comune settings: an impossible patron day is refused and nothing else is saved with it.
    await page.goto(`${base}/staff/admin/comuni`);
    await page.locator('#cf-onCallStaffId option').first().waitFor({ state: 'attached' });
    await page.getByLabel('Comune', { exact: true }).selectOption('albairate');
    const before = (await (await context.request.get(`${base}/api/v1/comuni/albairate/settings`)).json()) as { patronDay: string | null; officeAddress: string | null };
    // The form is filled in once the comune's settings arrive: typing before that raced with it
    // (the text landed after the loaded address).
    await expect.poll(() => page.getByLabel("Indirizzo dell'ufficio servizi sociali").inputValue(), { timeout: 15_000 }).toBe(before.officeAddress ?? '');
    await page.getByLabel("Indirizzo dell'ufficio servizi sociali").fill('Piazza Nuova 1');
    await page.getByLabel('Giorno del santo patrono').fill('13-45');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.locator('#cf-patronDay-error').waitFor();
    const after = (await (await context.request.get(`${base}/api/v1/comuni/albairate/settings`)).json()) as { patronDay: string | null; officeAddress: string | null };
    expect(after).toMatchObject({ patronDay: before.patronDay, officeAddress: before.officeAddress });
    await page.getByLabel('Giorno del santo patrono').fill('06-29');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.getByText('Impostazioni di Albairate salvate.').waitFor();
    const saved = (await (await context.request.get(`${base}/api/v1/comuni/albairate/settings`)).json()) as { patronDay: string | null; officeAddress: string | null };
    expect(saved).toMatchObject({ patronDay: '06-29', officeAddress: 'Piazza Nuova 1' });

    // Albairate's settings answer late, after the admin has moved on to Cisliano: the late answer
    // is dropped (a save would otherwise write Albairate's settings into Cisliano), and the form
    // stays locked while a comune's settings are on their way.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/comuni/albairate/settings', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel('Comune', { exact: true }).selectOption('albairate');
    expect(await page.locator('#settings-form button[type=submit]').isDisabled()).toBe(true);
    expect(await page.getByLabel("Indirizzo dell'ufficio servizi sociali").isDisabled()).toBe(true);
    const cisliano = (await (await context.request.get(`${base}/api/v1/comuni/cisliano/settings`)).json()) as { officeAddress: string | null };
    expect(cisliano.officeAddress).not.toBe('Piazza Nuova 1');
    await page.getByLabel('Comune', { exact: true }).selectOption('cisliano');
    await expect.poll(() => page.getByLabel("Indirizzo dell'ufficio servizi sociali").isEnabled(), { timeout: 15_000 }).toBe(true);
    release();
    await page.waitForResponse('**/api/v1/comuni/albairate/settings');
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(await page.getByLabel("Indirizzo dell'ufficio servizi sociali").inputValue()).toBe(cisliano.officeAddress ?? '');
    await page.unroute('**/api/v1/comuni/albairate/settings');

    // Over-65 import: checked first, saved only on confirmation.
    await page.goto(`${base}/staff/admin/import`);
    await page.getByLabel('Testo del file').fill(istat);
    await page.getByRole('button', { name: 'Controlla il file' }).click();
    await page.locator('#import-rows th', { hasText: 'Abbiategrasso' }).waitFor();
    const illustrative = (await (await context.request.get(`${base}/api/v1/comuni/abbiategrasso/settings`)).json()) as { over65Illustrative: boolean };
    expect(illustrative.over65Illustrative).toBe(true);
    await page.getByRole('button', { name: 'Conferma e salva' }).click();
    await page.getByText(/Dati salvati per \d+ comuni\./).waitFor();
    const imported = (await (await context.request.get(`${base}/api/v1/comuni/abbiategrasso/settings`)).json()) as { over65Illustrative: boolean };
    expect(imported.over65Illustrative).toBe(false);

    // Budget: a budget below the floors is refused at the field; a good one is previewed, then saved.
    await page.goto(`${base}/staff/admin/budget`);
    await page.getByLabel('Anno', { exact: true }).fill('2031');
    await page.getByLabel("Ore totali dell'anno").fill('100');
    await page.getByRole('button', { name: 'Mostra la ripartizione' }).click();
    await page.locator('#bf-totalHours-error').waitFor();
    await page.getByLabel("Ore totali dell'anno").fill('100000');
    await page.getByRole('button', { name: 'Mostra la ripartizione' }).click();
    await page.locator('#preview-rows tr').nth(13).waitFor();
    expect((await (await context.request.get(`${base}/api/v1/admin/budgets/2031`)).status())).toBe(404);
    await page.getByRole('button', { name: 'Salva il budget' }).click();
    await page.getByText('Budget salvato per il 2031: 100000 ore su 52 settimane.').waitFor();
    await page.screenshot({ path: screenshotPath('admin-budget-saved'), fullPage: true });
    await context.close();
  }, 120_000);
});
