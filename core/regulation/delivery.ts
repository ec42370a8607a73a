import { DateTime } from 'luxon';
import { findCalendarNotices, isMonthDay, isoWeekKey, ROME_ZONE, type CalendarNotice } from './calendar.ts';
import { checkText, checkWholeNumber, FieldErrorCollector } from './validation.ts';

/** Art. 8: hours per ISO week per case, unless a reasoned exception raises it. */
export const MAX_WEEKLY_HOURS = 10;

/** Art. 8: visits start and end within 08:00–20:00 wall-clock Europe/Rome. */
export const DELIVERY_WINDOW = { fromHour: 8, toHour: 20 } as const;

/** A visit: start as ISO date-time (without offset = Rome wall clock; with one, converted) and whole hours. */
export interface Visit {
  start: string;
  hours: number;
}

export interface VisitContext {
  /** Lives alone without family support: the only case where Sunday is allowed (art. 8). */
  livesAloneWithoutFamily: boolean;
  /** The comune's patron day, 'MM-DD', reported like a public holiday. */
  patronDay?: string | null;
}

export interface CheckedVisit {
  /** Start and end in Rome with their offset, e.g. '2026-03-30T08:00:00.000+02:00'. */
  start: string;
  end: string;
  /** Rome calendar date and ISO week ('2026-W14') of the start. */
  date: string;
  isoWeek: string;
  hours: number;
  /** Public holiday or patron day: shown to staff, not a rejection. */
  warnings: CalendarNotice[];
}

export type DeliveryExceptionKind = 'weekly_cap' | 'urgent_social_intervention';

/**
 * Art. 8 exception, always with the social worker's reason and name. `weekly_cap` allows more
 * than 10 hours a week (up to `maxWeeklyHours` if given); `urgent_social_intervention` flags a
 * sudden, temporary need served at once, with the same times and cap as any visit.
 */
export interface DeliveryException {
  kind: DeliveryExceptionKind;
  reason: string;
  author: string;
  maxWeeklyHours?: number;
}

/** Art. 8: validates an exception (reason and author required; a raised cap above 10 h). */
export function recordDeliveryException(input: DeliveryException): DeliveryException {
  const errors = new FieldErrorCollector();
  if (input.kind !== 'weekly_cap' && input.kind !== 'urgent_social_intervention') errors.add('kind', 'rules:invalidValue');
  const reason = checkText(errors, input.reason, 'reason');
  const author = checkText(errors, input.author, 'author');
  if (input.maxWeeklyHours !== undefined) {
    if (input.kind !== 'weekly_cap') errors.add('maxWeeklyHours', 'rules:invalidValue');
    else checkWholeNumber(errors, input.maxWeeklyHours, 'maxWeeklyHours', { min: MAX_WEEKLY_HOURS + 1 });
  }
  errors.throwIfAny('art. 8', 'rules:exceptionInvalid');
  const exception: DeliveryException = { kind: input.kind, reason: reason ?? '', author: author ?? '' };
  if (input.maxWeeklyHours !== undefined) exception.maxWeeklyHours = input.maxWeeklyHours;
  return exception;
}

/** Parses a visit start in Rome; null when it is not an ISO date-time. */
function parseStart(start: unknown): DateTime | null {
  if (typeof start !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(start)) return null;
  const parsed = DateTime.fromISO(start, { zone: ROME_ZONE });
  return parsed.isValid ? parsed : null;
}

function checkOneVisit(errors: FieldErrorCollector, visit: Visit, context: VisitContext, path: string): CheckedVisit | null {
  const start = parseStart(visit.start);
  if (start === null) errors.add(`${path}.start`, 'rules:invalidDateTime');
  const wholeHours = Number.isSafeInteger(visit.hours) && visit.hours >= 1;
  if (!wholeHours) errors.add(`${path}.hours`, 'rules:wholeHoursOnly');
  if (start === null || !wholeHours) return null;

  // Real elapsed hours in the zone: on DST days luxon moves the offset, never the duration.
  const end = start.plus({ hours: visit.hours });
  const opens = start.set({ hour: DELIVERY_WINDOW.fromHour, minute: 0, second: 0, millisecond: 0 });
  const closes = start.set({ hour: DELIVERY_WINDOW.toHour, minute: 0, second: 0, millisecond: 0 });
  if (start < opens || end > closes) {
    errors.add(`${path}.start`, 'rules:outsideDeliveryHours', { from: '08:00', to: '20:00' });
  }
  if (start.weekday === 7 && !context.livesAloneWithoutFamily) errors.add(`${path}.start`, 'rules:sundayOnlyForPeopleAlone');

  const date = start.toISODate() ?? '';
  return {
    start: start.toISO() ?? '',
    end: end.toISO() ?? '',
    date,
    isoWeek: isoWeekKey(start),
    hours: visit.hours,
    warnings: findCalendarNotices(date, context.patronDay),
  };
}

