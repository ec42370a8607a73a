/**
 * Reminders reach a person's active delegates too (issue #6 follow-up): in the delegate's own
 * channel and language, naming the person by given name, once each even when two sweeps run at
 * the same time; never a revoked delegate or one whose delegation consent was withdrawn.
 */
import { and, eq, like } from 'drizzle-orm';
import type { i18n as I18n } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSegments, normaliseGsm7 } from '../../core/channels/gsm.ts';
import { recordCaseEvent } from '../../db/events.ts';
import { REMINDER_TYPES, sendDueReminders } from '../../db/reminders.ts';
import { channelIdentities, consents, delegations, outboundMessages, people } from '../../db/schema.ts';
import { createI18n } from '../../locales/index.ts';
import { createCaseFixtures, type CaseFile, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

let t: TestDatabase;
let f: CaseFixtures;
let i18n: I18n;
let seq = 0;
const db = () => t.database.db;
const now = new Date('2099-03-10T12:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  f = await createCaseFixtures(t.database.db);
  i18n = await createI18n();
});
afterAll(async () => {
  await t?.close();
});

/** A Telegram (or SMS) identity for `personId`. */
async function reachable(personId: string, channel: 'telegram' | 'sms' = 'telegram') {
  const n = ++seq;
  const address = channel === 'telegram' ? `6600${n}` : `+39347660${String(n).padStart(4, '0')}`;
  const [row] = await db().insert(channelIdentities).values({ channel, address, personId }).returning();
  return row!;
}

const visitTomorrow = (file: CaseFile) => ({ visitId: file.plannedVisitId, programmeId: file.programmeId, startsAt: '2099-03-11T09:30:00.000Z', hours: 2 });

async function sentTo(personId: string) {
  return db().select().from(outboundMessages).where(and(eq(outboundMessages.personId, personId), eq(outboundMessages.purpose, 'reminder'))).orderBy(outboundMessages.id);
}

async function givenName(personId: string) {
  const [p] = await db().select({ givenName: people.givenName }).from(people).where(eq(people.id, personId));
  return p!.givenName!;
}

