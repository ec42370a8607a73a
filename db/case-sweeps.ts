/**
 * Periodic sweep over programmes and visits: starts planned programmes whose first day has come
 * and records the time-based case events (visit tomorrow, evaluation due, programme ending).
 * Idempotent: every event has a dedupe key, so running it twice (or on two instances) records
 * each event once.
 */
import { and, eq, gte, inArray, lt, lte } from 'drizzle-orm';
import { addCalendarDays, romeDate } from '../core/regulation/calendar.ts';
import { computeEvaluationDue } from '../core/regulation/evaluation.ts';
import type { Db } from './client.ts';
import { recordAnswerDueEvents } from './applications.ts';
import { recordCaseEvent } from './events.ts';
import { recordProgrammeStarted, romeMidnight } from './programmes.ts';
import { evaluations, programmes, visits } from './schema.ts';

/** Days before the end (and before an evaluation is due) when the citizen is told. */
export const PROGRAMME_ENDING_NOTICE_DAYS = 14;
export const EVALUATION_NOTICE_DAYS = 14;

export interface SweepReport {
  programmesStarted: number;
  visitTomorrow: number;
  evaluationDue: number;
  programmeEnding: number;
}

export async function recordDueEvents(db: Db, now: Date): Promise<SweepReport> {
  const today = romeDate(now);
  const tomorrow = addCalendarDays(today, 1);
  const report: SweepReport = { programmesStarted: 0, visitTomorrow: 0, evaluationDue: 0, programmeEnding: 0 };

  // Planned programmes whose first day has come become active (programme_started once).
  const starting = await db
    .update(programmes)
    .set({ status: 'active', updatedAt: now })
    .where(and(eq(programmes.status, 'planned'), lte(programmes.periodStart, today)))
    .returning();
  for (const row of starting) if (await recordProgrammeStarted(db, row)) report.programmesStarted++;

  // Planned visits starting tomorrow (Rome calendar), one event per visit.
  const dueVisits = await db
    .select({ id: visits.id, programmeId: visits.programmeId, startsAt: visits.startsAt, hours: visits.hours, personId: programmes.personId, comuneId: programmes.comuneId })
    .from(visits)
    .innerJoin(programmes, eq(programmes.id, visits.programmeId))
    .where(and(eq(visits.status, 'planned'), gte(visits.startsAt, romeMidnight(tomorrow)), lt(visits.startsAt, romeMidnight(addCalendarDays(tomorrow, 1)))));
  for (const v of dueVisits) {
    const added = await recordCaseEvent(db, {
      type: 'visit_tomorrow',
      personId: v.personId,
      comuneId: v.comuneId,
      subjectType: 'visit',
      subjectId: v.id,
      payload: { visitId: v.id, programmeId: v.programmeId, startsAt: v.startsAt.toISOString(), hours: v.hours },
      dedupeKey: `visit_tomorrow:${v.id}`,
      occurredAt: now,
    });
    if (added) report.visitTomorrow++;
  }

  const active = await db.select().from(programmes).where(inArray(programmes.status, ['active', 'suspended']));
  const evaluated = active.length
    ? await db.select({ programmeId: evaluations.programmeId, on: evaluations.evaluatedOn }).from(evaluations).where(inArray(evaluations.programmeId, active.map((p) => p.id)))
    : [];
  for (const p of active) {
    // Art. 12: evaluation due within the notice window (or late), once per due date.
    const due = computeEvaluationDue({ programmeStart: p.periodStart, evaluations: evaluated.filter((e) => e.programmeId === p.id).map((e) => e.on), today });
    if (due.daysLeft <= EVALUATION_NOTICE_DAYS) {
      const added = await recordCaseEvent(db, {
        type: 'evaluation_due',
        personId: p.personId,
        comuneId: p.comuneId,
        subjectType: 'programme',
        subjectId: p.id,
        payload: { programmeId: p.id, dueOn: due.nextDue, overdue: due.overdue },
        dedupeKey: `evaluation_due:${p.id}:${due.nextDue}`,
        occurredAt: now,
      });
      if (added) report.evaluationDue++;
    }
    // Art. 11: the end is near (14 days), once per end date (a suspension moves it, and a new notice follows).
    if (p.periodEnd >= today && p.periodEnd <= addCalendarDays(today, PROGRAMME_ENDING_NOTICE_DAYS)) {
      const added = await recordCaseEvent(db, {
        type: 'programme_ending',
        personId: p.personId,
        comuneId: p.comuneId,
        subjectType: 'programme',
        subjectId: p.id,
        payload: { programmeId: p.id, periodEnd: p.periodEnd },
        dedupeKey: `programme_ending:${p.id}:${p.periodEnd}`,
        occurredAt: now,
      });
      if (added) report.programmeEnding++;
    }
  }
  return report;
}

/**
 * Everything time-driven on the case side, in one call: programmes starting, visits tomorrow,
 * evaluations and endings coming, written answers due. Idempotent (dedupe keys), so every
 * instance may run it; main.ts calls it every few minutes.
 */
export async function runCaseSweeps(db: Db, now: Date): Promise<SweepReport & { answersDue: number }> {
  const report = await recordDueEvents(db, now);
  const answersDue = await recordAnswerDueEvents(db, romeDate(now));
  return { ...report, answersDue };
}
