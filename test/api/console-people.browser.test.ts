/// <reference lib="dom" />
/**
 * People, programmes and the provider view of the staff console in real headless Chromium:
 * comune scope in the UI and the API, field-level Italian errors with nothing saved, the person
 * file, a new programme, a visit, the care contract, a provider recording delivered hours, and
 * the write forms of the person file and the programme page (profile, delegates, consents, fees,
 * payments, suspension decisions, questionnaire, evaluation, interruption). Every page is checked with axe-core (no serious or critical violation) in Italian and English
 * and saved as a screenshot in test-artifacts/.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, consents, delegations, evaluations, feeStatements, payments, people, programmes, programmeSuspensions, questionnaireResponses, visits } from '../../db/schema.ts';
import { launchBrowser, screenshotPath, seriousViolations } from '../helpers/browser.ts';
import { createCaseFixtures, type CaseFile } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const romeToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' });
/** The month `back` months before `month` (YYYY-MM). */
function monthBefore(month: string, back: number) {
  return new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7) - 1 - back, 1)).toISOString().slice(0, 7);
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

  // ── The write forms (issue #7 follow-up): each sent once wrong (message next to the field,
  // nothing saved) and once right (the database changes); one axe run per page with forms open. ──
  let file: CaseFile;
  let page: Page;

  it('edits the profile, adds and revokes a delegate, records and withdraws a consent, computes a fee and records a payment', async () => {
    const db = t.db.database.db;
    const cookie = cookies.sara!;
    file = await (await createCaseFixtures(db)).createFile('albairate');
    // Four old months left unpaid: art. 13 allows an interruption after more than three.
    const thisMonth = romeToday().slice(0, 7);
    for (const back of [2, 3, 4, 5]) {
      const m = monthBefore(thisMonth, back);
      await db.insert(feeStatements).values({ programmeId: file.programmeId, personId: file.personId, comuneId: 'albairate', month: m, redeemedHours: 4, amountCents: 800, dueOn: `${m}-28` });
    }
    // Hours used this month, so this month's fee is more than zero.
    expect((await t.json(`/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 2, deliveredAt: new Date().toISOString() }, { headers: { cookie } })).status).toBe(201);
    page = await (await as('sara')).newPage();
    await page.goto(`${base}/staff/people/${file.personId}`);
    await page.getByRole('heading', { name: /Persona\d+ Prova/ }).waitFor();
    const notice = page.locator('#notice');

    // Profile: a wrong phone number is refused next to the field, then a good one is saved.
    await page.getByText('Modifica i dati personali').click();
    const profile = page.locator('#profile-edit');
    await profile.getByLabel('Telefono').fill('non so');
    await profile.getByRole('button', { name: 'Salva i dati' }).click();
    await profile.locator('#profile-edit-phone-error').waitFor();
    expect(await profile.getByLabel('Telefono').getAttribute('aria-invalid')).toBe('true');
    const phoneBefore = (await db.select({ phone: people.phone }).from(people).where(eq(people.id, file.personId)))[0]!.phone;
    expect(phoneBefore).toMatch(/^\+39333/);
    await profile.getByLabel('Telefono').fill('+39 333 765 4321');
    await profile.getByLabel('Vive da solo o da sola?').selectOption('false');
    await profile.getByLabel('Ha l\'aiuto della famiglia?').selectOption('true');
    await profile.getByLabel('Ha l\'invalidità certificata?').selectOption('true');
    await profile.getByLabel('Come preferisce essere contattata la persona?').selectOption('sms');
    await profile.getByRole('button', { name: 'Salva i dati' }).click();
    await notice.getByText('Dati salvati.').waitFor();
    const [saved] = await db.select().from(people).where(eq(people.id, file.personId));
    expect(saved).toMatchObject({ livesAlone: false, familySupport: true, certifiedInvalidity: true, preferredChannel: 'sms' });
    expect(saved!.phone).toContain('765');

    // A delegate: a wrong e-mail is refused and nobody is added; then the delegate is added.
    const activeDelegations = async () => (await db.select().from(delegations).where(and(eq(delegations.personId, file.personId), isNull(delegations.revokedAt)))).length;
    expect(await activeDelegations()).toBe(1);
    await page.getByText('Aggiungi un delegato').click();
    const delegate = page.locator('#delegate');
    await delegate.getByLabel('Tipo di delega').selectOption('support_administrator');
    await delegate.getByLabel('Parentela o ruolo').fill('nipote');
    await delegate.getByLabel('Nome', { exact: true }).fill('Carla');
    await delegate.getByLabel('Cognome').fill('Neri');
    await delegate.getByLabel('E-mail').fill('non-una-mail');
    await delegate.getByLabel('Come è stato dato', { exact: true }).selectOption('signed_form');
    await delegate.getByRole('button', { name: 'Aggiungi il delegato' }).click();
    await delegate.locator('#delegate-email-error').waitFor();
    expect(await delegate.getByLabel('E-mail').getAttribute('aria-invalid')).toBe('true');
    expect(await activeDelegations()).toBe(1);
    expect((await db.select().from(people).where(eq(people.familyName, 'Neri'))).length).toBe(0);
    await delegate.getByLabel('E-mail').fill('carla.neri@example.org');
    await delegate.getByRole('button', { name: 'Aggiungi il delegato' }).click();
    await notice.getByText('Delegato aggiunto.').waitFor();
    await page.locator('#delegates', { hasText: 'Carla Neri' }).waitFor();
    expect(await activeDelegations()).toBe(2);

    // Revoking it: the button names the delegate.
    await page.getByRole('button', { name: 'Revoca la delega: Carla Neri' }).click();
    await notice.getByText('Delega revocata.').waitFor();
    expect(await activeDelegations()).toBe(1);

    // A consent: a date in the future is refused next to the field; then it is recorded and withdrawn.
    const ownConsents = async () => db.select().from(consents).where(and(eq(consents.personId, file.personId), isNull(consents.delegationId)));
    expect(await ownConsents()).toHaveLength(0);
    await page.getByText('Registra un consenso').click();
    const consent = page.locator('#consent');
    await consent.getByLabel('Per che cosa').selectOption('check_ins');
    await consent.getByLabel('Come è stato dato').selectOption('verbal');
    await consent.getByLabel('Quando').fill('2099-01-01T10:00');
    await consent.getByLabel('Chi lo ha dato').fill('la persona assistita');
    await consent.getByRole('button', { name: 'Registra il consenso' }).click();
    await consent.locator('#consent-givenAt-error').waitFor();
    expect(await consent.getByLabel('Quando').getAttribute('aria-invalid')).toBe('true');
    expect(await ownConsents()).toHaveLength(0);
    const now = new Date(Date.now() - 3_600_000);
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    await consent.getByLabel('Quando').fill(now.toISOString().slice(0, 16));
    await consent.getByRole('button', { name: 'Registra il consenso' }).click();
    await notice.getByText('Consenso registrato.').waitFor();
    expect(await ownConsents()).toMatchObject([{ purpose: 'check_ins', method: 'verbal', givenBy: 'la persona assistita', withdrawnAt: null }]);

    // Fees: the art. 13 warning is shown (four unpaid months).
    await page.locator('#fees-warning', { hasText: 'art. 13' }).waitFor();
    expect(await page.locator('#fees-warning').textContent()).toContain('4 mesi non pagati');
    // The forms open and the warning visible: axe and a screenshot of this state.
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('person-forms-it'), fullPage: true });

    await page.getByRole('button', { name: 'Ritira il consenso: Chiamate di controllo' }).click();
    await notice.getByText('Consenso ritirato.').waitFor();
    expect((await ownConsents())[0]!.withdrawnAt).not.toBeNull();

    // This month's fee: without a month the field says so; then it is computed from the hours used.
    const compute = page.locator('#fee-compute');
    await compute.locator('#fee-compute-programmeId option[value]').first().waitFor({ state: 'attached' });
    await compute.getByRole('button', { name: 'Calcola la quota' }).click();
    await compute.locator('#fee-compute-month-error', { hasText: 'obbligatorio' }).waitFor();
    const month = romeToday().slice(0, 7);
    await compute.getByLabel('Mese').fill(month);
    await compute.getByRole('button', { name: 'Calcola la quota' }).click();
    await notice.getByText(/Quota di .* calcolata/).waitFor();
    const [statement] = await db.select().from(feeStatements).where(and(eq(feeStatements.programmeId, file.programmeId), eq(feeStatements.month, month)));
    expect(statement!.redeemedHours).toBe(2);
    expect(statement!.amountCents).toBeGreaterThan(0);

    // A payment: more than what is due is refused and nothing is recorded; then the exact amount.
    const pay = page.locator('#payment');
    await pay.locator(`#payment-statementId option[value="${statement!.id}"]`).waitFor({ state: 'attached' });
    await pay.getByLabel('Quota del mese').selectOption(statement!.id);
    await pay.getByLabel('Importo pagato in euro').fill('12.345');
    await pay.getByRole('button', { name: 'Registra il pagamento' }).click();
    await pay.locator('#payment-amountCents-error', { hasText: 'euro' }).waitFor();
    await pay.getByLabel('Importo pagato in euro').fill('99999');
    await pay.getByRole('button', { name: 'Registra il pagamento' }).click();
    await pay.locator('#payment-error').waitFor();
    expect(await db.select().from(payments).where(eq(payments.statementId, statement!.id))).toHaveLength(0);
    const euros = `${Math.floor(statement!.amountCents / 100)},${String(statement!.amountCents % 100).padStart(2, '0')}`;
    await pay.getByLabel('Importo pagato in euro').fill(euros);
    await pay.getByLabel('Modo di pagamento').fill('bonifico');
    await pay.getByRole('button', { name: 'Registra il pagamento' }).click();
    await notice.getByText(/Pagamento registrato/).waitFor();
    expect(await db.select().from(payments).where(eq(payments.statementId, statement!.id))).toMatchObject([{ amountCents: statement!.amountCents, method: 'bonifico' }]);
  }, 90_000);

  it('decides a suspension asked for in the chat, records a questionnaire and an evaluation, and interrupts the programme', async () => {
    const db = t.db.database.db;
    await page.goto(`${base}/staff/programmes/${file.programmeId}`);
    await page.locator('#summary', { hasText: 'Prova' }).waitFor();
    const notice = page.locator('#notice');

    // Confirming without the last day: the field says it is needed and nothing changes.
    const decision = page.locator(`#decide-${file.suspensionId}`);
    await decision.getByRole('button', { name: 'Conferma la sospensione' }).click();
    await decision.locator(`[id="decide-${file.suspensionId}-toDate-error"]`).waitFor();
    expect(await decision.getByLabel('Fine della sospensione').getAttribute('aria-invalid')).toBe('true');
    const status = async () => (await db.select({ status: programmeSuspensions.status }).from(programmeSuspensions).where(eq(programmeSuspensions.id, file.suspensionId)))[0]!.status;
    expect(await status()).toBe('requested');
    const [before] = await db.select({ periodEnd: programmes.periodEnd }).from(programmes).where(eq(programmes.id, file.programmeId));
    const from = before!.periodEnd;
    const to = new Date(Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10) + 4)).toISOString().slice(0, 10);
    await decision.getByLabel('Fine della sospensione').fill(to);
    await decision.getByRole('button', { name: 'Conferma la sospensione' }).click();
    await notice.getByText('Sospensione confermata.').waitFor();
    expect(await status()).toBe('confirmed');
    await page.locator('#suspensions', { hasText: 'confermata' }).waitFor();

    // The questionnaire: at least one answer, then it is stored with the chat's answer codes.
    await page.getByText('Registra un questionario compilato su carta').click();
    const q = page.locator('#questionnaire');
    await q.getByRole('button', { name: 'Registra il questionario' }).click();
    await q.locator('#questionnaire-overall-error').waitFor();
    await q.getByLabel('Quanto è soddisfatto del servizio?').selectOption('very');
    await q.getByLabel('Gli orari delle visite sono stati rispettati?').selectOption('mostly');
    await q.getByLabel('Commento della persona').fill('Operatrice molto gentile');
    // Open form: axe and a screenshot of the programme page with its new forms.
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: screenshotPath('programme-forms-it'), fullPage: true });
    await q.getByRole('button', { name: 'Registra il questionario' }).click();
    await notice.getByText('Questionario registrato.').waitFor();
    const answers = await db.select().from(questionnaireResponses).where(eq(questionnaireResponses.programmeId, file.programmeId));
    expect(answers.map((a) => a.answers)).toEqual([{ overall: 'very', times: 'mostly', comment: 'Operatrice molto gentile' }]);

    // The evaluation: a future date is refused next to the field; today's is recorded.
    const e = page.locator('#evaluation');
    await e.getByLabel('Data della valutazione').fill('2099-01-01');
    await e.getByRole('button', { name: 'Registra la valutazione' }).click();
    await e.locator('#evaluation-evaluatedOn-error').waitFor();
    expect(await db.select().from(evaluations).where(eq(evaluations.programmeId, file.programmeId))).toHaveLength(0);
    await e.getByLabel('Data della valutazione').fill(romeToday());
    await e.getByLabel('Esito').selectOption('continue');
    await e.getByRole('button', { name: 'Registra la valutazione' }).click();
    await notice.getByText('Salvato.').waitFor();
    expect(await db.select().from(evaluations).where(eq(evaluations.programmeId, file.programmeId))).toHaveLength(1);

    // The interruption: the reason is required; then the programme is interrupted and its form goes.
    const i = page.locator('#interruption');
    await i.getByRole('button', { name: 'Interrompi il programma' }).click();
    await i.locator('#interruption-reason-error').waitFor();
    expect((await db.select({ status: programmes.status }).from(programmes).where(eq(programmes.id, file.programmeId)))[0]!.status).toBe('active');
    await i.getByLabel('Motivo').selectOption('no_longer_needed');
    await i.getByLabel('Dal giorno').fill(romeToday());
    await i.getByLabel('Note').fill('Trasferita dalla figlia');
    await i.getByRole('button', { name: 'Interrompi il programma' }).click();
    await notice.getByText(/Programma interrotto/).waitFor();
    const [after] = await db.select().from(programmes).where(eq(programmes.id, file.programmeId));
    expect(after).toMatchObject({ status: 'interrupted', interruptionReason: 'no_longer_needed', interruptedOn: romeToday() });
    await page.locator('#interruption-section').waitFor({ state: 'hidden' });
    await page.screenshot({ path: screenshotPath('programme-interrupted-it'), fullPage: true });
  }, 90_000);
});
