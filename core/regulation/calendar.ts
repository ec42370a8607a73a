import { DateTime } from 'luxon';
import Holidays from 'date-holidays';
import type { MessageRef } from '../errors.ts';

/** The regulation's days and hours are wall-clock time in this zone. */
export const ROME_ZONE = 'Europe/Rome';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_DAY = /^(\d{2})-(\d{2})$/;

const DAY_MS = 86_400_000;

// One formatter for the process: building an Intl formatter (what Luxon does per zoned call)
// costs far more than formatting with it.
const romeDayFormat = new Intl.DateTimeFormat('en-US', { timeZone: ROME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The Europe/Rome calendar day of an instant ('YYYY-MM-DD'): the "today" every rule takes. */
export function romeDate(instant: Date): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of romeDayFormat.formatToParts(instant)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return year.length === 4 ? `${year}-${month}-${day}` : instant.toISOString().slice(0, 10);
}

/**
 * The day number of a calendar date 'YYYY-MM-DD' (days since 1970-01-01), or null when it is not
 * a real day. Calendar arithmetic counts whole days in UTC, so that a 23- or 25-hour DST day never
 * turns a day count into a fraction; wall-clock Rome only matters where the regulation speaks of
 * hours. (Plain integers rather than Luxon objects: lists of applications do this per row.)
 */
function epochDayOf(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const back = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as written; a day the month lacks
  // (2027-02-29) rolls over to the next month and is rejected here.
  back.setUTCFullYear(year, month - 1, day);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return back.getTime() / DAY_MS;
}

function epochDay(value: string): number {
  const day = epochDayOf(value);
  if (day === null) throw new TypeError(`not an ISO calendar date: ${value}`);
  return day;
}

function isoDateOfEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Parses a calendar date 'YYYY-MM-DD' (a real day) into a DateTime at UTC midnight, or null. */
export function parseIsoDate(value: unknown): DateTime | null {
  const day = epochDayOf(value);
  return day === null ? null : DateTime.fromMillis(day * DAY_MS, { zone: 'utc' });
}

/** Whether `value` is a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(value: unknown): value is string {
  return epochDayOf(value) !== null;
}

/** Like parseIsoDate, but for dates already validated by the caller: a bad one is a bug. */
export function toDate(value: string): DateTime {
  return DateTime.fromMillis(epochDay(value) * DAY_MS, { zone: 'utc' });
}

/** 'YYYY-MM-DD' of a DateTime, read in its own zone. */
export function formatIsoDate(date: DateTime): string {
  return date.toISODate() ?? '';
}

/** `date` plus `days` calendar days (negative goes back). */
export function addCalendarDays(date: string, days: number): string {
  return isoDateOfEpochDay(epochDay(date) + days);
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
  return epochDay(to) - epochDay(from);
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
