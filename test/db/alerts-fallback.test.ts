/**
 * The central on-call fallback (issue #6 follow-up): an emergency from an unlinked chat identity
 * (no comune) or from a comune whose on-call cannot be reached alerts the ambito's central
 * on-call, once even when two sweeps run at the same time; with no central on-call either, the
 * outcome is no_on_call, logged at error level with ids only, and admins see it counted on the
 * dashboard and the inbox until someone takes the emergency.
 */
import { Writable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleChannelInput } from '../../db/channel-inbox.ts';
import { sendUrgentAlerts } from '../../db/reminders.ts';
import { ambitoSettings, channelIdentities, comuneSettings, comuni, conversations, outboundMessages, segnalazioni, staffContacts, staffUsers, urgentAlerts } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createLogger } from '../../logger.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let i18n: I18n;
let paola: string;
let sara: string;
let ilsole: string;
let adminCookie: string;
let seq = 0;
const db = () => t.db.database.db;
const CENTRAL_CHAT = '990001';

// Albairate's office: Monday 09:00-12:00 only. Sunday 00:30 in Rome is outside, Monday 10:00 inside.
const night = new Date('2099-03-07T23:30:00Z');
const officeTime = new Date('2099-03-09T09:00:00Z');

beforeAll(async () => {
  t = await createTestApp();
  i18n = await createI18n();
  const staff = await db().select({ id: staffUsers.id, username: staffUsers.username }).from(staffUsers).where(inArray(staffUsers.username, ['paola', 'sara', 'ilsole']));
  const id = (u: string) => staff.find((s) => s.username === u)!.id;
  paola = id('paola');
  sara = id('sara');
  ilsole = id('ilsole');
  await db().update(comuni).set({ officeHours: { '1': ['09:00-12:00'] }, patronDay: null }).where(eq(comuni.id, 'albairate'));
  // Albairate's on-call has no contact at all: the comune's alert cannot leave.
  await db().insert(comuneSettings).values({ comuneId: 'albairate', onCallStaffId: sara }).onConflictDoUpdate({ target: comuneSettings.comuneId, set: { onCallStaffId: sara } });
  await db().delete(staffContacts).where(eq(staffContacts.staffUserId, sara));
  await db().insert(staffContacts).values({ staffUserId: paola, telegramChatId: CENTRAL_CHAT }).onConflictDoUpdate({ target: staffContacts.staffUserId, set: { telegramChatId: CENTRAL_CHAT } });
  adminCookie = await t.login('paola');
});
afterAll(async () => {
  await t?.close();
});

