/// <reference lib="dom" />
/**
 * People, programmes and the provider view of the staff console in real headless Chromium:
 * comune scope in the UI and the API, field-level Italian errors with nothing saved, the person
 * file, a new programme, a visit, the care contract, and a provider recording delivered hours.
 * Every page is checked with axe-core (no serious or critical violation) in Italian and English
 * and saved as a screenshot in test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, people, programmes, visits } from '../../db/schema.ts';
import { launchBrowser, screenshotPath } from '../helpers/browser.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page) {
  await page.addScriptTag({ content: axeSource });
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3) })))",
  )) as { id: string; impact: string }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe('console: people, programmes and provider pages in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const cookies: Record<string, string> = {};
  const ids = { maria: '', franco: '', francoProgramme: '' };

  async function as(username: string): Promise<BrowserContext> {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, locale: 'it-IT' });
    const [name, value] = cookies[username]!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: base }]);
    if (process.env.CONSOLE_DEBUG) context.on('page', (p) => p.on('pageerror', (e) => console.log(`[${username}]`, e.message)));
    return context;
  }
  async function api(username: string, path: string) {
    return t.request(path, { headers: { cookie: cookies[username]! } });
  }
  /** axe in the page as it is now, then its screenshot. */
  async function check(page: Page, name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  beforeAll(async () => {
    t = await createTestApp();
    base = await t.listen();
    browser = await launchBrowser();
    for (const u of ['paola', 'sara', 'marco', 'ilsole']) cookies[u] = await t.login(u);
    // The demo case files (db/demo-case.ts): people with a programme.
    const withProgramme = async (givenName: string, familyName: string) => {
      const [row] = await t.db.database.db
        .select({ personId: people.id, programmeId: programmes.id })
        .from(programmes)
        .innerJoin(people, eq(people.id, programmes.personId))
        .where(and(eq(people.givenName, givenName), eq(people.familyName, familyName)));
      return row!;
    };
    ids.maria = (await withProgramme('Maria', 'Ferrario')).personId;
    const franco = await withProgramme('Franco', 'Colombo');
    ids.franco = franco.personId;
    ids.francoProgramme = franco.programmeId;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("a social worker of one comune cannot see another comune's people, in the UI and the API", async () => {
    // The API: Maria Ferrario lives in Abbiategrasso, Sara serves Albairate and Cisliano.
    expect((await api('sara', `/api/v1/people/${ids.maria}`)).status).toBe(404);
    expect((await api('sara', `/api/v1/people/${ids.franco}`)).status).toBe(200);

    const context = await as('sara');
    const page = await context.newPage();
    await page.goto(`${base}/staff/people`);
    await page.getByRole('heading', { name: 'Persone', exact: true }).waitFor();
    await page.locator('#results li').first().waitFor();
    await check(page, 'people-it');
    await page.getByLabel('Nome, cognome o codice fiscale').fill('Ferrario');
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.getByText('Nessuna persona trovata.').waitFor();
    await page.getByLabel('Nome, cognome o codice fiscale').fill('Colombo');
    await page.getByRole('button', { name: 'Cerca', exact: true }).click();
    await page.getByRole('link', { name: 'Colombo Franco' }).first().waitFor();
    expect(await page.locator('#results').textContent()).not.toContain('Ferrario');

    // Opening the file's URL directly: a not-found page, with nothing of the person on it.
    const response = await page.goto(`${base}/staff/people/${ids.maria}`);
    expect(response!.status()).toBe(404);
    await page.getByRole('heading', { name: 'Scheda non trovata' }).waitFor();
    const html = await page.content();
    expect(html).not.toContain('Ferrario');
    expect(html).not.toContain('Maria');
    await check(page, 'person-not-found-it');
    // The refusal is audited.
    const denied = await t.db.database.db.select().from(auditLog).where(and(eq(auditLog.subjectId, ids.maria), eq(auditLog.outcome, 'denied')));
    expect(denied.length).toBeGreaterThan(0);
    // The same for her programme and its contract.
    const [mariaProgramme] = await t.db.database.db.select({ id: programmes.id }).from(programmes).where(eq(programmes.personId, ids.maria));
    expect((await page.goto(`${base}/staff/programmes/${mariaProgramme!.id}/contract`))!.status()).toBe(404);
    expect(await page.content()).not.toContain('Ferrario');
    await context.close();
  }, 60_000);

  it('registers a person with field-level errors and nothing saved, then creates a programme, a visit and prints the contract', async () => {
    const context = await as('sara');
    const page = await context.newPage();
    const count = async () => ((await (await api('sara', '/api/v1/people?q=Rinaldi')).json()) as { people: unknown[] }).people.length;

    await page.goto(`${base}/staff/people`);
    const form = page.locator('#new-person');
    await form.getByRole('button', { name: 'Registra la persona' }).click();
    await form.locator('#new-person-givenName-error', { hasText: 'Questo campo è obbligatorio.' }).waitFor();
    expect(await form.getByLabel('Nome', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Nome', { exact: true }).fill('Ada');
    await form.getByLabel('Cognome').fill('Rinaldi');
    await form.getByLabel('Data di nascita').fill('1941-05-02');
    await form.getByLabel('Codice fiscale').fill('XXXXXXXXXXXXXXXX');
    await form.getByLabel('Comune di residenza').selectOption('albairate');
    await form.getByRole('button', { name: 'Registra la persona' }).click();
    // The API's Italian message, next to the field; nothing was saved.
    const cfError = form.locator('#new-person-codiceFiscale-error');
    await cfError.waitFor();
    expect(await cfError.textContent()).toMatch(/codice fiscale/i);
    expect(await form.getByLabel('Codice fiscale').getAttribute('aria-describedby')).toContain('new-person-codiceFiscale-error');
    await check(page, 'people-form-errors-it');
    expect(await count()).toBe(0);
    await form.getByLabel('Codice fiscale').fill('');
    await form.getByRole('button', { name: 'Registra la persona' }).click();
    await page.waitForURL(/\/staff\/people\/[0-9a-f-]{36}/);
    await page.getByRole('heading', { name: 'Ada Rinaldi' }).waitFor();
    expect(await count()).toBe(1);
    const adaId = page.url().match(/people\/([0-9a-f-]{36})/)![1]!;

    // A new programme: the art. 8 cap is refused in the field, then a valid one is created.
    await page.getByRole('link', { name: 'Crea un nuovo programma' }).click();
    await page.getByRole('heading', { name: 'Nuovo programma di intervento' }).waitFor();
    await page.locator('#programme-resourceId option').nth(1).waitFor({ state: 'attached' });
    await check(page, 'programme-new-it');
    const start = await page.getByLabel('Inizio').inputValue();
    const end = new Date(Date.UTC(+start.slice(0, 4), +start.slice(5, 7) - 1 + 2, +start.slice(8, 10))).toISOString().slice(0, 10);
    await page.getByLabel('Fine prevista').fill(end);
    await page.getByLabel('Ore alla settimana').fill('12');
    await page.getByLabel('Visite alla settimana').fill('2');
    await page.getByLabel('Numero di operatori').fill('1');
    await page.getByLabel('Ente accreditato scelto dalla persona').selectOption({ label: 'Cooperativa Il Sole' });
    await page.locator('input[name=services][value="2B"]').check();
    await page.getByRole('button', { name: 'Crea il programma' }).click();
    await page.locator('#programme-weeklyHours-error').waitFor();
    expect(await page.getByLabel('Ore alla settimana').getAttribute('aria-invalid')).toBe('true');
    expect((await (await api('sara', '/api/v1/programmes')).json()).programmes.some((p: { personId: string }) => p.personId === adaId)).toBe(false);
    await page.getByLabel('Ore alla settimana').fill('4');
    await page.getByRole('button', { name: 'Crea il programma' }).click();
    await page.waitForURL(/\/staff\/programmes\/[0-9a-f-]{36}/);
    await page.getByRole('heading', { name: 'Programma di intervento' }).waitFor();
    await page.locator('#summary', { hasText: 'Ada Rinaldi' }).waitFor();
    await check(page, 'programme-it');

    // A visit at 21:00 is refused (art. 8) next to the field; one at 9:00 is scheduled.
    const visitDay = new Date(Date.UTC(+start.slice(0, 4), +start.slice(5, 7) - 1, +start.slice(8, 10) + 7));
    while (visitDay.getUTCDay() === 0) visitDay.setUTCDate(visitDay.getUTCDate() + 1);
    const d = visitDay.toISOString().slice(0, 10);
    await page.getByLabel('Giorno e ora di inizio').fill(`${d}T21:00`);
    await page.getByLabel('Ore', { exact: true }).fill('2');
    await page.getByRole('button', { name: 'Programma la visita' }).click();
    await page.locator('#visit-startsAt-error').waitFor();
    expect(await page.locator('#visits').textContent()).toContain('Nessuna visita');
    await page.getByLabel('Giorno e ora di inizio').fill(`${d}T09:00`);
    await page.getByRole('button', { name: 'Programma la visita' }).click();
    await page.getByText('Visita programmata.').waitFor();
    await page.locator('#visits tbody tr').first().waitFor();

    // The care contract: printable, in Italian, audited as a read of the person's file.
    const programmeId = page.url().match(/programmes\/([0-9a-f-]{36})/)![1]!;
    const contract = await context.newPage();
    await contract.goto(`${base}/staff/programmes/${programmeId}/contract`);
    await contract.getByRole('heading', { name: /Contratto di cura/ }).waitFor();
    const text = await contract.locator('body').textContent();
    expect(text).toContain('Ada Rinaldi');
    expect(text).toContain('Cooperativa Il Sole');
    expect(text).toContain('4 ore alla settimana');
    expect(text).toContain('Firma dell');
    await check(contract, 'care-contract-it');
    const reads = await t.db.database.db.select().from(auditLog).where(and(eq(auditLog.subjectId, adaId), eq(auditLog.action, 'person.read')));
    expect(reads.some((r) => (r.reason ?? '').startsWith('care contract'))).toBe(true);
    await context.close();
  }, 90_000);

  it('shows the person file by role, issues a link code once and stores a document', async () => {
    const context = await as('sara');
    const page = await context.newPage();
    await page.goto(`${base}/staff/people/${ids.franco}`);
    await page.getByRole('heading', { name: 'Franco Colombo' }).waitFor();
    await page.locator('#delegates', { hasText: 'Laura Colombo' }).waitFor();
    await page.locator('#vouchers', { hasText: 'disponibili' }).waitFor();
    await page.locator('#programmes .ledger li').first().waitFor();
    await page.getByRole('button', { name: 'Crea un codice di collegamento' }).click();
    await page.locator('#link-code-value').waitFor();
    expect(await page.locator('#link-code-value').textContent()).toMatch(/^[A-Z0-9-]{8,10}$/);
    await page.getByLabel('Tipo di documento').selectOption('certificate');
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'certificato.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') });
    await page.getByRole('button', { name: 'Aggiungi il documento' }).click();
    await page.getByText('Documento aggiunto.').waitFor();
    await page.locator('#documents', { hasText: 'certificato.pdf' }).waitFor();
    await check(page, 'person-it');
    // Every opening of the file is audited by the API it is read through.
    const reads = await t.db.database.db.select().from(auditLog).where(and(eq(auditLog.subjectId, ids.franco), eq(auditLog.action, 'person.read')));
    expect(reads.length).toBeGreaterThan(0);
    await page.goto(`${base}/staff/programmes?lang=en`);
    await page.locator('#programme-rows tr', { hasText: 'Franco Colombo' }).waitFor();
    await check(page, 'programmes-en');
    await page.goto(`${base}/staff/programmes`);
    await page.locator('#programme-rows tr', { hasText: 'Franco Colombo' }).waitFor();
    await check(page, 'programmes-it');
    await context.close();

    // The operator: the file without programmes, ledger, fees or the documents list.
    const operator = await as('marco');
    const op = await operator.newPage();
    await op.goto(`${base}/staff/people/${ids.franco}?lang=en`);
    await op.getByRole('heading', { name: 'Franco Colombo' }).waitFor();
    expect(await op.locator('#programmes-section').count()).toBe(0);
    expect(await op.locator('#fees-section').count()).toBe(0);
    expect(await op.locator('#documents').count()).toBe(0);
    await check(op, 'person-en');
    await op.goto(`${base}/staff/people?lang=en`);
    await op.locator('#results li').first().waitFor();
    await check(op, 'people-en');
    // Programmes are not the operator's: the page answers Forbidden.
    expect((await op.goto(`${base}/staff/programmes`))!.status()).toBe(403);
    await operator.close();

    const admin = await as('paola');
    const ad = await admin.newPage();
    await ad.goto(`${base}/staff/programmes/${ids.francoProgramme}?lang=en`);
    await ad.locator('#summary', { hasText: 'Franco Colombo' }).waitFor();
    await ad.locator('#visits tbody tr').first().waitFor();
    await check(ad, 'programme-en');
    await ad.goto(`${base}/staff/programmes/new?personId=${ids.franco}&renew=${ids.francoProgramme}&lang=en`);
    await ad.getByRole('heading', { name: 'Renewal of the intervention programme' }).waitFor();
    await check(ad, 'programme-new-en');
    await ad.goto(`${base}/staff/programmes/${ids.francoProgramme}/contract?lang=en`);
    await ad.getByRole('heading', { name: /Care contract/ }).waitFor();
    await check(ad, 'care-contract-en');
    await admin.close();
  }, 90_000);

  it('a provider records delivered hours from its calendar and prints its monthly statement', async () => {
    // A visit that took place yesterday and was not recorded yet.
    const yesterday = new Date(Date.now() - 86_400_000);
    const startsAt = new Date(Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), yesterday.getUTCDate(), 8));
    const [p] = await t.db.database.db.select({ resourceId: programmes.resourceId }).from(programmes).where(eq(programmes.id, ids.francoProgramme));
    await t.db.database.db.insert(visits).values({ programmeId: ids.francoProgramme, resourceId: p!.resourceId, startsAt, hours: 2, services: ['2B'] });
    const day = startsAt.toISOString().slice(0, 10);
    const balance = async () => ((await (await api('sara', `/api/v1/people/${ids.franco}/vouchers`)).json()) as { balanceHours: number }).balanceHours;
    const before = await balance();

    const context = await as('ilsole');
    const page = await context.newPage();
    await page.goto(`${base}/staff/provider?week=${day}`);
    await page.getByRole('heading', { name: 'Calendario delle visite' }).waitFor();
    const record = page.getByRole('button', { name: 'Registra le ore svolte' });
    await record.first().waitFor();
    await check(page, 'provider-it');
    await record.first().click();
    await page.getByText(/Ore registrate: 2\./).waitFor();
    expect(await balance()).toBe(before - 2);

    await page.goto(`${base}/staff/provider/statement?month=${day.slice(0, 7)}`);
    await page.locator('#statements table tbody tr').first().waitFor();
    expect(await page.locator('#statements').textContent()).toContain('Albairate');
    await check(page, 'provider-statement-it');
    await page.goto(`${base}/staff/provider/statement?month=${day.slice(0, 7)}&lang=en`);
    await page.locator('#statements table tbody tr').first().waitFor();
    await check(page, 'provider-statement-en');
    await page.goto(`${base}/staff/provider?week=${day}&lang=en`);
    await page.locator('.day .visits-of-day li').first().waitFor();
    await check(page, 'provider-en');
    // People pages are not the provider's.
    expect((await page.goto(`${base}/staff/people`))!.status()).toBe(403);
    await context.close();
  }, 60_000);
});