describe('reminders to delegates', () => {
  it('the delegate gets "visit tomorrow" once, naming the person, even with two concurrent sweeps', async () => {
    const file = await f.createFile('albairate');
    const own = await reachable(file.personId);
    const theirs = await reachable(file.delegatePersonId);
    await recordCaseEvent(db(), { type: 'visit_tomorrow', personId: file.personId, comuneId: file.comuneId, payload: visitTomorrow(file), dedupeKey: `deleg:visit:${file.personId}` });
    await Promise.all([sendDueReminders(db(), i18n, now), sendDueReminders(db(), i18n, now)]);
    await sendDueReminders(db(), i18n, now);
    const toPerson = await sentTo(file.personId);
    expect(toPerson.map((r) => r.address)).toEqual([own.address]);
    const toDelegate = await sentTo(file.delegatePersonId);
    expect(toDelegate).toHaveLength(1);
    expect(toDelegate[0]).toMatchObject({ channel: 'telegram', address: theirs.address, identityId: theirs.id, locale: 'it' });
    expect(toDelegate[0]!.body).toBe(`Promemoria per ${await givenName(file.personId)}: domani alle 10:30 è prevista la visita dell'assistenza a casa. Se non può riceverla, ce lo scriva qui.`);
    // The person's own reminder still names nobody.
    expect(toPerson[0]!.body).not.toContain(await givenName(file.personId));
  });

  it('a revoked delegate gets nothing; a second, active delegate does', async () => {
    const file = await f.createFile('albairate');
    await reachable(file.delegatePersonId);
    await db().update(delegations).set({ revokedAt: new Date('2099-03-01T00:00:00Z') }).where(eq(delegations.id, file.delegationId));
    const [other] = await db().insert(people).values({ givenName: `Nipote${++seq}`, familyName: 'Prova', preferredChannel: 'sms', preferredLocale: 'en' }).returning();
    await reachable(other!.id, 'telegram');
    const sms = await reachable(other!.id, 'sms');
    const [delegation] = await db().insert(delegations).values({ personId: file.personId, delegatePersonId: other!.id, kind: 'relative', relationship: 'nipote' }).returning();
    await db().insert(consents).values({ personId: file.personId, delegationId: delegation!.id, purpose: 'delegation', method: 'signed_form', givenAt: now });
    await recordCaseEvent(db(), { type: 'hours_running_low', personId: file.personId, payload: { programmeId: file.programmeId, balanceHours: 3.5, issuedHours: 40, periodEnd: '2099-06-30' } });
    await sendDueReminders(db(), i18n, now);
    expect(await sentTo(file.delegatePersonId)).toHaveLength(0);
    const toOther = await sentTo(other!.id);
    // The delegate's own preferences: SMS, in English.
    expect(toOther.map((r) => [r.channel, r.address, r.locale])).toEqual([['sms', sms.address, 'en']]);
    expect(toOther[0]!.body).toBe(`Reminder for ${await givenName(file.personId)}: 3.5 voucher hours are left. The comune's social service can tell you how to continue.`);
  });

  it('a withdrawn delegation consent stops the reminders; the person still gets theirs', async () => {
    const file = await f.createFile('abbiategrasso');
    await reachable(file.personId);
    await reachable(file.delegatePersonId);
    await db().update(consents).set({ withdrawnAt: new Date('2099-03-01T00:00:00Z') }).where(eq(consents.id, file.consentId));
    await recordCaseEvent(db(), { type: 'programme_ending', personId: file.personId, payload: { programmeId: file.programmeId, periodEnd: '2099-06-30' } });
    await sendDueReminders(db(), i18n, now);
    expect(await sentTo(file.delegatePersonId)).toHaveLength(0);
    expect(await sentTo(file.personId)).toHaveLength(1);
  });

  it('reaches the delegate even when the person has no chat, and skips a delegate with none', async () => {
    const file = await f.createFile('albairate');
    const theirs = await reachable(file.delegatePersonId);
    await recordCaseEvent(db(), { type: 'evaluation_due', personId: file.personId, payload: { programmeId: file.programmeId, dueOn: '2099-04-01', overdue: false } });
    await sendDueReminders(db(), i18n, now);
    expect(await sentTo(file.personId)).toHaveLength(0);
    expect((await sentTo(file.delegatePersonId)).map((r) => r.address)).toEqual([theirs.address]);

    const silent = await f.createFile('albairate');
    await recordCaseEvent(db(), { type: 'answer_sent', personId: silent.personId, payload: { applicationId: silent.applicationId, outcome: 'admitted', sentOn: '2099-03-01', via: 'pec' } });
    await sendDueReminders(db(), i18n, now);
    expect(await sentTo(silent.delegatePersonId)).toHaveLength(0);
    expect(await db().select().from(outboundMessages).where(like(outboundMessages.dedupeKey, `reminder:%:delegate:${silent.delegatePersonId}`))).toHaveLength(0);
  });

  it('every delegate reminder fits two GSM-7 segments with a long given name, in both languages', () => {
    const name = 'Maria Immacolata Giuseppina Addolorata'.slice(0, 30);
    for (const lng of ['it', 'en']) {
      for (const type of REMINDER_TYPES) {
        for (const key of [`alerts:delegateReminder.${type}`, `alerts:delegateReminderUnnamed.${type}`]) {
          const text = i18n.t(key, { name, time: ' alle 10:30', hours: '12,5', date: '30 settembre 2099', lng });
          expect(text, key).not.toMatch(/\{\{|undefined/);
          const segments = countSegments(normaliseGsm7(text));
          expect(segments.encoding, key).toBe('GSM-7');
          expect(segments.segments, `${lng} ${key}`).toBeLessThanOrEqual(2);
        }
      }
    }
  });
});