const patchAmbito = (body: unknown) => t.request('/api/v1/admin/ambito-settings', { method: 'PATCH', headers: { cookie: adminCookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** "sono caduta" typed at `at` on Telegram by a chat nobody has linked to a person. */
async function unlinkedEmergency(at: Date): Promise<string> {
  const address = `5500${++seq}`;
  const turn = await handleChannelInput(
    { database: t.db.database, i18n, now: () => at },
    { channel: 'telegram', address, locale: 'it', externalId: `fall${seq}`, event: { kind: 'text', text: 'sono caduta e non riesco ad alzarmi' } },
  );
  await db().update(conversations).set({ updatedAt: at }).where(eq(conversations.id, turn.conversationId));
  const [conv] = await db().select().from(conversations).where(eq(conversations.id, turn.conversationId));
  expect(conv).toMatchObject({ urgent: true, comuneId: null });
  return turn.conversationId;
}

/** An emergency in a conversation of Albairate (the person's comune is known). */
async function albairateEmergency(at: Date): Promise<string> {
  const [identity] = await db().insert(channelIdentities).values({ channel: 'sms', address: `+39333550${String(++seq).padStart(4, '0')}` }).returning();
  const [conv] = await db().insert(conversations).values({ channel: 'sms', identityId: identity!.id, comuneId: 'albairate', urgent: true, updatedAt: at }).returning();
  return conv!.id;
}

const alertsFor = (conversationId: string) => db().select().from(outboundMessages).where(and(eq(outboundMessages.dedupeKey, `alert:conversation:${conversationId}`)));
const recordOf = async (conversationId: string) => (await db().select().from(urgentAlerts).where(eq(urgentAlerts.subjectKey, `conversation:${conversationId}`)))[0];

describe('the central on-call setting', () => {
  it('is set by an admin: active non-provider staff only, strict input', async () => {
    for (const [body, field] of [
      [{ centralOnCallStaffId: ilsole }, 'centralOnCallStaffId'],
      [{ centralOnCallStaffId: '00000000-0000-4000-8000-000000000000' }, 'centralOnCallStaffId'],
    ] as const) {
      const res = await patchAmbito(body);
      expect(res.status).toBe(400);
      expect((await res.json()).error.fields[field]).toMatch(/Scelga una persona dello staff/);
    }
    expect((await patchAmbito({ centralOnCallStaffId: 'not-a-uuid' })).status).toBe(400);
    expect((await patchAmbito({ centralOnCallStaffId: paola, other: 1 })).status).toBe(400);
    const res = await patchAmbito({ centralOnCallStaffId: paola });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ centralOnCallStaffId: paola, centralOnCallReachable: true });
    const [row] = await db().select().from(ambitoSettings);
    expect(row).toMatchObject({ centralOnCallStaffId: paola, updatedBy: paola });
  });
});

describe('urgent alerts nobody else can take go to the central on-call', () => {
  it('an unlinked identity saying "sono caduta" at night alerts the central on-call once, even with two concurrent sweeps', async () => {
    const conversationId = await unlinkedEmergency(night);
    const counts = await Promise.all([sendUrgentAlerts(db(), i18n, night), sendUrgentAlerts(db(), i18n, night)]);
    await sendUrgentAlerts(db(), i18n, new Date(night.getTime() + 60_000));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    const alerts = await alertsFor(conversationId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: 'telegram', address: CENTRAL_CHAT, staffUserId: paola, personId: null, purpose: 'alert' });
    expect(alerts[0]!.body).toMatch(/persona non ancora riconosciuta/);
    expect(alerts[0]!.body).not.toMatch(/caduta|alzarmi/);
    expect(await recordOf(conversationId)).toMatchObject({ outcome: 'sent', staffUserId: paola, comuneId: null });
  });

  it('an unplaced emergency alerts even during office hours (no office is responsible for it)', async () => {
    const conversationId = await unlinkedEmergency(officeTime);
    await sendUrgentAlerts(db(), i18n, officeTime);
    expect(await alertsFor(conversationId)).toHaveLength(1);
    expect((await recordOf(conversationId))!.outcome).toBe('sent');
  });

  it("a comune whose on-call has no usable contact: the central on-call gets it, naming the comune", async () => {
    const conversationId = await albairateEmergency(night);
    await sendUrgentAlerts(db(), i18n, night);
    const alerts = await alertsFor(conversationId);
    expect(alerts.map((a) => [a.address, a.staffUserId])).toEqual([[CENTRAL_CHAT, paola]]);
    expect(alerts[0]!.body).toMatch(/Comune di Albairate e il reperibile del Comune non è raggiungibile/);
    expect(await recordOf(conversationId)).toMatchObject({ outcome: 'sent', staffUserId: paola, comuneId: 'albairate' });
  });

  it('inside the comune’s office hours a known comune is still left to its office', async () => {
    const conversationId = await albairateEmergency(officeTime);
    await sendUrgentAlerts(db(), i18n, officeTime);
    expect(await alertsFor(conversationId)).toHaveLength(0);
    expect((await recordOf(conversationId))!.outcome).toBe('in_office_hours');
  });
});

