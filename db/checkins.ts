/**
 * Check-ins with people living alone (issue #9): enrolments, the durable scheduler sweep and the
 * custode's view of the day.
 *
 * Exactly once, across restarts and instances, without a job table:
 * - one occurrence per enrolment and Rome day (unique key): the instance whose insert wins sends
 *   the prompt, in the same transaction;
 * - every later step (second prompt, alert, answer) is a conditional update on the occurrence's
 *   status ("… where status = 'prompted' returning"): a concurrent sweep updates nothing and so
 *   sends nothing;
 * - outbound messages and staff tasks carry dedupe keys as a second guard.
 * So a sweep can be run any number of times, at any moment, by any number of instances.
 *
 * The prompt is stored as a bot message of the person's conversation (with the options
 * `ck.<occurrenceId>.ok|help|call`), then queued for Telegram/SMS like any reply; on the web chat
 * the stored message is all there is. Answers come back through the conversation engine
 * (core/conversation/flows/checkin.ts) and are applied here (applyCheckinChatEffect).
 */
import type { i18n as I18n } from 'i18next';
import { and, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { ANSWERABLE_STATUSES, nextEscalation, OPEN_STATUSES, viewBucket, type CheckinAnswer, type OccurrenceStatus, type ViewBucket } from '../core/checkins/escalation.ts';
import { sweepDecision, weekdayOf, dueInstant } from '../core/checkins/schedule.ts';
import type { CheckinChatInfo } from '../core/conversation/flows/checkin.ts';
import type { ChatContext } from '../core/conversation/context.ts';
import type { Effect } from '../core/conversation/types.ts';
import { romeDate, ROME_ZONE } from '../core/regulation/calendar.ts';
import { recordAudit } from './audit.ts';
import { notify, type Db, type Queryable, type Tx } from './client.ts';
import { MESSAGES_CHANNEL, nextSeq, type ConversationRow } from './conversations.ts';
import { enqueueOutbound, openStaffTask } from './outbound.ts';
import { checkinEnrolments, checkinOccurrences, type CheckinContact } from './schema-checkins.ts';
import {
  channelIdentities,
  comuni,
  consents,
  conversations,
  delegations,
  messages,
  people,
  programmes,
  programmeSuspensions,
  staffContacts,
  staffTasks,
  staffUserComuni,
  staffUsers,
} from './schema.ts';

export type CheckinChannel = 'telegram' | 'sms' | 'web';
export type EnrolmentRow = typeof checkinEnrolments.$inferSelect;
export type OccurrenceRow = typeof checkinOccurrences.$inferSelect;

// ───────────── enrolments ─────────────

/** The person's valid consent for check-ins: the one named, or the latest not withdrawn. */
export async function findCheckinConsent(q: Queryable, personId: string, consentId?: string): Promise<string | undefined> {
  const rows = await q
    .select({ id: consents.id })
    .from(consents)
    .where(and(eq(consents.personId, personId), eq(consents.purpose, 'check_ins'), isNull(consents.withdrawnAt), ...(consentId ? [eq(consents.id, consentId)] : [])))
    .orderBy(desc(consents.givenAt))
    .limit(1);
  return rows[0]?.id;
}

/** The live (active or paused) enrolment of a person, locked when `lock`. */
export async function liveEnrolmentOf(q: Queryable, personId: string): Promise<EnrolmentRow | undefined> {
  const [row] = await q.select().from(checkinEnrolments).where(and(eq(checkinEnrolments.personId, personId), sql`${checkinEnrolments.status} <> 'stopped'`));
  return row;
}

export async function findEnrolment(q: Queryable, id: string): Promise<EnrolmentRow | undefined> {
  const [row] = await q.select().from(checkinEnrolments).where(eq(checkinEnrolments.id, id));
  return row;
}

export async function lockEnrolment(tx: Tx, id: string): Promise<EnrolmentRow | undefined> {
  const [row] = await tx.select().from(checkinEnrolments).where(eq(checkinEnrolments.id, id)).for('update');
  return row;
}

/** Which of the contacts are not valid for this person (unknown staff, not an active delegate): their indexes. */
export async function invalidContacts(q: Queryable, personId: string, comuneId: string, contacts: readonly CheckinContact[]): Promise<number[]> {
  const bad: number[] = [];
  for (const [i, c] of contacts.entries()) {
    if (c.kind === 'staff') {
      const [s] = await q
        .select({ id: staffUsers.id, role: staffUsers.role })
        .from(staffUsers)
        .leftJoin(staffUserComuni, and(eq(staffUserComuni.userId, staffUsers.id), eq(staffUserComuni.comuneId, comuneId)))
        .where(and(eq(staffUsers.id, c.staffUserId), eq(staffUsers.active, true), sql`(${staffUsers.role} = 'admin' or ${staffUserComuni.comuneId} is not null)`));
      if (!s || s.role === 'provider') bad.push(i);
    } else {
      const [d] = await q
        .select({ id: delegations.id })
        .from(delegations)
        .where(and(eq(delegations.personId, personId), eq(delegations.delegatePersonId, c.personId), isNull(delegations.revokedAt)));
      if (!d) bad.push(i);
    }
  }
  return bad;
}

export interface EnrolmentInput {
  weekdays: number[];
  windowStart: string;
  channel: CheckinChannel | null;
  contacts: CheckinContact[];
  graceMinutes: number;
  onHolidays: boolean;
}

export async function insertEnrolment(tx: Tx, input: EnrolmentInput & { personId: string; comuneId: string; consentId: string; createdBy: string | null; now: Date }): Promise<EnrolmentRow> {
  const [row] = await tx
    .insert(checkinEnrolments)
    .values({
      personId: input.personId,
      comuneId: input.comuneId,
      weekdays: [...new Set(input.weekdays)].sort(),
      windowStart: input.windowStart,
      channel: input.channel,
      contacts: input.contacts,
      graceMinutes: input.graceMinutes,
      onHolidays: input.onHolidays,
      consentId: input.consentId,
      createdBy: input.createdBy,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .returning();
  return row!;
}

export async function updateEnrolment(
  tx: Tx,
  id: string,
  patch: Partial<EnrolmentInput> & { status?: 'active' | 'paused' | 'stopped'; pausedUntil?: string | null },
  now: Date,
): Promise<EnrolmentRow> {
  const set: Partial<typeof checkinEnrolments.$inferInsert> = { updatedAt: now };
  if (patch.weekdays !== undefined) set.weekdays = [...new Set(patch.weekdays)].sort();
  if (patch.windowStart !== undefined) set.windowStart = patch.windowStart;
  if (patch.channel !== undefined) set.channel = patch.channel;
  if (patch.contacts !== undefined) set.contacts = patch.contacts;
  if (patch.graceMinutes !== undefined) set.graceMinutes = patch.graceMinutes;
  if (patch.onHolidays !== undefined) set.onHolidays = patch.onHolidays;
  if (patch.status !== undefined) {
    set.status = patch.status;
    if (patch.status !== 'paused') set.pausedUntil = null;
  }
  if (patch.pausedUntil !== undefined && (patch.status ?? 'paused') === 'paused') set.pausedUntil = patch.pausedUntil;
  const [row] = await tx.update(checkinEnrolments).set(set).where(eq(checkinEnrolments.id, id)).returning();
  return row!;
}

/** The person's enrolments (newest first) and their recent occurrences: the check-ins on their file. */
export async function personCheckins(q: Queryable, personId: string, limit = 60): Promise<{ enrolments: EnrolmentRow[]; occurrences: OccurrenceRow[] }> {
  const enrolments = await q.select().from(checkinEnrolments).where(eq(checkinEnrolments.personId, personId)).orderBy(desc(checkinEnrolments.createdAt));
  const occurrences = await q
    .select()
    .from(checkinOccurrences)
    .where(eq(checkinOccurrences.personId, personId))
    .orderBy(desc(checkinOccurrences.localDate), desc(checkinOccurrences.createdAt))
    .limit(limit);
  return { enrolments, occurrences };
}

// ───────────── the sweep ─────────────

export interface CheckinDeps {
  db: Db;
  i18n: I18n;
}

export interface SweepReport {
  prompted: number;
  skipped: number;
  reprompted: number;
  escalated: number;
}

interface PersonFacts {
  givenName: string | null;
  familyName: string | null;
  preferredChannel: string | null;
  locale: string;
}

const t = (i18n: I18n, key: string, locale: string, params: Record<string, string | number> = {}) => i18n.t(`checkins:${key}`, { ...params, lng: locale });

function romeTime(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: ROME_ZONE }).toFormat('HH:mm');
}

/**
 * One pass of the scheduler at `now`: today's occurrences (prompt, skip or missed), second
 * prompts and alerts after the grace period, and the contact alerts of "help" answers.
 * Idempotent and safe to run concurrently (see the module comment).
 */
export async function runCheckinSweep(deps: CheckinDeps, now: Date): Promise<SweepReport> {
  const report: SweepReport = { prompted: 0, skipped: 0, reprompted: 0, escalated: 0 };
  const { db } = deps;
  const today = romeDate(now);

  // Pauses that ended yesterday or before end by themselves.
  await db
    .update(checkinEnrolments)
    .set({ status: 'active', pausedUntil: null, updatedAt: now })
    .where(and(eq(checkinEnrolments.status, 'paused'), lt(checkinEnrolments.pausedUntil, today)));

  const live = await db
    .select({ enrolment: checkinEnrolments, patronDay: comuni.patronDay, erasedAt: people.erasedAt })
    .from(checkinEnrolments)
    .innerJoin(people, eq(people.id, checkinEnrolments.personId))
    .innerJoin(comuni, eq(comuni.id, checkinEnrolments.comuneId))
    // A withdrawn consent ends the check-ins at once, whatever the enrolment still says.
    .innerJoin(consents, and(eq(consents.id, checkinEnrolments.consentId), isNull(consents.withdrawnAt)))
    .leftJoin(checkinOccurrences, and(eq(checkinOccurrences.enrolmentId, checkinEnrolments.id), eq(checkinOccurrences.localDate, today)))
    .where(and(sql`${checkinEnrolments.status} <> 'stopped'`, isNull(checkinOccurrences.id), sql`${weekdayOf(today)}::int = any(${checkinEnrolments.weekdays})`))
    .orderBy(asc(checkinEnrolments.createdAt));

  for (const { enrolment: e, patronDay, erasedAt } of live) {
    if (erasedAt) continue;
    // Cheap check first: before the window nothing is read (the sweep runs every minute).
    const early = sweepDecision({ ...e, patronDay, suspensions: [] }, today, now);
    if (early.kind === 'none' || early.kind === 'not_yet') continue;
    const suspensions = await db
      .select({ fromDate: programmeSuspensions.fromDate, toDate: programmeSuspensions.toDate })
      .from(programmeSuspensions)
      .innerJoin(programmes, eq(programmes.id, programmeSuspensions.programmeId))
      .where(and(eq(programmes.personId, e.personId), eq(programmeSuspensions.status, 'confirmed')));
    const decision = sweepDecision({ ...e, patronDay, suspensions }, today, now);
    if (decision.kind === 'none' || decision.kind === 'not_yet') continue;
    await db.transaction(async (tx) => {
      const status: OccurrenceStatus = decision.kind === 'prompt' ? 'prompted' : decision.kind === 'missed' ? 'missed' : 'skipped';
      const [occ] = await tx
        .insert(checkinOccurrences)
        .values({
          enrolmentId: e.id,
          personId: e.personId,
          comuneId: e.comuneId,
          localDate: today,
          dueAt: decision.dueAt,
          status,
          skipReason: decision.kind === 'skip' ? decision.reason : null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      if (!occ) return; // another instance (or an earlier pass) took this day
      if (decision.kind === 'skip') {
        report.skipped += 1;
        await audit(tx, 'checkin.skipped', occ, decision.reason);
        return;
      }
      if (decision.kind === 'missed') {
        await escalate(tx, deps.i18n, occ, e, 'missed', now);
        report.escalated += 1;
        return;
      }
      const sent = await sendPrompt(tx, deps.i18n, occ, e, false, now);
      if (sent) {
        await tx.update(checkinOccurrences).set({ promptedAt: now, channel: sent.channel, conversationId: sent.conversationId, updatedAt: now }).where(eq(checkinOccurrences.id, occ.id));
        await audit(tx, 'checkin.prompted', occ, sent.channel);
        report.prompted += 1;
      } else {
        // Nowhere to write to: the person must be called, now.
        await tx.update(checkinOccurrences).set({ status: 'no_answer', updatedAt: now }).where(eq(checkinOccurrences.id, occ.id));
        await escalate(tx, deps.i18n, occ, e, 'no_channel', now);
        report.escalated += 1;
      }
    });
  }

  // Open prompts: second prompt, then the alert.
  const open = await db
    .select({ occ: checkinOccurrences, enrolment: checkinEnrolments })
    .from(checkinOccurrences)
    .innerJoin(checkinEnrolments, eq(checkinEnrolments.id, checkinOccurrences.enrolmentId))
    .where(inArray(checkinOccurrences.status, [...OPEN_STATUSES]));
  for (const { occ, enrolment } of open) {
    const step = nextEscalation({ status: occ.status as OccurrenceStatus, promptedAt: occ.promptedAt, repromptedAt: occ.repromptedAt }, now, enrolment.graceMinutes);
    if (step === 'wait') continue;
    await db.transaction(async (tx) => {
      if (step === 'reprompt') {
        // Conversation first, then the occurrence: the same order as a chat turn answering it (no deadlock).
        if (occ.conversationId) await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, occ.conversationId)).for('update');
        const [won] = await tx
          .update(checkinOccurrences)
          .set({ status: 'reprompted', repromptedAt: now, updatedAt: now })
          .where(and(eq(checkinOccurrences.id, occ.id), eq(checkinOccurrences.status, 'prompted')))
          .returning();
        if (!won) return;
        await sendPrompt(tx, deps.i18n, won, enrolment, true, now);
        await audit(tx, 'checkin.reprompted', won);
        report.reprompted += 1;
        return;
      }
      const [won] = await tx
        .update(checkinOccurrences)
        .set({ status: 'no_answer', updatedAt: now })
        .where(and(eq(checkinOccurrences.id, occ.id), inArray(checkinOccurrences.status, [...OPEN_STATUSES])))
        .returning();
      if (!won) return;
      await escalate(tx, deps.i18n, won, enrolment, 'silence', now);
      report.escalated += 1;
    });
  }

  // "Help" and "call me" answers: the contacts are alerted once (the chat turn recorded the answer
  // and the task), also when they had already been told of a silence.
  const helped = await db
    .select({ occ: checkinOccurrences, enrolment: checkinEnrolments })
    .from(checkinOccurrences)
    .innerJoin(checkinEnrolments, eq(checkinEnrolments.id, checkinOccurrences.enrolmentId))
    .where(
      and(
        inArray(checkinOccurrences.status, ['help', 'call']),
        or(isNull(checkinOccurrences.escalatedAt), inArray(checkinOccurrences.escalationReason, [...SILENCE_REASONS])),
      ),
    );
  for (const { occ, enrolment } of helped) {
    await db.transaction(async (tx) => {
      const reason = occ.status === 'call' ? 'call' : 'help';
      if (await alertContacts(tx, deps.i18n, occ, enrolment, reason, now)) report.escalated += 1;
    });
  }
  return report;
}

async function audit(q: Queryable, action: string, occ: OccurrenceRow, reason?: string): Promise<void> {
  await recordAudit(q, { actorType: 'system', action, subjectType: 'checkin_occurrence', subjectId: occ.id, comuneId: occ.comuneId, ...(reason ? { reason } : {}) });
}

async function personFacts(q: Queryable, personId: string): Promise<PersonFacts | undefined> {
  const [p] = await q
    .select({ givenName: people.givenName, familyName: people.familyName, preferredChannel: people.preferredChannel, locale: people.preferredLocale, erasedAt: people.erasedAt })
    .from(people)
    .where(eq(people.id, personId));
  return p && !p.erasedAt ? p : undefined;
}

const CHANNEL_ORDER: CheckinChannel[] = ['telegram', 'sms', 'web'];

/**
 * Stores the prompt in the person's conversation on the enrolment's channel (else their
 * preferred one, else any reachable one) and queues it for Telegram/SMS. Returns where it went,
 * or undefined when the person has no chat identity at all.
 */
async function sendPrompt(tx: Tx, i18n: I18n, occ: OccurrenceRow, e: EnrolmentRow, second: boolean, now: Date): Promise<{ channel: CheckinChannel; conversationId: string } | undefined> {
  const person = await personFacts(tx, e.personId);
  if (!person) return undefined;
  const identities = await tx
    .select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address, locale: channelIdentities.locale })
    .from(channelIdentities)
    .where(and(eq(channelIdentities.personId, e.personId), eq(channelIdentities.reachable, true)))
    .orderBy(desc(channelIdentities.createdAt));
  const wanted = (second && occ.channel ? occ.channel : null) ?? e.channel ?? person.preferredChannel;
  const rank = (c: string) => (c === wanted ? -1 : CHANNEL_ORDER.indexOf(c as CheckinChannel));
  const identity = [...identities].sort((a, b) => rank(a.channel) - rank(b.channel))[0];
  if (!identity) return undefined;
  const locale = person.locale === 'en' ? 'en' : 'it';

  const [existing] = await tx
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.identityId, identity.id), sql`${conversations.handling} <> 'closed'`))
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  const conversationId =
    existing?.id ??
    (await tx.insert(conversations).values({ channel: identity.channel, identityId: identity.id, locale, comuneId: e.comuneId }).returning({ id: conversations.id }))[0]!.id;
  // The conversation's row lock orders this message with the person's own.
  await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.id, conversationId)).for('update');

  const hour = DateTime.fromJSDate(now, { zone: ROME_ZONE }).hour;
  const name = person.givenName ?? '';
  const body = second
    ? t(i18n, 'prompt.second', locale, { name })
    : t(i18n, hour < 17 ? 'prompt.morning' : 'prompt.evening', locale, { name });
  const options = (['ok', 'help', 'call'] as const).map((a) => ({ id: `ck.${occ.id}.${a}`, label: t(i18n, `prompt.option.${a}`, locale) }));
  const seq = await nextSeq(tx, conversationId);
  const [message] = await tx
    .insert(messages)
    .values({ conversationId, seq, direction: 'out', author: 'bot', body, options, createdAt: now })
    .returning({ id: messages.id });
  await notify(tx, MESSAGES_CHANNEL, `${conversationId}:${seq}`);
  if (identity.channel === 'telegram' || identity.channel === 'sms') {
    await enqueueOutbound(tx, {
      channel: identity.channel,
      address: identity.address,
      body,
      options,
      locale,
      purpose: 'reminder',
      identityId: identity.id,
      personId: e.personId,
      conversationId,
      messageId: message!.id,
      // The same key the missing-outbound sweep would use: the message is queued once.
      dedupeKey: `msg:${message!.id}`,
    });
  }
  return { channel: identity.channel as CheckinChannel, conversationId };
}

