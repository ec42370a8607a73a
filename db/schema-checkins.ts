/**
 * Check-ins with people living alone (issue #9, *Portierato sociale*): who is enrolled, when,
 * on which channel and who is alerted; and one row per enrolment and local day with what
 * happened (prompted, answered, no answer, skipped). The unique (enrolment, day) key is what
 * makes the scheduler run each day exactly once across restarts and instances.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { comuni, consents, conversations, people, staffUsers } from './schema.ts';

/** Someone to alert when the person does not answer or asks for help. */
export type CheckinContact = { kind: 'staff'; staffUserId: string } | { kind: 'delegate'; personId: string };

export const checkinEnrolments = pgTable(
  'checkin_enrolments',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid().notNull().references(() => people.id),
    comuneId: text().notNull().references(() => comuni.id),
    status: text().$type<'active' | 'paused' | 'stopped'>().notNull().default('active'),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    weekdays: integer().array().notNull(),
    /** Local time (Europe/Rome) of the first prompt, "HH:mm", 08:00–19:30. */
    windowStart: text().notNull(),
    /** 'telegram' | 'sms' | 'web'; null = the person's preferred channel. */
    channel: text().$type<'telegram' | 'sms' | 'web'>(),
    contacts: jsonb().$type<CheckinContact[]>().notNull().default([]),
    graceMinutes: integer().notNull().default(30),
    /** Public holidays and the patron day are skipped unless this is true. */
    onHolidays: boolean().notNull().default(false),
    /** The consent (purpose 'check_ins') the enrolment rests on. */
    consentId: uuid().notNull().references(() => consents.id),
    /** Last day of a pause; null with status 'paused' = until resumed. */
    pausedUntil: date({ mode: 'string' }),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('checkin_enrolments_status_check', sql`${t.status} in ('active', 'paused', 'stopped')`),
    check('checkin_enrolments_grace_check', sql`${t.graceMinutes} between 10 and 180`),
    // One live enrolment per person; a stopped one stays as history.
    uniqueIndex('checkin_enrolments_person_key').on(t.personId).where(sql`${t.status} <> 'stopped'`),
    index('checkin_enrolments_live_idx').on(t.status).where(sql`${t.status} <> 'stopped'`),
  ],
);

export const checkinOccurrences = pgTable(
  'checkin_occurrences',
  {
    id: uuid().primaryKey().defaultRandom(),
    enrolmentId: uuid().notNull().references(() => checkinEnrolments.id),
    personId: uuid().notNull().references(() => people.id),
    comuneId: text().notNull().references(() => comuni.id),
    /** The Rome calendar day this check-in is for. */
    localDate: date({ mode: 'string' }).notNull(),
    dueAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    /** core/checkins/escalation.ts OccurrenceStatus. */
    status: text().notNull(),
    skipReason: text(),
    channel: text(),
    conversationId: uuid().references(() => conversations.id),
    promptedAt: timestamp({ withTimezone: true, mode: 'date' }),
    repromptedAt: timestamp({ withTimezone: true, mode: 'date' }),
    answer: text().$type<'ok' | 'help' | 'call'>(),
    answeredAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** When the contacts were alerted and the staff task opened (silence, or no channel). */
    escalatedAt: timestamp({ withTimezone: true, mode: 'date' }),
    escalationReason: text(),
    /** The custode's follow-up: 'called' | 'task'. */
    followUp: text(),
    followUpAt: timestamp({ withTimezone: true, mode: 'date' }),
    followUpBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('checkin_occurrences_day_key').on(t.enrolmentId, t.localDate),
    index('checkin_occurrences_comune_day_idx').on(t.comuneId, t.localDate),
    index('checkin_occurrences_open_idx').on(t.status).where(sql`${t.status} in ('prompted', 'reprompted')`),
    index('checkin_occurrences_person_idx').on(t.personId, t.localDate),
  ],
);