describe('with no central on-call: no_on_call, an error log with ids only, and the admins’ banner', () => {
  it('records, logs and shows the emergency until someone takes it', async () => {
    expect((await patchAmbito({ centralOnCallStaffId: null })).status).toBe(200);
    const unset = await (await t.request('/api/v1/admin/ambito-settings', { headers: { cookie: adminCookie } })).json();
    expect(unset).toMatchObject({ centralOnCallStaffId: null, centralOnCallReachable: false });

    const conversationId = await unlinkedEmergency(night);
    const [segnalazione] = await db()
      .insert(segnalazioni)
      .values({ reference: `S-CF${seq}`, reporterRole: 'vicino', subjectName: 'Signora Riservata', problems: ['alone'], urgency: 'immediate', createdAt: night })
      .returning();
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write(chunk, _e, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } }));
    expect(await sendUrgentAlerts(db(), i18n, night, { logger })).toBe(0);
    expect(await alertsFor(conversationId)).toHaveLength(0);
    expect((await recordOf(conversationId))!.outcome).toBe('no_on_call');

    const errors = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 50);
    expect(errors.map((e) => e.subjectKey)).toEqual(expect.arrayContaining([`conversation:${conversationId}`, `segnalazione:${segnalazione!.id}`]));
    const joined = lines.join('\n');
    expect(joined).not.toMatch(/caduta|alzarmi|Riservata|5500\d+"|\+39/);

    // The API and both pages admins land on show the count; an operator's inbox does not.
    const unattended = await (await t.request('/api/v1/admin/urgent-alerts/unattended', { headers: { cookie: adminCookie } })).json();
    expect(unattended.emergencies).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'conversation', id: conversationId, comuneId: null }),
      expect.objectContaining({ kind: 'segnalazione', id: segnalazione!.id }),
    ]));
    const count = unattended.count as number;
    expect(count).toBe(unattended.emergencies.length);
    for (const page of ['/staff/dashboard', '/staff/inbox']) {
      const html = await (await t.request(page, { headers: { cookie: adminCookie } })).text();
      expect(html, page).toContain('id="unattended-emergencies"');
      expect(html, page).toContain(`Emergenze senza reperibile: ${count}.`);
    }
    const operatorInbox = await (await t.request('/staff/inbox', { headers: { cookie: await t.login('marco') } })).text();
    expect(operatorInbox).not.toContain('unattended-emergencies');

    // Someone takes the conversation and the segnalazione: nothing left to show.
    await db().update(conversations).set({ assignedStaffId: paola, handling: 'human' }).where(eq(conversations.id, conversationId));
    await db().update(segnalazioni).set({ status: 'taken_in_charge' }).where(eq(segnalazioni.id, segnalazione!.id));
    const after = await (await t.request('/api/v1/admin/urgent-alerts/unattended', { headers: { cookie: adminCookie } })).json();
    expect(after.count).toBe(count - 2);
    expect(after.emergencies.map((e: { id: string }) => e.id)).not.toContain(conversationId);
  });
  it('tries again at each sweep, and alerts once someone can be reached, unless the emergency was taken meanwhile', async () => {
    expect((await patchAmbito({ centralOnCallStaffId: null })).status).toBe(200);
    const waiting = await unlinkedEmergency(night);
    const taken = await unlinkedEmergency(night);
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write(chunk, _e, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } }));
    await sendUrgentAlerts(db(), i18n, night, { logger });
    await sendUrgentAlerts(db(), i18n, new Date(night.getTime() + 5 * 60_000), { logger });
    expect((await recordOf(waiting))!.outcome).toBe('no_on_call');
    // Logged once, not at every sweep that still finds nobody.
    const errorsAbout = (id: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 50 && l.subjectKey === `conversation:${id}`);
    expect(errorsAbout(waiting)).toHaveLength(1);

    await db().update(conversations).set({ assignedStaffId: sara, handling: 'human' }).where(eq(conversations.id, taken));
    expect((await patchAmbito({ centralOnCallStaffId: paola })).status).toBe(200);
    const later = new Date(night.getTime() + 10 * 60_000);
    await Promise.all([sendUrgentAlerts(db(), i18n, later, { logger }), sendUrgentAlerts(db(), i18n, later, { logger }), sendUrgentAlerts(db(), i18n, later, { logger })]);
    await sendUrgentAlerts(db(), i18n, later, { logger });

    const alerts = await alertsFor(waiting);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: 'telegram', address: CENTRAL_CHAT, staffUserId: paola, purpose: 'alert' });
    expect(await recordOf(waiting)).toMatchObject({ outcome: 'sent', staffUserId: paola });
    expect(await alertsFor(taken)).toHaveLength(0);
    expect((await recordOf(taken))!.outcome).toBe('no_on_call');
    const unattended = await (await t.request('/api/v1/admin/urgent-alerts/unattended', { headers: { cookie: adminCookie } })).json();
    expect(unattended.emergencies.map((e: { id: string }) => e.id)).not.toContain(waiting);
  });
});
