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
  customType,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgSequence,
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
    /** Where reminders go first ('telegram' | 'sms' | 'web'); null = wherever the person last wrote. */
    preferredChannel: text(),
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
    // Only replies point at a message: the person's own messages (half the table) stay out.
    index('messages_reply_to_idx')
      .on(t.replyTo)
      .where(sql`${t.replyTo} is not null`),
    // The options a person may answer are those of the latest message that offered some: found
    // here at once, where the conversation index made every turn read the whole conversation.
    index('messages_offered_options_idx')
      .on(t.conversationId, t.seq)
      .where(sql`${t.direction} = 'out' and ${t.options} is not null`),
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
    // Staff lists by comune and status, oldest first (the art. 4 overdue ones are the oldest).
    index('applications_comune_status_idx').on(t.comuneId, t.status, t.applicationDate),
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

// ───────────────────────────── Case management (issue #4) ─────────────────────────────
// Scope rule for every table below: a record belongs to the comune of the person it is about
// (`people.comune_id`, copied as `comune_id` where a query filters on it often).

/** Binary content kept in PostgreSQL, so that there is one state store (documents). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

export const DELEGATE_KINDS = ['relative', 'support_administrator', 'guardian', 'other'] as const;
export type DelegateKind = (typeof DELEGATE_KINDS)[number];

/**
 * Who may act for a beneficiary: a relative, an *amministratore di sostegno*. The delegate is a
 * person row too (with their own contacts and channel identities); a linked delegate's chat sees
 * only the people they are delegated for.
 */
export const delegations = pgTable(
  'delegations',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid().notNull().references(() => people.id),
    delegatePersonId: uuid().notNull().references(() => people.id),
    kind: text().$type<DelegateKind>().notNull(),
    /** "figlia", "nipote", … as the family says it. */
    relationship: text(),
    createdBy: uuid().references(() => staffUsers.id),
    ...timestamps,
    revokedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('delegations_person_idx').on(t.personId),
    index('delegations_delegate_idx').on(t.delegatePersonId),
    uniqueIndex('delegations_active_key').on(t.personId, t.delegatePersonId).where(sql`${t.revokedAt} is null`),
  ],
);

export const CONSENT_PURPOSES = ['data_processing', 'contact', 'delegation', 'check_ins', 'segnalazione_contact'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_METHODS = ['signed_form', 'verbal', 'chat', 'email'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

/** What a person agreed to, when and how; a withdrawal is a date on the same row. */
export const consents = pgTable(
  'consents',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid().notNull().references(() => people.id),
    /** Set when the consent is about a delegation (who may act). */
    delegationId: uuid().references(() => delegations.id),
    purpose: text().$type<ConsentPurpose>().notNull(),
    method: text().$type<ConsentMethod>().notNull(),
    givenAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    givenBy: text(),
    recordedBy: uuid().references(() => staffUsers.id),
    withdrawnAt: timestamp({ withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [index('consents_person_idx').on(t.personId)],
);

export const RESOURCE_KINDS = ['accredited_provider', 'volunteer_association', 'occasional_helper', 'family_assistant'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The "open system": providers, volunteers, helpers and family assistants. */
export const resources = pgTable(
  'resources',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().$type<ResourceKind>().notNull(),
    name: text().notNull(),
    /** Art. 7 codes (and comune extras) the resource offers. */
    services: text().array().notNull().default(sql`'{}'::text[]`),
    phone: text(),
    email: text(),
    address: text(),
    /** Free text shown to staff and citizens: "lun–ven 8–18". */
    availability: text(),
    accreditedUntil: date({ mode: 'string' }),
    active: boolean().notNull().default(true),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('resources_kind_check', sql`${t.kind} in ('accredited_provider', 'volunteer_association', 'occasional_helper', 'family_assistant')`)],
);

/** Which comuni a resource serves. */
export const resourceComuni = pgTable(
  'resource_comuni',
  {
    resourceId: uuid().notNull().references(() => resources.id, { onDelete: 'cascade' }),
    comuneId: text().notNull().references(() => comuni.id),
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.comuneId] }), index('resource_comuni_comune_idx').on(t.comuneId)],
);

/** A provider's staff account works for one resource: it sees that resource's programmes and visits only. */
export const staffUserResources = pgTable(
  'staff_user_resources',
  {
    userId: uuid().notNull().references(() => staffUsers.id, { onDelete: 'cascade' }),
    resourceId: uuid().notNull().references(() => resources.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.resourceId] })],
);

