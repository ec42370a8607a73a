/**
 * Applications (art. 4–6): intake with the art. 3 check, the status workflow
 * (core/applications/workflow.ts), assessments and ISEE rescoring, the art. 4 written answer's
 * sending, access-record changes, the waiting-list position and the events a citizen hears about.
 *
 * Every change runs in one transaction that first locks the application row (SELECT … FOR UPDATE),
 * writes the history, the audit row and the case events together: all or nothing.
 *
 * Waiting-list position events (bounded): when an application enters or leaves its comune's list,
 * or is rescored while on it, the first POSITION_EVENT_WINDOW places of that comune's list are
 * read before and after the change (one index range scan each, in the same transaction); every
 * application whose place changed inside that window gets `waiting_list_position_changed`,
 * deduplicated per application and position. The moved application itself always gets one with
 * its own place. People further down are not told of every ±1 shift (their place is in the access
 * record whenever they ask); so one change costs at most two bounded reads and 2 × window events.
 */
import { and, asc, count, desc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { assertTransition, ASSESSABLE_STATUSES, OPEN_STATUSES, type ApplicationOrigin, type ApplicationStatus } from '../core/applications/workflow.ts';
import { dayAsInstant } from '../core/applications/dates.ts';
import { DomainError } from '../core/errors.ts';
import { scoreAssessment, type ScoredAssessment } from '../core/regulation/assessment.ts';
import { addCalendarDays } from '../core/regulation/calendar.ts';
import { checkEligibility, type EligibilityResult } from '../core/regulation/eligibility.ts';
import { checkIseeValidity, findIseeBand } from '../core/regulation/isee.ts';
import { computeIstruttoriaDueDate, ISTRUTTORIA_MAX_DAYS } from '../core/regulation/istruttoria.ts';
import { recordAudit } from './audit.ts';
import { rowsOf, type Db, type Queryable, type Tx } from './client.ts';
import { recordCaseEvent } from './events.ts';
import {
  accessRecordChanges,
  applicationDetails,
  applications,
  applicationStatusHistory,
  assessments,
  comuni,
  delegations,
  people,
  segnalazioni,
  staffUsers,
} from './schema.ts';

/** How many places at the top of a comune's list are watched for position-change events. */
export const POSITION_EVENT_WINDOW = 100;

export interface Actor {
  staffId: string;
  requestId?: string;
}

export type ApplicationRow = typeof applications.$inferSelect;
export type DetailsRow = typeof applicationDetails.$inferSelect;
export type AssessmentRow = typeof assessments.$inferSelect;

const conflict = (key: string, params?: Record<string, string | number>) => new DomainError('CONFLICT', params ? { key, params } : { key });

// ───────────────────────────── reads ─────────────────────────────

/** The application's scope facts (comune, person), or undefined. */
export async function findApplicationScope(q: Queryable, id: string) {
  const [row] = await q.select({ id: applications.id, comuneId: applications.comuneId, personId: applications.personId }).from(applications).where(eq(applications.id, id));
  return row;
}

async function lockApplication(tx: Tx, id: string): Promise<ApplicationRow> {
  const [row] = await tx.select().from(applications).where(eq(applications.id, id)).for('update');
  if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
  return row;
}

async function loadDetails(q: Queryable, applicationId: string): Promise<DetailsRow | undefined> {
  const [row] = await q.select().from(applicationDetails).where(eq(applicationDetails.applicationId, applicationId));
  return row;
}

/** The art. 6 order in the index's ascending form (applications_waiting_list_idx), equal to WAITING_LIST_ORDER_BY. */
const waitingListOrder = [
  asc(sql`(100 - ${applications.totalPoints})`),
  asc(sql`(40 - ${applications.autonomyPoints})`),
  asc(applications.applicationDate),
  asc(applications.id),
];

/**
 * Where an application stands on its comune's art. 6 waiting list
 * (core/regulation/waiting-list.ts WAITING_LIST_ORDER_BY): its 1-based position and how many are
 * ahead, or null when it is not on the list. One index range count over applications_waiting_list_idx.
 */
export async function waitingListPosition(q: Queryable, applicationId: string): Promise<{ position: number; ahead: number } | null> {
  const [app] = await q
    .select({ comuneId: applications.comuneId, status: applications.status, totalPoints: applications.totalPoints, autonomyPoints: applications.autonomyPoints, applicationDate: applications.applicationDate })
    .from(applications)
    .where(eq(applications.id, applicationId));
  if (!app || app.status !== 'waiting_list' || app.totalPoints === null || app.autonomyPoints === null) return null;
  const [row] = await q
    .select({ n: count() })
    .from(applications)
    .where(
      and(
        eq(applications.comuneId, app.comuneId),
        eq(applications.status, 'waiting_list'),
        sql`((100 - ${applications.totalPoints}), (40 - ${applications.autonomyPoints}), ${applications.applicationDate}, ${applications.id})
            < ((100 - ${app.totalPoints}::int), (40 - ${app.autonomyPoints}::int), ${app.applicationDate}::date, ${applicationId}::uuid)`,
      ),
    );
  const ahead = Number(row?.n ?? 0);
  return { position: ahead + 1, ahead };
}

/** The first `limit` places of a comune's list: application id → position and person. */
async function topOfList(q: Queryable, comuneId: string, limit = POSITION_EVENT_WINDOW) {
  const rows = await q
    .select({ id: applications.id, personId: applications.personId })
    .from(applications)
    .where(and(eq(applications.comuneId, comuneId), eq(applications.status, 'waiting_list')))
    .orderBy(...waitingListOrder)
    .limit(limit);
  return new Map(rows.map((r, i) => [r.id, { position: i + 1, personId: r.personId }]));
}

export interface ApplicationListFilter {
  /** Comuni the caller may see (null = all). */
  scopeComuni: readonly string[] | null;
  comuneId?: string;
  status?: ApplicationStatus;
  /** Only unanswered, not closed applications past their art. 4 due date on `today`. */
  overdue?: boolean;
  today: string;
  limit: number;
  offset: number;
}

/** Staff list of applications, oldest first, with the answer-sent date for the art. 4 flag. */
export async function listApplications(q: Queryable, f: ApplicationListFilter) {
  const conditions: SQL[] = [];
  if (f.scopeComuni) conditions.push(f.scopeComuni.length ? inArray(applications.comuneId, [...f.scopeComuni]) : sql`false`);
  if (f.comuneId) conditions.push(eq(applications.comuneId, f.comuneId));
  if (f.status) conditions.push(eq(applications.status, f.status));
  if (f.overdue) {
    // Overdue on `today` ⇔ today > applicationDate + 30 ⇔ applicationDate < today − 30 (art. 4).
    conditions.push(lt(applications.applicationDate, addCalendarDays(f.today, -ISTRUTTORIA_MAX_DAYS)));
    conditions.push(isNull(applicationDetails.answerSentAt));
    conditions.push(sql`${applications.status} <> 'closed'`);
  }
  const where = conditions.length ? and(...conditions) : undefined;
  const rows = await q
    .select({
      id: applications.id,
      personId: applications.personId,
      comuneId: applications.comuneId,
      origin: applications.origin,
      status: applications.status,
      applicationDate: applications.applicationDate,
      totalPoints: applications.totalPoints,
      autonomyPoints: applications.autonomyPoints,
      givenName: people.givenName,
      familyName: people.familyName,
      answerSentAt: applicationDetails.answerSentAt,
    })
    .from(applications)
    .innerJoin(people, eq(people.id, applications.personId))
    .leftJoin(applicationDetails, eq(applicationDetails.applicationId, applications.id))
    .where(where)
    .orderBy(asc(applications.applicationDate), asc(applications.id))
    .limit(f.limit + 1)
    .offset(f.offset);
  return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
}

/** Everything staff see on an application's page. */
export async function loadApplicationFile(q: Queryable, id: string) {
  const [app] = await q.select().from(applications).where(eq(applications.id, id));
  if (!app) return undefined;
  const [person] = await q
    .select({ id: people.id, givenName: people.givenName, familyName: people.familyName, birthDate: people.birthDate, address: people.address, phone: people.phone, email: people.email, comuneId: people.comuneId })
    .from(people)
    .where(eq(people.id, app.personId));
  const details = await loadDetails(q, id);
  const history = await q
    .select({ id: applicationStatusHistory.id, fromStatus: applicationStatusHistory.fromStatus, toStatus: applicationStatusHistory.toStatus, at: applicationStatusHistory.at, byStaffId: applicationStatusHistory.byStaffId, note: applicationStatusHistory.note })
    .from(applicationStatusHistory)
    .where(eq(applicationStatusHistory.applicationId, id))
    .orderBy(asc(applicationStatusHistory.id));
  const assessmentRows = await q.select().from(assessments).where(eq(assessments.applicationId, id)).orderBy(asc(assessments.createdAt), asc(assessments.id));
  const [comune] = await q.select({ id: comuni.id, name: comuni.name, officeAddress: comuni.officeAddress }).from(comuni).where(eq(comuni.id, app.comuneId));
  const position = await waitingListPosition(q, id);
  const [pending] = await q
    .select({ n: count() })
    .from(accessRecordChanges)
    .where(and(eq(accessRecordChanges.personId, app.personId), eq(accessRecordChanges.status, 'pending')));
  return { app, person: person!, details, history, assessments: assessmentRows, comune: comune!, position, pendingAccessRecordChanges: Number(pending?.n ?? 0) };
}

// ───────────────────────────── writes ─────────────────────────────

async function writeHistory(tx: Tx, applicationId: string, from: ApplicationStatus | null, to: ApplicationStatus, actor: Actor, note?: string | null) {
  await tx.insert(applicationStatusHistory).values({ applicationId, fromStatus: from, toStatus: to, byStaffId: actor.staffId, note: note ?? null });
}

/**
 * Runs `change` and then records `waiting_list_position_changed` for the applications of the
 * comune whose place in the watched window changed, plus the moved application itself.
 */
async function withPositionEvents<T>(tx: Tx, comuneId: string, movedId: string, change: () => Promise<T>): Promise<T> {
  const before = await topOfList(tx, comuneId);
  const result = await change();
  const after = await topOfList(tx, comuneId);
  const changed: { id: string; personId: string; position: number }[] = [];
  for (const [id, now] of after) {
    if (before.get(id)?.position !== now.position) changed.push({ id, personId: now.personId, position: now.position });
  }
  if (!after.has(movedId)) {
    const own = await waitingListPosition(tx, movedId);
    const [app] = await tx.select({ personId: applications.personId }).from(applications).where(eq(applications.id, movedId));
    if (own && app) changed.push({ id: movedId, personId: app.personId, position: own.position });
  }
  for (const c of changed) {
    await recordCaseEvent(tx, {
      type: 'waiting_list_position_changed',
      personId: c.personId,
      comuneId,
      subjectType: 'application',
      subjectId: c.id,
      payload: { applicationId: c.id, position: c.position, ahead: c.position - 1 },
      dedupeKey: `waiting_list_position:${c.id}:${c.position}`,
    });
  }
  return result;
}

export interface CreateApplicationInput {
  personId: string;
  origin: ApplicationOrigin;
  applicationDate: string;
  applicantPersonId?: string;
  segnalazioneId?: string;
  note?: string;
  today: string;
}

export interface CreatedApplication {
  application: ApplicationRow;
  eligibility: EligibilityResult;
}

/**
 * Art. 3–4 intake. The person's row is locked so that two concurrent intakes cannot both open an
 * application; a person may have one open application at a time (409). The art. 3 check runs on
 * the person's file: an eligible person's application is `received`; an ineligible one is
 * recorded as `not_eligible` with the reasons (it still gets its art. 4 written answer).
 * Input the check cannot read (no codice fiscale or birth date on file) is refused as art. 3 (400).
 */
export async function createApplication(db: Db, input: CreateApplicationInput, actor: Actor): Promise<CreatedApplication> {
  return db.transaction(async (tx) => {
    const [person] = await tx
      .select({ id: people.id, comuneId: people.comuneId, codiceFiscale: people.codiceFiscale, birthDate: people.birthDate, certifiedInvalidity: people.certifiedInvalidity, category3: people.category3 })
      .from(people)
      .where(and(eq(people.id, input.personId), isNull(people.erasedAt)))
      .for('update');
    if (!person) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });

    if (input.origin === 'delegate') {
      const [delegation] = await tx
        .select({ id: delegations.id })
        .from(delegations)
        .where(and(eq(delegations.personId, person.id), eq(delegations.delegatePersonId, input.applicantPersonId!), isNull(delegations.revokedAt)));
      if (!delegation) {
        throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { applicantPersonId: { key: 'applications:errors.notADelegate' } } });
      }
    }
    if (input.origin === 'ex_officio') {
      const [s] = await tx.select({ id: segnalazioni.id, comuneId: segnalazioni.comuneId }).from(segnalazioni).where(eq(segnalazioni.id, input.segnalazioneId!));
      if (!s || (s.comuneId !== null && s.comuneId !== person.comuneId)) {
        throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { segnalazioneId: { key: 'applications:errors.segnalazioneNotFound' } } });
      }
    }

    const ambito = (await tx.select({ id: comuni.id }).from(comuni)).map((c) => c.id);
    const eligibility = checkEligibility({
      codiceFiscale: person.codiceFiscale ?? '',
      birthDate: person.birthDate ?? '',
      residenceComuneId: person.comuneId,
      ambitoComuneIds: ambito,
      applicationDate: input.applicationDate,
      certifiedInvalidity: person.certifiedInvalidity,
      socialWorkerCategory3: person.category3,
    });
    // Applications belong to a comune: someone living outside the ambito has none to apply to.
    if (person.comuneId === null || !ambito.includes(person.comuneId)) {
      throw new DomainError('NOT_ELIGIBLE', eligibility.message, { rule: 'art. 3' });
    }

    const open = await tx
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.personId, person.id), inArray(applications.status, [...OPEN_STATUSES])))
      .limit(1);
    if (open.length > 0) throw conflict('applications:errors.openApplicationExists');

    const status: ApplicationStatus = eligibility.eligible ? 'received' : 'not_eligible';
    const [application] = await tx
      .insert(applications)
      .values({ personId: person.id, comuneId: person.comuneId, origin: input.origin, status, applicationDate: input.applicationDate })
      .returning();
    const app = application!;
    const eligibilityRecord = eligibility.eligible
      ? { eligible: true, criterion: eligibility.criterion, criteriaMet: eligibility.criteriaMet, ageOnApplicationDate: eligibility.ageOnApplicationDate, birthDateMatchesCodiceFiscale: eligibility.birthDateMatchesCodiceFiscale, checkedOn: input.today }
      : { eligible: false, reasons: eligibility.reasons, ageOnApplicationDate: eligibility.ageOnApplicationDate, birthDateMatchesCodiceFiscale: eligibility.birthDateMatchesCodiceFiscale, checkedOn: input.today };
    await tx.insert(applicationDetails).values({
      applicationId: app.id,
      applicantPersonId: input.applicantPersonId ?? null,
      segnalazioneId: input.segnalazioneId ?? null,
      eligibility: eligibilityRecord,
    });
    await writeHistory(tx, app.id, null, 'received', actor, input.note);
    if (status === 'not_eligible') await writeHistory(tx, app.id, 'received', 'not_eligible', actor, 'art. 3');
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'application.create', subjectType: 'application', subjectId: app.id, comuneId: app.comuneId, reason: status, requestId: actor.requestId });
    await recordCaseEvent(tx, {
      type: 'application_received',
      personId: person.id,
      comuneId: app.comuneId,
      subjectType: 'application',
      subjectId: app.id,
      payload: { applicationId: app.id, applicationDate: app.applicationDate, dueDate: computeIstruttoriaDueDate(app.applicationDate) },
      dedupeKey: `application_received:${app.id}`,
    });
    return { application: app, eligibility };
  });
}

