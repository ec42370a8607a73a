import { addMonthsMinusOneDay, daysBetween } from './calendar.ts';
import { checkIsoDate, FieldErrorCollector } from './validation.ts';

/** Art. 12: monitoring at least every four months of programme. */
export const EVALUATION_INTERVAL_MONTHS = 4;

export interface EvaluationStatus {
  /** Latest evaluation, or null when none yet. */
  lastEvaluatedOn: string | null;
  /** Last day the next evaluation is on time: (last evaluation, else start) + 4 months − 1 day. */
  nextDue: string;
  /** Days left until nextDue (negative once late). */
  daysLeft: number;
  overdue: boolean;
}

/**
 * Art. 12: when the next monitoring evaluation is due and whether it is late on `today`.
 * The four months run from the programme's start, then from each evaluation, and end the day
 * before the same date four months on, like the programme itself (so the evaluation of a
 * four-month programme is due by its last day). Evaluations before the start are ignored.
 */
export function computeEvaluationDue(input: { programmeStart: string; evaluations: readonly string[]; today: string }): EvaluationStatus {
  const errors = new FieldErrorCollector();
  checkIsoDate(errors, input.programmeStart, 'programmeStart');
  checkIsoDate(errors, input.today, 'today');
  input.evaluations.forEach((date, index) => checkIsoDate(errors, date, `evaluations.${index}`));
  errors.throwIfAny('art. 12', 'rules:evaluationInvalid');

  const counted = input.evaluations.filter((date) => date >= input.programmeStart).sort();
  const lastEvaluatedOn = counted.at(-1) ?? null;
  const nextDue = addMonthsMinusOneDay(lastEvaluatedOn ?? input.programmeStart, EVALUATION_INTERVAL_MONTHS);
  return { lastEvaluatedOn, nextDue, daysLeft: daysBetween(input.today, nextDue), overdue: input.today > nextDue };
}