/** Comune settings beyond the columns of `comuni`: tariff (art. 13), on-call staff, chat texts. */
export const comuneSettings = pgTable('comune_settings', {
  comuneId: text().primaryKey().references(() => comuni.id),
  /** core/regulation/fees.ts FeeTariff. */
  feeTariff: jsonb().$type<Record<string, unknown>>(),
  /** Who gets urgent alerts outside office hours. */
  onCallStaffId: uuid().references(() => staffUsers.id),
  /** Art. 7 extra service types the comune adds (core/regulation/services.ts ExtraServiceType). */
  extraServices: jsonb().$type<Record<string, unknown>[]>(),
  /** *Un buono per amico*: services whose vouchers volunteer associations may redeem. */
  volunteerVoucherServices: text().array().notNull().default(sql`'{}'::text[]`),
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedBy: uuid().references(() => staffUsers.id),
});

/** The authoritative status workflow lives in core/applications/workflow.ts (pure, property-tested). */
export { APPLICATION_TRANSITIONS } from '../core/applications/workflow.ts';

/** Every status change of an application, with who and why (the file's history). */
export const applicationStatusHistory = pgTable(
  'application_status_history',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    applicationId: uuid().notNull().references(() => applications.id),
    fromStatus: text().$type<ApplicationStatus>(),
    toStatus: text().$type<ApplicationStatus>().notNull(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    byStaffId: uuid().references(() => staffUsers.id),
    note: text(),
  },
  (t) => [index('application_status_history_app_idx').on(t.applicationId, t.at)],
);

