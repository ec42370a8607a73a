/**
 * Programmes (art. 10–13), their suspensions, evaluations, questionnaires and visits (art. 8).
 * The rules are core/regulation's; this file loads rows, turns them into core values, and writes
 * the results in one transaction under the programme's row lock, with audit and case events.
 */
import { and, asc, desc, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { DomainError, RuleViolation } from '../core/errors.ts';
import { addCalendarDays, countDaysInclusive, romeDate, ROME_ZONE } from '../core/regulation/calendar.ts';
import { checkVisit, checkWeeklyCap, type DeliveryException, type Visit } from '../core/regulation/delivery.ts';
import { computeEvaluationDue } from '../core/regulation/evaluation.ts';
import {
  computeMaxProgrammeEnd,
  countProgrammeWeeks,
  interruptProgramme,
  isProgrammeActiveOn,
  issueVouchers,
  planProgramme,
  redeemProgrammeHours,
  renewProgramme,
  suspendProgramme,
  type InterruptionReason,
  type Programme,
  type ProgrammeInput,
} from '../core/regulation/programme.ts';
import { adjustHours, computeBalance } from '../core/regulation/ledger.ts';
import type { ExtraServiceType } from '../core/regulation/services.ts';
import { recordAudit } from './audit.ts';
import type { Db, Queryable, Tx } from './client.ts';
import { recordCaseEvent } from './events.ts';
import { tellConversation } from './segnalazione-status.ts';
import { appendLedgerEntry, lastEntryId, lockProgramme, readLedger, toLedgerEntries, type ProgrammeRow } from './ledger.ts';
import {
  applicationDetails,
  applications,
  comuni,
  comuneSettings,
  evaluations,
  people,
  programmes,
  programmeSuspensions,
  questionnaireResponses,
  resourceComuni,
  resources,
  visits,
  voucherLedger,
  type VisitStatus,
} from './schema.ts';

export type SuspensionRow = typeof programmeSuspensions.$inferSelect;
export type VisitRow = typeof visits.$inferSelect;

export interface Actor {
  staffId: string;
  requestId?: string;
}

/** 00:00 Rome of a calendar date, as an instant. */
export function romeMidnight(date: string): Date {
  return DateTime.fromISO(date, { zone: ROME_ZONE }).startOf('day').toJSDate();
}

/**
 * A programme row (and its suspensions) as core's Programme. `periodEnd` is stored as the
 * effective end (moved by every confirmed suspension, art. 13), so the planned end is
 * periodEnd minus the suspended days.
 */
export function toCoreProgramme(row: ProgrammeRow, suspensions: readonly SuspensionRow[]): Programme {
  const confirmed = suspensions
    .filter((s) => s.status === 'confirmed' && s.toDate !== null)
    .map((s) => ({ from: s.fromDate, to: s.toDate!, days: countDaysInclusive(s.fromDate, s.toDate!), reason: s.reason }))
    .sort((a, b) => (a.from < b.from ? -1 : 1));
  const suspendedDays = confirmed.reduce((sum, s) => sum + s.days, 0);
  const plannedEnd = addCalendarDays(row.periodEnd, -suspendedDays);
  const weeks = Math.max(0, countProgrammeWeeks(row.periodStart, plannedEnd));
  return {
    period: row.period,
    services: [...row.services],
    weeklyHours: row.weeklyHours,
    operators: row.operators,
    visitsPerWeek: row.visitsPerWeek,
    start: row.periodStart,
    plannedEnd,
    maxEnd: computeMaxProgrammeEnd(row.periodStart),
    weeks,
    hoursIssued: row.weeklyHours * weeks,
    providerId: row.resourceId ?? '',
    contractSigned: row.contractSignedAt !== null,
    weeklyCapException: (row.weeklyCapException as DeliveryException | null) ?? null,
    resources: null,
    suspensions: confirmed,
    effectiveEnd: row.periodEnd,
    status: row.status === 'interrupted' ? 'interrupted' : 'active',
    interruption:
      row.status === 'interrupted' && row.interruptedOn
        ? { reason: (row.interruptionReason ?? 'renunciation') as InterruptionReason, on: row.interruptedOn, author: '' }
        : null,
  };
}

export async function listSuspensions(q: Queryable, programmeId: string): Promise<SuspensionRow[]> {
  return q.select().from(programmeSuspensions).where(eq(programmeSuspensions.programmeId, programmeId)).orderBy(asc(programmeSuspensions.fromDate));
}

/** Accredited providers serving a comune (art. 10: the list the person chooses from). */
async function accreditedProviderIds(q: Queryable, comuneId: string): Promise<string[]> {
  const rows = await q
    .select({ id: resources.id })
    .from(resources)
    .innerJoin(resourceComuni, eq(resourceComuni.resourceId, resources.id))
    .where(and(eq(resourceComuni.comuneId, comuneId), eq(resources.kind, 'accredited_provider'), eq(resources.active, true)));
  return rows.map((r) => r.id);
}

async function extraServicesOf(q: Queryable, comuneId: string): Promise<ExtraServiceType[]> {
  const [row] = await q.select({ extra: comuneSettings.extraServices }).from(comuneSettings).where(eq(comuneSettings.comuneId, comuneId));
  return ((row?.extra ?? []) as unknown as ExtraServiceType[]) ?? [];
}

export interface ProgrammeTerms {
  resourceId: string;
  services: string[];
  weeklyHours: number;
  operators: number;
  visitsPerWeek: number;
  start: string;
  plannedEnd: string;
  contractSignedAt?: Date | null;
  weeklyCapException?: DeliveryException;
  resources?: string;
}

function programmeInput(terms: ProgrammeTerms, accredited: string[], extras: ExtraServiceType[]): ProgrammeInput {
  return {
    services: terms.services,
    extraServices: extras,
    weeklyHours: terms.weeklyHours,
    operators: terms.operators,
    visitsPerWeek: terms.visitsPerWeek,
    start: terms.start,
    plannedEnd: terms.plannedEnd,
    providerId: terms.resourceId,
    accreditedProviderIds: accredited,
    contractSigned: terms.contractSignedAt != null,
    ...(terms.weeklyCapException ? { weeklyCapException: terms.weeklyCapException } : {}),
    ...(terms.resources !== undefined ? { resources: terms.resources } : {}),
  };
}

const OPEN_STATUSES = ['planned', 'active', 'suspended'] as const;

async function insertProgrammeWithVouchers(
  tx: Tx,
  base: { personId: string; comuneId: string; applicationId: string | null; previousProgrammeId: string | null },
  plan: Programme,
  terms: ProgrammeTerms,
  actor: Actor,
  today: string,
): Promise<ProgrammeRow> {
  const status = plan.start <= today ? 'active' : 'planned';
  const [row] = await tx
    .insert(programmes)
    .values({
      personId: base.personId,
      comuneId: base.comuneId,
      applicationId: base.applicationId,
      resourceId: terms.resourceId,
      services: plan.services,
      weeklyHours: plan.weeklyHours,
      operators: plan.operators,
      visitsPerWeek: plan.visitsPerWeek,
      periodStart: plan.start,
      periodEnd: plan.plannedEnd,
      period: plan.period,
      previousProgrammeId: base.previousProgrammeId,
      status,
      contractSignedAt: terms.contractSignedAt ?? null,
      weeklyCapException: plan.weeklyCapException as unknown as Record<string, unknown> | null,
      createdBy: actor.staffId,
    })
    .returning();
  const issue = issueVouchers(plan);
  await appendLedgerEntry(tx, row!.id, null, { kind: 'issue', hours: issue.hours, on: issue.on, reason: null, recordedBy: actor.staffId });
  if (status === 'active') await recordProgrammeStarted(tx, row!);
  return row!;
}

export async function recordProgrammeStarted(q: Queryable, row: ProgrammeRow): Promise<boolean> {
  return recordCaseEvent(q, {
    type: 'programme_started',
    personId: row.personId,
    comuneId: row.comuneId,
    subjectType: 'programme',
    subjectId: row.id,
    payload: { programmeId: row.id, periodStart: row.periodStart, periodEnd: row.periodEnd, weeklyHours: row.weeklyHours },
    dedupeKey: `programme_started:${row.id}`,
  });
}

/**
 * Art. 10–11: a new programme for a person (from an admitted application, or directly), its
 * vouchers issued in the same transaction. The person may not have another open programme
 * overlapping the period (409).
 */
export async function createProgramme(
  db: Db,
  input: { personId: string; comuneId: string; applicationId?: string } & ProgrammeTerms,
  actor: Actor,
  now: Date,
): Promise<ProgrammeRow> {
  return db.transaction(async (tx) => {
    // Serialises creations for the same person (the overlap check below).
    await tx.select({ id: people.id }).from(people).where(eq(people.id, input.personId)).for('update');
    if (input.applicationId) {
      const [app] = await tx.select({ personId: applications.personId, status: applications.status }).from(applications).where(eq(applications.id, input.applicationId));
      if (!app || app.personId !== input.personId) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
      if (app.status !== 'admitted') throw new DomainError('CONFLICT', { key: 'programmes:error.applicationNotAdmitted' });
    }
    const plan = planProgramme(programmeInput(input, await accreditedProviderIds(tx, input.comuneId), await extraServicesOf(tx, input.comuneId)));
    const overlapping = await tx
      .select({ id: programmes.id })
      .from(programmes)
      .where(
        and(
          eq(programmes.personId, input.personId),
          inArray(programmes.status, [...OPEN_STATUSES]),
          sql`${programmes.periodStart} <= ${plan.plannedEnd} and ${programmes.periodEnd} >= ${plan.start}`,
        ),
      )
      .limit(1);
    if (overlapping.length) throw new DomainError('CONFLICT', { key: 'programmes:error.overlappingProgramme' });
    const row = await insertProgrammeWithVouchers(
      tx,
      { personId: input.personId, comuneId: input.comuneId, applicationId: input.applicationId ?? null, previousProgrammeId: null },
      plan,
      input,
      actor,
      romeDate(now),
    );
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'programme.create', subjectType: 'programme', subjectId: row.id, comuneId: row.comuneId, requestId: actor.requestId });
    return row;
  });
}

