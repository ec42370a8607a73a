/**
 * Check-ins with simulated time (issue #9): the sweep is called with chosen `now` values, on
 * PGlite and PostgreSQL, for Telegram, SMS and the web chat. Silence and "help" escalate exactly
 * once however often, and however concurrently, the sweep runs.
 */
import { and, eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatDeps } from '../../db/chat-deps.ts';
import { handleChannelInput } from '../../db/channel-inbox.ts';
import { insertEnrolment, runCheckinSweep } from '../../db/checkins.ts';
import type { Db } from '../../db/client.ts';
import { checkinEnrolments, checkinOccurrences, type CheckinContact } from '../../db/schema-checkins.ts';
import { channelIdentities, conversations, consents, messages, outboundMessages, programmeSuspensions, staffContacts, staffTasks, staffUsers } from '../../db/schema.ts';
import { createWebChatSession } from '../../db/conversations.ts';
import { countSegments } from '../../core/channels/gsm.ts';
import { receiveMessage } from '../../core/conversation/service.ts';
import { ROME_ZONE } from '../../core/regulation/calendar.ts';
import { createI18n } from '../../locales/index.ts';
import { createCaseFixtures, type CaseFile, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

let tdb: TestDatabase;
let db: Db;
let i18n: I18n;
let f: CaseFixtures;
let saraId: string;

const rome = (date: string, hm: string) => DateTime.fromISO(`${date}T${hm}`, { zone: ROME_ZONE }).toJSDate();
const sweep = (now: Date) => runCheckinSweep({ db, i18n }, now);

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = tdb.database.db;
  i18n = await createI18n();
  f = await createCaseFixtures(db);
  saraId = (await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.username, 'sara')))[0]!.id;
  await db.insert(staffContacts).values({ staffUserId: saraId, phone: '+393339990001' }).onConflictDoNothing();
});
afterAll(async () => {
  await tdb?.close();
});

let phoneCounter = 0;
/** A fresh file in Albairate with a check-ins consent, an identity on `channel`, and an enrolment. */
async function enrolled(channel: 'telegram' | 'sms' | 'web' | null, options: { contacts?: (file: CaseFile) => CheckinContact[]; windowStart?: string; graceMinutes?: number } = {}) {
  const file = await f.createFile('albairate');
  const [consent] = await db.insert(consents).values({ personId: file.personId, purpose: 'check_ins', method: 'signed_form', givenAt: new Date() }).returning({ id: consents.id });
  let identityId: string | undefined;
  let address: string | undefined;
  let webConversationId: string | undefined;
  if (channel === 'web') {
    const session = await createWebChatSession(db, { locale: 'it', tokenHash: `hash-${++phoneCounter}-${Math.random()}` });
    webConversationId = session.conversationId;
    const [c] = await db.select({ identityId: conversations.identityId }).from(conversations).where(eq(conversations.id, session.conversationId));
    identityId = c!.identityId;
    await db.update(channelIdentities).set({ personId: file.personId }).where(eq(channelIdentities.id, identityId));
  } else if (channel) {
    address = channel === 'sms' ? `+39331${String(++phoneCounter).padStart(7, '0')}` : String(900000 + ++phoneCounter);
    const [i] = await db.insert(channelIdentities).values({ channel, address, personId: file.personId }).returning({ id: channelIdentities.id });
    identityId = i!.id;
  }
  const enrolment = await db.transaction((tx) =>
    insertEnrolment(tx, {
      personId: file.personId,
      comuneId: 'albairate',
      consentId: consent!.id,
      createdBy: saraId,
      now: new Date(),
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      windowStart: options.windowStart ?? '10:00',
      channel,
      contacts: options.contacts?.(file) ?? [],
      graceMinutes: options.graceMinutes ?? 30,
      onHolidays: false,
    }),
  );
  return { file, enrolment, identityId, address, webConversationId };
}

