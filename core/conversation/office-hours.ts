/**
 * Office hours of a comune's social service (comuni.office_hours): is it open now, and if not,
 * when will someone answer? Public holidays and the comune's patron day are closed days.
 * Pure: `now` comes in, Europe/Rome wall clock.
 */
import { DateTime } from 'luxon';
import { findPublicHoliday, ROME_ZONE } from '../regulation/calendar.ts';

/** Weekday (1 = Monday … 7 = Sunday) → intervals "HH:mm-HH:mm". */
export type OfficeHoursSpec = Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', string[]>>;

/** Used when a comune has not configured its hours: the centrale's own, Monday to Friday. */
export const DEFAULT_OFFICE_HOURS: OfficeHoursSpec = {
  '1': ['09:00-12:30', '14:00-17:00'],
  '2': ['09:00-12:30', '14:00-17:00'],
  '3': ['09:00-12:30', '14:00-17:00'],
  '4': ['09:00-12:30', '14:00-17:00'],
  '5': ['09:00-12:30'],
};

const INTERVAL = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

function intervalsOn(spec: OfficeHoursSpec, day: DateTime): { from: DateTime; to: DateTime }[] {
  const list = spec[String(day.weekday) as keyof OfficeHoursSpec] ?? [];
  const out: { from: DateTime; to: DateTime }[] = [];
  for (const item of list) {
    const m = INTERVAL.exec(item);
    if (!m) continue;
    const from = day.set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
    const to = day.set({ hour: Number(m[3]), minute: Number(m[4]), second: 0, millisecond: 0 });
    if (to > from) out.push({ from, to });
  }
  return out.sort((a, b) => a.from.toMillis() - b.from.toMillis());
}

function isClosedDay(day: DateTime, patronDay: string | null): boolean {
  const iso = day.toISODate() ?? '';
  return findPublicHoliday(iso) !== undefined || (patronDay !== null && iso.slice(5) === patronDay);
}

export interface OfficeStatus {
  open: boolean;
  /** When closed: the next opening, ISO with offset in Rome; undefined if none in the next 3 weeks. */
  nextOpening?: string;
}

/** Whether the office is open at `now`, and otherwise its next opening (holidays and patron day skipped). */
export function officeStatus(spec: OfficeHoursSpec | null, now: Date, patronDay: string | null = null): OfficeStatus {
  const hours = spec && Object.keys(spec).length > 0 ? spec : DEFAULT_OFFICE_HOURS;
  const here = DateTime.fromJSDate(now, { zone: ROME_ZONE });
  for (let d = 0; d < 21; d++) {
    const day = here.plus({ days: d }).startOf('day');
    if (isClosedDay(day, patronDay)) continue;
    for (const { from, to } of intervalsOn(hours, day)) {
      if (d === 0 && here >= from && here < to) return { open: true };
      if (from > here) return { open: false, nextOpening: from.toISO() ?? undefined };
    }
  }
  return { open: false };
}

/**
 * Whether a comune's office is open at `at` by its own configured hours (holidays and the patron
 * day closed). Unlike `officeStatus`, no default hours: a comune without configured hours is
 * never "watched", so urgent alerts go to the on-call staff member.
 */
export function isWithinOfficeHours(hours: OfficeHoursSpec | null | undefined, at: Date, patronDay: string | null = null): boolean {
  return !!hours && Object.keys(hours).length > 0 && officeStatus(hours, at, patronDay).open;
}