/**
 * Art. 11: renews a programme: the previous one ends (unused hours returned), a new row with
 * period + 1 and a new free choice of provider gets its vouchers. Renewed once only (409).
 */
export async function renewProgrammeRow(db: Db, programmeId: string, terms: Omit<ProgrammeTerms, 'start'> & { start?: string }, actor: Actor, now: Date): Promise<ProgrammeRow> {
  return db.transaction(async (tx) => {
    const previous = await lockProgramme(tx, programmeId);
    if (!previous) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    const [already] = await tx.select({ id: programmes.id }).from(programmes).where(eq(programmes.previousProgrammeId, programmeId)).limit(1);
    if (already) throw new DomainError('CONFLICT', { key: 'programmes:error.alreadyRenewed' });
    const ledger = await readLedger(tx, programmeId);
    const core = toCoreProgramme(previous, await listSuspensions(tx, programmeId));
    const accredited = await accreditedProviderIds(tx, previous.comuneId);
    const extras = await extraServicesOf(tx, previous.comuneId);
    const { start: _start, ...withoutStart } = programmeInput({ ...terms, start: terms.start ?? '' }, accredited, extras);
    const { programme: plan, closing } = renewProgramme(core, toLedgerEntries(ledger), terms.start === undefined ? withoutStart : { ...withoutStart, start: terms.start });
    if (closing) {
      await appendLedgerEntry(tx, programmeId, lastEntryId(ledger), { kind: 'return', hours: closing.hours, on: closing.on, reason: closing.kind === 'return' ? closing.reason : 'period_ended', recordedBy: actor.staffId });
    }
    await tx.update(programmes).set({ status: 'ended', updatedAt: now }).where(eq(programmes.id, programmeId));
    const row = await insertProgrammeWithVouchers(
      tx,
      { personId: previous.personId, comuneId: previous.comuneId, applicationId: previous.applicationId, previousProgrammeId: previous.id },
      plan,
      { ...terms, start: plan.start },
      actor,
      romeDate(now),
    );
    // A suspension asked for in the chat and not yet decided is about the person's service, which
    // goes on in the new programme: it is decided there.
    await tx
      .update(programmeSuspensions)
      .set({ programmeId: row.id })
      .where(and(eq(programmeSuspensions.programmeId, programmeId), eq(programmeSuspensions.status, 'requested')));
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'programme.renew', subjectType: 'programme', subjectId: row.id, comuneId: row.comuneId, reason: `previous ${programmeId}`, requestId: actor.requestId });
    return row;
  });
}