/** Extra facts of an application (kept apart from the hot waiting-list row). */
export const applicationDetails = pgTable('application_details', {
  applicationId: uuid().primaryKey().references(() => applications.id),
  /** Who applied when not the beneficiary (delegate person), or the segnalazione behind an ex officio one. */
  applicantPersonId: uuid().references(() => people.id),
  segnalazioneId: uuid(),
  iseeCents: integer(),
  iseeYear: integer(),
  iseeExpiresOn: date({ mode: 'string' }),
  /** The art. 3 check at intake: criterion met or reasons for ineligibility (codes, ages; no health details). */
  eligibility: jsonb().$type<Record<string, unknown>>(),
  /** Art. 4: the written answer, generated from the file and recorded when sent. */
  answerOutcome: text(),
  answerSentAt: timestamp({ withTimezone: true, mode: 'date' }),
  answerSentBy: uuid().references(() => staffUsers.id),
  answerSentVia: text(),
  closedReason: text(),
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * A citizen's update of their access record (contacts, a changed situation), from chat or staff:
 * recorded as proposed, applied only when the social worker confirms it.
 */
export const accessRecordChanges = pgTable(
  'access_record_changes',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid().notNull().references(() => people.id),
    applicationId: uuid().references(() => applications.id),
    source: text().$type<'chat' | 'staff'>().notNull(),
    conversationId: uuid().references(() => conversations.id),
    /** Proposed values by field (phone, email, address, livesAlone, familySupport) and/or a free-text situation. */
    changes: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text().$type<'pending' | 'confirmed' | 'rejected'>().notNull().default('pending'),
    reviewedBy: uuid().references(() => staffUsers.id),
    reviewedAt: timestamp({ withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [index('access_record_changes_person_idx').on(t.personId), index('access_record_changes_pending_idx').on(t.status).where(sql`${t.status} = 'pending'`)],
);

export const DOCUMENT_TYPES = ['isee', 'certificate', 'identity', 'photo', 'voice', 'care_contract', 'written_answer', 'other'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Files of a person's file. Content in PostgreSQL (one state store); downloads are audited. */
export const documents = pgTable(
  'documents',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid().references(() => people.id),
    comuneId: text().references(() => comuni.id),
    applicationId: uuid().references(() => applications.id),
    /** Media that arrived in a conversation before the person was known. */
    conversationId: uuid().references(() => conversations.id),
    type: text().$type<DocumentType>().notNull(),
    mediaType: text().notNull(),
    filename: text(),
    sizeBytes: integer().notNull(),
    sha256: text().notNull(),
    content: bytea().notNull(),
    source: text().$type<'staff' | 'chat'>().notNull(),
    uploadedBy: uuid().references(() => staffUsers.id),
    ...timestamps,
  },
  (t) => [index('documents_person_idx').on(t.personId), index('documents_conversation_idx').on(t.conversationId)],
);

export const PROGRAMME_STATUSES = ['planned', 'active', 'suspended', 'interrupted', 'ended'] as const;
export type ProgrammeStatus = (typeof PROGRAMME_STATUSES)[number];

/** Intervention programmes (art. 10–11): one row per period; a renewal is a new row. */
export const programmes = pgTable(
  'programmes',
  {
    id: uuid().primaryKey().defaultRandom(),
    personId: uuid().notNull().references(() => people.id),
    comuneId: text().notNull().references(() => comuni.id),
    applicationId: uuid().references(() => applications.id),
    /** The accredited provider the person chose (art. 9). */
    resourceId: uuid().references(() => resources.id),
    services: text().array().notNull(),
    weeklyHours: integer().notNull(),
    operators: integer().notNull().default(1),
    visitsPerWeek: integer().notNull(),
    periodStart: date({ mode: 'string' }).notNull(),
    periodEnd: date({ mode: 'string' }).notNull(),
    /** 1 for the first period, +1 per renewal. */
    period: integer().notNull().default(1),
    previousProgrammeId: uuid(),
    status: text().$type<ProgrammeStatus>().notNull().default('planned'),
    contractSignedAt: timestamp({ withTimezone: true, mode: 'date' }),
    interruptedOn: date({ mode: 'string' }),
    interruptionReason: text(),
    /** *Un euro all'ora*: a family assistant employed regularly, with the comune's incentive. */
    familyAssistant: jsonb().$type<Record<string, unknown>>(),
    /** Art. 8 exception to the weekly cap, with reason and author. */
    weeklyCapException: jsonb().$type<Record<string, unknown>>(),
    createdBy: uuid().references(() => staffUsers.id),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    check('programmes_status_check', sql`${t.status} in ('planned', 'active', 'suspended', 'interrupted', 'ended')`),
    check('programmes_hours_check', sql`${t.weeklyHours} > 0 and ${t.operators} > 0 and ${t.visitsPerWeek} > 0`),
    check('programmes_period_check', sql`${t.periodEnd} >= ${t.periodStart}`),
    index('programmes_person_idx').on(t.personId),
    index('programmes_status_idx').on(t.status, t.comuneId),
    index('programmes_resource_idx').on(t.resourceId),
  ],
);

/** Suspensions (hospital, holiday, …): requested from chat or recorded by staff, confirmed by staff. */
export const programmeSuspensions = pgTable(
  'programme_suspensions',
  {
    id: uuid().primaryKey().defaultRandom(),
    programmeId: uuid().notNull().references(() => programmes.id),
    fromDate: date({ mode: 'string' }).notNull(),
    toDate: date({ mode: 'string' }),
    reason: text().notNull(),
    /** `closed`: still undecided when the programme was interrupted, so no longer to decide. */
    status: text().$type<'requested' | 'confirmed' | 'rejected' | 'closed'>().notNull().default('requested'),
    source: text().$type<'chat' | 'staff'>().notNull(),
    requestedVia: uuid().references(() => conversations.id),
    decidedBy: uuid().references(() => staffUsers.id),
    decidedAt: timestamp({ withTimezone: true, mode: 'date' }),
    ...timestamps,
  },
  (t) => [index('programme_suspensions_programme_idx').on(t.programmeId)],
);

/** Periodic evaluations (art. 12) of a programme. */
export const evaluations = pgTable(
  'evaluations',
  {
    id: uuid().primaryKey().defaultRandom(),
    programmeId: uuid().notNull().references(() => programmes.id),
    evaluatedOn: date({ mode: 'string' }).notNull(),
    outcome: text().$type<'continue' | 'change' | 'end'>().notNull(),
    notes: text(),
    byStaffId: uuid().references(() => staffUsers.id),
    ...timestamps,
  },
  (t) => [index('evaluations_programme_idx').on(t.programmeId)],
);

/** Satisfaction questionnaire answers (art. 12), from chat or staff. */
export const questionnaireResponses = pgTable(
  'questionnaire_responses',
  {
    id: uuid().primaryKey().defaultRandom(),
    programmeId: uuid().notNull().references(() => programmes.id),
    answers: jsonb().$type<Record<string, string>>().notNull(),
    source: text().$type<'chat' | 'staff'>().notNull(),
    conversationId: uuid().references(() => conversations.id),
    ...timestamps,
  },
  (t) => [index('questionnaire_responses_programme_idx').on(t.programmeId)],
);

export const VISIT_STATUSES = ['planned', 'done', 'cancelled', 'missed'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];

/** Visits of a programme (art. 8): whole hours, Rome time, by a resource. */
export const visits = pgTable(
  'visits',
  {
    id: uuid().primaryKey().defaultRandom(),
    programmeId: uuid().notNull().references(() => programmes.id),
    resourceId: uuid().references(() => resources.id),
    startsAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    hours: integer().notNull(),
    operators: integer().notNull().default(1),
    services: text().array().notNull().default(sql`'{}'::text[]`),
    status: text().$type<VisitStatus>().notNull().default('planned'),
    statusChangedAt: timestamp({ withTimezone: true, mode: 'date' }),
    statusChangedBy: uuid().references(() => staffUsers.id),
    /** The chat request that asked for it, if any. */
    requestId: uuid(),
    ...timestamps,
  },
  (t) => [
    check('visits_status_check', sql`${t.status} in ('planned', 'done', 'cancelled', 'missed')`),
    check('visits_hours_check', sql`${t.hours} > 0 and ${t.operators} > 0`),
    index('visits_programme_idx').on(t.programmeId, t.startsAt),
    index('visits_resource_idx').on(t.resourceId, t.startsAt),
  ],
);

export const LEDGER_KINDS = ['issue', 'redeem', 'return', 'adjustment'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * The voucher ledger (art. 11): append-only (a trigger refuses update and delete), whole hours.
 * `hours` is positive for issue/redeem/return and signed for adjustments; the balance is derived.
 * A redemption refers to a done visit (`visit_id`, at most once) or to a recorded delivery.
 */
export const voucherLedger = pgTable(
  'voucher_ledger',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    programmeId: uuid().notNull().references(() => programmes.id),
    kind: text().$type<LedgerKind>().notNull(),
    hours: integer().notNull(),
    /** The day it happened (delivery day for redemptions). */
    on: date({ mode: 'string' }).notNull(),
    deliveredAt: timestamp({ withTimezone: true, mode: 'date' }),
    visitId: uuid().references(() => visits.id),
    resourceId: uuid().references(() => resources.id),
    reason: text(),
    recordedBy: uuid().references(() => staffUsers.id),
    /**
     * The newest entry of the programme's ledger when this one was appended (null for the first,
     * or for rows written outside db/ledger.ts). Unique: two writers that read the same ledger
     * state cannot both append, so even a path that forgot the row lock cannot overdraw.
     */
    afterEntryId: bigint({ mode: 'number' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('voucher_ledger_after_entry_key').on(t.afterEntryId).where(sql`${t.afterEntryId} is not null`),
    check('voucher_ledger_kind_check', sql`${t.kind} in ('issue', 'redeem', 'return', 'adjustment')`),
    check('voucher_ledger_hours_check', sql`(${t.kind} = 'adjustment' and ${t.hours} <> 0) or (${t.kind} <> 'adjustment' and ${t.hours} > 0)`),
    index('voucher_ledger_programme_idx').on(t.programmeId, t.id),
    uniqueIndex('voucher_ledger_visit_key').on(t.visitId).where(sql`${t.kind} = 'redeem' and ${t.visitId} is not null`),
  ],
);

/** Co-payment due for a month (art. 13), computed from the tariff and the hours redeemed. */
export const feeStatements = pgTable(
  'fee_statements',
  {
    id: uuid().primaryKey().defaultRandom(),
    programmeId: uuid().notNull().references(() => programmes.id),
    personId: uuid().notNull().references(() => people.id),
    comuneId: text().notNull().references(() => comuni.id),
    /** "YYYY-MM". */
    month: text().notNull(),
    redeemedHours: integer().notNull(),
    amountCents: integer().notNull(),
    dueOn: date({ mode: 'string' }).notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex('fee_statements_month_key').on(t.programmeId, t.month), index('fee_statements_person_idx').on(t.personId)],
);

export const payments = pgTable(
  'payments',
  {
    id: uuid().primaryKey().defaultRandom(),
    statementId: uuid().notNull().references(() => feeStatements.id),
    amountCents: integer().notNull(),
    paidOn: date({ mode: 'string' }).notNull(),
    method: text(),
    recordedBy: uuid().references(() => staffUsers.id),
    ...timestamps,
  },
  (t) => [index('payments_statement_idx').on(t.statementId), check('payments_amount_check', sql`${t.amountCents} > 0`)],
);

/** The ambito's yearly budget of hours (art. 15) and its saved shares. */
export const budgets = pgTable('budgets', {
  year: integer().primaryKey(),
  totalHours: integer().notNull(),
  weeks: integer().notNull(),
  savedBy: uuid().references(() => staffUsers.id),
  savedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const allocations = pgTable(
  'allocations',
  {
    year: integer().notNull().references(() => budgets.year),
    comuneId: text().notNull().references(() => comuni.id),
    kind: text().$type<'initial' | 'redistribution'>().notNull(),
    hours: integer().notNull(),
    savedBy: uuid().references(() => staffUsers.id),
    savedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.year, t.comuneId, t.kind] })],
);

export const CASE_EVENT_TYPES = [
  'application_received',
  'application_assessed',
  'waiting_list_position_changed',
  'answer_due',
  'answer_sent',
  'programme_started',
  'visit_scheduled',
  'visit_tomorrow',
  'hours_running_low',
  'evaluation_due',
  'programme_ending',
  // Community resources (#9): a volunteer or helper took a light request, fixed the day, or gave it back.
  'light_request_assigned',
  'light_request_scheduled',
  'light_request_released',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/**
 * Things a citizen should hear about, recorded when they happen and consumed later by the
 * channels (reminders). `payload` carries ids, dates and numbers only, never health details.
 */
export const caseEvents = pgTable(
  'case_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    type: text().$type<CaseEventType>().notNull(),
    personId: uuid().notNull().references(() => people.id),
    comuneId: text().references(() => comuni.id),
    subjectType: text(),
    subjectId: text(),
    payload: jsonb().$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    /** Dedupe key: one "visit tomorrow" per visit, one "hours low" per programme and threshold. */
    dedupeKey: text(),
    occurredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Set by the reminder sender once handled (or skipped). */
    consumedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('case_events_person_idx').on(t.personId, t.id),
    index('case_events_pending_idx').on(t.id).where(sql`${t.consumedAt} is null`),
    uniqueIndex('case_events_dedupe_key').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
  ],
);

// ───────────────────────────── Chat-born records (issue #5) ─────────────────────────────

/** One-time codes issued by staff to link a chat identity to a person (stored hashed). */
export const linkCodes = pgTable(
  'link_codes',
  {
    id: uuid().primaryKey().defaultRandom(),
    codeHash: text().notNull(),
    personId: uuid().notNull().references(() => people.id),
    issuedBy: uuid().references(() => staffUsers.id),
    expiresAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp({ withTimezone: true, mode: 'date' }),
    usedByIdentityId: uuid().references(() => channelIdentities.id),
    failedAttempts: integer().notNull().default(0),
    ...timestamps,
  },
  (t) => [uniqueIndex('link_codes_hash_key').on(t.codeHash), index('link_codes_person_idx').on(t.personId)],
);

export const REQUEST_STATUSES = ['new', 'assigned', 'scheduled', 'done', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Help requests from chat, with the reference number the person can ask about. */
export const helpRequests = pgTable(
  'help_requests',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Short, readable over the phone: "R-00042". */
    reference: text().notNull(),
    conversationId: uuid().references(() => conversations.id),
    /** The linked person who asked (or null), and the person the help is for. */
    requesterPersonId: uuid().references(() => people.id),
    personId: uuid().references(() => people.id),
    comuneId: text().references(() => comuni.id),
    /** 'visit': against an active programme's hours; 'on_demand': for the operators. */
    kind: text().$type<'visit' | 'on_demand'>().notNull(),
    service: text(),
    family: text(),
    requestedStart: timestamp({ withTimezone: true, mode: 'date' }),
    requestedText: text(),
    status: text().$type<RequestStatus>().notNull().default('new'),
    programmeId: uuid().references(() => programmes.id),
    visitId: uuid().references(() => visits.id),
    resourceId: uuid().references(() => resources.id),
    assignedStaffId: uuid().references(() => staffUsers.id),
    /** The inbound message that created it: a redelivery cannot create a second request. */
    sourceMessageId: uuid(),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('help_requests_reference_key').on(t.reference),
    uniqueIndex('help_requests_source_key').on(t.sourceMessageId).where(sql`${t.sourceMessageId} is not null`),
    index('help_requests_status_idx').on(t.status, t.comuneId),
    index('help_requests_person_idx').on(t.personId),
  ],
);

export const SEGNALAZIONE_STATUSES = ['received', 'taken_in_charge', 'closed'] as const;
export type SegnalazioneStatus = (typeof SEGNALAZIONE_STATUSES)[number];

/** Reports by portieri, custodi sociali or neighbours about someone in need. */
export const segnalazioni = pgTable(
  'segnalazioni',
  {
    id: uuid().primaryKey().defaultRandom(),
    reference: text().notNull(),
    conversationId: uuid().references(() => conversations.id),
    reporterIdentityId: uuid().references(() => channelIdentities.id),
    reporterName: text(),
    reporterRole: text(),
    /** The reported person as told (matched to a person row by staff). */
    subjectName: text(),
    subjectAddress: text(),
    comuneId: text().references(() => comuni.id),
    personId: uuid().references(() => people.id),
    problems: text().array().notNull().default(sql`'{}'::text[]`),
    details: text(),
    livesAlone: boolean(),
    personAware: boolean(),
    immediateRisk: boolean().notNull().default(false),
    consentToContact: boolean(),
    urgency: text().$type<'normal' | 'high' | 'immediate'>().notNull().default('normal'),
    status: text().$type<SegnalazioneStatus>().notNull().default('received'),
    takenBy: uuid().references(() => staffUsers.id),
    takenAt: timestamp({ withTimezone: true, mode: 'date' }),
    applicationId: uuid().references(() => applications.id),
    sourceMessageId: uuid(),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('segnalazioni_reference_key').on(t.reference),
    uniqueIndex('segnalazioni_source_key').on(t.sourceMessageId).where(sql`${t.sourceMessageId} is not null`),
    index('segnalazioni_status_idx').on(t.status, t.comuneId),
  ],
);

/** Work for staff that no conversation carries: "reach this person another way", "no check-in answer". */
export const staffTasks = pgTable(
  'staff_tasks',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().notNull(),
    comuneId: text().references(() => comuni.id),
    personId: uuid().references(() => people.id),
    subjectType: text(),
    subjectId: text(),
    status: text().$type<'open' | 'done'>().notNull().default('open'),
    dueAt: timestamp({ withTimezone: true, mode: 'date' }),
    doneBy: uuid().references(() => staffUsers.id),
    doneAt: timestamp({ withTimezone: true, mode: 'date' }),
    dedupeKey: text(),
    ...timestamps,
  },
  (t) => [
    index('staff_tasks_open_idx').on(t.status, t.comuneId),
    uniqueIndex('staff_tasks_dedupe_key').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
  ],
);

/** Reference numbers people can read over the phone. */
export const referenceNumbers = pgSequence('reference_numbers', { startWith: 1001 });

// ───────────────────────────── Channels (issue #6) ─────────────────────────────

/**
 * Raw inbound traffic of the Telegram and SMS channels, written before anything handles it
 * (store first): a Telegram update keyed by its `update_id`, an SMS by its `MessageSid`.
 * The unique key drops redeliveries; `processed_at` null means "still to handle", so a crash
 * or a database error between storing and handling leaves the row to the recovery sweep.
 */
export const channelInbound = pgTable(
  'channel_inbound',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    channel: text().$type<'telegram' | 'sms'>().notNull(),
    externalId: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true, mode: 'date' }),
    attempts: integer().notNull().default(0),
    /** Error class or code of the last failed attempt (never a message that could echo text). */
    lastError: text(),
    /**
     * Telegram only, and only while the update is unhandled: its chat. "Earlier unhandled updates of
     * this chat" is then a lookup on this column's index alone. Asked with `processed_at is null`
     * instead, the planner could also walk every pending row through channel_inbound_pending_idx,
     * and did once per update, with statistics from before a backlog.
     */
    pendingChat: text().generatedAlwaysAs(
      sql`case when processed_at is null and channel = 'telegram' then coalesce(payload->'message'->'chat'->>'id', payload->'callback_query'->'message'->'chat'->>'id') end`,
    ),
    updateSeq: bigint({ mode: 'number' }).generatedAlwaysAs(sql`case when channel = 'telegram' and external_id ~ '^[0-9]{1,15}$' then external_id::bigint end`),
  },
  (t) => [
    uniqueIndex('channel_inbound_external_key').on(t.channel, t.externalId),
    index('channel_inbound_pending_idx').on(t.id).where(sql`${t.processedAt} is null`),
    index('channel_inbound_pending_chat_idx').on(t.pendingChat, t.updateSeq).where(sql`${t.pendingChat} is not null`),
  ],
);

export const OUTBOUND_STATUSES = ['queued', 'sending', 'sent', 'failed', 'undelivered', 'fallback', 'cancelled'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

/**
 * The durable outbound queue: every message to a person or a staff member on Telegram or SMS.
 * `dedupe_key` makes enqueueing idempotent (a reply is enqueued once, whatever retries happen).
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    /** Ordered: messages to one address leave in this order. */
    id: bigserial({ mode: 'number' }).primaryKey(),
    channel: text().$type<'telegram' | 'sms'>().notNull(),
    /** Telegram chat id or phone number. */
    address: text().notNull(),
    identityId: uuid().references(() => channelIdentities.id),
    personId: uuid().references(() => people.id),
    staffUserId: uuid().references(() => staffUsers.id),
    conversationId: uuid().references(() => conversations.id),
    messageId: uuid(),
    body: text().notNull(),
    options: jsonb().$type<StoredOption[]>(),
    locale: text().notNull().default('it'),
    purpose: text().$type<'reply' | 'reminder' | 'alert' | 'notice'>().notNull().default('reply'),
    status: text().$type<OutboundStatus>().notNull().default('queued'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lockedUntil: timestamp({ withTimezone: true, mode: 'date' }),
    lastError: text(),
    providerId: text(),
    sentAt: timestamp({ withTimezone: true, mode: 'date' }),
    dedupeKey: text().notNull(),
    ...timestamps,
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('outbound_messages_dedupe_key').on(t.dedupeKey),
    // What is pending, oldest first: the claim (db/outbound.ts claimOutbound) reads the oldest
    // pending messages first, or all of them, from here.
    index('outbound_messages_pending_idx').on(t.id).where(sql`${t.status} in ('queued', 'sending')`),
    // The claim's per-chat interval probe: a message sent to the chat within the last second.
    // Partial, so that it never walks the address's older history, which grows for as long as
    // the person uses centrale.
    index('outbound_messages_sent_address_idx').on(t.channel, t.address, t.sentAt).where(sql`${t.status} = 'sent'`),
    index('outbound_messages_provider_idx').on(t.providerId).where(sql`${t.providerId} is not null`),
  ],
);

/** How staff are reached for urgent alerts (the on-call member of a comune). */
export const staffContacts = pgTable('staff_contacts', {
  staffUserId: uuid()
    .primaryKey()
    .references(() => staffUsers.id, { onDelete: 'cascade' }),
  telegramChatId: text(),
  phone: text(),
  ...timestamps,
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/**
 * Leases for work that one instance must do alone (Telegram polling). A row lease rather than a
 * session advisory lock: postgres.js pools connections, so a session lock would be held by
 * whichever pooled connection happened to take it.
 */
export const channelLeases = pgTable('channel_leases', {
  name: text().primaryKey(),
  holder: text().notNull(),
  expiresAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
});

/**
 * Settings of the whole ambito: one row (id is always true). The central on-call staff member
 * receives urgent alerts nobody else can take: a subject with no comune (an unlinked chat), or
 * whose comune has no on-call member with a usable contact.
 */
export const ambitoSettings = pgTable(
  'ambito_settings',
  {
    id: boolean().primaryKey().default(true),
    centralOnCallStaffId: uuid().references(() => staffUsers.id),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedBy: uuid().references(() => staffUsers.id),
  },
  (t) => [check('ambito_settings_single_row', sql`${t.id}`)],
);

/** Urgent alerts already sent (one per conversation or segnalazione). */
export const urgentAlerts = pgTable('urgent_alerts', {
  subjectKey: text().primaryKey(),
  comuneId: text().references(() => comuni.id),
  staffUserId: uuid().references(() => staffUsers.id),
  outcome: text().$type<'sent' | 'in_office_hours' | 'no_on_call'>().notNull(),
  ...timestamps,
});

// ───────────────────────────── Staff inbox (issue #7) ─────────────────────────────

/** Internal notes on a conversation: for staff only, never sent or shown to the person. */
export const conversationNotes = pgTable(
  'conversation_notes',
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id),
    staffUserId: uuid()
      .notNull()
      .references(() => staffUsers.id),
    body: text().notNull(),
    ...timestamps,
  },
  (t) => [index('conversation_notes_conversation_idx').on(t.conversationId, t.createdAt)],
);

/** Canned replies of the staff inbox, per comune (null comune: the whole ambito). */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: uuid().primaryKey().defaultRandom(),
    comuneId: text().references(() => comuni.id),
    title: text().notNull(),
    body: text().notNull(),
    createdBy: uuid().references(() => staffUsers.id),
    ...timestamps,
  },
  (t) => [index('canned_replies_comune_idx').on(t.comuneId)],
);