/** A status change under the workflow, with history, audit and events, under the application's row lock. */
export async function transitionApplication(db: Db, id: string, to: ApplicationStatus, note: string | undefined, actor: Actor): Promise<ApplicationRow> {
  return db.transaction(async (tx) => {
    const app = await lockApplication(tx, id);
    assertTransition(app.status, to, { scored: app.totalPoints !== null && app.autonomyPoints !== null });
    const touchesList = app.status === 'waiting_list' || to === 'waiting_list';
    const apply = async () => {
      const [updated] = await tx.update(applications).set({ status: to, updatedAt: new Date() }).where(eq(applications.id, id)).returning();
      return updated!;
    };
    const updated = touchesList ? await withPositionEvents(tx, app.comuneId, id, apply) : await apply();
    await writeHistory(tx, id, app.status, to, actor, note);
    if (to === 'closed' && note) {
      await tx.insert(applicationDetails).values({ applicationId: id, closedReason: note }).onConflictDoUpdate({ target: applicationDetails.applicationId, set: { closedReason: note, updatedAt: new Date() } });
    }
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'application.transition', subjectType: 'application', subjectId: id, comuneId: app.comuneId, reason: `${app.status}->${to}`, requestId: actor.requestId });
    return updated;
  });
}

export interface AssessmentBody {
  criteria: Record<string, unknown>;
  items?: Record<string, unknown>;
  iseeCents?: number;
  iseeYear?: number;
  specialSituation?: { reason: string };
}