function assertOpen(row: ProgrammeRow): void {
  if (row.status === 'interrupted' || row.status === 'ended') throw new DomainError('CONFLICT', { key: 'programmes:error.programmeClosed' });
}

/** Art. 13: applies a confirmed suspension: core checks it, the effective end moves later. */
async function applySuspension(tx: Tx, row: ProgrammeRow, existing: readonly SuspensionRow[], input: { from: string; to: string; reason: string }, now: Date) {
  assertOpen(row);
  const core = toCoreProgramme(row, existing);
  const suspended = suspendProgramme(core, input);
  await tx.update(programmes).set({ periodEnd: suspended.effectiveEnd, updatedAt: now }).where(eq(programmes.id, row.id));
}

/** A suspension recorded by staff: checked and confirmed at once. */
export async function recordSuspension(db: Db, programmeId: string, input: { fromDate: string; toDate: string; reason: string }, actor: Actor, now: Date): Promise<SuspensionRow> {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    await applySuspension(tx, row, await listSuspensions(tx, programmeId), { from: input.fromDate, to: input.toDate, reason: input.reason }, now);
    const [s] = await tx
      .insert(programmeSuspensions)
      .values({ programmeId, fromDate: input.fromDate, toDate: input.toDate, reason: input.reason, status: 'confirmed', source: 'staff', decidedBy: actor.staffId, decidedAt: now })
      .returning();
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'programme.suspension.record', subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, requestId: actor.requestId });
    return s!;
  });
}