function checkContext(errors: FieldErrorCollector, context: VisitContext): void {
  if (context.patronDay !== undefined && context.patronDay !== null && !isMonthDay(context.patronDay)) {
    errors.add('patronDay', 'rules:invalidMonthDay');
  }
}

/**
 * Art. 8: checks one visit: whole hours, start and end within 08:00–20:00 Rome wall-clock time
 * (correct across DST), Sunday only for people living alone without family support. Public
 * holidays and the patron day come back as warnings. Throws RuleViolation "art. 8".
 */
export function checkVisit(visit: Visit, context: VisitContext): CheckedVisit {
  const errors = new FieldErrorCollector();
  checkContext(errors, context);
  const checked = checkOneVisit(errors, visit, context, 'visit');
  errors.throwIfAny('art. 8', 'rules:visitNotAllowed');
  if (checked === null) throw new Error('unreachable');
  return checked;
}

export interface WeekTotal {
  /** 'YYYY-Www'. */
  isoWeek: string;
  hours: number;
  /** Above 10 hours: allowed only under a weekly_cap exception. */
  overCap: boolean;
}

/** Hours per ISO week (Rome date of each visit's start), weeks in order. Visits must be valid. */
export function sumHoursByIsoWeek(visits: readonly Visit[]): WeekTotal[] {
  const byWeek = new Map<string, number>();
  for (const visit of visits) {
    const start = parseStart(visit.start);
    if (start === null) throw new TypeError(`not an ISO date-time: ${visit.start}`);
    const week = isoWeekKey(start);
    byWeek.set(week, (byWeek.get(week) ?? 0) + visit.hours);
  }
  return [...byWeek]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([isoWeek, hours]) => ({ isoWeek, hours, overCap: hours > MAX_WEEKLY_HOURS }));
}

function checkCap(errors: FieldErrorCollector, weeks: readonly WeekTotal[], exception: DeliveryException | undefined): void {
  const cap = exception?.kind === 'weekly_cap' ? (exception.maxWeeklyHours ?? Number.POSITIVE_INFINITY) : MAX_WEEKLY_HOURS;
  for (const week of weeks) {
    if (week.hours > cap) {
      errors.add(`weeks.${week.isoWeek}`, 'rules:weeklyCapExceeded', {
        week: week.isoWeek,
        hours: week.hours,
        max: Number.isFinite(cap) ? cap : MAX_WEEKLY_HOURS,
      });
    }
  }
}

/**
 * Art. 8: at most 10 hours per ISO week per case, unless a `weekly_cap` exception (reason,
 * author, optional higher cap) covers it. Returns the weekly totals; throws RuleViolation "art. 8".
 */
export function checkWeeklyCap(visits: readonly Visit[], exception?: DeliveryException): WeekTotal[] {
  const errors = new FieldErrorCollector();
  const weeks = sumHoursByIsoWeek(visits);
  checkCap(errors, weeks, exception === undefined ? undefined : recordDeliveryException(exception));
  errors.throwIfAny('art. 8', 'rules:visitNotAllowed');
  return weeks;
}

/**
 * Art. 8: checks a case's visits together: every visit (fields "visits.N.start" / ".hours")
 * and the weekly cap (fields "weeks.YYYY-Www"). Returns the checked visits, the weekly
 * totals and every calendar warning.
 */
export function checkVisitPlan(
  visits: readonly Visit[],
  context: VisitContext & { weeklyCapException?: DeliveryException },
): { visits: CheckedVisit[]; weeks: WeekTotal[]; warnings: CalendarNotice[] } {
  const errors = new FieldErrorCollector();
  checkContext(errors, context);
  const exception = context.weeklyCapException === undefined ? undefined : recordDeliveryException(context.weeklyCapException);
  const checked = visits.map((visit, index) => checkOneVisit(errors, visit, context, `visits.${index}`));
  const valid = checked.filter((visit): visit is CheckedVisit => visit !== null);
  const weeks = sumHoursByIsoWeek(visits.filter((_, index) => checked[index] !== null));
  checkCap(errors, weeks, exception);
  errors.throwIfAny('art. 8', 'rules:visitNotAllowed');
  return { visits: valid, weeks, warnings: valid.flatMap((visit) => visit.warnings) };
}
