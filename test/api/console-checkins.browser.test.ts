/// <reference lib="dom" />
/**
 * The custode's check-ins page in real headless Chromium (issue #9): today's check-ins appear by
 * state, the page is axe-clean in Italian and English, and "Ho chiamato" records the follow-up in
 * one click (its open task is closed).
 */
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROME_ZONE } from '../../core/regulation/calendar.ts';
import { insertEnrolment, runCheckinSweep } from '../../db/checkins.ts';
import { checkinEnrolments, checkinOccurrences } from '../../db/schema-checkins.ts';
import { channelIdentities, consents, staffTasks } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { createCaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const rome = (date: string, hm: string) => DateTime.fromISO(`${date}T${hm}`, { zone: ROME_ZONE }).toJSDate();
const DAY = '2026-11-23';

describe("the custode's check-ins page in a real browser", () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let silentOccurrence: string;
  let consented: string;
  let withoutConsent: string;

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.db.database.db;
    const f = await createCaseFixtures(db);
    const i18n = await createI18n();
    const occurrences: string[] = [];
    for (const [i, side] of (['albairate', 'albairate', 'abbiategrasso'] as const).entries()) {
      const file = await f.createFile(side);
      const [consent] = await db.insert(consents).values({ personId: file.personId, purpose: 'check_ins', method: 'signed_form', givenAt: new Date() }).returning({ id: consents.id });
      await db.insert(channelIdentities).values({ channel: 'sms', address: `+3933200000${i}`, personId: file.personId });
      const e = await db.transaction((tx) =>
        insertEnrolment(tx, { personId: file.personId, comuneId: side, consentId: consent!.id, createdBy: null, now: new Date(), weekdays: [1, 2, 3, 4, 5, 6, 7], windowStart: '10:00', channel: 'sms', contacts: [], graceMinutes: 30, onHolidays: false }),
      );
      occurrences.push(e.id);
    }
    await runCheckinSweep({ db, i18n }, rome(DAY, '10:00'));
    const rows = await db.select().from(checkinOccurrences).where(eq(checkinOccurrences.localDate, DAY));
    const byEnrolment = new Map(rows.map((r) => [r.enrolmentId, r.id]));
    silentOccurrence = byEnrolment.get(occurrences[0]!)!;
    // The second person answered "Sì" (as the chat would record it); the first stays silent.
    await db.update(checkinOccurrences).set({ status: 'ok', answer: 'ok', answeredAt: rome(DAY, '10:05') }).where(eq(checkinOccurrences.id, byEnrolment.get(occurrences[1]!)!));
    for (const hm of ['10:30', '11:00']) await runCheckinSweep({ db, i18n }, rome(DAY, hm));
    // Two more people for the enrolment form: one has given consent, one has not.
    const formFile = await f.createFile('albairate');
    await db.insert(consents).values({ personId: formFile.personId, purpose: 'check_ins', method: 'verbal', givenAt: new Date() });
    consented = formFile.personId;
    withoutConsent = (await f.createFile('albairate')).personId;
    t.setNow(rome(DAY, '11:05'));
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists today by state, is axe-clean in both languages, and "Ho chiamato" records the follow-up', async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${base}/staff/login?lang=it&next=/staff/checkins`);
    await page.locator('#username').fill('sara');
    await page.locator('#password').fill(t.passwords.sara!);
    await page.locator('#login button[type=submit]').click();
    await page.getByRole('heading', { name: 'Chiamate di controllo di oggi' }).waitFor();
    const silent = page.locator(`li.checkin[data-occurrence="${silentOccurrence}"]`);
    await silent.waitFor();
    expect(await silent.getAttribute('data-bucket')).toBe('no_answer');
    await silent.getByText('nessuna risposta dalle 10:00').waitFor();
    expect(await page.locator('li.checkin[data-bucket=answered]').count()).toBe(1);
    // Sara works for Albairate and Cisliano: the Abbiategrasso person is not listed.
    expect(await page.locator('li.checkin').count()).toBe(2);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('checkins-it'), fullPage: true });

    // One click: keyboard-reachable button, then the follow-up is shown and the task closed.
    await silent.getByRole('button', { name: 'Ho chiamato' }).press('Enter');
    await page.getByRole('status').getByText('Fatto.').waitFor();
    await page.locator(`li.checkin[data-occurrence="${silentOccurrence}"]`).getByText(/Seguito: chiamata fatta/).waitFor();
    const tasks = await t.db.database.db
      .select({ status: staffTasks.status })
      .from(staffTasks)
      .where(and(eq(staffTasks.subjectType, 'checkin_occurrence'), eq(staffTasks.subjectId, silentOccurrence)));
    expect(tasks.map((x) => x.status)).toEqual(['done']);
    expect(await page.locator(`li.checkin[data-occurrence="${silentOccurrence}"] a`).getAttribute('href')).toMatch(/^\/staff\/conversations\/[0-9a-f-]{36}\?lang=it$/);

    // The enrolment form (linked from the person's file): field errors in Italian, then saved.
    await page.goto(`${base}/staff/checkins?lang=it&person=${withoutConsent}`);
    await page.locator('#checkin-enrol').waitFor();
    await page.getByRole('button', { name: 'Iscrivi alle chiamate di controllo' }).click();
    await page.locator('#enrol-form-error').getByText('Manca il consenso').waitFor();

    await page.goto(`${base}/staff/checkins?lang=it&person=${consented}`);
    await page.locator('#checkin-enrol').waitFor();
    await page.getByRole('heading', { name: /Chiamate di controllo di Persona\d+ Prova/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Ora del messaggio').fill('07:00');
    await page.getByRole('button', { name: 'Iscrivi alle chiamate di controllo' }).click();
    await page.locator('#enrol-windowStart-error').getByText('Scelga un orario tra le 08:00 e le 19:30.').waitFor();
    expect(await page.getByLabel('Ora del messaggio').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: screenshotPath('checkins-enrol-it'), fullPage: true });
    await page.getByLabel('Ora del messaggio').fill('09:30');
    await page.getByRole('button', { name: 'Iscrivi alle chiamate di controllo' }).click();
    await page.getByRole('status').getByText('Iscrizione salvata.').waitFor();
    await page.locator('#checkin-current-text').getByText('Stato: attiva').waitFor();
    const [saved] = await t.db.database.db.select().from(checkinEnrolments).where(eq(checkinEnrolments.personId, consented));
    expect(saved).toMatchObject({ windowStart: '09:30', weekdays: [1, 2, 3, 4, 5], graceMinutes: 30, status: 'active' });
    expect(saved!.contacts).toHaveLength(1); // "Me", checked by default

    await page.goto(`${base}/staff/checkins?lang=en`);
    await page.getByRole('heading', { name: "Today's check-in calls" }).waitFor();
    await page.locator('li.checkin').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('checkins-en'), fullPage: true });
    await context.close();
  }, 90_000);
});
