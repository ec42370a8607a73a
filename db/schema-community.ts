/**
 * Community resources (issue #9): light on-demand requests taken by volunteers and occasional
 * helpers, *Un buono per amico* (voucher hours redeemed with volunteer associations, recorded in
 * the same voucher ledger) and *Un euro all'ora* (a regularly employed family assistant and the
 * comune's incentive). Money in euro cents, time in whole hours, as everywhere else.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { comuni, helpRequests, programmes, resources, staffUsers, voucherLedger } from './schema.ts';

/**
 * Who took a light help request and when they will come. One row per request: the request's own
 * status and resource (help_requests) stay the source the chat and the console read; this row
 * keeps what only the community workflow knows (who assigned it, the confirmed date and time).
 */
export const lightRequestAssignments = pgTable(
  'light_request_assignments',
  {
    helpRequestId: uuid()
      .primaryKey()
      .references(() => helpRequests.id),
    resourceId: uuid()
      .notNull()
      .references(() => resources.id),
    assignedBy: uuid().references(() => staffUsers.id),
    assignedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    /** Confirmed by the resource (or staff for it); null until then. */
    scheduledStart: timestamp({ withTimezone: true, mode: 'date' }),
    scheduledBy: uuid().references(() => staffUsers.id),
    scheduledAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [index('light_request_assignments_resource_idx').on(t.resourceId, t.assignedAt)],
);

/**
 * *Un buono per amico*: a voucher_ledger redemption made with a volunteer association. The hours
 * live only in the ledger (one balance, one set of guards); this row says who delivered which
 * service, so the comune can report volunteer redemptions apart from the providers'.
 */
export const volunteerRedemptions = pgTable(
  'volunteer_redemptions',
  {
    ledgerEntryId: bigint({ mode: 'number' })
      .primaryKey()
      .references(() => voucherLedger.id),
    programmeId: uuid()
      .notNull()
      .references(() => programmes.id),
    comuneId: text()
      .notNull()
      .references(() => comuni.id),
    resourceId: uuid()
      .notNull()
      .references(() => resources.id),
    service: text().notNull(),
    helpRequestId: uuid().references(() => helpRequests.id),
    recordedBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('volunteer_redemptions_programme_idx').on(t.programmeId),
    index('volunteer_redemptions_resource_idx').on(t.resourceId, t.createdAt),
    index('volunteer_redemptions_comune_idx').on(t.comuneId, t.createdAt),
  ],
);

/**
 * *Un euro all'ora*: a family assistant (badante) employed regularly, recorded on a programme.
 * Either a resource of kind family_assistant or just a name. No health data: contract facts only.
 */
export const programmeFamilyAssistants = pgTable(
  'programme_family_assistants',
  {
    id: uuid().primaryKey().defaultRandom(),
    programmeId: uuid()
      .notNull()
      .references(() => programmes.id),
    comuneId: text()
      .notNull()
      .references(() => comuni.id),
    resourceId: uuid().references(() => resources.id),
    name: text(),
    contractStart: date({ mode: 'string' }).notNull(),
    contractEnd: date({ mode: 'string' }),
    weeklyHours: integer().notNull(),
    /** The employer's reference for the regular contract (INPS or payroll number). */
    employmentReference: text().notNull(),
    createdBy: uuid().references(() => staffUsers.id),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('programme_family_assistants_programme_idx').on(t.programmeId),
    check('programme_family_assistants_who_check', sql`${t.resourceId} is not null or ${t.name} is not null`),
    check('programme_family_assistants_period_check', sql`${t.contractEnd} is null or ${t.contractEnd} >= ${t.contractStart}`),
    check('programme_family_assistants_hours_check', sql`${t.weeklyHours} between 1 and 54`),
  ],
);

/** A comune's *Un euro all'ora* incentive; no row = the defaults of core/community/family-assistant.ts. */
export const communitySettings = pgTable(
  'community_settings',
  {
    comuneId: text()
      .primaryKey()
      .references(() => comuni.id),
    incentiveCentsPerHour: integer().notNull(),
    incentiveMonthlyCapCents: integer().notNull(),
    updatedBy: uuid().references(() => staffUsers.id),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('community_settings_incentive_check', sql`${t.incentiveCentsPerHour} >= 0 and ${t.incentiveMonthlyCapCents} >= 0`)],
);