type EscalationReason = 'silence' | 'no_channel' | 'missed' | 'help' | 'call';

const TASK_KIND: Record<EscalationReason, string> = {
  silence: 'checkin_no_answer',
  no_channel: 'checkin_no_answer',
  missed: 'checkin_missed',
  help: 'checkin_help',
  call: 'checkin_call',
};

/** Opens the staff task for an occurrence (once per kind). */
export async function openCheckinTask(q: Queryable, occ: OccurrenceRow, reason: EscalationReason, now: Date): Promise<boolean> {
  return openStaffTask(q, {
    kind: TASK_KIND[reason],
    dedupeKey: `checkin:${occ.id}:${TASK_KIND[reason]}`,
    personId: occ.personId,
    comuneId: occ.comuneId,
    subjectType: 'checkin_occurrence',
    subjectId: occ.id,
    dueAt: now,
  });
}

/** Silence, no channel or a missed day: the staff task, and (except for a missed day) the contacts. */
async function escalate(tx: Tx, i18n: I18n, occ: OccurrenceRow, e: EnrolmentRow, reason: 'silence' | 'no_channel' | 'missed', now: Date): Promise<void> {
  await openCheckinTask(tx, occ, reason, now);
  if (reason === 'missed') {
    // Our fault, not the person's: staff call; relatives are not alarmed in the evening.
    await tx.update(checkinOccurrences).set({ escalatedAt: now, escalationReason: reason, updatedAt: now }).where(and(eq(checkinOccurrences.id, occ.id), isNull(checkinOccurrences.escalatedAt)));
    await audit(tx, 'checkin.missed', occ);
    return;
  }
  await alertContacts(tx, i18n, occ, e, reason, now);
}