/** Saves a scored assessment as a new row and copies its points onto the application. */
async function saveAssessment(tx: Tx, app: ApplicationRow, scored: ScoredAssessment, iseeCents: number, actor: Actor, authorName: string, kind: 'assessment' | 'isee_rescoring') {
  const [row] = await tx
    .insert(assessments)
    .values({
      applicationId: app.id,
      criteria: scored.criteria,
      items: Object.keys(scored.items).length ? (scored.items as Record<string, number[]>) : null,
      iseeCents,
      iseeYear: scored.isee.year,
      iseeBand: scored.iseeBand.id,
      totalPoints: scored.total,
      autonomyPoints: scored.criteria.autonomy,
      specialSituation: scored.specialSituation ? { reason: scored.specialSituation.reason, author: authorName } : null,
      assessedBy: actor.staffId,
    })
    .returning();
  const update = () => tx.update(applications).set({ totalPoints: scored.total, autonomyPoints: scored.criteria.autonomy, updatedAt: new Date() }).where(eq(applications.id, app.id));
  if (app.status === 'waiting_list') await withPositionEvents(tx, app.comuneId, app.id, update);
  else await update();
  await tx
    .insert(applicationDetails)
    .values({ applicationId: app.id, iseeCents, iseeYear: scored.isee.year, iseeExpiresOn: scored.isee.validUntil })
    .onConflictDoUpdate({ target: applicationDetails.applicationId, set: { iseeCents, iseeYear: scored.isee.year, iseeExpiresOn: scored.isee.validUntil, updatedAt: new Date() } });
  await recordCaseEvent(tx, {
    type: 'application_assessed',
    personId: app.personId,
    comuneId: app.comuneId,
    subjectType: 'application',
    subjectId: app.id,
    payload: { applicationId: app.id, assessmentId: row!.id, totalPoints: scored.total, rescoring: kind === 'isee_rescoring' },
    dedupeKey: `application_assessed:${row!.id}`,
  });
  return row!;
}

