/**
 * The drizzle schema. Column names are snake_case in SQL (drizzle `casing: 'snake_case'`).
 *
 * Personal data (names, contacts, codice fiscale, health notes, message text) lives only in
 * `people` and in conversation content keyed by id; accounting, audit and scores refer to ids,
 * so a person can be exported or erased without breaking the books.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

/** The ambito's comuni. `id` is a stable slug ("abbiategrasso"), readable in URLs and logs. */
export const comuni = pgTable('comuni', {
  id: text().primaryKey(),
  name: text().notNull(),
  over65: integer().notNull(),
  /** Demo figures are illustrative, not ISTAT's: shown as such until an import replaces them. */
  over65Illustrative: boolean().notNull().default(true),
  /** Patron saint's day as "MM-DD" (art. 8 calendar), null when not configured. */
  patronDay: text(),
  /** Social service office: address and opening hours, shown to citizens who ask how to apply. */
  officeAddress: text(),
  officeHours: jsonb().$type<OfficeHours>(),
  ...timestamps,
});

/** Weekday (1 = Monday … 7 = Sunday) → opening intervals "HH:mm-HH:mm". */
export type OfficeHours = Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', string[]>>;

export const STAFF_ROLES = ['admin', 'social_worker', 'operator', 'provider'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const staffUsers = pgTable(
  'staff_users',
  {
    id: uuid().primaryKey().defaultRandom(),
    username: text().notNull(),
    passwordHash: text().notNull(),
    role: text().$type<StaffRole>().notNull(),
    displayName: text().notNull(),
    active: boolean().notNull().default(true),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('staff_users_username_key').on(sql`lower(${t.username})`),
    check('staff_users_role_check', sql`${t.role} in ('admin', 'social_worker', 'operator', 'provider')`),
  ],
);

/** Which comuni a staff member works for: the scope of everything they may read. */
export const staffUserComuni = pgTable(
  'staff_user_comuni',
  {
    userId: uuid()
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    comuneId: text()
      .notNull()
      .references(() => comuni.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.comuneId] })],
);

/**
 * Staff sessions. `id` is a keyed hash of the cookie value, so a copy of this table does not
 * let anyone log in.
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => staffUsers.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Absolute limit, whatever the activity. */
    expiresAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('staff_sessions_user_idx').on(t.userId)],
);

/** Beneficiaries, delegates and reported people: the only table with their identity. */
export const people = pgTable(
  'people',
  {
    id: uuid().primaryKey().defaultRandom(),
    comuneId: text().references(() => comuni.id),
    givenName: text(),
    familyName: text(),
    birthDate: date({ mode: 'string' }),
    codiceFiscale: text(),
    phone: text(),
    email: text(),
    address: text(),
    livesAlone: boolean(),
    familySupport: boolean(),
    certifiedInvalidity: boolean().notNull().default(false),
    /** Art. 3 category 3: followed by social or health services, flagged by a social worker. */
    category3: boolean().notNull().default(false),
    preferredLocale: text().notNull().default('it'),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Set by a GDPR erasure: the row stays (ids keep the books whole), the identity is wiped. */
    erasedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('people_codice_fiscale_key').on(t.codiceFiscale).where(sql`${t.codiceFiscale} is not null`),
    index('people_comune_idx').on(t.comuneId),
  ],
);

export const CHANNELS = ['web', 'telegram', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A chat address (Telegram chat id, phone number, web session) and, once linked, its person. */
export const channelIdentities = pgTable(
  'channel_identities',
  {
    id: uuid().primaryKey().defaultRandom(),
    channel: text().$type<Channel>().notNull(),
    address: text().notNull(),
    personId: uuid().references(() => people.id),
    locale: text().notNull().default('it'),
    reachable: boolean().notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex('channel_identities_address_key').on(t.channel, t.address)],
);

export const HANDLING = ['bot', 'waiting', 'human', 'closed'] as const;
/** bot: the engine answers; waiting: handed to the staff inbox, unassigned; human: a staff member answers. */
export type Handling = (typeof HANDLING)[number];

export const conversations = pgTable(
  'conversations',
  {
    id: uuid().primaryKey().defaultRandom(),
    channel: text().$type<Channel>().notNull(),
    identityId: uuid()
      .notNull()
      .references(() => channelIdentities.id),
    locale: text().notNull().default('it'),
    /** The engine's state (core/conversation): resumes where it was after a restart. */
    state: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    handling: text().$type<Handling>().notNull().default('bot'),
    /** Emergencies and immediate-risk segnalazioni pin the conversation on top of the inbox. */
    urgent: boolean().notNull().default(false),
    assignedStaffId: uuid().references(() => staffUsers.id),
    comuneId: text().references(() => comuni.id),
    /** Last message sequence number handed out; the row lock on it orders a conversation. */
    lastSeq: integer().notNull().default(0),
    handedOverAt: timestamp({ withTimezone: true, mode: 'date' }),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('conversations_identity_idx').on(t.identityId),
    index('conversations_inbox_idx').on(t.handling, t.urgent, t.handedOverAt),
  ],
);

export const webChatSessions = pgTable('web_chat_sessions', {
  id: uuid().primaryKey().defaultRandom(),
  /** SHA-256 of the bearer token: the token itself is never stored. */
  tokenHash: text().notNull(),
  conversationId: uuid()
    .notNull()
    .references(() => conversations.id),
  ...timestamps,
});

export type MessageDirection = 'in' | 'out';
export type MessageAuthor = 'person' | 'bot' | 'staff' | 'system';

/** An option offered with a message, as the person saw it. */
export interface StoredOption {
  id: string;
  label: string;
}

/** What came in, beyond plain text (a chosen option, a shared contact, media). */
export type StoredInput =
  | { kind: 'text' }
  | { kind: 'option'; optionId: string }
  | { kind: 'start' }
  | { kind: 'contact'; phone: string }
  | { kind: 'media'; mediaType: string; documentId?: string };

export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id),
    seq: integer().notNull(),
    direction: text().$type<MessageDirection>().notNull(),
    author: text().$type<MessageAuthor>().notNull(),
    staffUserId: uuid().references(() => staffUsers.id),
    body: text().notNull(),
    options: jsonb().$type<StoredOption[]>(),
    input: jsonb().$type<StoredInput>(),
    understood: jsonb().$type<Record<string, unknown>>(),
    /** The channel's own id (Telegram update_id, SMS MessageSid): redeliveries are dropped on it. */
    externalId: text(),
    /** For replies: the inbound message that caused them. */
    replyTo: uuid(),
    /** For inbound messages: when the engine handled it (null = still to handle). */
    processedAt: timestamp({ withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_key').on(t.conversationId, t.seq),
    uniqueIndex('messages_external_key')
      .on(t.conversationId, t.externalId)
      .where(sql`${t.externalId} is not null`),
    index('messages_unprocessed_idx')
      .on(t.conversationId, t.seq)
      .where(sql`${t.direction} = 'in' and ${t.processedAt} is null`),
    index('messages_reply_to_idx').on(t.replyTo),
  ],
);