/** Escalations after which "help" or "call me" still alerts the contacts: they were told only of a silence. */
const SILENCE_REASONS = ['silence', 'no_channel'] as const;

/**
 * Alerts the enrolment's contacts once per occurrence (guarded by `escalated_at`): staff on their
 * Telegram/phone without personal data (they open the console), delegates by name and time. A
 * "help" or "call me" answer that comes after a silence was escalated alerts them once more (its
 * own dedupe key): "no answer" is not what the relatives need to know once the person asks for help.
 */
async function alertContacts(tx: Tx, i18n: I18n, occ: OccurrenceRow, e: EnrolmentRow, reason: EscalationReason, now: Date): Promise<boolean> {
  const asked = reason === 'help' || reason === 'call';
  const [won] = await tx
    .update(checkinOccurrences)
    .set({ escalatedAt: now, escalationReason: reason, updatedAt: now })
    .where(
      and(
        eq(checkinOccurrences.id, occ.id),
        asked ? or(isNull(checkinOccurrences.escalatedAt), inArray(checkinOccurrences.escalationReason, [...SILENCE_REASONS])) : isNull(checkinOccurrences.escalatedAt),
      ),
    )
    .returning({ id: checkinOccurrences.id });
  if (!won) return false;
  const afterSilence = asked && occ.escalatedAt !== null;
  const kind = asked ? reason : 'silence';
  // The time names the check-in (its prompt), as in the silence alert the relatives may have had.
  await notifyContacts(tx, i18n, occ, e.contacts, kind, romeTime(occ.promptedAt ?? occ.dueAt), afterSilence ? 'alert-asked' : 'alert');
  await audit(tx, `checkin.alert.${kind}`, occ, reason);
  return true;
}