/** A suspension asked for in the chat (for the conversation engine): recorded as 'requested' for staff to decide. */
export async function requestSuspension(q: Queryable, input: { programmeId: string; fromDate: string; toDate?: string | null; reason: string; conversationId?: string | null }): Promise<SuspensionRow> {
  const [s] = await q
    .insert(programmeSuspensions)
    .values({ programmeId: input.programmeId, fromDate: input.fromDate, toDate: input.toDate ?? null, reason: input.reason, status: 'requested', source: 'chat', requestedVia: input.conversationId ?? null })
    .returning();
  return s!;
}

/**
 * Staff confirm (applying art. 13) or reject a requested suspension. A suspension asked for in the
 * chat was answered "il servizio sociale lo confermerà e La avviserà": `tell` words the decision,
 * and it is written to that conversation in the same transaction (db/segnalazione-status.ts).
 */
export async function decideSuspension(
  db: Db,
  programmeId: string,
  suspensionId: string,
  input: { decision: 'confirm' | 'reject'; toDate?: string },
  actor: Actor,
  now: Date,
  tell?: (decided: SuspensionRow) => (locale: string) => string,
): Promise<SuspensionRow> {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    const all = await listSuspensions(tx, programmeId);
    const target = all.find((s) => s.id === suspensionId);
    if (!target) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    if (target.status !== 'requested') throw new DomainError('CONFLICT', { key: 'programmes:error.suspensionAlreadyDecided' });
    const toDate = input.toDate ?? target.toDate;
    if (input.decision === 'confirm') {
      if (!toDate) throw new RuleViolation('art. 13', { key: 'rules:suspensionInvalid' }, { toDate: { key: 'programmes:error.suspensionNeedsEnd' } });
      await applySuspension(tx, row, all.filter((s) => s.id !== suspensionId), { from: target.fromDate, to: toDate, reason: target.reason }, now);
    }
    const [updated] = await tx
      .update(programmeSuspensions)
      .set({ status: input.decision === 'confirm' ? 'confirmed' : 'rejected', toDate: toDate ?? null, decidedBy: actor.staffId, decidedAt: now })
      .where(eq(programmeSuspensions.id, suspensionId))
      .returning();
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: `programme.suspension.${input.decision}`, subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, requestId: actor.requestId });
    if (tell && updated!.requestedVia) await tellConversation(tx, updated!.requestedVia, tell(updated!));
    return updated!;
  });
}

