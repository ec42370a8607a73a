/**
 * Reminders from case events and urgent alerts to on-call staff, through the outbound queue.
 *
 * Reminders: each pending `case_events` row of a reminder type becomes one message on the
 * person's preferred channel (or the channel they last wrote from), worded from the locale files
 * with dates and numbers only — never health details. Events of other types, or for people with
 * no reachable Telegram/SMS identity, are consumed without a message.
 *
 * Each active delegate (delegation not revoked, its consent not withdrawn) with a reachable
 * Telegram/SMS identity gets the same reminder too, naming the person by given name only.
 *
 * Urgent alerts: urgent conversations and immediate-risk segnalazioni are pinned in the inbox;
 * outside the comune's office hours the on-call staff member (comune_settings.on_call_staff_id,
 * reached via staff_contacts) gets one short message without personal data. When that is not
 * possible — no comune (an unlinked chat), no on-call member, no usable contact — the ambito's
 * central on-call (ambito_settings) gets it instead, day or night for a subject with no comune.
 * Only when that fails too the outcome is `no_on_call`, logged at error level and counted on the
 * admins' dashboard until someone takes the emergency; every sweep tries it again meanwhile, and
 * once an on-call member can be reached (set or given a contact since) they are alerted, once.
 */
import type { i18n as I18n } from 'i18next';
import { and, asc, desc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { isWithinOfficeHours } from '../core/conversation/office-hours.ts';
import type { Logger } from '../logger.ts';
import type { Db, Queryable } from './client.ts';
import { enqueueOutbound } from './outbound.ts';
import {
  ambitoSettings,
  caseEvents,
  channelIdentities,
  comuneSettings,
  comuni,
  consents,
  conversations,
  delegations,
  people,
  segnalazioni,
  staffContacts,
  staffUsers,
  urgentAlerts,
} from './schema.ts';

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

/**
 * The Telegram/SMS identity a message to `personId` goes to: the preferred channel if reachable,
 * else the channel the person last wrote from (latest conversation activity), else the newest.
 */
async function reminderIdentity(q: Queryable, personId: string, preferredChannel: string | null) {
  const lastActive = sql`(select max(${conversations.updatedAt}) from ${conversations} where ${conversations.identityId} = ${channelIdentities.id})`;
  const identities = await q
    .select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address })
    .from(channelIdentities)
    .where(and(eq(channelIdentities.personId, personId), eq(channelIdentities.reachable, true), inArray(channelIdentities.channel, ['telegram', 'sms'])))
    .orderBy(sql`${lastActive} desc nulls last`, desc(channelIdentities.createdAt));
  return identities.find((i) => i.channel === preferredChannel) ?? identities[0];
}

/**
 * Delegates who receive a person's reminders: the delegation is active and the consent the
 * beneficiary gave for it (purpose 'delegation') is recorded and not withdrawn — a withdrawn
 * consent ends the relative's reminders even before staff revoke the delegation.
 */
async function remindedDelegates(q: Queryable, personId: string) {
  return q
    .select({ delegatePersonId: delegations.delegatePersonId, preferredChannel: people.preferredChannel, locale: people.preferredLocale })
    .from(delegations)
    .innerJoin(people, eq(people.id, delegations.delegatePersonId))
    .where(
      and(
        eq(delegations.personId, personId),
        isNull(delegations.revokedAt),
        isNull(people.erasedAt),
        sql`exists (select 1 from ${consents} where ${consents.delegationId} = ${delegations.id} and ${consents.purpose} = 'delegation' and ${consents.withdrawnAt} is null)`,
      ),
    )
    .orderBy(asc(delegations.createdAt));
}