/**
 * The person answered "sì" after the silence had been escalated: the "no answer" task is closed
 * (nobody needs to call any more) and whoever was alerted is told, once, that all is well.
 */
async function lateAnswerOk(tx: Tx, i18n: I18n, occ: OccurrenceRow, now: Date): Promise<void> {
  await tx
    .update(staffTasks)
    .set({ status: 'done', doneAt: now })
    .where(and(eq(staffTasks.subjectType, 'checkin_occurrence'), eq(staffTasks.subjectId, occ.id), eq(staffTasks.kind, TASK_KIND.silence), eq(staffTasks.status, 'open')));
  const [enrolment] = await tx.select().from(checkinEnrolments).where(eq(checkinEnrolments.id, occ.enrolmentId));
  // Silence (and no channel) alerted the contacts (escalate()); they are the ones to reassure.
  if (enrolment) await notifyContacts(tx, i18n, occ, enrolment.contacts, 'answered', romeTime(now), 'clear');
  await audit(tx, 'checkin.late_answer', occ);
}

/**
 * One message per contact of the enrolment, deduplicated per occurrence and purpose: staff on
 * their Telegram/phone without personal data (they open the console), delegates by name and time.
 */
async function notifyContacts(
  tx: Tx,
  i18n: I18n,
  occ: OccurrenceRow,
  contacts: EnrolmentRow['contacts'],
  kind: 'silence' | 'help' | 'call' | 'answered',
  time: string,
  dedupe: 'alert' | 'alert-asked' | 'clear',
): Promise<void> {
  const [comune] = await tx.select({ name: comuni.name }).from(comuni).where(eq(comuni.id, occ.comuneId));
  const person = await personFacts(tx, occ.personId);
  for (const [i, contact] of contacts.entries()) {
    const dedupeKey = `checkin:${occ.id}:${dedupe}:${i}`;
    if (contact.kind === 'staff') {
      const [c] = await tx.select().from(staffContacts).where(eq(staffContacts.staffUserId, contact.staffUserId));
      if (!c || (!c.telegramChatId && !c.phone)) continue;
      await enqueueOutbound(tx, {
        channel: c.telegramChatId ? 'telegram' : 'sms',
        address: (c.telegramChatId ?? c.phone)!,
        body: t(i18n, `alert.staff.${kind}`, 'it', { time, comune: comune?.name ?? occ.comuneId }),
        purpose: 'alert',
        staffUserId: contact.staffUserId,
        dedupeKey,
      });
    } else {
      const [delegate] = await tx.select({ phone: people.phone, locale: people.preferredLocale, erasedAt: people.erasedAt }).from(people).where(eq(people.id, contact.personId));
      if (!delegate || delegate.erasedAt) continue;
      const [identity] = await tx
        .select({ id: channelIdentities.id, channel: channelIdentities.channel, address: channelIdentities.address })
        .from(channelIdentities)
        .where(and(eq(channelIdentities.personId, contact.personId), eq(channelIdentities.reachable, true), inArray(channelIdentities.channel, ['telegram', 'sms'])))
        .orderBy(desc(channelIdentities.createdAt))
        .limit(1);
      const address = identity?.address ?? delegate.phone;
      if (!address) continue;
      const locale = delegate.locale === 'en' ? 'en' : 'it';
      await enqueueOutbound(tx, {
        channel: identity ? (identity.channel as 'telegram' | 'sms') : 'sms',
        address,
        body: t(i18n, `alert.relative.${kind}`, locale, { name: person?.givenName ?? '', time }),
        locale,
        purpose: 'alert',
        identityId: identity?.id ?? null,
        personId: contact.personId,
        dedupeKey,
      });
    }
  }
}