/**
 * Append-only record of who did what to which record and why. Reads of a person's file count.
 * No update or delete path exists in the app; the migration also revokes them by trigger.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    actorType: text().$type<'staff' | 'system' | 'person'>().notNull(),
    actorId: text(),
    action: text().notNull(),
    subjectType: text(),
    subjectId: text(),
    comuneId: text(),
    outcome: text().$type<'ok' | 'denied' | 'failed'>().notNull().default('ok'),
    reason: text(),
    requestId: text(),
  },
  (t) => [index('audit_log_subject_idx').on(t.subjectType, t.subjectId), index('audit_log_at_idx').on(t.at)],
);

/** Attempt counters for rate limits, kept in Postgres so several instances share them. */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text().notNull(),
    windowStart: bigint({ mode: 'number' }).notNull(),
    count: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

export const APPLICATION_STATUSES = [
  'received',
  'under_investigation',
  'assessed',
  'waiting_list',
  'admitted',
  'not_eligible',
  'closed',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export type ApplicationOrigin = 'citizen' | 'delegate' | 'ex_officio';

/**
 * Applications for the voucher (art. 4). `totalPoints` / `autonomyPoints` copy the current
 * assessment (history in `assessments`) so that the art. 6 waiting list is one indexed scan.
 */
export const applications = pgTable(
  'applications',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid()
      .notNull()
      .references(() => people.id),
    comuneId: text()
      .notNull()
      .references(() => comuni.id),
    origin: text().$type<ApplicationOrigin>().notNull(),
    status: text().$type<ApplicationStatus>().notNull().default('received'),
    /** The day the application was received: the art. 4 thirty days run from here. */
    applicationDate: date({ mode: 'string' }).notNull(),
    totalPoints: integer(),
    autonomyPoints: integer(),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'applications_status_check',
      sql`${t.status} in ('received', 'under_investigation', 'assessed', 'waiting_list', 'admitted', 'not_eligible', 'closed')`,
    ),
    check('applications_points_check', sql`${t.totalPoints} between 0 and 100 and ${t.autonomyPoints} between 0 and 40`),
    // Nobody is ranked without a score.
    check(
      'applications_ranked_scored_check',
      sql`${t.status} <> 'waiting_list' or (${t.totalPoints} is not null and ${t.autonomyPoints} is not null)`,
    ),
    // The art. 6 order (core/regulation/waiting-list.ts WAITING_LIST_ORDER_BY), per comune, with
    // the descending keys turned ascending so that keyset pagination is one row comparison.
    index('applications_waiting_list_idx')
      .on(t.comuneId, sql`(100 - ${t.totalPoints})`, sql`(40 - ${t.autonomyPoints})`, t.applicationDate, t.id)
      .where(sql`${t.status} = 'waiting_list'`),
    index('applications_person_idx').on(t.personId),
  ],
);

/** Every assessment of an application (art. 5–6), newest last; never updated in place. */
export const assessments = pgTable(
  'assessments',
  {
    id: uuid().primaryKey().defaultRandom(),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    criteria: jsonb().$type<Record<string, number>>().notNull(),
    items: jsonb().$type<Record<string, number[]>>(),
    iseeCents: integer().notNull(),
    iseeYear: integer(),
    iseeBand: text().notNull(),
    totalPoints: integer().notNull(),
    autonomyPoints: integer().notNull(),
    /** Art. 5 special social situation: kept beside the score, never folded into a criterion. */
    specialSituation: jsonb().$type<{ reason: string; author: string }>(),
    assessedBy: uuid().references(() => staffUsers.id),
    ...timestamps,
  },
  (t) => [index('assessments_application_idx').on(t.applicationId, t.createdAt)],
);