/** Turns pending case events into reminder messages (to the person and their delegates); returns how many were enqueued. */
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
        const [person] = await tx
          .select({ preferredChannel: people.preferredChannel, locale: people.preferredLocale, erasedAt: people.erasedAt, givenName: people.givenName })
          .from(people)
          .where(eq(people.id, event.personId));
        const identity = person && !person.erasedAt ? await reminderIdentity(tx, event.personId, person.preferredChannel) : undefined;
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
        if (person && !person.erasedAt) {
          // The given name only (capped: an SMS must stay within two segments) tells the relative whom it is about.
          const name = (person.givenName ?? '').trim().slice(0, 30);
          for (const delegate of await remindedDelegates(tx, event.personId)) {
            if (delegate.delegatePersonId === event.personId) continue;
            const to = await reminderIdentity(tx, delegate.delegatePersonId, delegate.preferredChannel);
            if (!to) continue;
            const locale = delegate.locale === 'en' ? 'en' : 'it';
            const key = name ? `alerts:delegateReminder.${event.type}` : `alerts:delegateReminderUnnamed.${event.type}`;
            const { duplicate } = await enqueueOutbound(tx, {
              channel: to.channel as 'telegram' | 'sms',
              address: to.address,
              body: i18n.t(key, { ...reminderParams(event.payload, locale), name, lng: locale }),
              locale,
              purpose: 'reminder',
              identityId: to.id,
              personId: delegate.delegatePersonId,
              // Per event and delegate person: each delegate gets each reminder once.
              dedupeKey: `reminder:${event.id}:delegate:${delegate.delegatePersonId}`,
            });
            if (!duplicate) sent += 1;
          }
        }
      }
      await tx.update(caseEvents).set({ consumedAt: now }).where(eq(caseEvents.id, event.id));
    });
  }
  return sent;
}

/** What sendUrgentAlerts needs to log: error level for an emergency nobody was told about. */
export type AlertLogger = Pick<Logger, 'error' | 'warn' | 'info'>;

type AlertOutcome = 'sent' | 'in_office_hours' | 'no_on_call';

interface OnCallTarget {
  staffUserId: string;
  channel: 'telegram' | 'sms';
  address: string;
}

/** A staff member who can be reached now: active, with a Telegram chat id or a phone number. */
async function reachableStaff(q: Queryable, staffUserId: string | null | undefined): Promise<OnCallTarget | undefined> {
  if (!staffUserId) return undefined;
  const [row] = await q
    .select({ active: staffUsers.active, telegramChatId: staffContacts.telegramChatId, phone: staffContacts.phone })
    .from(staffUsers)
    .innerJoin(staffContacts, eq(staffContacts.staffUserId, staffUsers.id))
    .where(eq(staffUsers.id, staffUserId));
  if (!row?.active) return undefined;
  if (row.telegramChatId) return { staffUserId, channel: 'telegram', address: row.telegramChatId };
  if (row.phone) return { staffUserId, channel: 'sms', address: row.phone };
  return undefined;
}

/** The ambito's central on-call staff member, when set. */
export async function centralOnCallStaffId(q: Queryable): Promise<string | null> {
  const [row] = await q.select({ id: ambitoSettings.centralOnCallStaffId }).from(ambitoSettings);
  return row?.id ?? null;
}

/**
 * Pins immediate-risk segnalazioni (their conversation becomes urgent) and alerts the on-call
 * staff member of the comune, outside office hours, once per conversation or segnalazione; the
 * central on-call when the comune is unknown or its on-call cannot be reached.
 */