// ───────────── chat ─────────────

/** What the engine may know about the linked person's check-ins (db/chat-data.ts). */
export async function loadCheckinChat(q: Queryable, personId: string, now: Date): Promise<CheckinChatInfo | null> {
  const enrolment = await liveEnrolmentOf(q, personId);
  if (!enrolment) return null;
  const [open] = await q
    .select({ id: checkinOccurrences.id })
    .from(checkinOccurrences)
    .where(and(eq(checkinOccurrences.enrolmentId, enrolment.id), eq(checkinOccurrences.localDate, romeDate(now)), inArray(checkinOccurrences.status, [...ANSWERABLE_STATUSES])))
    .limit(1);
  return { enrolmentId: enrolment.id, enrolmentStatus: enrolment.status === 'paused' ? 'paused' : 'active', open: open ? { occurrenceId: open.id } : null };
}

type CheckinEffect = Extract<Effect, { kind: 'checkin_answer' | 'checkin_pause' | 'checkin_stop' | 'checkin_resume' }>;

/**
 * Applies a check-in effect of a chat turn (in the turn's transaction). Ids are checked against
 * the context the db layer itself loaded for this identity, never trusted as sent.
 */
export async function applyCheckinChatEffect(
  tx: Tx,
  effect: CheckinEffect,
  input: { conversation: ConversationRow; context: ChatContext | undefined; now: Date; i18n: I18n },
): Promise<void> {
  const info = (input.context as (ChatContext & { checkin?: CheckinChatInfo | null }) | undefined)?.checkin ?? null;
  const { conversation, now } = input;
  if (effect.kind === 'checkin_answer') {
    if (info?.open?.occurrenceId !== effect.occurrenceId) throw new Error('chat effect refers to a check-in outside the identity');
    const [occ] = await tx
      .update(checkinOccurrences)
      .set({ status: effect.answer, answer: effect.answer, answeredAt: now, conversationId: conversation.id, updatedAt: now })
      .where(and(eq(checkinOccurrences.id, effect.occurrenceId), inArray(checkinOccurrences.status, [...ANSWERABLE_STATUSES])))
      .returning();
    if (!occ) return;
    if (effect.answer !== 'ok') await openCheckinTask(tx, occ, effect.answer as CheckinAnswer & EscalationReason, now);
    else if (occ.escalatedAt && (occ.escalationReason === 'silence' || occ.escalationReason === 'no_channel')) await lateAnswerOk(tx, input.i18n, occ, now);
    await recordAudit(tx, { actorType: 'person', actorId: conversation.identityId, action: `chat.checkin.${effect.answer}`, subjectType: 'checkin_occurrence', subjectId: occ.id, comuneId: occ.comuneId });
    return;
  }
  if (info?.enrolmentId !== effect.enrolmentId) throw new Error('chat effect refers to a check-in outside the identity');
  const set =
    effect.kind === 'checkin_pause'
      ? { status: 'paused' as const, pausedUntil: effect.until }
      : effect.kind === 'checkin_stop'
        ? { status: 'stopped' as const, pausedUntil: null }
        : { status: 'active' as const, pausedUntil: null };
  const [row] = await tx
    .update(checkinEnrolments)
    .set({ ...set, updatedAt: now })
    .where(and(eq(checkinEnrolments.id, effect.enrolmentId), sql`${checkinEnrolments.status} <> 'stopped'`))
    .returning({ id: checkinEnrolments.id, comuneId: checkinEnrolments.comuneId });
  if (!row) return;
  // A paused or stopped enrolment leaves today's open prompt alone, but staff are not alerted for it.
  if (effect.kind !== 'checkin_resume') {
    await tx
      .update(checkinOccurrences)
      .set({ status: 'skipped', skipReason: 'paused', updatedAt: now })
      .where(and(eq(checkinOccurrences.enrolmentId, row.id), inArray(checkinOccurrences.status, [...OPEN_STATUSES])));
  }
  await recordAudit(tx, { actorType: 'person', actorId: conversation.identityId, action: `chat.${effect.kind}`, subjectType: 'checkin_enrolment', subjectId: row.id, comuneId: row.comuneId });
}