async function staffName(tx: Tx, staffId: string): Promise<string> {
  const [s] = await tx.select({ name: staffUsers.displayName }).from(staffUsers).where(eq(staffUsers.id, staffId));
  return s?.name ?? staffId;
}

/**
 * Art. 5–6: records a new assessment (never updating an old one). The ISEE defaults to the one on
 * file. An application under investigation becomes `assessed`; one on the list stays there with
 * its new score (and the list's position events).
 */
export async function recordAssessment(db: Db, id: string, body: AssessmentBody, today: string, actor: Actor) {
  return db.transaction(async (tx) => {
    const app = await lockApplication(tx, id);
    if (!ASSESSABLE_STATUSES.includes(app.status)) throw conflict('applications:errors.notAssessable', { status: app.status });
    const details = await loadDetails(tx, id);
    const iseeCents = body.iseeCents ?? details?.iseeCents ?? undefined;
    const iseeYear = body.iseeYear ?? details?.iseeYear ?? undefined;
    const author = await staffName(tx, actor.staffId);
    const scored = scoreAssessment(
      {
        criteria: body.criteria,
        iseeCents,
        iseeYear,
        ...(body.items ? { items: body.items } : {}),
        ...(body.specialSituation ? { specialSituation: { reason: body.specialSituation.reason, author } } : {}),
      },
      today,
    );
    const row = await saveAssessment(tx, app, scored, iseeCents as number, actor, author, 'assessment');
    let status = app.status;
    if (app.status === 'under_investigation') {
      await tx.update(applications).set({ status: 'assessed', updatedAt: new Date() }).where(eq(applications.id, id));
      await writeHistory(tx, id, app.status, 'assessed', actor, 'art. 5–6');
      status = 'assessed';
    }
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'application.assess', subjectType: 'application', subjectId: id, comuneId: app.comuneId, requestId: actor.requestId });
    return { assessment: row, scored, status };
  });
}