/**
 * Art. 13: interrupts a programme for one of the article's reasons; unused hours go back with a
 * `return` entry, later planned visits are cancelled and suspensions still to decide are closed.
 * `unpaidMonths` comes from the fees.
 */
export async function interruptProgrammeRow(
  db: Db,
  programmeId: string,
  input: { reason: InterruptionReason; on: string; note?: string },
  actor: Actor,
  now: Date,
  countUnpaid: (tx: Tx, personId: string, today: string) => Promise<number>,
): Promise<{ programme: ProgrammeRow; returnedHours: number }> {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    if (row.status === 'ended') throw new DomainError('CONFLICT', { key: 'programmes:error.programmeClosed' });
    const ledger = await readLedger(tx, programmeId);
    const core = toCoreProgramme(row, await listSuspensions(tx, programmeId));
    const unpaidMonths = input.reason === 'fees_unpaid' ? await countUnpaid(tx, row.personId, romeDate(now)) : undefined;
    const { returned } = interruptProgramme(core, toLedgerEntries(ledger), { reason: input.reason, on: input.on, author: actor.staffId, ...(unpaidMonths !== undefined ? { unpaidMonths } : {}) });
    if (returned) {
      await appendLedgerEntry(tx, programmeId, lastEntryId(ledger), { kind: 'return', hours: returned.hours, on: returned.on, reason: input.reason, recordedBy: actor.staffId });
    }
    const [updated] = await tx
      .update(programmes)
      .set({ status: 'interrupted', interruptedOn: input.on, interruptionReason: input.reason, updatedAt: now })
      .where(eq(programmes.id, programmeId))
      .returning();
    await tx
      .update(visits)
      .set({ status: 'cancelled', statusChangedAt: now, statusChangedBy: actor.staffId })
      .where(and(eq(visits.programmeId, programmeId), eq(visits.status, 'planned'), gte(visits.startsAt, romeMidnight(input.on))));
    // A suspension still to decide has nothing left to suspend: closed, so that no queue keeps
    // asking for a decision. Its conversation is not told: the reason may be a death.
    await tx
      .update(programmeSuspensions)
      .set({ status: 'closed', decidedBy: actor.staffId, decidedAt: now })
      .where(and(eq(programmeSuspensions.programmeId, programmeId), eq(programmeSuspensions.status, 'requested')));
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'programme.interrupt', subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, reason: input.reason, requestId: actor.requestId });
    return { programme: updated!, returnedHours: returned?.hours ?? 0 };
  });
}

export async function listEvaluations(q: Queryable, programmeId: string) {
  return q.select().from(evaluations).where(eq(evaluations.programmeId, programmeId)).orderBy(asc(evaluations.evaluatedOn));
}

/** Art. 12: records an evaluation; returns it with the next due date. */
export async function recordEvaluation(db: Db, row: ProgrammeRow, input: { evaluatedOn: string; outcome: 'continue' | 'change' | 'end'; notes?: string }, actor: Actor, now: Date) {
  return db.transaction(async (tx) => {
    const [e] = await tx
      .insert(evaluations)
      .values({ programmeId: row.id, evaluatedOn: input.evaluatedOn, outcome: input.outcome, notes: input.notes ?? null, byStaffId: actor.staffId })
      .returning();
    const all = await listEvaluations(tx, row.id);
    const due = computeEvaluationDue({ programmeStart: row.periodStart, evaluations: all.map((x) => x.evaluatedOn), today: romeDate(now) });
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'programme.evaluation.record', subjectType: 'programme', subjectId: row.id, comuneId: row.comuneId, requestId: actor.requestId });
    return { evaluation: e!, nextDue: due.nextDue };
  });
}