export async function sendUrgentAlerts(db: Db, i18n: I18n, now: Date, options: { logger?: AlertLogger } = {}): Promise<number> {
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
    const result = await db.transaction(async (tx) => {
      const [done] = await tx.select({ outcome: urgentAlerts.outcome }).from(urgentAlerts).where(eq(urgentAlerts.subjectKey, subject.key));
      // An emergency that reached nobody is tried again at every sweep while nobody has taken it:
      // the on-call member (or their phone) may have been set since.
      if (done && (done.outcome !== 'no_on_call' || !(await stillUnattended(tx, subject.key)))) return undefined;
      let outcome: AlertOutcome = 'no_on_call';
      let target: OnCallTarget | undefined;
      let body = '';
      const comuneId = subject.comuneId;
      if (comuneId) {
        const [comune] = await tx.select({ name: comuni.name, officeHours: comuni.officeHours, patronDay: comuni.patronDay }).from(comuni).where(eq(comuni.id, comuneId));
        const [settings] = await tx.select({ onCall: comuneSettings.onCallStaffId }).from(comuneSettings).where(eq(comuneSettings.comuneId, comuneId));
        const comuneName = comune?.name ?? comuneId;
        if (isWithinOfficeHours(comune?.officeHours, now, comune?.patronDay ?? null)) outcome = 'in_office_hours';
        else if ((target = await reachableStaff(tx, settings?.onCall))) body = i18n.t('channels:alert.urgent', { comune: comuneName, lng: 'it' });
        else if ((target = await reachableStaff(tx, await centralOnCallStaffId(tx)))) body = i18n.t('alerts:central.comuneOnCallMissing', { comune: comuneName, lng: 'it' });
      } else if ((target = await reachableStaff(tx, await centralOnCallStaffId(tx)))) {
        // Nobody knows where this person lives, so no office is open for them: alert day or night.
        body = i18n.t('alerts:central.unknownComune', { lng: 'it' });
      }
      if (target) outcome = 'sent';
      if (done && !target) return undefined; // still nobody to tell: recorded and logged the first time
      // The row is the claim: a concurrent sweep's insert waits on the key, then conflicts and sends
      // nothing; a retry claims the row by moving it from no_on_call to sent, once.
      const claimed = done
        ? await tx
            .update(urgentAlerts)
            .set({ outcome, staffUserId: target!.staffUserId })
            .where(and(eq(urgentAlerts.subjectKey, subject.key), eq(urgentAlerts.outcome, 'no_on_call')))
            .returning({ k: urgentAlerts.subjectKey })
        : await tx
            .insert(urgentAlerts)
            .values({ subjectKey: subject.key, comuneId, staffUserId: target?.staffUserId ?? null, outcome })
            .onConflictDoNothing()
            .returning({ k: urgentAlerts.subjectKey });
      if (claimed.length === 0) return undefined;
      if (target) {
        await enqueueOutbound(tx, {
          channel: target.channel,
          address: target.address,
          body,
          purpose: 'alert',
          staffUserId: target.staffUserId,
          dedupeKey: `alert:${subject.key}`,
        });
      }
      return { outcome, staffUserId: target?.staffUserId, late: !!done };
    });
    if (!result) continue;
    if (result.outcome === 'sent') sent += 1;
    // Ids only: the subject key holds a conversation or segnalazione id, never text or names.
    if (result.outcome === 'no_on_call') options.logger?.error({ subjectKey: subject.key, comuneId: subject.comuneId }, 'urgent alert reached nobody: no on-call staff member with a contact');
    else if (result.outcome === 'sent') {
      const line = result.late ? 'urgent alert enqueued, late: nobody could be reached before' : 'urgent alert enqueued';
      options.logger?.info({ subjectKey: subject.key, comuneId: subject.comuneId, staffUserId: result.staffUserId }, line);
    }
  }
  return sent;
}

/** The conversation is still urgent and unassigned, or the segnalazione still only received. */
async function stillUnattended(q: Queryable, subjectKey: string): Promise<boolean> {
  const id = subjectKey.slice(subjectKey.indexOf(':') + 1);
  if (subjectKey.startsWith('conversation:')) {
    const [c] = await q.select({ urgent: conversations.urgent, assigned: conversations.assignedStaffId }).from(conversations).where(eq(conversations.id, id));
    return !!c && c.urgent && c.assigned === null;
  }
  const [s] = await q.select({ status: segnalazioni.status }).from(segnalazioni).where(eq(segnalazioni.id, id));
  return s?.status === 'received';
}

/**
 * Emergencies nobody was alerted about (`no_on_call`) in the last `days` that nobody has taken
 * yet: the conversation is still urgent and unassigned, or the segnalazione still only received.
 */
export async function unattendedEmergencies(q: Queryable, now: Date, days = 7) {
  // The subject key's id is cast back to a uuid so the primary keys are used, not a scan.
  const since = new Date(now.getTime() - days * 24 * 3600_000);
  return q
    .select({ subjectKey: urgentAlerts.subjectKey, comuneId: urgentAlerts.comuneId, createdAt: urgentAlerts.createdAt })
    .from(urgentAlerts)
    .where(
      and(
        eq(urgentAlerts.outcome, 'no_on_call'),
        gte(urgentAlerts.createdAt, since),
        sql`(
          exists (select 1 from ${conversations} where ${conversations.id} = (case when ${urgentAlerts.subjectKey} like 'conversation:%' then substr(${urgentAlerts.subjectKey}, 14)::uuid end) and ${conversations.urgent} and ${conversations.assignedStaffId} is null)
          or exists (select 1 from ${segnalazioni} where ${segnalazioni.id} = (case when ${urgentAlerts.subjectKey} like 'segnalazione:%' then substr(${urgentAlerts.subjectKey}, 14)::uuid end) and ${segnalazioni.status} = 'received')
        )`,
      ),
    )
    .orderBy(asc(urgentAlerts.createdAt));
}