/**
 * Art. 4 and 6: a new ISEE attestation. It is stored with its expiry (31 December of its year)
 * and, when the application has an assessment and may be assessed, rescored as a new assessment
 * row with the same criteria and items and the new economic points.
 */
export async function updateIsee(db: Db, id: string, iseeCents: number, iseeYear: number, today: string, actor: Actor) {
  return db.transaction(async (tx) => {
    const app = await lockApplication(tx, id);
    if (app.status === 'closed') throw conflict('applications:errors.closed');
    const validity = checkIseeValidity(iseeYear, today);
    const [latest] = await tx.select().from(assessments).where(eq(assessments.applicationId, id)).orderBy(desc(assessments.createdAt), desc(assessments.id)).limit(1);
    let rescored: { assessment: AssessmentRow; scored: ScoredAssessment } | null = null;
    if (latest && ASSESSABLE_STATUSES.includes(app.status)) {
      const { economic: _economic, ...criteria } = latest.criteria;
      const scored = scoreAssessment(
        { criteria, iseeCents, iseeYear, ...(latest.items ? { items: latest.items } : {}), ...(latest.specialSituation ? { specialSituation: latest.specialSituation } : {}) },
        today,
      );
      const author = latest.specialSituation?.author ?? (await staffName(tx, actor.staffId));
      rescored = { assessment: await saveAssessment(tx, app, scored, iseeCents, actor, author, 'isee_rescoring'), scored };
    } else {
      // Validates the amount (art. 6 bands) even when there is nothing to rescore yet.
      findIseeBand(iseeCents);
      await tx
        .insert(applicationDetails)
        .values({ applicationId: id, iseeCents, iseeYear, iseeExpiresOn: validity.validUntil })
        .onConflictDoUpdate({ target: applicationDetails.applicationId, set: { iseeCents, iseeYear, iseeExpiresOn: validity.validUntil, updatedAt: new Date() } });
    }
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'application.isee', subjectType: 'application', subjectId: id, comuneId: app.comuneId, reason: rescored ? 'rescored' : 'stored', requestId: actor.requestId });
    return { validity, rescored };
  });
}