/** Art. 12: stores a satisfaction questionnaire's answers (from staff or, via the engine, from chat). */
export async function recordQuestionnaireResponse(q: Queryable, input: { programmeId: string; answers: Record<string, string>; source: 'chat' | 'staff'; conversationId?: string | null }) {
  const [r] = await q
    .insert(questionnaireResponses)
    .values({ programmeId: input.programmeId, answers: input.answers, source: input.source, conversationId: input.conversationId ?? null })
    .returning();
  return r!;
}

export async function listQuestionnaireResponses(q: Queryable, programmeId: string) {
  return q.select().from(questionnaireResponses).where(eq(questionnaireResponses.programmeId, programmeId)).orderBy(asc(questionnaireResponses.createdAt));
}

export async function listVisits(q: Queryable, programmeId: string): Promise<VisitRow[]> {
  return q.select().from(visits).where(eq(visits.programmeId, programmeId)).orderBy(asc(visits.startsAt));
}

/**
 * Art. 8: schedules a visit. core checkVisit decides hours and days (Sunday only for a person
 * living alone without family support; patron day and holidays are warnings); the day must be
 * one the programme delivers on (art. 11); the ISO week stays within the cap with the other
 * visits of the programme (read under the programme's row lock, so two bookings cannot both
 * slip under it).
 */
export async function scheduleVisit(
  db: Db,
  programmeId: string,
  input: { startsAt: string; hours: number; operators?: number; services?: string[]; resourceId: string | null },
  actor: Actor,
) {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    assertOpen(row);
    const [person] = await tx.select({ livesAlone: people.livesAlone, familySupport: people.familySupport }).from(people).where(eq(people.id, row.personId));
    const [comune] = await tx.select({ patronDay: comuni.patronDay }).from(comuni).where(eq(comuni.id, row.comuneId));
    const livesAloneWithoutFamily = person?.livesAlone === true && person.familySupport === false;
    const checked = checkVisit({ start: input.startsAt, hours: input.hours }, { livesAloneWithoutFamily, patronDay: comune?.patronDay ?? null });
    const core = toCoreProgramme(row, await listSuspensions(tx, programmeId));
    if (!isProgrammeActiveOn(core, checked.date)) {
      throw new RuleViolation('art. 11', { key: 'rules:visitNotAllowed' }, { startsAt: { key: 'rules:outsideProgrammePeriod', params: { start: core.start, end: core.effectiveEnd } } });
    }
    const startsAt = new Date(checked.start);
    const weekFrom = new Date(startsAt.getTime() - 8 * 86_400_000);
    const weekTo = new Date(startsAt.getTime() + 8 * 86_400_000);
    const near = await tx
      .select({ startsAt: visits.startsAt, hours: visits.hours })
      .from(visits)
      .where(and(eq(visits.programmeId, programmeId), ne(visits.status, 'cancelled'), gte(visits.startsAt, weekFrom), lt(visits.startsAt, weekTo)));
    const sameWeek: Visit[] = near
      .map((v) => ({ start: DateTime.fromJSDate(v.startsAt).setZone(ROME_ZONE).toISO() ?? '', hours: v.hours }))
      .filter((v) => DateTime.fromISO(v.start, { zone: ROME_ZONE }).toFormat("kkkk-'W'WW") === checked.isoWeek);
    const exception = core.weeklyCapException?.kind === 'weekly_cap' ? core.weeklyCapException : undefined;
    try {
      checkWeeklyCap([...sameWeek, { start: checked.start, hours: checked.hours }], exception);
    } catch (error) {
      if (error instanceof RuleViolation) throw new RuleViolation('art. 8', { key: 'rules:visitNotAllowed' }, { startsAt: { key: 'programmes:error.weeklyCap', params: { week: checked.isoWeek } } });
      throw error;
    }
    const [visit] = await tx
      .insert(visits)
      .values({ programmeId, resourceId: input.resourceId, startsAt, hours: checked.hours, operators: input.operators ?? row.operators, services: input.services ?? row.services })
      .returning();
    await recordCaseEvent(tx, {
      type: 'visit_scheduled',
      personId: row.personId,
      comuneId: row.comuneId,
      subjectType: 'visit',
      subjectId: visit!.id,
      payload: { visitId: visit!.id, programmeId, startsAt: startsAt.toISOString(), hours: checked.hours },
      dedupeKey: `visit_scheduled:${visit!.id}`,
    });
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'visit.create', subjectType: 'visit', subjectId: visit!.id, comuneId: row.comuneId, requestId: actor.requestId });
    return { visit: visit!, warnings: checked.warnings };
  });
}

