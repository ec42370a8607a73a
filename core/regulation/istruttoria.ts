import { addCalendarDays, daysBetween } from './calendar.ts';
import { checkIsoDate, FieldErrorCollector } from './validation.ts';

/** Art. 4: the istruttoria lasts at most 30 (calendar) days. */
export const ISTRUTTORIA_MAX_DAYS = 30;

export interface IstruttoriaStatus {
  /** Date by which the written answer is due: application date + 30 calendar days. */
  dueDate: string;
  /** Days left until the due date (0 on the day itself, negative once late). */
  daysLeft: number;
  /** No answer and `today` is past the due date: flag it to staff. */
  overdue: boolean;
  /** The answer was given after the due date. */
  answeredLate: boolean;
}

/** Art. 4: the due date of the written answer for an application made on `applicationDate`. */
export function computeIstruttoriaDueDate(applicationDate: string): string {
  const errors = new FieldErrorCollector();
  checkIsoDate(errors, applicationDate, 'applicationDate');
  errors.throwIfAny('art. 4', 'rules:istruttoriaInvalid');
  return addCalendarDays(applicationDate, ISTRUTTORIA_MAX_DAYS);
}

/**
 * Art. 4: where an istruttoria stands on `today`. The due day itself is still on time: the
 * answer is overdue from the following day. Dates are calendar days (Europe/Rome).
 */
export function checkIstruttoria(input: { applicationDate: string; today: string; answeredOn?: string | null }): IstruttoriaStatus {
  const errors = new FieldErrorCollector();
  checkIsoDate(errors, input.applicationDate, 'applicationDate');
  checkIsoDate(errors, input.today, 'today');
  const answered = input.answeredOn !== undefined && input.answeredOn !== null;
  if (answered) checkIsoDate(errors, input.answeredOn, 'answeredOn');
  errors.throwIfAny('art. 4', 'rules:istruttoriaInvalid');

  const dueDate = addCalendarDays(input.applicationDate, ISTRUTTORIA_MAX_DAYS);
  return {
    dueDate,
    daysLeft: daysBetween(input.today, dueDate),
    overdue: !answered && input.today > dueDate,
    answeredLate: answered && (input.answeredOn ?? '') > dueDate,
  };
}
