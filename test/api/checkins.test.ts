/**
 * The check-ins API over real HTTP (issue #9): enrolment needs the person's consent (422), input
 * errors come back per field in Italian (never a 500), scope answers 404, today's view lists what
 * the sweep did, and the one-click follow-up closes or opens tasks.
 */
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROME_ZONE } from '../../core/regulation/calendar.ts';
import { runCheckinSweep } from '../../db/checkins.ts';
import { auditLog, channelIdentities, staffTasks, staffUsers } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let f: CaseFixtures;
const cookies: Record<string, string> = {};
const rome = (date: string, hm: string) => DateTime.fromISO(`${date}T${hm}`, { zone: ROME_ZONE }).toJSDate();

beforeAll(async () => {
  t = await createTestApp();
  f = await createCaseFixtures(t.db.database.db);
  for (const u of ['sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const send = (method: string, url: string, who: string, body?: unknown) =>
  t.request(url, { method, headers: { cookie: cookies[who]!, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

async function consent(personId: string, who = 'sara') {
  const res = await send('POST', `/api/v1/people/${personId}/consents`, who, { purpose: 'check_ins', method: 'signed_form', givenAt: '2026-11-20T10:00:00+01:00', givenBy: 'la beneficiaria' });
  expect(res.status).toBe(201);
}

describe('check-ins API', () => {
  it('refuses an enrolment without the check-ins consent (422), then enrols with the defaults', async () => {
    const file = await f.createFile('albairate');
    const body = { personId: file.personId, weekdays: [1, 2, 3, 4, 5], windowStart: '10:00' };
    const refused = await send('POST', '/api/v1/checkins/enrolments', 'sara', body);
    expect(refused.status).toBe(422);
    const err = (await refused.json()) as { error: { message: string; fields: Record<string, string> } };
    expect(err.error.message).toContain('consenso');
    expect(err.error.fields.consentId).toContain('consenso');

    await consent(file.personId);
    const res = await send('POST', '/api/v1/checkins/enrolments', 'sara', body);
    expect(res.status).toBe(201);
    const e = (await res.json()) as Record<string, unknown>;
    expect(e).toMatchObject({ status: 'active', graceMinutes: 30, onHolidays: false, channel: null, weekdays: [1, 2, 3, 4, 5], windowStart: '10:00', contacts: [] });
    expect((await send('POST', '/api/v1/checkins/enrolments', 'marco', body)).status).toBe(409);
  });

  it('answers bad input per field, never 500; another comune is 404', async () => {
    const file = await f.createFile('albairate');
    await consent(file.personId);
    const giorgio = (await t.db.database.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, 'giorgio')))[0]!.id;
    const cases: [unknown, number, string?][] = [
      [{ personId: file.personId, weekdays: [1], windowStart: '07:30' }, 400, 'windowStart'],
      [{ personId: file.personId, weekdays: [1], windowStart: '25:99' }, 400, 'windowStart'],
      [{ personId: file.personId, weekdays: [0, 8], windowStart: '10:00' }, 400],
      [{ personId: file.personId, weekdays: [1], windowStart: '10:00', contacts: [{ kind: 'staff', staffUserId: giorgio }] }, 400, 'contacts.0'],
      [{ personId: file.personId, weekdays: [1], windowStart: '10:00', contacts: [{ kind: 'delegate', personId: f.abbiategrasso.personId }] }, 400, 'contacts.0'],
      [{ personId: file.personId, weekdays: [1], windowStart: '10:00', graceMinutes: 5000 }, 400],
      [{ personId: file.personId, weekdays: [1], windowStart: '10:00', extra: 1 }, 400],
      [{ personId: 'not-a-uuid', weekdays: [1], windowStart: '10:00' }, 404],
      [{ personId: f.abbiategrasso.personId, weekdays: [1], windowStart: '10:00' }, 404],
      ['{', 400],
    ];
    for (const [body, status, field] of cases) {
      const res = await t.request('/api/v1/checkins/enrolments', { method: 'POST', headers: { cookie: cookies.sara!, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(status);
      if (field) {
        const err = (await res.json()) as { error: { fields: Record<string, string> } };
        expect(err.error.fields[field], JSON.stringify(body)).toBeTruthy();
      }
    }
    expect((await send('GET', '/api/v1/checkins/enrolments/nope', 'sara')).status).toBe(404);
    expect((await send('GET', '/api/v1/checkins/today?comune=abbiategrasso', 'sara')).status).toBe(404);
    expect((await send('GET', '/api/v1/checkins/today', 'ilsole')).status).toBe(403);
  });

  it('pauses, resumes and stops; a stopped enrolment is final', async () => {
    const file = await f.createFile('albairate');
    await consent(file.personId);
    const created = (await (await send('POST', '/api/v1/checkins/enrolments', 'sara', { personId: file.personId, weekdays: [2, 4], windowStart: '09:30', onHolidays: true })).json()) as { id: string };
    const paused = await send('PATCH', `/api/v1/checkins/enrolments/${created.id}`, 'marco', { status: 'paused', pausedUntil: '2026-12-10' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ status: 'paused', pausedUntil: '2026-12-10' });
    expect((await send('PATCH', `/api/v1/checkins/enrolments/${created.id}`, 'sara', { pausedUntil: '2026-13-40' })).status).toBe(400);
    expect(await (await send('PATCH', `/api/v1/checkins/enrolments/${created.id}`, 'sara', { status: 'active' })).json()).toMatchObject({ status: 'active', pausedUntil: null });
    expect((await send('PATCH', `/api/v1/checkins/enrolments/${created.id}`, 'giorgio', { status: 'stopped' })).status).toBe(404);
    expect((await send('PATCH', `/api/v1/checkins/enrolments/${created.id}`, 'sara', { status: 'stopped' })).status).toBe(200);
    expect((await send('PATCH', `/api/v1/checkins/enrolments/${created.id}`, 'sara', { status: 'active' })).status).toBe(409);
    // Stopped is history: a new enrolment may follow.
    expect((await send('POST', '/api/v1/checkins/enrolments', 'sara', { personId: file.personId, weekdays: [1], windowStart: '10:00' })).status).toBe(201);
  });

  it("today's view shows what the sweep did, scoped by comune; follow-up closes or opens tasks; reads are audited", async () => {
    const db = t.db.database.db;
    const file = await f.createFile('albairate');
    await consent(file.personId);
    await db.insert(channelIdentities).values({ channel: 'sms', address: '+393310009876', personId: file.personId });
    const enrolment = (await (await send('POST', '/api/v1/checkins/enrolments', 'sara', { personId: file.personId, weekdays: [1, 2, 3, 4, 5, 6, 7], windowStart: '10:00', graceMinutes: 10 })).json()) as { id: string };
    const day = '2026-11-23';
    const i18n = await createI18n();
    for (const hm of ['10:00', '10:10', '10:20']) await runCheckinSweep({ db, i18n }, rome(day, hm));
    t.setNow(rome(day, '10:25'));
    // Sessions live on the app's clock: sign in again on the simulated day.
    for (const u of ['sara', 'giorgio', 'marco']) cookies[u] = await t.login(u);

    const today = (await (await send('GET', '/api/v1/checkins/today', 'sara')).json()) as { date: string; checkins: { enrolmentId: string; occurrenceId: string; bucket: string; conversationId: string; openTasks: number; givenName: string }[] };
    expect(today.date).toBe(day);
    const mine = today.checkins.find((c) => c.enrolmentId === enrolment.id)!;
    expect(mine).toMatchObject({ bucket: 'no_answer', openTasks: 1 });
    expect(mine.conversationId).toBeTruthy();
    expect(mine.givenName).toMatch(/^Persona/);
    const marco = (await (await send('GET', '/api/v1/checkins/today', 'marco')).json()) as { checkins: { enrolmentId: string }[] };
    expect(marco.checkins.some((c) => c.enrolmentId === enrolment.id)).toBe(true);
    const giorgio = (await (await send('GET', '/api/v1/checkins/today', 'giorgio')).json()) as { checkins: { enrolmentId: string }[] };
    expect(giorgio.checkins.some((c) => c.enrolmentId === enrolment.id)).toBe(false);

    expect((await send('POST', `/api/v1/checkins/occurrences/${mine.occurrenceId}/follow-up`, 'giorgio', { action: 'called' })).status).toBe(404);
    expect((await send('POST', `/api/v1/checkins/occurrences/${mine.occurrenceId}/follow-up`, 'sara', { action: 'ring' })).status).toBe(400);
    const called = await send('POST', `/api/v1/checkins/occurrences/${mine.occurrenceId}/follow-up`, 'marco', { action: 'called' });
    expect(called.status).toBe(200);
    expect(await called.json()).toMatchObject({ followUp: 'called', status: 'no_answer' });
    const tasks = () => db.select().from(staffTasks).where(and(eq(staffTasks.subjectType, 'checkin_occurrence'), eq(staffTasks.subjectId, mine.occurrenceId)));
    expect((await tasks()).map((x) => x.status)).toEqual(['done']);
    await send('POST', `/api/v1/checkins/occurrences/${mine.occurrenceId}/follow-up`, 'sara', { action: 'task' });
    await send('POST', `/api/v1/checkins/occurrences/${mine.occurrenceId}/follow-up`, 'sara', { action: 'task' });
    expect((await tasks()).filter((x) => x.kind === 'checkin_follow_up')).toHaveLength(1);

    const fileRes = await send('GET', `/api/v1/people/${file.personId}/checkins`, 'sara');
    expect(fileRes.status).toBe(200);
    const onFile = (await fileRes.json()) as { enrolments: unknown[]; occurrences: { status: string; escalationReason: string; followUp: string }[] };
    expect(onFile.occurrences[0]).toMatchObject({ status: 'no_answer', escalationReason: 'silence', followUp: 'task' });
    const audits = await db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.subjectId, file.personId));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['checkin.enrol', 'person.checkins.read', 'checkin.follow_up.called']));
    // Logs carry ids only.
    expect(t.logs.join('\n')).not.toContain(mine.givenName);
    t.setNow(undefined);
  });
});