export async function findVisit(q: Queryable, visitId: string) {
  const [row] = await q
    .select({ visit: visits, programmeResourceId: programmes.resourceId, comuneId: programmes.comuneId, personId: programmes.personId })
    .from(visits)
    .innerJoin(programmes, eq(programmes.id, visits.programmeId))
    .where(eq(visits.id, visitId));
  return row;
}

/** A planned visit becomes done, cancelled or missed (once); done only once it has started. */
export async function changeVisitStatus(db: Db, visitId: string, status: Exclude<VisitStatus, 'planned'>, actor: Actor, now: Date): Promise<VisitRow> {
  return db.transaction(async (tx) => {
    const [visit] = await tx.select().from(visits).where(eq(visits.id, visitId)).for('update');
    if (!visit) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    if (visit.status !== 'planned') throw new DomainError('CONFLICT', { key: 'programmes:error.visitNotPlanned' });
    if (status === 'done' && visit.startsAt.getTime() > now.getTime()) throw new DomainError('CONFLICT', { key: 'programmes:error.visitInFuture' });
    const [updated] = await tx.update(visits).set({ status, statusChangedAt: now, statusChangedBy: actor.staffId }).where(eq(visits.id, visitId)).returning();
    const [p] = await tx.select({ comuneId: programmes.comuneId }).from(programmes).where(eq(programmes.id, visit.programmeId));
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: `visit.${status}`, subjectType: 'visit', subjectId: visitId, comuneId: p?.comuneId ?? null, requestId: actor.requestId });
    return updated!;
  });
}

/** The programme a person is served by now: active first, then suspended, then planned; newest start first. */
export async function findCurrentProgramme(q: Queryable, personId: string): Promise<ProgrammeRow | undefined> {
  const [row] = await q
    .select()
    .from(programmes)
    .where(and(eq(programmes.personId, personId), inArray(programmes.status, [...OPEN_STATUSES])))
    .orderBy(sql`case ${programmes.status} when 'active' then 0 when 'suspended' then 1 else 2 end`, desc(programmes.periodStart))
    .limit(1);
  return row;
}

export async function findProgramme(q: Queryable, programmeId: string): Promise<ProgrammeRow | undefined> {
  const [row] = await q.select().from(programmes).where(eq(programmes.id, programmeId));
  return row;
}

/** ISEE (cents) recorded for the programme's application, else the person's latest one. */
export async function findIseeCents(q: Queryable, row: Pick<ProgrammeRow, 'applicationId' | 'personId'>): Promise<number | null> {
  const [found] = await q
    .select({ iseeCents: applicationDetails.iseeCents })
    .from(applicationDetails)
    .innerJoin(applications, eq(applications.id, applicationDetails.applicationId))
    .where(and(eq(applications.personId, row.personId), sql`${applicationDetails.iseeCents} is not null`))
    .orderBy(sql`case when ${applications.id} = ${row.applicationId ?? sql`null`} then 0 else 1 end`, desc(applications.applicationDate))
    .limit(1);
  return found?.iseeCents ?? null;
}

/** Art. 11 "hours running low": at most 20 % of the issued hours, or at most 4 hours, left. */
export function isRunningLow(balance: number, issued: number): boolean {
  return balance <= 4 || balance * 5 <= issued;
}

/**
 * Art. 11: redeems whole hours of a programme, for a done visit (at most once) or a delivery
 * recorded at `deliveredAt`. Under the programme's row lock: the ledger is read, core decides
 * (1.5 h → RuleViolation art. 11; beyond the balance → INSUFFICIENT_BALANCE), the entry is
 * appended. Records "hours running low" once per programme when the balance falls that far.
 */