/** Art. 4: records that the written answer was sent (on which day, how), with the outcome it stated. */
export async function recordAnswerSent(db: Db, id: string, input: { sentOn: string; via: string; outcome: string }, actor: Actor) {
  return db.transaction(async (tx) => {
    const app = await lockApplication(tx, id);
    const sentAt = dayAsInstant(input.sentOn);
    await tx
      .insert(applicationDetails)
      .values({ applicationId: id, answerOutcome: input.outcome, answerSentAt: sentAt, answerSentBy: actor.staffId, answerSentVia: input.via })
      .onConflictDoUpdate({ target: applicationDetails.applicationId, set: { answerOutcome: input.outcome, answerSentAt: sentAt, answerSentBy: actor.staffId, answerSentVia: input.via, updatedAt: new Date() } });
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'application.answer_sent', subjectType: 'application', subjectId: id, comuneId: app.comuneId, reason: `${input.outcome} via ${input.via}`, requestId: actor.requestId });
    await recordCaseEvent(tx, {
      type: 'answer_sent',
      personId: app.personId,
      comuneId: app.comuneId,
      subjectType: 'application',
      subjectId: id,
      payload: { applicationId: id, outcome: input.outcome, sentOn: input.sentOn, via: input.via },
      dedupeKey: `answer_sent:${id}:${input.outcome}:${input.sentOn}`,
    });
    return app;
  });
}

/**
 * Art. 4: one `answer_due` event per open, unanswered application whose written answer is due
 * within the next 3 days (due date = application date + 30), deduplicated per application.
 * One INSERT … SELECT: the applications are never loaded into memory. Returns how many were new.
 */
export async function recordAnswerDueEvents(db: Db, today: string, withinDays = 3): Promise<number> {
  const earliest = addCalendarDays(today, -ISTRUTTORIA_MAX_DAYS);
  const latest = addCalendarDays(today, withinDays - ISTRUTTORIA_MAX_DAYS);
  const result = await db.execute(sql`
    insert into case_events (type, person_id, comune_id, subject_type, subject_id, payload, dedupe_key)
    select 'answer_due', a.person_id, a.comune_id, 'application', a.id::text,
           jsonb_build_object('applicationId', a.id::text, 'dueDate', to_char(a.application_date + ${ISTRUTTORIA_MAX_DAYS}::int, 'YYYY-MM-DD'),
                              'daysLeft', (a.application_date + ${ISTRUTTORIA_MAX_DAYS}::int) - ${today}::date),
           'answer_due:' || a.id::text
    from applications a
    left join application_details d on d.application_id = a.id
    where a.status in ('received', 'under_investigation', 'assessed', 'waiting_list', 'admitted', 'not_eligible')
      and d.answer_sent_at is null
      and a.application_date between ${earliest}::date and ${latest}::date
    on conflict do nothing
    returning id`);
  return rowsOf(result).length;
}

