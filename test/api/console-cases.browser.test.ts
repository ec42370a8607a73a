/// <reference lib="dom" />
/**
 * The case pages of the staff console in real headless Chromium: segnalazioni, requests,
 * applications with the live assessment preview, the waiting list. Each page in Italian and
 * English, axe-core clean (no serious or critical violation), a screenshot per page; the
 * assessment form shows the same score as the API preview for the same input; a reporter is told
 * in the chat when a segnalazione is taken in charge; field-level errors in Italian.
 */
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, segnalazioni } from '../../db/schema.ts';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('console case pages in a real browser', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    base = await t.listen();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function loggedIn(username: string) {
    // bypassCSP: axe-core is injected as an inline script.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log('[page error]', e.message));
    await page.goto(`${base}/staff/login?lang=it`);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(t.passwords[username]!);
    await page.locator('#login button[type=submit]').click();
    await page.waitForURL((u) => !u.pathname.endsWith('/login'));
    return { context, page };
  }

  it('a social worker uses every case page in both languages; the form score equals the API preview', async () => {
    const { context, page } = await loggedIn('sara');
    const file = await f.createFile('albairate');
    const pages: [string, string, string][] = [
      ['segnalazioni', '/staff/segnalazioni', '#list li'],
      ['segnalazione', `/staff/segnalazioni/${file.segnalazioneId}`, '#d-reference:not(:empty)'],
      ['requests', '/staff/requests', '#list li'],
      ['request', `/staff/requests/${file.helpRequestId}`, '#resourceId option'],
      ['applications', '/staff/applications', '#list tr'],
      ['application', `/staff/applications/${file.applicationId}`, '#moves button'],
      ['waiting-list', '/staff/waiting-list', '#list tr'],
    ];
    for (const lang of ['it', 'en'] as const) {
      for (const [name, path, ready] of pages) {
        await page.goto(`${base}${path}?lang=${lang}`);
        await page.locator(ready).first().waitFor({ state: 'attached' });
        expect(await seriousViolations(page), `${name} ${lang}`).toEqual([]);
        await page.screenshot({ path: screenshotPath(`console-cases-${name}-${lang}`), fullPage: true });
      }
    }

    // Sara (Albairate, Cisliano) does not see Abbiategrasso's application: UI and API.
    await page.goto(`${base}/staff/applications/${f.abbiategrasso.applicationId}?lang=it`);
    await page.locator('#notice').getByText('Non è stato possibile caricare i dati').waitFor();
    expect(await page.locator('#record').isHidden()).toBe(true);

    // The assessment form: fill levels and ISEE, the live preview shows the score.
    await page.goto(`${base}/staff/applications/${file.applicationId}?lang=it`);
    await page.locator('#moves button').first().waitFor();
    await page.locator('#item-autonomy-personalHygiene').selectOption('3');
    await page.locator('#item-autonomy-mobility').selectOption('4');
    await page.locator('#item-family-noFamily').selectOption('1');
    await page.locator('#item-stress-familyUnderStress').selectOption('2');
    await page.locator('#item-housing-architecturalBarriers').selectOption('2');
    await page.locator('#iseeEuro').fill('9500');
    await page.locator('#iseeEuro').dispatchEvent('change');
    await page.waitForFunction(() => {
      const s = document.getElementById('score');
      return s && s.getAttribute('data-total') !== '' && s.textContent!.includes('Totale');
    });
    // Wait for the last answer (the preview of the final input).
    await page.waitForTimeout(300);
    const shown = Number(await page.locator('#score').getAttribute('data-total'));
    const cookie = await t.login('sara');
    const input = {
      criteria: { autonomy: 7, family: 3, network: 0, stress: 6, housing: 2 },
      items: { autonomy: [3, 0, 4, 0, 0, 0, 0, 0, 0, 0], family: [1, 0, 0, 0], network: [0], stress: [2], housing: [0, 2] },
      iseeCents: 950_000,
    };
    const api = (await (await t.json('/api/v1/assessments/preview', input, { headers: { cookie } })).json()) as { total: number };
    expect(shown).toBe(api.total);
    expect(await page.locator('#explain li').count()).toBe(6);

    // Move to investigation, then save the assessment: it becomes assessed with the preview's score.
    await page.getByRole('button', { name: /in istruttoria/ }).click();
    await page.locator('#d-status').getByText('in istruttoria').waitFor();
    // Bad input: field-level Italian message next to the ISEE, nothing saved.
    await page.locator('#iseeYear').fill('1800');
    await page.getByRole('button', { name: 'Salva la valutazione' }).click();
    await page.locator('#iseeYear[aria-invalid="true"]').waitFor();
    expect(await page.locator('#iseeYear-error').textContent()).toMatch(/[a-zà-ù]/i);
    const before = (await (await t.request(`/api/v1/applications/${file.applicationId}`, { headers: { cookie } })).json()) as { assessments: unknown[] };
    expect(before.assessments).toHaveLength(0);

    await page.locator('#iseeYear').fill(String(new Date().getFullYear()));
    await page.getByRole('button', { name: 'Salva la valutazione' }).click();
    await page.locator('#assessments li').first().waitFor();
    const after = (await (await t.request(`/api/v1/applications/${file.applicationId}`, { headers: { cookie } })).json()) as { application: { status: string; totalPoints: number } };
    expect(after.application.totalPoints).toBe(api.total);
    expect(after.application.status).toBe('assessed');
    await page.screenshot({ path: screenshotPath('console-cases-assessment-saved'), fullPage: true });
    await context.close();
  }, 180_000);

  it('an operator triages a segnalazione and takes it in charge; the reporter is told in the chat', async () => {
    // A reporter's web-chat conversation behind the segnalazione.
    const session = (await (await t.json('/chat/web/sessions', { locale: 'it' })).json()) as { sessionId: string };
    const file = await f.createFile('albairate');
    const { db } = t.db.database;
    const [conv] = await db.execute(`select conversation_id as id from web_chat_sessions where id = '${session.sessionId}'` as never).then((r) => ((r as unknown as { rows?: { id: string }[] }).rows ?? (r as unknown as { id: string }[])));
    await db
      .update(segnalazioni)
      .set({ conversationId: conv!.id, reporterName: 'Lucia', reporterRole: 'neighbour', problems: ['not_seen', 'not_eating'] })
      .where(eq(segnalazioni.id, file.segnalazioneId));

    const { context, page } = await loggedIn('marco');
    await page.goto(`${base}/staff/segnalazioni/${file.segnalazioneId}?lang=it`);
    await page.locator('#d-reference:not(:empty)').waitFor();
    // What the reporter told, in words (it read "not_seen, not_eating" and "Lucia, neighbour").
    expect(await page.locator('#d-problems').textContent()).toBe('non si vede da giorni, non mangia o non fa la spesa');
    expect(await page.locator('#d-reporter').textContent()).toBe('Lucia, vicino di casa');
    expect(await page.locator('#apply-section').count()).toBe(0); // operators open no applications
    await page.getByLabel('Urgenza').selectOption('immediate');
    await page.getByRole('button', { name: 'Salva lo smistamento' }).click();
    await page.locator('#d-urgency').getByText('immediata').waitFor();
    await page.getByRole('button', { name: 'Prendi in carico' }).click();
    await page.locator('#notice').getByText('La persona è stata avvisata in chat').waitFor();
    await page.locator('#d-status').getByText('presa in carico').waitFor();
    const told = await db.select({ body: messages.body, author: messages.author }).from(messages).where(eq(messages.conversationId, conv!.id));
    expect(told.some((m) => m.author === 'system' && m.body.includes('presa in carico'))).toBe(true);
    // The list shows it first, flagged.
    await page.goto(`${base}/staff/segnalazioni?lang=it`);
    await page.locator('#list li.urgent').first().waitFor();

    // Requests: an art. 8 violation shows next to the field and nothing changes.
    await page.goto(`${base}/staff/requests/${file.helpRequestId}?lang=it`);
    await page.locator('#resourceId option').first().waitFor({ state: 'attached' });
    // The service in words beside its code, and the day the request came in.
    await expect.poll(() => page.locator('#d-service').textContent(), { timeout: 15_000 }).toBe('2A · Igiene intima a letto');
    expect(await page.locator('#d-created').textContent()).toMatch(/^\d{2}\/\d{2}\/\d{2}, \d{2}:\d{2}$/);
    // A weekday visit ending after 20:00 breaks art. 8: shown live and next to the field, nothing saved.
    let monday = new Date(Date.now() + 7 * 86_400_000);
    while (monday.getUTCDay() !== 1) monday = new Date(monday.getTime() + 86_400_000);
    await page.locator('#date').fill(monday.toISOString().slice(0, 10));
    await page.locator('#time').selectOption('19:00');
    await page.locator('#hours').fill('3');
    await page.locator('#hours').dispatchEvent('change');
    await page.locator('#check li.bad').first().waitFor();
    await page.getByRole('button', { name: 'Conferma e avvisa la persona' }).click();
    await page.locator('#confirm [aria-invalid="true"]').first().waitFor();
    await page.locator('#d-status').getByText('nuova').waitFor();
    // Corrected on the page (earlier time, fewer hours): the preview turns good, the old field
    // error goes away and the confirmation goes through the page (status scheduled).
    await page.locator('#resourceId').selectOption(file.resourceId);
    await page.locator('#time').selectOption('09:00');
    await page.locator('#hours').fill('1');
    await page.locator('#hours').dispatchEvent('change');
    await page.locator('#check li.ok').first().waitFor();
    await page.getByRole('button', { name: 'Conferma e avvisa la persona' }).click();
    await page.locator('#d-status').getByText('confermata').waitFor();
    expect(await page.locator('#confirm [aria-invalid="true"]').count()).toBe(0);
    expect(await page.locator('#confirm .error:not([hidden])').count()).toBe(0);
    const cookie = await t.login('marco');
    const saved = (await (await t.request(`/api/v1/help-requests/${file.helpRequestId}`, { headers: { cookie } })).json()) as { helpRequest: { status: string; resourceId: string } };
    expect(saved.helpRequest.status).toBe('scheduled');
    expect(saved.helpRequest.resourceId).toBe(file.resourceId);
    await context.close();
  }, 120_000);
});
