/**
 * Whether a moment falls in a comune's office hours (Europe/Rome wall clock), pure. Urgent
 * alerts go to the on-call staff member only outside them; inside, the inbox is watched.
 */
import { DateTime } from 'luxon';

/** Weekday (1 = Monday … 7 = Sunday) → intervals "HH:mm-HH:mm", as in comuni.office_hours. */
export type OfficeHoursTable = Partial<Record<'1' | '2' | '3' | '4' | '5' | '6' | '7', string[]>>;

const INTERVAL = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

export function isWithinOfficeHours(hours: OfficeHoursTable | null | undefined, at: Date): boolean {
  if (!hours) return false;
  const local = DateTime.fromJSDate(at, { zone: 'Europe/Rome' });
  const intervals = hours[String(local.weekday) as keyof OfficeHoursTable] ?? [];
  const minute = local.hour * 60 + local.minute;
  return intervals.some((interval) => {
    const m = INTERVAL.exec(interval.trim());
    if (!m) return false;
    const from = Number(m[1]) * 60 + Number(m[2]);
    const to = Number(m[3]) * 60 + Number(m[4]);
    return minute >= from && minute < to;
  });
}
