import { DateTime } from 'luxon';
import Holidays from 'date-holidays';
import type { MessageRef } from '../errors.ts';

/** The regulation's days and hours are wall-clock time in this zone. */
export const ROME_ZONE = 'Europe/Rome';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

/**
 * Parses a calendar date 'YYYY-MM-DD' (a real day) into a DateTime at UTC midnight, or null.
 * Calendar arithmetic runs in UTC so that a 23- or 25-hour DST day never turns a day count
 * into a fraction; wall-clock Rome only matters where the regulation speaks of hours.
 */
/** The Europe/Rome calendar day of an instant ('YYYY-MM-DD'): the "today" every rule takes. */
export function romeDate(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: ROME_ZONE }).toISODate() ?? instant.toISOString().slice(0, 10);
}

export function parseIsoDate(value: unknown): DateTime | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const date = DateTime.fromISO(value, { zone: 'utc' });
  return date.isValid ? date : null;
}

/** Whether `value` is a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(value: unknown): value is string {
  return parseIsoDate(value) !== null;
}

/** Like parseIsoDate, but for dates already validated by the caller: a bad one is a bug. */
export function toDate(value: string): DateTime {
  const date = parseIsoDate(value);
  if (date === null) throw new TypeError(`not an ISO calendar date: ${value}`);
  return date;
}

/** 'YYYY-MM-DD' of a DateTime, read in its own zone. */
export function formatIsoDate(date: DateTime): string {
  return date.toISODate() ?? '';
}

/** `date` plus `days` calendar days (negative goes back). */
export function addCalendarDays(date: string, days: number): string {
  return formatIsoDate(toDate(date).plus({ days }));
}

/**
 * `date` plus `months` calendar months minus one day: the last day of a period of `months`
 * months that starts on `date`. Luxon clamps a missing day to the month's end
 * (31 Oct + 4 months = 28 Feb), so 2026-10-31 → 2027-02-27; this matches art. 2963 of the
 * Civil Code for terms in months.
 */
export function addMonthsMinusOneDay(date: string, months: number): string {
  return formatIsoDate(toDate(date).plus({ months }).minus({ days: 1 }));
}

/** Days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round(toDate(to).diff(toDate(from), 'days').days);
}

/** Days of the period from `start` to `end`, both included. */
export function countDaysInclusive(start: string, end: string): number {
  return daysBetween(start, end) + 1;
}

/** ISO week key 'YYYY-Www' of a date-time, e.g. '2026-W13' (the week-numbering year, not the calendar one). */
export function isoWeekKey(dateTime: DateTime): string {
  return `${dateTime.weekYear}-W${String(dateTime.weekNumber).padStart(2, '0')}`;
}

/** Checks a patron day written 'MM-DD' (29 February allowed: it simply falls in leap years only). */
export function isMonthDay(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = MONTH_DAY.exec(value);
  if (match === null) return false;
  // 2024 is a leap year, so every month-day that can ever occur is valid in it.
  return DateTime.fromObject({ year: 2024, month: Number(match[1]), day: Number(match[2]) }, { zone: 'utc' }).isValid;
}

export interface PublicHoliday {
  date: string;
  /** Italian name, as published. */
  name: string;
}

// One instance for the process: the rules are static, and getHolidays(year) does not read the clock.
let italianHolidays: Holidays | undefined;
const holidaysByYear = new Map<number, ReadonlyMap<string, string>>();

function publicHolidaysOf(year: number): ReadonlyMap<string, string> {
  let byDate = holidaysByYear.get(year);
  if (byDate === undefined) {
    italianHolidays ??= new Holidays('IT', { languages: ['it'] });
    const entries = italianHolidays
      .getHolidays(year)
      // Only 'public' days close offices; 'observance' (e.g. Mother's Day) does not.
      .filter((holiday) => holiday.type === 'public')
      .map((holiday): [string, string] => [holiday.date.slice(0, 10), holiday.name]);
    byDate = new Map(entries);
    holidaysByYear.set(year, byDate);
  }
  return byDate;
}

/** Italian national public holidays of `year` (includes 4 October, San Francesco, from 2026). */
export function listPublicHolidays(year: number): PublicHoliday[] {
  return [...publicHolidaysOf(year)].map(([date, name]) => ({ date, name }));
}

/** The Italian public holiday falling on `date`, if any. */
export function findPublicHoliday(date: string): PublicHoliday | undefined {
  const name = publicHolidaysOf(toDate(date).year).get(date);
  return name === undefined ? undefined : { date, name };
}

export type CalendarNoticeKind = 'public_holiday' | 'patron_day';

/** Something staff should know about a day; a warning, never a rejection (art. 8 does not exclude holidays). */
export interface CalendarNotice {
  kind: CalendarNoticeKind;
  date: string;
  message: MessageRef;
}

/**
 * Public holidays and the comune's patron day (month-day 'MM-DD') falling on `date`.
 * The patron day is configured per comune because each one celebrates its own saint.
 */
export function findCalendarNotices(date: string, patronDay?: string | null): CalendarNotice[] {
  const notices: CalendarNotice[] = [];
  const holiday = findPublicHoliday(date);
  if (holiday !== undefined) {
    notices.push({ kind: 'public_holiday', date, message: { key: 'rules:visitOnPublicHoliday', params: { date, name: holiday.name } } });
  }
  if (patronDay !== undefined && patronDay !== null && date.slice(5) === patronDay) {
    notices.push({ kind: 'patron_day', date, message: { key: 'rules:visitOnPatronDay', params: { date } } });
  }
  return notices;
}
