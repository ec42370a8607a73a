/// <reference lib="dom" />
/**
 * The light-requests page in real headless Chromium (issue #9): a volunteer account sees an open
 * 8A request without the person's name, takes it, sees whom to help, confirms a day and time (a
 * past one is refused next to the field), gives it back after confirming, and finds it again under
 * "Da prendere"; a social worker assigns one from the same page. Axe-clean in Italian and English,
 * and in the menu of every role.
 */
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROME_ZONE } from '../../core/regulation/calendar.ts';
import { lightRequestAssignments } from '../../db/schema-community.ts';
import { helpRequests, resourceComuni, resources } from '../../db/schema.ts';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { createCaseFixtures, linkProviderAccount, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const VOLUNTEER = 'Amici di Gudo (prova)';
const OTHER = 'Auser Albairate (prova)';

describe('the light-requests page in a real browser', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let browser: Browser;
  let base: string;
  let n = 0;

  /** An open on-demand light request for the Albairate person of the fixtures (as the chat records it). */
  async function lightRequest(service: '8A' | 'COMPAGNIA', requestedStart: Date | null) {
    const [row] = await f.db
      .insert(helpRequests)
      .values({ reference: `L-${process.pid}-${++n}`, personId: f.albairate.personId, comuneId: 'albairate', kind: 'on_demand', service, family: service === '8A' ? '8' : null, requestedStart })
      .returning({ id: helpRequests.id, reference: helpRequests.reference });
    return row!;
  }

  async function signIn(page: Page, user: string, lang: 'it' | 'en' = 'it') {
    await page.goto(`${base}/staff/login?lang=${lang}&next=/staff/light-requests`);
    await page.locator('#username').fill(user);
    await page.locator('#password').fill(t.passwords[user]!);
    await page.locator('#login button[type=submit]').click();
  }

  async function association(name: string) {
    const [row] = await f.db.insert(resources).values({ kind: 'volunteer_association', name, services: ['8A', 'COMPAGNIA'] }).returning({ id: resources.id });
    await f.db.insert(resourceComuni).values({ resourceId: row!.id, comuneId: 'albairate' });
    return row!.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    // The provider account also works for a volunteer association serving Albairate; staff give
    // their request to another one, so that the two tests do not share what the volunteer sees.
    await linkProviderAccount(f.db, await association(VOLUNTEER));
    await association(OTHER);
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('is in the menu of every role that may use it', async () => {
    for (const user of ['paola', 'sara', 'marco', 'ilsole']) {
      const res = await t.request('/staff/light-requests', { headers: { cookie: await t.login(user) } });
      expect(res.status, user).toBe(200);
      expect(await res.text(), user).toContain('href="/staff/light-requests?lang=it"');
    }
    expect((await t.request('/staff/light-requests')).status).toBe(302);
  });

  it('lets a volunteer take a request, confirm the day and time, and give it back', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    const page = await context.newPage();
    const shopping = await lightRequest('8A', DateTime.now().setZone(ROME_ZONE).plus({ days: 4 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 }).toJSDate());
    const company = await lightRequest('COMPAGNIA', null);
    await signIn(page, 'ilsole');
    await page.getByRole('heading', { name: 'Richieste leggere', level: 1 }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Richieste leggere' }).getAttribute('aria-current')).toBe('page');

    // Open: the service and comune in words, no name before it is taken.
    const open = page.locator(`#light-open li[data-reference="${shopping.reference}"]`);
    await open.waitFor();
    await open.getByText('Accompagnamento, spesa, commissioni').waitFor();
    await open.getByText('Albairate').waitFor();
    expect(await page.locator('#light-open').textContent()).not.toContain('Persona');
    await page.locator(`#light-open li[data-reference="${company.reference}"]`).getByText('Compagnia').waitFor();
    await page.locator('#light-mine').getByText('In questo momento non ha richieste da seguire.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('light-requests-open-it'), fullPage: true });

    await open.getByRole('button', { name: 'Prendo io' }).click();
    await page.getByRole('status').getByText(`Ha preso la richiesta ${shopping.reference}.`, { exact: false }).waitFor();
    const mine = page.locator(`#light-mine li[data-reference="${shopping.reference}"]`);
    await mine.getByText(/^Persona\d+ Prova$/).waitFor();
    await mine.getByText('Presa, giorno e ora da fissare').waitFor();
    expect(await page.locator(`#light-open li[data-reference="${shopping.reference}"]`).count()).toBe(0);

    // A day in the past is refused next to the field; a future one is confirmed.
    const rome = DateTime.now().setZone(ROME_ZONE);
    await mine.getByLabel('Giorno', { exact: true }).fill(rome.minus({ days: 1 }).toISODate()!);
    await mine.getByLabel('Ora', { exact: true }).fill('10:30');
    await mine.getByRole('button', { name: 'Conferma giorno e ora' }).click();
    await mine.locator('.error').getByText("Scelga una data e un'ora future.").waitFor();
    expect(await mine.getByLabel('Giorno', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    const day = rome.plus({ days: 3 }).toISODate()!;
    await mine.getByLabel('Giorno', { exact: true }).fill(day);
    await mine.getByRole('button', { name: 'Conferma giorno e ora' }).click();
    await page.getByRole('status').getByText(`Confermato: richiesta ${shopping.reference}`, { exact: false }).waitFor();
    await page.locator(`#light-mine li[data-reference="${shopping.reference}"]`).getByText('Giorno e ora confermati').waitFor();
    await page.locator(`#light-mine li[data-reference="${shopping.reference}"]`).getByText(/alle 10:30/).first().waitFor();
    const [assignment] = await f.db.select().from(lightRequestAssignments).where(eq(lightRequestAssignments.helpRequestId, shopping.id));
    expect(assignment!.scheduledStart!.toISOString()).toBe(DateTime.fromISO(`${day}T10:30`, { zone: ROME_ZONE }).toUTC().toISO({ suppressMilliseconds: false }));
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('light-requests-mine-it'), fullPage: true });

    // Giving it back asks first; "No" keeps it, "Sì" puts it back on the open list.
    await page.locator(`#light-mine li[data-reference="${shopping.reference}"]`).getByRole('button', { name: 'Non posso più andare' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restituire la richiesta?' });
    await dialog.getByText(`La richiesta ${shopping.reference} tornerà tra quelle da prendere`, { exact: false }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'No, torna indietro' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await f.db.select({ status: helpRequests.status }).from(helpRequests).where(eq(helpRequests.id, shopping.id)))[0]!.status).toBe('scheduled');
    await page.locator(`#light-mine li[data-reference="${shopping.reference}"]`).getByRole('button', { name: 'Non posso più andare' }).click();
    await dialog.getByRole('button', { name: 'Sì, non posso andare' }).click();
    await page.getByRole('status').getByText(`La richiesta ${shopping.reference} è tornata tra quelle da prendere.`).waitFor();
    await page.locator(`#light-open li[data-reference="${shopping.reference}"]`).getByRole('button', { name: 'Prendo io' }).waitFor();
    await page.locator('#light-mine').getByText('In questo momento non ha richieste da seguire.').waitFor();
    expect((await f.db.select({ status: helpRequests.status, resourceId: helpRequests.resourceId }).from(helpRequests).where(eq(helpRequests.id, shopping.id)))[0]).toEqual({ status: 'new', resourceId: null });

    await page.goto(`${base}/staff/light-requests?lang=en`);
    await page.getByRole('heading', { name: 'Light requests', level: 1 }).waitFor();
    await page.locator(`#light-open li[data-reference="${shopping.reference}"]`).getByRole('button', { name: "I'll take it" }).waitFor();
    await page.locator(`#light-open li[data-reference="${shopping.reference}"]`).getByText('Accompaniment, shopping, errands').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('light-requests-en'), fullPage: true });
    await context.close();
  }, 90_000);

  it('lets a social worker assign a request to a volunteer association', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    const page = await context.newPage();
    const company = await lightRequest('COMPAGNIA', null);
    await signIn(page, 'sara');
    const item = page.locator(`#light-open li[data-reference="${company.reference}"]`);
    await item.waitFor();
    // Only the associations that offer company in Albairate can take it (no demo resource does).
    expect((await item.getByLabel('Affida a').locator('option').allTextContents()).sort()).toEqual([VOLUNTEER, OTHER].sort());
    expect(await seriousViolations(page)).toEqual([]);
    await item.getByLabel('Affida a').selectOption({ label: OTHER });
    await item.getByRole('button', { name: 'Affida' }).click();
    await page.getByRole('status').getByText(`Richiesta ${company.reference} affidata a ${OTHER}.`).waitFor();
    const assigned = page.locator(`#light-mine li[data-reference="${company.reference}"]`);
    await assigned.getByText(OTHER).waitFor();
    await assigned.getByText('Presa, giorno e ora da fissare').waitFor();
    // Staff read whom to help only when they ask (each read is audited).
    await assigned.getByRole('button', { name: 'Mostra nome e telefono della persona' }).click();
    await assigned.getByText(/^Persona\d+ Prova$/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('light-requests-staff-it'), fullPage: true });
    await context.close();
  }, 60_000);
});