// ───────────── the custode's view ─────────────

export interface TodayRow {
  occurrenceId: string | null;
  enrolmentId: string;
  personId: string;
  givenName: string | null;
  familyName: string | null;
  comuneId: string;
  comuneName: string;
  dueAt: string;
  status: OccurrenceStatus | 'scheduled';
  bucket: ViewBucket;
  skipReason: string | null;
  channel: string | null;
  conversationId: string | null;
  promptedAt: string | null;
  answeredAt: string | null;
  escalatedAt: string | null;
  followUp: string | null;
  followUpAt: string | null;
  /** Open check-in staff tasks of this occurrence. */
  openTasks: number;
}

/** Today's check-ins in the given comuni (null = all): occurrences, and enrolments still to come today. */
export async function listToday(q: Queryable, comuniScope: readonly string[] | null, now: Date): Promise<TodayRow[]> {
  const today = romeDate(now);
  if (comuniScope !== null && comuniScope.length === 0) return [];
  const scope = comuniScope === null ? sql`true` : inArray(checkinEnrolments.comuneId, [...comuniScope]);
  const rows = await q
    .select({ e: checkinEnrolments, o: checkinOccurrences, givenName: people.givenName, familyName: people.familyName, comuneName: comuni.name })
    .from(checkinEnrolments)
    .innerJoin(people, eq(people.id, checkinEnrolments.personId))
    .innerJoin(comuni, eq(comuni.id, checkinEnrolments.comuneId))
    .leftJoin(checkinOccurrences, and(eq(checkinOccurrences.enrolmentId, checkinEnrolments.id), eq(checkinOccurrences.localDate, today)))
    .where(
      and(
        scope,
        isNull(people.erasedAt),
        sql`(${checkinOccurrences.id} is not null or (${checkinEnrolments.status} = 'active' and ${weekdayOf(today)}::int = any(${checkinEnrolments.weekdays})))`,
      ),
    );
  const occIds = rows.map((r) => r.o?.id).filter((x): x is string => !!x);
  const tasks = new Map<string, number>();
  if (occIds.length > 0) {
    for (const r of await q
      .select({ subjectId: staffTasks.subjectId, n: sql<number>`count(*)::int` })
      .from(staffTasks)
      .where(and(eq(staffTasks.subjectType, 'checkin_occurrence'), inArray(staffTasks.subjectId, occIds), eq(staffTasks.status, 'open')))
      .groupBy(staffTasks.subjectId)) {
      tasks.set(r.subjectId!, Number(r.n));
    }
  }
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  const out: TodayRow[] = rows.map(({ e, o, givenName, familyName, comuneName }) => {
    const status = (o?.status as OccurrenceStatus | undefined) ?? 'scheduled';
    return {
      occurrenceId: o?.id ?? null,
      enrolmentId: e.id,
      personId: e.personId,
      givenName,
      familyName,
      comuneId: e.comuneId,
      comuneName,
      dueAt: (o?.dueAt ?? dueInstant(today, e.windowStart)).toISOString(),
      status,
      bucket: viewBucket(status),
      skipReason: o?.skipReason ?? null,
      channel: o?.channel ?? null,
      conversationId: o?.conversationId ?? null,
      promptedAt: iso(o?.promptedAt),
      answeredAt: iso(o?.answeredAt),
      escalatedAt: iso(o?.escalatedAt),
      followUp: o?.followUp ?? null,
      followUpAt: iso(o?.followUpAt),
      openTasks: o ? (tasks.get(o.id) ?? 0) : 0,
    };
  });
  // Most urgent first: help, no answer, waiting, then the rest by time.
  const order: Record<ViewBucket, number> = { help: 0, no_answer: 1, waiting: 2, scheduled: 3, answered: 4, skipped: 5 };
  return out.sort((a, b) => order[a.bucket] - order[b.bucket] || a.dueAt.localeCompare(b.dueAt) || a.personId.localeCompare(b.personId));
}

