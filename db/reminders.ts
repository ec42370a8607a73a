/**
 * Reminders from case events and urgent alerts to on-call staff, through the outbound queue.
 *
 * Reminders: each pending `case_events` row of a reminder type becomes one message on the
 * person's preferred channel (or the channel they last wrote from), worded from the locale files
 * with dates and numbers only — never health details. Events of other types, or for people with
 * no reachable Telegram/SMS identity, are consumed without a message.
 *
 * Urgent alerts: urgent conversations and immediate-risk segnalazioni are pinned in the inbox;
 * outside the comune's office hours the on-call staff member (comune_settings.on_call_staff_id,
 * reached via staff_contacts) gets one short message without personal data.
 */
import type { i18n as I18n } from 'i18next';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { isWithinOfficeHours } from '../core/conversation/office-hours.ts';
import type { Db } from './client.ts';
import { enqueueOutbound } from './outbound.ts';
import { caseEvents, channelIdentities, comuneSettings, comuni, conversations, people, segnalazioni, staffContacts, urgentAlerts } from './schema.ts';

export const REMINDER_TYPES = ['visit_tomorrow', 'hours_running_low', 'programme_ending', 'evaluation_due', 'answer_sent'] as const;

function reminderParams(payload: Record<string, string | number | boolean | null>, locale: string): Record<string, string | number> {
  const zone = 'Europe/Rome';
  const at = typeof payload.startsAt === 'string' ? DateTime.fromISO(payload.startsAt, { zone }) : undefined;
  const date = typeof payload.date === 'string' ? payload.date : typeof payload.periodEnd === 'string' ? payload.periodEnd : typeof payload.dueOn === 'string' ? payload.dueOn : '';
  // db/programmes.ts records the balance as `balanceHours`; the others are older spellings.
  const hours = payload.balanceHours ?? payload.remainingHours ?? payload.balance;
  return {
    time: at?.isValid ? (locale === 'en' ? ` at ${at.toFormat('HH:mm')}` : ` alle ${at.toFormat('HH:mm')}`) : '',
    date: date ? DateTime.fromISO(date, { zone }).setLocale(locale).toFormat('d LLLL yyyy') : '',
    hours: typeof hours === 'number' ? new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'it-IT', { maximumFractionDigits: 1 }).format(hours) : '',
  };
}

/** Turns pending case events into reminder messages; returns how many were enqueued. */
export async function sendDueReminders(db: Db, i18n: I18n, now: Date, limit = 200): Promise<number> {
  const events = await db.select().from(caseEvents).where(isNull(caseEvents.consumedAt)).orderBy(asc(caseEvents.id)).limit(limit);
  let sent = 0;
  for (const event of events) {
    await db.transaction(async (tx) => {
      // Lock the event: two instances never remind twice.
      const [locked] = await tx.select({ id: caseEvents.id }).from(caseEvents).where(and(eq(caseEvents.id, event.id), isNull(caseEvents.consumedAt))).for('update', { skipLocked: true });
      if (!locked) return;
      // A "visit tomorrow" consumed after the visit began (workers were down) would mislead: skip it.
      const startsAt = typeof event.payload.startsAt === 'string' ? new Date(event.payload.startsAt) : undefined;
      const stale = event.type === 'visit_tomorrow' && startsAt !== undefined && startsAt.getTime() <= now.getTime();
      if (!stale && (REMINDER_TYPES as readonly string[]).includes(event.type)) {
        const [person] = await tx.select({ preferredChannel: people.preferredChannel, locale: people.preferredLocale, erasedAt: people.erasedAt }).from(people).where(eq(people.id, event.personId));
        // Without a preferred channel: the one the person last wrote from (latest conversation activity).
        const lastActive = sql`(select max(${conversations.updatedAt}) from ${conversations} where ${conversations.identityId} = ${channelIdentities.id})`;
        const identities = person && !person.erasedAt
          ? await tx
              .select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address })
              .from(channelIdentities)
              .where(and(eq(channelIdentities.personId, event.personId), eq(channelIdentities.reachable, true), inArray(channelIdentities.channel, ['telegram', 'sms'])))
              .orderBy(sql`${lastActive} desc nulls last`, desc(channelIdentities.createdAt))
          : [];
        const identity = identities.find((i) => i.channel === person?.preferredChannel) ?? identities[0];
        if (identity) {
          const locale = person?.locale === 'en' ? 'en' : 'it';
          await enqueueOutbound(tx, {
            channel: identity.channel as 'telegram' | 'sms',
            address: identity.address,
            body: i18n.t(`channels:reminder.${event.type}`, { ...reminderParams(event.payload, locale), lng: locale }),
            locale,
            purpose: 'reminder',
            identityId: identity.id,
            personId: event.personId,
            dedupeKey: `reminder:${event.id}`,
          });
          sent += 1;
        }
      }
      await tx.update(caseEvents).set({ consumedAt: now }).where(eq(caseEvents.id, event.id));
    });
  }
  return sent;
}

