/**
 * Programmes, visits, suspensions, interruptions, renewals, evaluations, fees and the sweep of
 * due events, through the HTTP app on the real database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { recordDueEvents } from '../../db/case-sweeps.ts';
import { requestSuspension } from '../../db/programmes.ts';
import { applications, caseEvents, comuneSettings, messages, people, programmeSuspensions, programmes, voucherLedger, webChatSessions } from '../../db/schema.ts';
import { createCaseFixtures, ledgerBalance, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

interface ErrorBody { error: { code: string; message: string; rule?: string; fields?: Record<string, string> } }
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
/** The next date (≥ 2 days ahead) falling on ISO weekday `weekday` (1 = Monday … 7 = Sunday). */
function nextWeekday(weekday: number): string {
  for (let i = 2; ; i++) {
    const d = new Date(Date.now() + i * 86_400_000);
    if ((d.getUTCDay() || 7) === weekday) return d.toISOString().slice(0, 10);
  }
}

describe.skipIf(postgresSkipped)('programmes, visits and fees API (art. 8, 10–14)', () => {
  let t: TestApp;
  let f: CaseFixtures;
  const cookies: Record<string, string> = {};
  const as = (user: string) => ({ headers: { cookie: cookies[user]! } });
  const get = (user: string, path: string) => t.request(path, as(user));
  const post = (user: string, path: string, body: unknown) => t.json(path, body, as(user));

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a programme from an admitted application and issues its vouchers', async () => {
    const file = await f.createFile('albairate');
    // A new period for the same person, after the fixture's programme.
    const start = day(120);
    const [y, m, d] = start.split('-').map(Number);
    const plannedEnd = new Date(Date.UTC(y!, m! - 1 + 4, d! - 1)).toISOString().slice(0, 10);
    const body = { personId: file.personId, applicationId: file.applicationId, resourceId: file.resourceId, services: ['2A', '6A'], weeklyHours: 6, operators: 1, visitsPerWeek: 3, start, plannedEnd, contractSignedAt: new Date().toISOString() };
    const notAdmitted = await post('sara', '/api/v1/programmes', body);
    expect(notAdmitted.status).toBe(409);
    await f.db.update(applications).set({ status: 'admitted' }).where(eq(applications.id, file.applicationId));
    expect((await post('sara', '/api/v1/programmes', { ...body, weeklyHours: 2.5 })).status).toBe(400);
    const tooLong = await post('sara', '/api/v1/programmes', { ...body, plannedEnd: day(120 + 130) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as ErrorBody).error.rule).toBe('art. 11');
    expect((await post('giorgio', '/api/v1/programmes', body)).status).toBe(404);

    const res = await post('sara', '/api/v1/programmes', body);
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { programme: { id: string; status: string; periodEnd: string }; balanceHours: number };
    expect(created.programme.status).toBe('planned');
    expect(created.programme.periodEnd).toBe(plannedEnd);
    expect(created.balanceHours % 6).toBe(0);
    expect(created.balanceHours).toBeGreaterThanOrEqual(6 * 17);
    const again = await post('sara', '/api/v1/programmes', body);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error.message).toMatch(/programma aperto/);

    const detail = await get('sara', `/api/v1/programmes/${created.programme.id}`);
    expect(detail.status).toBe(200);
    const full = (await detail.json()) as { balance: { issuedHours: number; balanceHours: number } };
    expect(full.balance.issuedHours).toBe(created.balanceHours);
    expect((await get('giorgio', `/api/v1/programmes/${created.programme.id}`)).status).toBe(404);
    expect((await get('sara', '/api/v1/programmes/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('schedules visits under art. 8: 20:30 refused, Sunday only for people alone', async () => {
    const file = await f.createFile('albairate');
    const url = `/api/v1/programmes/${file.programmeId}/visits`;
    const late = await post('ilsole', url, { startsAt: `${nextWeekday(2)}T20:30`, hours: 1 });
    expect(late.status).toBe(400);
    expect(((await late.json()) as ErrorBody).error.rule).toBe('art. 8');
    expect((await post('ilsole', url, { startsAt: `${nextWeekday(2)}T09:00`, hours: 1.5 })).status).toBe(400);
    // The fixture person lives alone without family support: Sunday is allowed.
    expect((await post('ilsole', url, { startsAt: `${nextWeekday(7)}T09:00`, hours: 1 })).status).toBe(201);
    await f.db.update(people).set({ familySupport: true }).where(eq(people.id, file.personId));
    const sunday = await post('ilsole', url, { startsAt: `${nextWeekday(7)}T11:00`, hours: 1 });
    expect(sunday.status).toBe(400);
    expect(((await sunday.json()) as ErrorBody).error.rule).toBe('art. 8');
    const ok = await post('ilsole', url, { startsAt: `${nextWeekday(3)}T09:00`, hours: 2 });
    expect(ok.status).toBe(201);
    const visit = ((await ok.json()) as { visit: { id: string; status: string; hours: number } }).visit;
    expect(visit).toMatchObject({ status: 'planned', hours: 2 });
    const events = await f.db.select().from(caseEvents).where(and(eq(caseEvents.subjectId, visit.id), eq(caseEvents.type, 'visit_scheduled')));
    expect(events).toHaveLength(1);
    // Weekly cap: 10 h per ISO week.
    const cap = await post('sara', url, { startsAt: `${nextWeekday(3)}T11:00`, hours: 9 });
    expect(cap.status).toBe(400);
    expect(((await cap.json()) as ErrorBody).error.rule).toBe('art. 8');
    // A visit in the future cannot be done; it can be cancelled once.
    expect((await post('ilsole', `/api/v1/visits/${visit.id}/status`, { status: 'done' })).status).toBe(409);
    expect((await post('ilsole', `/api/v1/visits/${visit.id}/status`, { status: 'cancelled' })).status).toBe(200);
    expect((await post('ilsole', `/api/v1/visits/${visit.id}/status`, { status: 'missed' })).status).toBe(409);
    expect((await post('giorgio', `/api/v1/visits/${file.plannedVisitId}/status`, { status: 'missed' })).status).toBe(404);
    expect((await post('marco', url, { startsAt: `${nextWeekday(3)}T09:00`, hours: 1 })).status).toBe(403);
  });

  it("shows a provider's calendar and monthly statement, its own only", async () => {
    const cal = await get('ilsole', `/api/v1/visits?from=${day(-2)}&to=${day(3)}`);
    expect(cal.status).toBe(200);
    const visits = ((await cal.json()) as { visits: { id: string; comuneId: string }[] }).visits;
    expect(visits.map((v) => v.id)).toContain(f.albairate.plannedVisitId);
    expect(visits.map((v) => v.id)).not.toContain(f.abbiategrasso.plannedVisitId);
    expect((await get('ilsole', `/api/v1/visits?from=${day(0)}&to=${day(200)}`)).status).toBe(400);
    const file = await f.createFile('albairate');
    // A done visit says whether its hours were charged: not yet, so the calendar offers to record them.
    const redeemedOf = async (id: string) =>
      ((await (await get('ilsole', `/api/v1/visits?from=${day(-2)}&to=${day(3)}`)).json()) as { visits: { id: string; status: string; redeemed: boolean }[] }).visits.find((v) => v.id === id);
    expect(await redeemedOf(file.doneVisitId)).toMatchObject({ status: 'done', redeemed: false });
    expect((await post('ilsole', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 1, deliveredAt: new Date().toISOString(), visitId: file.doneVisitId })).status).toBe(201);
    expect(await redeemedOf(file.doneVisitId)).toMatchObject({ status: 'done', redeemed: true });
    const month = new Date().toISOString().slice(0, 7);
    const st = await get('ilsole', `/api/v1/provider-statements?resourceId=${file.resourceId}&month=${month}`);
    expect(st.status).toBe(200);
    const statement = (await st.json()) as { comuni: { comuneId: string; redeemedHours: number }[]; totalHours: number };
    expect(statement.comuni.map((c) => c.comuneId)).toEqual(['albairate']);
    expect(statement.totalHours).toBeGreaterThanOrEqual(1);
    expect((await get('ilsole', `/api/v1/provider-statements?resourceId=${f.abbiategrasso.resourceId}&month=${month}`)).status).toBe(404);
  });

  it('confirms a suspension requested from the chat and moves the end (art. 13)', async () => {
    const file = await f.createFile('albairate');
    const [before] = await f.db.select().from(programmes).where(eq(programmes.id, file.programmeId));
    // Asked in a chat conversation, which hears the decision ("il servizio sociale lo confermerà e La avviserà").
    const session = (await (await t.json('/chat/web/sessions', { locale: 'it' })).json()) as { sessionId: string };
    const [chat] = await f.db.select({ conversationId: webChatSessions.conversationId }).from(webChatSessions).where(eq(webChatSessions.id, session.sessionId));
    const told = async () =>
      (await f.db.select({ body: messages.body, author: messages.author }).from(messages).where(eq(messages.conversationId, chat!.conversationId))).filter((m) => m.author === 'system' && m.body !== '').map((m) => m.body);
    const requested = await requestSuspension(f.db, { programmeId: file.programmeId, fromDate: day(5), reason: 'ricovero', conversationId: chat!.conversationId });
    const url = `/api/v1/programmes/${file.programmeId}/suspensions/${requested.id}/decision`;
    expect((await post('sara', url, { decision: 'confirm' })).status).toBe(400);
    const ok = await post('sara', url, { decision: 'confirm', toDate: day(11) });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { status: string }).status).toBe('confirmed');
    expect(await told()).toEqual([expect.stringMatching(/^Il servizio sociale ha confermato la sospensione dell'assistenza da \S+ \d+ \S+ a \S+ \d+ \S+\. Le visite riprendono dopo\.$/)]);
    expect((await post('sara', url, { decision: 'reject' })).status).toBe(409);
    expect(await told()).toHaveLength(1);
    const refused = await requestSuspension(f.db, { programmeId: file.programmeId, fromDate: day(30), toDate: day(31), reason: 'vacanza', conversationId: chat!.conversationId });
    expect((await post('sara', `/api/v1/programmes/${file.programmeId}/suspensions/${refused.id}/decision`, { decision: 'reject' })).status).toBe(200);
    expect((await told())[1]).toMatch(/non ha confermato la sospensione.*scriva "operatore"/);
    const [after] = await f.db.select().from(programmes).where(eq(programmes.id, file.programmeId));
    const days = (Date.parse(after!.periodEnd) - Date.parse(before!.periodEnd)) / 86_400_000;
    expect(days).toBe(7);
    // A staff suspension overlapping the confirmed one is refused.
    const overlap = await post('sara', `/api/v1/programmes/${file.programmeId}/suspensions`, { fromDate: day(8), toDate: day(9), reason: 'vacanza' });
    expect(overlap.status).toBe(400);
    expect(((await overlap.json()) as ErrorBody).error.rule).toBe('art. 13');
    // During the suspension no hours can be redeemed; a visit cannot be planned.
    const visit = await post('sara', `/api/v1/programmes/${file.programmeId}/visits`, { startsAt: `${day(7)}T10:00`, hours: 1 });
    expect(visit.status).toBe(400);
  });

  it('interrupts a programme and returns the unused hours; renews another', async () => {
    const file = await f.createFile('albairate', { issuedHours: 20 });
    // Asked in the chat and still undecided when the programme is interrupted: closed, not left to decide.
    const pending = await requestSuspension(f.db, { programmeId: file.programmeId, fromDate: day(5), toDate: day(9), reason: 'ricovero' });
    const unpaid = await post('sara', `/api/v1/programmes/${file.programmeId}/interruption`, { reason: 'fees_unpaid', on: day(1) });
    expect(unpaid.status).toBe(400);
    expect(((await unpaid.json()) as ErrorBody).error.rule).toBe('art. 13');
    const res = await post('sara', `/api/v1/programmes/${file.programmeId}/interruption`, { reason: 'permanent_admission', on: day(1) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { returnedHours: number }).returnedHours).toBe(20);
    expect(await ledgerBalance(f.db, file.programmeId)).toBe(0);
    expect((await post('sara', `/api/v1/programmes/${file.programmeId}/interruption`, { reason: 'death', on: day(1) })).status).toBe(400);
    const [closed] = await f.db.select().from(programmeSuspensions).where(eq(programmeSuspensions.id, pending.id));
    expect(closed).toMatchObject({ status: 'closed', decidedAt: expect.any(Date) });
    expect((await post('sara', `/api/v1/programmes/${file.programmeId}/suspensions/${pending.id}/decision`, { decision: 'reject' })).status).toBe(409);

    const other = await f.createFile('abbiategrasso', { issuedHours: 30 });
    // Still undecided at the renewal: it goes on to the new programme, and is decided there.
    const carried = await requestSuspension(f.db, { programmeId: other.programmeId, fromDate: day(5), toDate: day(9), reason: 'ricovero' });
    const renewal = await post('giorgio', `/api/v1/programmes/${other.programmeId}/renewals`, { resourceId: other.resourceId, services: ['1A'], weeklyHours: 2, operators: 1, visitsPerWeek: 1, plannedEnd: day(150) });
    expect(renewal.status, await renewal.clone().text()).toBe(201);
    const renewed = (await renewal.json()) as { programme: { id: string; period: number; previousProgrammeId: string } };
    expect(renewed.programme).toMatchObject({ period: 2, previousProgrammeId: other.programmeId });
    const [moved] = await f.db.select().from(programmeSuspensions).where(eq(programmeSuspensions.id, carried.id));
    expect(moved).toMatchObject({ status: 'requested', programmeId: renewed.programme.id });
    expect(await ledgerBalance(f.db, other.programmeId)).toBe(0);
    const [old] = await f.db.select().from(programmes).where(eq(programmes.id, other.programmeId));
    expect(old!.status).toBe('ended');
    expect((await post('giorgio', `/api/v1/programmes/${other.programmeId}/renewals`, { resourceId: other.resourceId, services: ['1A'], weeklyHours: 2, operators: 1, visitsPerWeek: 1, plannedEnd: day(150) })).status).toBe(409);
  });

  it('records evaluations and questionnaires (art. 12)', async () => {
    const url = `/api/v1/programmes/${f.albairate.programmeId}`;
    const ev = await post('sara', `${url}/evaluations`, { evaluatedOn: day(0), outcome: 'continue', notes: 'stabile' });
    expect(ev.status).toBe(201);
    expect(((await ev.json()) as { nextDue: string }).nextDue > day(100)).toBe(true);
    expect((await post('sara', `${url}/evaluations`, { evaluatedOn: day(5), outcome: 'continue' })).status).toBe(400);
    expect((await post('sara', `${url}/evaluations`, { evaluatedOn: '2026-02-30', outcome: 'continue' })).status).toBe(400);
    expect((await post('sara', `${url}/questionnaires`, { answers: { puntualita: 'buona', cortesia: 'ottima' } })).status).toBe(201);
    const detail = (await (await get('sara', url)).json()) as { evaluations: unknown[]; questionnaires: { answers: Record<string, string> }[] };
    expect(detail.evaluations).toHaveLength(1);
    expect(detail.questionnaires[0]!.answers.cortesia).toBe('ottima');
  });

  it('computes monthly fees from the tariff, records payments and counts unpaid months', async () => {
    const file = await f.createFile('albairate', { issuedHours: 30 });
    const month = new Date().toISOString().slice(0, 7);
    expect((await post('sara', `/api/v1/programmes/${file.programmeId}/redemptions`, { hours: 3, deliveredAt: new Date().toISOString() })).status).toBe(201);
    await f.db.insert(comuneSettings).values({ comuneId: 'albairate', feeTariff: null }).onConflictDoUpdate({ target: comuneSettings.comuneId, set: { feeTariff: null } });
    const none = await post('sara', `/api/v1/programmes/${file.programmeId}/fee-statements`, { month });
    expect(none.status).toBe(409);
    expect(((await none.json()) as ErrorBody).error.message).toMatch(/tariffa/);
    await f.db
      .insert(comuneSettings)
      .values({ comuneId: 'albairate', feeTariff: { comuneId: 'albairate', bands: [{ upToIseeCents: 1_000_000, centsPerHour: 0 }, { upToIseeCents: null, centsPerHour: 250 }] } })
      .onConflictDoUpdate({ target: comuneSettings.comuneId, set: { feeTariff: { comuneId: 'albairate', bands: [{ upToIseeCents: 1_000_000, centsPerHour: 0 }, { upToIseeCents: null, centsPerHour: 250 }] } } });
    const st = await post('sara', `/api/v1/programmes/${file.programmeId}/fee-statements`, { month });
    expect(st.status).toBe(200);
    const statement = (await st.json()) as { id: string; redeemedHours: number; amountCents: number };
    // ISEE 12,000 € (fixture) → 2.50 € per hour × 3 hours.
    expect(statement).toMatchObject({ redeemedHours: 3, amountCents: 750 });
    expect((await post('sara', `/api/v1/fee-statements/${statement.id}/payments`, { amountCents: 800, paidOn: day(0) })).status).toBe(409);
    expect((await post('sara', `/api/v1/fee-statements/${statement.id}/payments`, { amountCents: 500, paidOn: day(0) })).status).toBe(201);
    expect((await post('giorgio', `/api/v1/fee-statements/${statement.id}/payments`, { amountCents: 100, paidOn: day(0) })).status).toBe(404);
    const fees = (await (await get('sara', `/api/v1/people/${file.personId}/fees`)).json()) as { statements: { paidCents: number; amountCents: number }[]; unpaidMonths: number; interruptionAllowed: boolean };
    expect(fees.statements.find((s) => s.amountCents === 750)!.paidCents).toBe(500);
    expect(fees.unpaidMonths).toBe(0);
    expect(fees.interruptionAllowed).toBe(false);
    expect((await get('marco', `/api/v1/people/${file.personId}/fees`)).status).toBe(403);
    expect((await get('ilsole', `/api/v1/people/${file.personId}/fees`)).status).toBe(403);
  });

  it('records due events once: visit tomorrow, evaluation due, programme ending', async () => {
    const file = await f.createFile('albairate');
    await f.db.update(programmes).set({ periodEnd: day(10) }).where(eq(programmes.id, file.programmeId));
    const first = await recordDueEvents(f.db, new Date());
    expect(first.visitTomorrow).toBeGreaterThanOrEqual(1);
    expect(first.programmeEnding).toBeGreaterThanOrEqual(1);
    const second = await recordDueEvents(f.db, new Date());
    expect(second).toEqual({ programmesStarted: 0, visitTomorrow: 0, evaluationDue: 0, programmeEnding: 0 });
    const types = (await f.db.select({ type: caseEvents.type }).from(caseEvents).where(eq(caseEvents.personId, file.personId))).map((e) => e.type).sort();
    expect(types).toEqual(['programme_ending', 'visit_tomorrow']);
    // Four months on, the evaluation is due.
    const later = await recordDueEvents(f.db, new Date(Date.now() + 115 * 86_400_000));
    expect(later.evaluationDue).toBeGreaterThanOrEqual(1);
    expect((await f.db.select().from(voucherLedger).where(eq(voucherLedger.programmeId, file.programmeId))).length).toBe(1);
  });
});
