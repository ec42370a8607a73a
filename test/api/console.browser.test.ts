/// <reference lib="dom" />
/**
 * The staff console in real headless Chromium (Debian's package, playwright-core, no download):
 * a citizen asks for an operator in the web chat; the operator sees it arrive live in the inbox,
 * opens it, replies, and the reply appears live in the citizen's chat.
 */
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations } from '../../db/schema.ts';
import { launchBrowser, screenshotPath } from '../helpers/browser.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('staff console in a real browser', () => {
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

  it('an operator answers a web-chat escalation live, end to end', async () => {
    const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    const staff = await staffContext.newPage();
    if (process.env.CONSOLE_DEBUG) {
      staff.on('console', (m) => console.log('[staff]', m.text()));
      staff.on('pageerror', (e) => console.log('[staff error]', e.message));
      staff.on('framenavigated', (fr) => console.log('[nav]', fr.url()));
    }
    await staff.goto(`${base}/staff`);
    await staff.getByRole('heading', { name: 'Accesso del personale' }).waitFor();
    await staff.screenshot({ path: screenshotPath('console-login'), fullPage: true });
    await staff.getByLabel('Nome utente').fill('marco');
    await staff.getByLabel('Password').fill('wrong-password');
    await staff.getByRole('button', { name: 'Accedi' }).click();
    await staff.getByText('Nome utente o password non corretti.').waitFor();
    await staff.getByLabel('Password').fill(t.passwords.marco!);
    await staff.getByRole('button', { name: 'Accedi' }).click();
    await staff.getByRole('heading', { name: 'Conversazioni affidate al personale' }).waitFor();
    await staff.getByText('Aggiornamento automatico attivo.').waitFor();
    // Operators do not get the admin's links.
    expect(await staff.getByRole('link', { name: 'Documentazione API' }).count()).toBe(0);

    // The citizen, in another browser context, asks for a person.
    const citizenContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'it-IT' });
    const citizen = await citizenContext.newPage();
    await citizen.goto(`${base}/`);
    await citizen.getByRole('button', { name: 'Parlare con un operatore' }).waitFor();
    const typed = 'voglio parlare con un operatore <b>subito</b>';
    await citizen.getByLabel('Il Suo messaggio').fill(typed);
    await citizen.getByRole('button', { name: 'Invia' }).click();
    await citizen.getByText('La metto in contatto con un operatore della centrale').waitFor();

    // It appears in the operator's inbox without a reload, escaped.
    const link = staff.getByRole('link', { name: typed });
    await link.waitFor({ timeout: 10_000 });
    expect(await staff.locator('#conversations b').count()).toBe(0);
    await staff.screenshot({ path: screenshotPath('console-inbox'), fullPage: true });
    await link.click();
    await staff.getByRole('heading', { name: 'Conversazione', exact: true }).waitFor();
    await staff.locator('#messages li.person', { hasText: typed }).waitFor();
    await staff.locator('#d-status', { hasText: 'In attesa di un operatore' }).waitFor();
    // The chat's opening is named, not an empty bubble; the comune is unknown so far.
    await staff.locator('#messages li.system', { hasText: 'Inizio della conversazione' }).waitFor();
    expect(await staff.locator('#d-comune').textContent()).toBe('Comune non ancora noto');

    // An empty reply is refused in the field, in Italian, and nothing is sent.
    await staff.getByRole('button', { name: 'Invia la risposta' }).click();
    await staff.getByText('Scriva un testo prima di inviare.').waitFor();

    await staff.getByRole('textbox', { name: 'Risposta alla persona' }).fill('Buongiorno, sono Marco della centrale. Come posso aiutarLa?');
    await staff.getByRole('button', { name: 'Invia la risposta' }).click();
    await staff.getByText('Risposta inviata.').waitFor();
    await staff.locator('#d-status', { hasText: 'Gestita dal personale' }).waitFor();
    await staff.locator('#messages li.staff', { hasText: 'sono Marco della centrale' }).waitFor();

    await citizen.getByText('sono Marco della centrale').waitFor({ timeout: 10_000 });
    await citizen.screenshot({ path: screenshotPath('console-citizen-sees-reply'), fullPage: true });

    await staff.getByLabel('Nuova nota interna').fill('Richiamare domani');
    await staff.getByRole('button', { name: 'Aggiungi la nota' }).click();
    await staff.locator('#notes', { hasText: 'Richiamare domani' }).waitFor();
    await staff.screenshot({ path: screenshotPath('console-conversation'), fullPage: true });
    // The note never reaches the citizen.
    expect(await citizen.getByText('Richiamare domani').count()).toBe(0);
    // Once the comune is known, the page names it (not its id).
    const conversationId = new URL(staff.url()).pathname.split('/').pop()!;
    await t.db.database.db.update(conversations).set({ comuneId: 'albairate' }).where(eq(conversations.id, conversationId));
    await staff.reload();
    await staff.locator('#d-comune', { hasText: 'Albairate' }).waitFor();

    await staff.getByRole('button', { name: 'Segna come risolta' }).click();
    await staff.locator('#d-status', { hasText: 'Risolta' }).waitFor();
    await staffContext.close();
    await citizenContext.close();
  }, 90_000);
});