export async function redeemVouchers(
  db: Db,
  programmeId: string,
  input: { hours: number; deliveredAt: Date; visitId?: string; resourceOnly?: readonly string[] },
  actor: Actor,
) {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    let resourceId = row.resourceId;
    if (input.visitId) {
      const [visit] = await tx.select().from(visits).where(and(eq(visits.id, input.visitId), eq(visits.programmeId, programmeId)));
      if (!visit) throw new DomainError('NOT_FOUND', { key: 'programmes:error.visitNotFound' });
      if (input.resourceOnly && !(visit.resourceId && input.resourceOnly.includes(visit.resourceId))) throw new DomainError('NOT_FOUND', { key: 'programmes:error.visitNotFound' });
      if (visit.status !== 'done') throw new DomainError('CONFLICT', { key: 'programmes:error.visitNotDone' });
      if (await findVisitRedemptionTx(tx, visit.id)) throw new DomainError('CONFLICT', { key: 'programmes:error.visitAlreadyRedeemed' });
      if (Number.isSafeInteger(input.hours) && input.hours !== visit.hours) {
        throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { hours: { key: 'programmes:error.visitHoursMismatch', params: { hours: visit.hours } } } });
      }
      resourceId = visit.resourceId ?? row.resourceId;
    }
    const ledger = await readLedger(tx, programmeId);
    const entries = toLedgerEntries(ledger);
    const core = toCoreProgramme(row, await listSuspensions(tx, programmeId));
    const on = romeDate(input.deliveredAt);
    const entry = redeemProgrammeHours(core, entries, { hours: input.hours, on });
    const saved = await appendLedgerEntry(tx, programmeId, lastEntryId(ledger), {
      kind: 'redeem',
      hours: entry.hours,
      on: entry.on,
      deliveredAt: input.deliveredAt,
      visitId: input.visitId ?? null,
      resourceId,
      recordedBy: actor.staffId,
    });
    const after = computeBalance([...entries, entry]);
    if (isRunningLow(after.balance, after.issued + Math.max(0, after.adjusted))) {
      await recordCaseEvent(tx, {
        type: 'hours_running_low',
        personId: row.personId,
        comuneId: row.comuneId,
        subjectType: 'programme',
        subjectId: programmeId,
        payload: { programmeId, balanceHours: after.balance, issuedHours: after.issued, periodEnd: row.periodEnd },
        dedupeKey: `hours_running_low:${programmeId}`,
      });
    }
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'ledger.redeem', subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, requestId: actor.requestId });
    return { entry: saved, balanceHours: after.balance };
  });
}

async function findVisitRedemptionTx(tx: Tx, visitId: string) {
  const [row] = await tx
    .select({ id: voucherLedger.id })
    .from(voucherLedger)
    .where(and(eq(voucherLedger.visitId, visitId), eq(voucherLedger.kind, 'redeem')))
    .limit(1);
  return row;
}

/** Art. 11: a staff correction (signed whole hours) with its reason; never below zero. */
export async function adjustVouchers(db: Db, programmeId: string, input: { hours: number; on: string; reason: string }, actor: Actor) {
  return db.transaction(async (tx) => {
    const row = await lockProgramme(tx, programmeId);
    if (!row) throw new DomainError('NOT_FOUND', { key: 'errors:NOT_FOUND' });
    const ledger = await readLedger(tx, programmeId);
    const entries = toLedgerEntries(ledger);
    const entry = adjustHours(entries, { hours: input.hours, on: input.on, reason: input.reason, author: actor.staffId });
    const saved = await appendLedgerEntry(tx, programmeId, lastEntryId(ledger), { kind: 'adjustment', hours: entry.hours, on: entry.on, reason: input.reason, recordedBy: actor.staffId });
    await recordAudit(tx, { actorType: 'staff', actorId: actor.staffId, action: 'ledger.adjust', subjectType: 'programme', subjectId: programmeId, comuneId: row.comuneId, reason: input.reason.slice(0, 200), requestId: actor.requestId });
    return { entry: saved, balanceHours: computeBalance([...entries, entry]).balance };
  });
}
