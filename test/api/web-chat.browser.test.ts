/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendOutbound } from '../../db/conversations.ts';
import { messages, webChatSessions } from '../../db/schema.ts';
import { and, eq } from 'drizzle-orm';
import { launchBrowser, screenshotPath } from '../helpers/browser.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('web chat page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ demoData: false });
    base = await t.listen();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** On a phone, the box to write in stays on screen and the newest message shows whole right above it. */
  async function composerInView(page: Page): Promise<void> {
    await expect
      .poll(() =>
        page.evaluate(() => {
          const box = document.getElementById('text')!.getBoundingClientRect();
          const items = document.querySelectorAll('#messages li');
          const last = items[items.length - 1]!.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= window.innerHeight && last.top >= 0 && last.bottom <= box.top;
        }),
      )
      .toBe(true);
  }

  it('greets in Italian with big choices, hands over to an operator, survives a reload and shows staff replies live', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'it-IT' });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Parlare con un operatore' }).waitFor();
    await expect(page.locator('#messages li').first().textContent()).resolves.toMatch(/112/);
    await page.screenshot({ path: screenshotPath('web-chat-welcome'), fullPage: true });

    await page.getByLabel('Il Suo messaggio').fill('voglio parlare con un operatore');
    await page.getByRole('button', { name: 'Invia' }).click();
    await page.getByText('La metto in contatto con un operatore della centrale').waitFor();
    // The conversation is longer than the phone's screen by now; the box to write in was below the fold.
    expect(await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight)).toBe(true);
    await composerInView(page);

    await page.reload();
    await page.getByText('La metto in contatto con un operatore della centrale').waitFor();
    const texts = await page.locator('#messages li').allTextContents();
    expect(texts.filter((x) => x.includes('voglio parlare con un operatore'))).toHaveLength(1);

    // A staff reply stored by the server reaches the open page through server-sent events.
    const sessionId = await page.evaluate(() => JSON.parse(localStorage.getItem('centrale.webchat')!).sessionId as string);
    const [session] = await t.db.database.db.select().from(webChatSessions).where(eq(webChatSessions.id, sessionId));
    await appendOutbound(t.db.database.db, session!.conversationId, { body: 'Buongiorno, sono Marco della centrale. Come posso aiutarLa?', author: 'staff' });
    await page.getByText('sono Marco della centrale').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: screenshotPath('web-chat-staff-reply'), fullPage: true });
    await composerInView(page);
    const seqs = await page.locator('#messages li').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    await context.close();
  });

  it('sends a message again when its answer was lost, with the same id, and the server keeps it once', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Parlare con un operatore' }).waitFor();
    // The first POST reaches the server, which stores the message and takes the turn, but its
    // answer never comes back (a connection reset on the way back).
    const sentIds: string[] = [];
    await page.route('**/chat/web/sessions/*/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      sentIds.push((route.request().postDataJSON() as { clientMessageId: string }).clientMessageId);
      if (sentIds.length > 1) return route.continue();
      await route.fetch();
      return route.abort('connectionreset');
    });
    await page.getByLabel('Il Suo messaggio').fill('voglio parlare con un operatore');
    await page.getByRole('button', { name: 'Invia' }).click();
    // The reply may arrive by the events stream before the retry (after 1 s) is even sent: wait for
    // the retry's answer (expect.poll gives up after 1 s unless told otherwise).
    await page.getByText('La metto in contatto con un operatore della centrale').waitFor({ timeout: 15_000 });
    await expect.poll(() => sentIds.length, { timeout: 15_000 }).toBe(2);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('');

    expect(sentIds).toHaveLength(2);
    expect(sentIds[1]).toBe(sentIds[0]);
    const sessionId = await page.evaluate(() => JSON.parse(localStorage.getItem('centrale.webchat')!).sessionId as string);
    const [session] = await t.db.database.db.select().from(webChatSessions).where(eq(webChatSessions.id, sessionId));
    const stored = await t.db.database.db.select().from(messages).where(and(eq(messages.conversationId, session!.conversationId), eq(messages.direction, 'in'), eq(messages.author, 'person')));
    expect(stored.map((m) => m.body)).toEqual(['voglio parlare con un operatore']);
    const shown = await page.locator('#messages li').allTextContents();
    expect(shown.filter((x) => x.includes('voglio parlare con un operatore'))).toHaveLength(1);
    expect(shown.filter((x) => x.includes('La metto in contatto con un operatore'))).toHaveLength(1);
    await context.close();
  });

  it('follows a button choice and escapes whatever the person types', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Le mie ore di voucher' }).click();
    await page.getByRole('button', { name: 'Non ho un codice' }).waitFor();
    await page.getByLabel('Il Suo messaggio').fill('<img src=x onerror="window.pwned=1">');
    await page.keyboard.press('Enter');
    await page.getByText('<img src=x onerror="window.pwned=1">').waitFor();
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await context.close();
  });
});
