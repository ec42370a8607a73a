/**
 * Reminders from case events and urgent alerts to on-call staff, on the real database: each
 * reminder type reaches the person's preferred channel once and says nothing about health; an
 * unreachable channel falls back to the other one; an emergency or an immediate-risk
 * segnalazione outside office hours alerts the comune's on-call staff member once and pins the
 * conversation, and inside office hours it does not.
 */
import { readFileSync } from 'node:fs';
import { and, eq, inArray, like } from 'drizzle-orm';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleChannelInput } from '../../db/channel-inbox.ts';
import { recordCaseEvent } from '../../db/events.ts';
import { createOutboundWorker, type ChannelSender, type OutboundItem, type SendResult } from '../../db/outbound.ts';
import { sendDueReminders, sendUrgentAlerts } from '../../db/reminders.ts';
import {
  caseEvents,
  channelIdentities,
  comuneSettings,
  comuni,
  conversations,
  outboundMessages,
  people,
  segnalazioni,
  staffContacts,
  staffTasks,
  staffUsers,
  urgentAlerts,
  type CaseEventType,
} from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

let t: TestDatabase;
let f: CaseFixtures;
let i18n: I18n;
let seq = 0;
const db = () => t.database.db;

/** Every art. 7 service name: none may appear in a reminder (health details stay in the file). */
const serviceNames: string[] = (() => {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(readFileSync(new URL('../../locales/it/services.json', import.meta.url), 'utf8')));
  return out.filter((s) => s.length > 4);
})();

beforeAll(async () => {
  t = await createTestDatabase();
  f = await createCaseFixtures(t.database.db);
  i18n = await createI18n();
});
afterAll(async () => {
  await t?.close();
});

/** A person of the comune with both a Telegram and an SMS identity, preferring `preferred`. */
async function personWithChannels(preferred: 'telegram' | 'sms' | null, options: { telegramReachable?: boolean } = {}) {
  const file = await f.createFile('albairate');
  await db().update(people).set({ preferredChannel: preferred }).where(eq(people.id, file.personId));
  const n = ++seq;
  const [tg] = await db()
    .insert(channelIdentities)
    .values({ channel: 'telegram', address: `7700${n}`, personId: file.personId, reachable: options.telegramReachable ?? true })
    .returning();
  const [sms] = await db().insert(channelIdentities).values({ channel: 'sms', address: `+39333770${String(n).padStart(4, '0')}`, personId: file.personId }).returning();
  const [person] = await db().select().from(people).where(eq(people.id, file.personId));
  return { file, person: person!, telegram: tg!, sms: sms! };
}

async function remindersOf(personId: string) {
  return db().select().from(outboundMessages).where(and(eq(outboundMessages.personId, personId), eq(outboundMessages.purpose, 'reminder'))).orderBy(outboundMessages.id);
}

/** Payloads shaped as their producers write them (db/case-sweeps.ts, db/programmes.ts, db/applications.ts). */
function eventPayload(type: CaseEventType, file: { programmeId: string; applicationId: string; plannedVisitId: string }): Record<string, string | number | boolean | null> {
  switch (type) {
    case 'visit_tomorrow':
      return { visitId: file.plannedVisitId, programmeId: file.programmeId, startsAt: '2099-03-11T09:30:00.000Z', hours: 2 };
    case 'hours_running_low':
      return { programmeId: file.programmeId, balanceHours: 3.5, issuedHours: 40, periodEnd: '2099-06-30' };
    case 'programme_ending':
      return { programmeId: file.programmeId, periodEnd: '2099-06-30' };
    case 'evaluation_due':
      return { programmeId: file.programmeId, dueOn: '2099-04-01', overdue: false };
    case 'answer_sent':
      return { applicationId: file.applicationId, outcome: 'admitted', sentOn: '2099-03-01', via: 'pec' };
    default:
      return {};
  }
}