/**
 * Pins immediate-risk segnalazioni (their conversation becomes urgent) and alerts the on-call
 * staff member of the comune, outside office hours, once per conversation or segnalazione.
 */
export async function sendUrgentAlerts(db: Db, i18n: I18n, now: Date): Promise<number> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const risky = await db
    .select({ id: segnalazioni.id, conversationId: segnalazioni.conversationId, comuneId: segnalazioni.comuneId })
    .from(segnalazioni)
    .where(and(sql`(${segnalazioni.immediateRisk} or ${segnalazioni.urgency} = 'immediate')`, sql`${segnalazioni.createdAt} >= ${since.toISOString()}::timestamptz`));
  for (const s of risky) {
    if (s.conversationId) await db.update(conversations).set({ urgent: true }).where(and(eq(conversations.id, s.conversationId), eq(conversations.urgent, false)));
  }
  const urgent = await db
    .select({ id: conversations.id, comuneId: conversations.comuneId })
    .from(conversations)
    .where(and(eq(conversations.urgent, true), sql`${conversations.updatedAt} >= ${since.toISOString()}::timestamptz`));
  // One alert per emergency: a risky segnalazione made in a conversation is alerted as that
  // conversation (pinned above), to the comune of the person at risk.
  const byConversation = new Map(urgent.map((c) => [c.id, { key: `conversation:${c.id}`, comuneId: c.comuneId }]));
  const subjects = [...byConversation.values()];
  for (const s of risky) {
    if (!s.conversationId) {
      subjects.push({ key: `segnalazione:${s.id}`, comuneId: s.comuneId });
      continue;
    }
    const subject = byConversation.get(s.conversationId);
    if (subject) subject.comuneId = s.comuneId ?? subject.comuneId;
    else {
      const added = { key: `conversation:${s.conversationId}`, comuneId: s.comuneId };
      byConversation.set(s.conversationId, added);
      subjects.push(added);
    }
  }
  let sent = 0;
  for (const subject of subjects) {
    if (!subject.comuneId) continue; // unknown comune: the inbox pin is all we can do
    await db.transaction(async (tx) => {
      const [done] = await tx.select({ k: urgentAlerts.subjectKey }).from(urgentAlerts).where(eq(urgentAlerts.subjectKey, subject.key));
      if (done) return;
      const [comune] = await tx.select({ name: comuni.name, officeHours: comuni.officeHours, patronDay: comuni.patronDay }).from(comuni).where(eq(comuni.id, subject.comuneId!));
      const [settings] = await tx.select({ onCall: comuneSettings.onCallStaffId }).from(comuneSettings).where(eq(comuneSettings.comuneId, subject.comuneId!));
      if (isWithinOfficeHours(comune?.officeHours, now, comune?.patronDay ?? null)) {
        await tx.insert(urgentAlerts).values({ subjectKey: subject.key, comuneId: subject.comuneId, outcome: 'in_office_hours' }).onConflictDoNothing();
        return;
      }
      const [contact] = settings?.onCall ? await tx.select().from(staffContacts).where(eq(staffContacts.staffUserId, settings.onCall)) : [];
      if (!settings?.onCall || !contact || (!contact.telegramChatId && !contact.phone)) {
        await tx.insert(urgentAlerts).values({ subjectKey: subject.key, comuneId: subject.comuneId, outcome: 'no_on_call' }).onConflictDoNothing();
        return;
      }
      const channel = contact.telegramChatId ? 'telegram' : 'sms';
      await enqueueOutbound(tx, {
        channel,
        address: (contact.telegramChatId ?? contact.phone)!,
        body: i18n.t('channels:alert.urgent', { comune: comune?.name ?? subject.comuneId, lng: 'it' }),
        purpose: 'alert',
        staffUserId: settings.onCall,
        dedupeKey: `alert:${subject.key}`,
      });
      await tx.insert(urgentAlerts).values({ subjectKey: subject.key, comuneId: subject.comuneId, staffUserId: settings.onCall, outcome: 'sent' }).onConflictDoNothing();
      sent += 1;
    });
  }
  return sent;
}