export async function findOccurrence(q: Queryable, id: string): Promise<OccurrenceRow | undefined> {
  const [row] = await q.select().from(checkinOccurrences).where(eq(checkinOccurrences.id, id));
  return row;
}

/**
 * The custode's one-click follow-up: "called" (the person was reached: the occurrence's open
 * check-in tasks are done) or "task" (a task to follow up, once).
 */
export async function recordFollowUp(tx: Tx, occ: OccurrenceRow, action: 'called' | 'task', staffId: string, now: Date): Promise<void> {
  await tx.select({ id: checkinOccurrences.id }).from(checkinOccurrences).where(eq(checkinOccurrences.id, occ.id)).for('update');
  if (action === 'called') {
    await tx
      .update(staffTasks)
      .set({ status: 'done', doneBy: staffId, doneAt: now })
      .where(and(eq(staffTasks.subjectType, 'checkin_occurrence'), eq(staffTasks.subjectId, occ.id), eq(staffTasks.status, 'open')));
  } else {
    await openStaffTask(tx, {
      kind: 'checkin_follow_up',
      dedupeKey: `checkin:${occ.id}:checkin_follow_up`,
      personId: occ.personId,
      comuneId: occ.comuneId,
      subjectType: 'checkin_occurrence',
      subjectId: occ.id,
      dueAt: now,
    });
  }
  await tx.update(checkinOccurrences).set({ followUp: action, followUpAt: now, followUpBy: staffId, updatedAt: now }).where(eq(checkinOccurrences.id, occ.id));
}

/** Occurrences of one day, for tests and reports. */
export async function occurrencesOn(q: Queryable, localDate: string): Promise<OccurrenceRow[]> {
  return q.select().from(checkinOccurrences).where(eq(checkinOccurrences.localDate, localDate)).orderBy(asc(checkinOccurrences.createdAt));
}