describe('reminders from case events', () => {
  const cases: { type: CaseEventType; preferred: 'telegram' | 'sms'; expected: RegExp }[] = [
    { type: 'visit_tomorrow', preferred: 'telegram', expected: /domani alle 10:30 è prevista la visita/ },
    { type: 'hours_running_low', preferred: 'sms', expected: /Le restano 3,5 ore di voucher/ },
    { type: 'programme_ending', preferred: 'telegram', expected: /termina il 30 giugno 2099/ },
    { type: 'evaluation_due', preferred: 'sms', expected: /verifica del Suo programma/ },
    { type: 'answer_sent', preferred: 'telegram', expected: /risposta scritta alla Sua domanda è pronta/ },
  ];

  it.each(cases)('$type reaches the preferred channel ($preferred) once, without health details', async ({ type, preferred, expected }) => {
    const { file, person, telegram, sms } = await personWithChannels(preferred);
    await recordCaseEvent(db(), { type, personId: file.personId, comuneId: file.comuneId, payload: eventPayload(type, file), dedupeKey: `test:${type}:${file.personId}` });
    const now = new Date('2099-03-10T12:00:00Z');
    await sendDueReminders(db(), i18n, now);
    await sendDueReminders(db(), i18n, now); // a second sweep (or a second instance) sends nothing more
    const rows = await remindersOf(file.personId);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.channel).toBe(preferred);
    expect(row.address).toBe(preferred === 'telegram' ? telegram.address : sms.address);
    expect(row.body).toMatch(expected);
    expect(row.body).not.toMatch(/\{\{|undefined|NaN/);
    for (const name of serviceNames) expect(row.body).not.toContain(name);
    for (const word of [person.givenName, person.familyName].filter((x): x is string => !!x && x.length > 2)) expect(row.body).not.toContain(word);
    const [event] = await db().select().from(caseEvents).where(eq(caseEvents.dedupeKey, `test:${type}:${file.personId}`));
    expect(event!.consumedAt).not.toBeNull();
  });

  it('without a preferred channel, uses the channel the person last wrote from', async () => {
    const { file, sms } = await personWithChannels(null);
    // The person wrote by SMS lately (the Telegram identity is newer but silent).
    await db().insert(conversations).values({ channel: 'sms', identityId: sms.id, updatedAt: new Date('2099-03-09T10:00:00Z') });
    await recordCaseEvent(db(), { type: 'evaluation_due', personId: file.personId, payload: eventPayload('evaluation_due', file) });
    await sendDueReminders(db(), i18n, new Date('2099-03-10T12:00:00Z'));
    expect((await remindersOf(file.personId)).map((r) => r.channel)).toEqual(['sms']);
  });

  it('skips a visit reminder whose visit has already begun, and events that are not reminders', async () => {
    const { file } = await personWithChannels('telegram');
    await recordCaseEvent(db(), { type: 'visit_tomorrow', personId: file.personId, payload: { ...eventPayload('visit_tomorrow', file), startsAt: '2099-03-09T08:00:00.000Z' } });
    await recordCaseEvent(db(), { type: 'application_received', personId: file.personId, payload: { applicationId: file.applicationId } });
    await sendDueReminders(db(), i18n, new Date('2099-03-10T12:00:00Z'));
    expect(await remindersOf(file.personId)).toHaveLength(0);
    const pending = await db().select().from(caseEvents).where(and(eq(caseEvents.personId, file.personId)));
    expect(pending.every((e) => e.consumedAt !== null)).toBe(true);
  });

  it('falls back to SMS when the preferred Telegram identity is known unreachable', async () => {
    const { file, sms } = await personWithChannels('telegram', { telegramReachable: false });
    await recordCaseEvent(db(), { type: 'programme_ending', personId: file.personId, payload: eventPayload('programme_ending', file) });
    await sendDueReminders(db(), i18n, new Date('2099-03-10T12:00:00Z'));
    const rows = await remindersOf(file.personId);
    expect(rows.map((r) => [r.channel, r.address])).toEqual([['sms', sms.address]]);
  });

  it('falls back to SMS when Telegram turns out unreachable at send time (bot blocked)', async () => {
    const { file, telegram, sms } = await personWithChannels('telegram');
    await recordCaseEvent(db(), { type: 'evaluation_due', personId: file.personId, payload: eventPayload('evaluation_due', file) });
    await sendDueReminders(db(), i18n, new Date());
    const sent: OutboundItem[] = [];
    const sender = (channel: 'telegram' | 'sms', result: (item: OutboundItem) => SendResult): ChannelSender => ({
      channel,
      async send(item) {
        sent.push(item);
        return result(item);
      },
    });
    const worker = createOutboundWorker(
      t.database,
      [sender('telegram', (item) => (item.address === telegram.address ? { ok: false, kind: 'unreachable', code: 'telegram_403' } : { ok: true })), sender('sms', () => ({ ok: true, providerId: `SM${seq}` }))],
      { now: () => new Date() },
      { perChatIntervalMs: 0 },
    );
    for (let i = 0; i < 5 && (await worker.tick()) > 0; i++);
    const rows = await remindersOf(file.personId);
    expect(rows.map((r) => [r.channel, r.status])).toEqual([
      ['telegram', 'fallback'],
      ['sms', 'sent'],
    ]);
    expect(sent.filter((s) => s.personId === file.personId).map((s) => s.address)).toEqual([telegram.address, sms.address]);
    const [identity] = await db().select().from(channelIdentities).where(eq(channelIdentities.id, telegram.id));
    expect(identity!.reachable).toBe(false);
    const tasks = await db().select().from(staffTasks).where(and(eq(staffTasks.kind, 'unreachable_identity'), eq(staffTasks.personId, file.personId)));
    expect(tasks).toHaveLength(1);
  });
});

describe('urgent alerts to the on-call staff member', () => {
  // Albairate's office: Monday 09:00-12:00 only. Sunday 00:30 in Rome is outside, Monday 10:00 inside.
  const outside = new Date('2099-03-07T23:30:00Z');
  const inside = new Date('2099-03-09T09:00:00Z');
  let sara: string;
  let giorgio: string;

  beforeAll(async () => {
    const staff = await db().select({ id: staffUsers.id, username: staffUsers.username }).from(staffUsers).where(inArray(staffUsers.username, ['sara', 'giorgio']));
    sara = staff.find((s) => s.username === 'sara')!.id;
    giorgio = staff.find((s) => s.username === 'giorgio')!.id;
    await db().update(comuni).set({ officeHours: { '1': ['09:00-12:00'] }, patronDay: null }).where(inArray(comuni.id, ['albairate', 'abbiategrasso']));
    for (const [comuneId, staffId] of [
      ['albairate', sara],
      ['abbiategrasso', giorgio],
    ] as const) {
      await db().insert(comuneSettings).values({ comuneId, onCallStaffId: staffId }).onConflictDoUpdate({ target: comuneSettings.comuneId, set: { onCallStaffId: staffId } });
    }
    await db().insert(staffContacts).values([
      { staffUserId: sara, telegramChatId: '880001' },
      { staffUserId: giorgio, phone: '+393338800002' },
    ]);
  });

  async function alertsTo(address: string) {
    return db().select().from(outboundMessages).where(and(eq(outboundMessages.address, address), eq(outboundMessages.purpose, 'alert')));
  }

  /** An emergency typed on Telegram by a person linked to Albairate, at `at`. */
  async function emergency(at: Date) {
    const address = `8800${++seq}`;
    const file = await f.createFile('albairate');
    const [identity] = await db().insert(channelIdentities).values({ channel: 'telegram', address, personId: file.personId }).returning();
    await db().insert(conversations).values({ channel: 'telegram', identityId: identity!.id, comuneId: 'albairate' });
    const turn = await handleChannelInput(
      { database: t.database, i18n, now: () => at },
      { channel: 'telegram', address, locale: 'it', externalId: `u${seq}`, event: { kind: 'text', text: 'mia mamma è caduta e non si rialza' } },
    );
    await db().update(conversations).set({ updatedAt: at }).where(eq(conversations.id, turn.conversationId));
    const [conv] = await db().select().from(conversations).where(eq(conversations.id, turn.conversationId));
    expect(conv!.urgent).toBe(true);
    return turn.conversationId;
  }

  it('an emergency outside office hours alerts the comune’s on-call member once, on Telegram, without personal data', async () => {
    const conversationId = await emergency(outside);
    expect(await sendUrgentAlerts(db(), i18n, outside)).toBeGreaterThanOrEqual(1);
    await sendUrgentAlerts(db(), i18n, new Date(outside.getTime() + 60_000));
    const [record] = await db().select().from(urgentAlerts).where(eq(urgentAlerts.subjectKey, `conversation:${conversationId}`));
    expect(record).toMatchObject({ outcome: 'sent', staffUserId: sara, comuneId: 'albairate' });
    const alerts = (await alertsTo('880001')).filter((a) => a.dedupeKey === `alert:conversation:${conversationId}`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: 'telegram', staffUserId: sara, personId: null });
    expect(alerts[0]!.body).toMatch(/richiesta urgente per il Comune di Albairate/);
    expect(alerts[0]!.body).not.toMatch(/caduta|mamma/);
  });

  it('an immediate-risk segnalazione outside office hours pins its conversation and alerts once (by SMS)', async () => {
    const identityAddress = `+39333881${String(++seq).padStart(4, '0')}`;
    const [identity] = await db().insert(channelIdentities).values({ channel: 'sms', address: identityAddress }).returning();
    const [conv] = await db().insert(conversations).values({ channel: 'sms', identityId: identity!.id, updatedAt: outside }).returning();
    const [s] = await db()
      .insert(segnalazioni)
      .values({ reference: `S-7${seq}`, reporterRole: 'custode', subjectName: 'Signora Test', comuneId: 'abbiategrasso', problems: ['not_seen'], immediateRisk: true, urgency: 'immediate', conversationId: conv!.id, createdAt: outside })
      .returning();
    // And one entered without a conversation (e.g. by phone): alerted on its own.
    const [alone] = await db()
      .insert(segnalazioni)
      .values({ reference: `S-8${seq}`, reporterRole: 'vicino', subjectName: 'Signor Test', comuneId: 'abbiategrasso', problems: ['alone'], urgency: 'immediate', createdAt: outside })
      .returning();
    await sendUrgentAlerts(db(), i18n, outside);
    await sendUrgentAlerts(db(), i18n, outside);
    const [pinned] = await db().select().from(conversations).where(eq(conversations.id, conv!.id));
    expect(pinned!.urgent).toBe(true);
    const alerts = await alertsTo('+393338800002');
    expect(alerts.map((a) => a.dedupeKey).sort()).toEqual([`alert:conversation:${conv!.id}`, `alert:segnalazione:${alone!.id}`].sort());
    expect(alerts.every((a) => a.channel === 'sms' && a.staffUserId === giorgio)).toBe(true);
    expect(alerts.some((a) => a.dedupeKey === `alert:segnalazione:${s!.id}`)).toBe(false);
    for (const a of alerts) expect(a.body).not.toMatch(/Signor/);
  });

  it('inside office hours: pinned in the inbox, no alert', async () => {
    const conversationId = await emergency(inside);
    expect(await sendUrgentAlerts(db(), i18n, inside)).toBe(0);
    const [record] = await db().select().from(urgentAlerts).where(eq(urgentAlerts.subjectKey, `conversation:${conversationId}`));
    expect(record!.outcome).toBe('in_office_hours');
    expect(await db().select().from(outboundMessages).where(like(outboundMessages.dedupeKey, `alert:conversation:${conversationId}`))).toHaveLength(0);
  });

  it('no on-call member: recorded, nothing sent', async () => {
    await db().update(comuneSettings).set({ onCallStaffId: null }).where(eq(comuneSettings.comuneId, 'albairate'));
    try {
      const conversationId = await emergency(outside);
      await sendUrgentAlerts(db(), i18n, outside);
      const [record] = await db().select().from(urgentAlerts).where(eq(urgentAlerts.subjectKey, `conversation:${conversationId}`));
      expect(record!.outcome).toBe('no_on_call');
    } finally {
      await db().update(comuneSettings).set({ onCallStaffId: sara }).where(eq(comuneSettings.comuneId, 'albairate'));
    }
  });
});