// ───────────────────────────── access-record changes ─────────────────────────────

export async function listAccessRecordChanges(q: Queryable, f: { scopeComuni: readonly string[] | null; status: 'pending' | 'confirmed' | 'rejected'; comuneId?: string; limit: number; offset: number }) {
  const conditions: SQL[] = [eq(accessRecordChanges.status, f.status)];
  if (f.scopeComuni) conditions.push(f.scopeComuni.length ? inArray(people.comuneId, [...f.scopeComuni]) : sql`false`);
  if (f.comuneId) conditions.push(eq(people.comuneId, f.comuneId));
  const rows = await q
    .select({
      id: accessRecordChanges.id,
      personId: accessRecordChanges.personId,
      comuneId: people.comuneId,
      givenName: people.givenName,
      familyName: people.familyName,
      applicationId: accessRecordChanges.applicationId,
      source: accessRecordChanges.source,
      changes: accessRecordChanges.changes,
      status: accessRecordChanges.status,
      createdAt: accessRecordChanges.createdAt,
      reviewedAt: accessRecordChanges.reviewedAt,
    })
    .from(accessRecordChanges)
    .innerJoin(people, eq(people.id, accessRecordChanges.personId))
    .where(and(...conditions))
    .orderBy(asc(accessRecordChanges.createdAt), asc(accessRecordChanges.id))
    .limit(f.limit + 1)
    .offset(f.offset);
  return { rows: rows.slice(0, f.limit), more: rows.length > f.limit };
}

export async function findAccessRecordChangeScope(q: Queryable, id: string) {
  const [row] = await q
    .select({ id: accessRecordChanges.id, personId: accessRecordChanges.personId, comuneId: people.comuneId })
    .from(accessRecordChanges)
    .innerJoin(people, eq(people.id, accessRecordChanges.personId))
    .where(eq(accessRecordChanges.id, id));
  return row;
}

/** The fields of a person an access-record change may set, already validated by the caller. */
export interface PersonContactChanges {
  phone?: string | null;
  email?: string | null;
  address?: string | null;
  livesAlone?: boolean;
  familySupport?: boolean;
}

/**
 * Confirms (applying `apply` to the person) or rejects a pending change, under its row lock.
 * A change that is no longer pending answers 409.
 */
export async function reviewAccessRecordChange(
  db: Db,
  id: string,
  decision: 'confirmed' | 'rejected',
  validate: (changes: Record<string, unknown>) => PersonContactChanges,
  actor: Actor,
) {
  return db.transaction(async (tx) => {
    const [change] = await tx.select().from(accessRecordChanges).where(eq(accessRecordChanges.id, id)).for('update');
    if (!change) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    if (change.status !== 'pending') throw conflict('applications:errors.changeNotPending', { status: change.status });
    const [person] = await tx.select({ id: people.id, comuneId: people.comuneId }).from(people).where(eq(people.id, change.personId)).for('update');
    let applied: string[] = [];
    if (decision === 'confirmed') {
      const values = validate(change.changes);
      applied = Object.keys(values);
      if (applied.length > 0) await tx.update(people).set({ ...values, updatedAt: new Date() }).where(eq(people.id, change.personId));
    }
    const [updated] = await tx
      .update(accessRecordChanges)
      .set({ status: decision, reviewedBy: actor.staffId, reviewedAt: new Date() })
      .where(eq(accessRecordChanges.id, id))
      .returning();
    await recordAudit(tx, {
      actorType: 'staff',
      actorId: actor.staffId,
      action: decision === 'confirmed' ? 'access_record_change.confirm' : 'access_record_change.reject',
      subjectType: 'person',
      subjectId: change.personId,
      comuneId: person?.comuneId ?? null,
      // Field names only, never the values (contacts are personal data).
      reason: decision === 'confirmed' ? `change ${id}: ${applied.join(',') || 'none'}` : `change ${id}`,
      requestId: actor.requestId,
    });
    return { change: updated!, applied };
  });
}