async function occurrence(enrolmentId: string, localDate: string) {
  const [o] = await db.select().from(checkinOccurrences).where(and(eq(checkinOccurrences.enrolmentId, enrolmentId), eq(checkinOccurrences.localDate, localDate)));
  return o;
}
async function outboundTo(address: string) {
  return db.select().from(outboundMessages).where(eq(outboundMessages.address, address)).orderBy(outboundMessages.id);
}
async function tasksOf(occurrenceId: string) {
  return db.select().from(staffTasks).where(and(eq(staffTasks.subjectType, 'checkin_occurrence'), eq(staffTasks.subjectId, occurrenceId)));
}

describe('check-in sweep with simulated time', () => {
  it('SMS: prompt at the window start once, numbers as answers, "help" escalates exactly once', async () => {
    const day = '2026-11-23'; // Monday
    const { file, enrolment, address } = await enrolled('sms', { contacts: (x) => [{ kind: 'delegate', personId: x.delegatePersonId }] });
    await sweep(rome(day, '09:59'));
    expect(await occurrence(enrolment.id, day)).toBeUndefined();

    await sweep(rome(day, '10:00'));
    await sweep(rome(day, '10:00'));
    await sweep(rome(day, '10:05')); // a restart, or a second instance, changes nothing
    const occ = (await occurrence(enrolment.id, day))!;
    expect(occ.status).toBe('prompted');
    expect(occ.channel).toBe('sms');
    const out = await outboundTo(address!);
    expect(out).toHaveLength(1);
    expect(out[0]!.body).toMatch(/^Buongiorno Persona\d+, tutto bene oggi\?$/);
    expect(out[0]!.options!.map((o) => o.id)).toEqual([`ck.${occ.id}.ok`, `ck.${occ.id}.help`, `ck.${occ.id}.call`]);

    const ctx = { database: tdb.database, i18n, now: () => rome(day, '10:07') };
    await handleChannelInput(ctx, { channel: 'sms', address: address!, locale: 'it', externalId: 'SM-ck-1', event: { kind: 'text', text: '2' } });
    const helped = (await occurrence(enrolment.id, day))!;
    expect(helped.status).toBe('help');
    expect(helped.answer).toBe('help');
    const [conv] = await db.select().from(conversations).where(eq(conversations.id, occ.conversationId!));
    expect(conv!.urgent).toBe(true);
    expect(conv!.handling).toBe('waiting');
    // A second "2" (or a redelivery) opens nothing more.
    await handleChannelInput(ctx, { channel: 'sms', address: address!, locale: 'it', externalId: 'SM-ck-2', event: { kind: 'text', text: '2' } });
    await handleChannelInput(ctx, { channel: 'sms', address: address!, locale: 'it', externalId: 'SM-ck-1', event: { kind: 'text', text: '2' } });

    // The relative is alerted once, by the next sweeps.
    await Promise.all([sweep(rome(day, '10:08')), sweep(rome(day, '10:08')), sweep(rome(day, '10:08'))]);
    await sweep(rome(day, '11:30'));
    const tasks = await tasksOf(occ.id);
    expect(tasks.map((t) => t.kind)).toEqual(['checkin_help']);
    const [delegate] = await db.execute(sql`select phone from people where id = ${file.delegatePersonId}`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { phone: string }[]);
    const alerts = await outboundTo(delegate!.phone);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.purpose).toBe('alert');
    expect((await occurrence(enrolment.id, day))!.status).toBe('help'); // never turned into "no answer"
  });

  it('Telegram: silence → second prompt after the grace period → alert and task, exactly once under concurrent sweeps', async () => {
    const day = '2026-11-24';
    const { enrolment, address } = await enrolled('telegram', {
      contacts: (x) => [{ kind: 'staff', staffUserId: saraId }, { kind: 'delegate', personId: x.delegatePersonId }],
    });
    // Concurrent sweeps at the same instant: two instances after a restart, say.
    await Promise.all([sweep(rome(day, '10:00')), sweep(rome(day, '10:00')), sweep(rome(day, '10:00')), sweep(rome(day, '10:00'))]);
    const occ = (await occurrence(enrolment.id, day))!;
    expect(occ.status).toBe('prompted');
    expect(await outboundTo(address!)).toHaveLength(1);
    expect((await outboundTo(address!))[0]!.channel).toBe('telegram');

    await sweep(rome(day, '10:29'));
    expect((await occurrence(enrolment.id, day))!.status).toBe('prompted');
    await Promise.all([sweep(rome(day, '10:30')), sweep(rome(day, '10:30')), sweep(rome(day, '10:30'))]);
    await sweep(rome(day, '10:31'));
    expect((await occurrence(enrolment.id, day))!.status).toBe('reprompted');
    const prompts = await outboundTo(address!);
    expect(prompts).toHaveLength(2);
    expect(prompts[1]!.body).toContain('non abbiamo ancora la Sua risposta');

    await sweep(rome(day, '10:59'));
    expect((await occurrence(enrolment.id, day))!.status).toBe('reprompted');
    await Promise.all([sweep(rome(day, '11:00')), sweep(rome(day, '11:00')), sweep(rome(day, '11:00')), sweep(rome(day, '11:00'))]);
    for (let i = 0; i < 3; i++) await sweep(rome(day, `1${2 + i}:00`));
    const done = (await occurrence(enrolment.id, day))!;
    expect(done.status).toBe('no_answer');
    expect(done.escalationReason).toBe('silence');
    expect((await tasksOf(occ.id)).map((t) => t.kind)).toEqual(['checkin_no_answer']);
    const alerts = await db.select().from(outboundMessages).where(sql`${outboundMessages.dedupeKey} like ${`checkin:${occ.id}:alert:%`}`);
    expect(alerts.map((a) => a.address).sort()).toEqual(['+393339990001', expect.stringMatching(/^\+39347/)].sort());
    const staffAlert = alerts.find((a) => a.staffUserId === saraId)!;
    expect(staffAlert.body).toContain('dalle 10:00');
    expect(staffAlert.body).not.toMatch(/Persona\d/); // no personal data to staff phones
    expect(await outboundTo(address!)).toHaveLength(2); // the person is not prompted a third time

    // A late tap on "Sì" is still recorded and escalates nothing more: the "no answer" task is
    // closed (nobody needs to call now) and those alerted are told, once, that all is well.
    const lateTap = () =>
      handleChannelInput(
        { database: tdb.database, i18n, now: () => rome(day, '13:10') },
        { channel: 'telegram', address: address!, locale: 'it', externalId: 'tg-ck-1', event: { kind: 'option', optionId: `ck.${occ.id}.ok` } },
      );
    await lateTap();
    await lateTap(); // Telegram redelivers
    expect((await occurrence(enrolment.id, day))!.status).toBe('ok');
    const tasks = await tasksOf(occ.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.status).toBe('done');
    const clear = await db.select().from(outboundMessages).where(sql`${outboundMessages.dedupeKey} like ${`checkin:${occ.id}:clear:%`}`);
    expect(clear.map((a) => a.address).sort()).toEqual(alerts.map((a) => a.address).sort());
    expect(clear.find((a) => a.staffUserId === saraId)!.body).toBe(
      'Controllo giornaliero (Albairate): la persona che non rispondeva ha risposto alle 13:10 e sta bene. L\'avviso è chiuso.',
    );
    expect(clear.find((a) => a.staffUserId !== saraId)!.body).toMatch(/^Servizio domiciliare del Comune: \S+ ha risposto al controllo alle 13:10 e sta bene\. Grazie\.$/);
    for (const m of clear) expect(countSegments(m.body), m.body).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    // The person gets the answer to the tap, once though Telegram delivered it twice.
    const toPerson = await outboundTo(address!);
    expect(toPerson.map((m) => m.purpose)).toEqual(['reminder', 'reminder', 'reply']);
  });

  it('"help" after a silence was escalated: the contacts, told of the silence, are told of the help too, once', async () => {
    const day = '2026-11-27';
    const { file, enrolment, address } = await enrolled('sms', {
      contacts: (x) => [{ kind: 'staff', staffUserId: saraId }, { kind: 'delegate', personId: x.delegatePersonId }],
    });
    await sweep(rome(day, '10:00'));
    await sweep(rome(day, '10:30'));
    await sweep(rome(day, '11:00'));
    const occ = (await occurrence(enrolment.id, day))!;
    expect(occ.escalationReason).toBe('silence');
    const [delegate] = await db.execute(sql`select phone from people where id = ${file.delegatePersonId}`).then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { phone: string }[]);
    expect((await outboundTo(delegate!.phone)).map((m) => m.body)).toEqual([expect.stringContaining('non ha risposto al controllo delle 10:00')]);

    const ctx = { database: tdb.database, i18n, now: () => rome(day, '11:20') };
    await handleChannelInput(ctx, { channel: 'sms', address: address!, locale: 'it', externalId: 'SM-ck-late-help', event: { kind: 'text', text: '2' } });
    expect((await occurrence(enrolment.id, day))!.status).toBe('help');
    await Promise.all([sweep(rome(day, '11:21')), sweep(rome(day, '11:21')), sweep(rome(day, '11:21'))]);
    await sweep(rome(day, '12:00'));

    const toDelegate = await outboundTo(delegate!.phone);
    expect(toDelegate.map((m) => m.body)).toEqual([
      expect.stringContaining('non ha risposto al controllo delle 10:00'),
      expect.stringMatching(/ha chiesto aiuto al controllo delle 10:00\. Il Comune è avvisato/),
    ]);
    const toSara = await outboundTo('+393339990001');
    const about = toSara.filter((m) => m.dedupeKey?.startsWith(`checkin:${occ.id}:`));
    expect(about.map((m) => m.body)).toEqual([expect.stringContaining('non risponde dalle 10:00'), expect.stringContaining('ha chiesto aiuto')]);
    expect((await occurrence(enrolment.id, day))!.escalationReason).toBe('help');
    expect((await tasksOf(occ.id)).map((t) => t.kind).sort()).toEqual(['checkin_help', 'checkin_no_answer']);
  });

  it('web chat: the prompt is a bot message in the conversation; "Chiamatemi" opens an urgent call-back', async () => {
    const day = '2026-11-25';
    const { enrolment, webConversationId, identityId } = await enrolled('web');
    await sweep(rome(day, '10:00'));
    const occ = (await occurrence(enrolment.id, day))!;
    expect(occ.channel).toBe('web');
    expect(occ.conversationId).toBe(webConversationId);
    const [prompt] = await db.select().from(messages).where(and(eq(messages.conversationId, webConversationId!), sql`${messages.options} is not null`)).orderBy(sql`${messages.seq} desc`).limit(1);
    expect(prompt!.options!.map((o) => o.label)).toEqual(['Sì, tutto bene', 'Ho bisogno di aiuto', 'Chiamatemi']);
    expect(await db.select().from(outboundMessages).where(eq(outboundMessages.identityId, identityId!))).toHaveLength(0);

    const chat = createChatDeps(tdb.database, i18n, () => rome(day, '10:10'));
    const turn = await receiveMessage(chat, webConversationId!, { optionId: `ck.${occ.id}.call` });
    expect(turn.replies[0]!.body).toContain('La chiamerà');
    expect((await occurrence(enrolment.id, day))!.status).toBe('call');
    expect((await tasksOf(occ.id)).map((t) => t.kind)).toEqual(['checkin_call']);
    const [conv] = await db.select({ urgent: conversations.urgent }).from(conversations).where(eq(conversations.id, webConversationId!));
    expect(conv!.urgent).toBe(true);
  });

  it('holidays, confirmed suspensions and a missing channel; a day the service was down is "missed", never sent at night', async () => {
    const holiday = '2026-12-08'; // Immacolata
    const a = await enrolled('sms');
    await sweep(rome(holiday, '10:00'));
    expect(await occurrence(a.enrolment.id, holiday)).toMatchObject({ status: 'skipped', skipReason: 'public_holiday' });
    expect(await outboundTo(a.address!)).toHaveLength(0);

    const day = '2026-11-26';
    const b = await enrolled('sms');
    await db.insert(programmeSuspensions).values({ programmeId: b.file.programmeId, fromDate: '2026-11-20', toDate: '2026-11-30', reason: 'hospital', status: 'confirmed', source: 'staff' });
    await sweep(rome(day, '10:00'));
    expect(await occurrence(b.enrolment.id, day)).toMatchObject({ status: 'skipped', skipReason: 'suspension' });
    expect(await outboundTo(b.address!)).toHaveLength(0);

    const c = await enrolled(null);
    await sweep(rome(day, '10:00'));
    const none = (await occurrence(c.enrolment.id, day))!;
    expect(none).toMatchObject({ status: 'no_answer', escalationReason: 'no_channel' });
    expect((await tasksOf(none.id)).map((t) => t.kind)).toEqual(['checkin_no_answer']);

    const withdrawn = await enrolled('sms');
    await db.update(consents).set({ withdrawnAt: new Date() }).where(eq(consents.id, withdrawn.enrolment.consentId));
    await sweep(rome(day, '10:00'));
    expect(await occurrence(withdrawn.enrolment.id, day)).toBeUndefined();
    expect(await outboundTo(withdrawn.address!)).toHaveLength(0);

    const down = '2026-11-27';
    const d = await enrolled('sms');
    await sweep(rome(down, '20:30'));
    const missed = (await occurrence(d.enrolment.id, down))!;
    expect(missed.status).toBe('missed');
    expect(await outboundTo(d.address!)).toHaveLength(0);
    expect((await tasksOf(missed.id)).map((t) => t.kind)).toEqual(['checkin_missed']);
  });

  it('"pausa controlli" by chat skips the next days, then check-ins resume by themselves', async () => {
    const day = '2026-11-30';
    const { enrolment, address } = await enrolled('sms');
    await handleChannelInput(
      { database: tdb.database, i18n, now: () => rome(day, '09:00') },
      { channel: 'sms', address: address!, locale: 'it', externalId: 'SM-pause-1', event: { kind: 'text', text: 'Pausa controlli' } },
    );
    const [paused] = await db.select().from(checkinEnrolments).where(eq(checkinEnrolments.id, enrolment.id));
    expect(paused).toMatchObject({ status: 'paused', pausedUntil: '2026-12-06' });
    await sweep(rome(day, '10:00'));
    expect(await occurrence(enrolment.id, day)).toMatchObject({ status: 'skipped', skipReason: 'paused' });
    await sweep(rome('2026-12-07', '10:00'));
    expect(await occurrence(enrolment.id, '2026-12-07')).toMatchObject({ status: 'prompted' });
    const [resumed] = await db.select().from(checkinEnrolments).where(eq(checkinEnrolments.id, enrolment.id));
    expect(resumed!.status).toBe('active');

    await handleChannelInput(
      { database: tdb.database, i18n, now: () => rome('2026-12-07', '10:02') },
      { channel: 'sms', address: address!, locale: 'it', externalId: 'SM-stop-1', event: { kind: 'text', text: 'stop controlli' } },
    );
    const [stopped] = await db.select().from(checkinEnrolments).where(eq(checkinEnrolments.id, enrolment.id));
    expect(stopped!.status).toBe('stopped');
    expect(await occurrence(enrolment.id, '2026-12-07')).toMatchObject({ status: 'skipped' }); // no alert for a stop
    await sweep(rome('2026-12-09', '10:00'));
    expect(await occurrence(enrolment.id, '2026-12-09')).toBeUndefined();
  });
});
