/**
 * Comune settings that are not regulation rules but must still be right: the social service's
 * office hours (shown by the chat), the patron day (art. 8 calendar warnings), and the demand a
 * waiting application expresses in the art. 15 year-end redistribution. Pure: no I/O.
 */
import { DomainError, type MessageRef } from '../errors.ts';
import { isMonthDay } from '../regulation/calendar.ts';
import { FLOOR_HOURS_PER_WEEK } from '../regulation/allocation.ts';

export const WEEKDAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Weekday (1 = Monday … 7 = Sunday) → opening intervals "HH:mm-HH:mm" (same shape as db/schema.ts OfficeHours). */
export type OfficeHoursInput = Partial<Record<Weekday, string[]>>;

const INTERVAL = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
/** At most this many opening intervals a day. */
export const MAX_INTERVALS_PER_DAY = 4;

const minutes = (h: string, m: string) => Number(h) * 60 + Number(m);

/**
 * Checks office hours: weekdays "1".."7", each with up to four intervals "HH:mm-HH:mm" on a
 * 24-hour clock (00:00–23:59), start before end, not overlapping. Returns them sorted by start;
 * a day with no interval is dropped. Problems go to `fields` under `<path>.<day>.<i>`.
 */
export function checkOfficeHours(value: Record<string, unknown>, fields: Record<string, MessageRef>, path = 'officeHours'): OfficeHoursInput {
  const result: OfficeHoursInput = {};
  for (const [day, raw] of Object.entries(value)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      fields[`${path}.${day}`] = { key: 'admin:settings.weekday' };
      continue;
    }
    if (!Array.isArray(raw) || raw.length > MAX_INTERVALS_PER_DAY) {
      fields[`${path}.${day}`] = { key: 'admin:settings.intervals', params: { max: MAX_INTERVALS_PER_DAY } };
      continue;
    }
    const parsed: { text: string; from: number; to: number }[] = [];
    raw.forEach((interval, i) => {
      const match = typeof interval === 'string' ? INTERVAL.exec(interval.trim()) : null;
      if (!match) {
        fields[`${path}.${day}.${i}`] = { key: 'admin:settings.interval' };
        return;
      }
      const from = minutes(match[1]!, match[2]!);
      const to = minutes(match[3]!, match[4]!);
      if (from >= to) fields[`${path}.${day}.${i}`] = { key: 'admin:settings.intervalOrder' };
      else parsed.push({ text: (interval as string).trim(), from, to });
    });
    parsed.sort((a, b) => a.from - b.from);
    for (let i = 1; i < parsed.length; i++) {
      if (parsed[i]!.from < parsed[i - 1]!.to) fields[`${path}.${day}`] = { key: 'admin:settings.overlap' };
    }
    if (parsed.length > 0) result[day as Weekday] = parsed.map((p) => p.text);
  }
  return result;
}

/** Checks a patron day "MM-DD" (29 February allowed). */
export function checkPatronDay(value: string, fields: Record<string, MessageRef>, path = 'patronDay'): string {
  if (!isMonthDay(value)) fields[path] = { key: 'admin:settings.patronDay' };
  return value;
}

export function throwIfInvalid(fields: Record<string, MessageRef>): void {
  if (Object.keys(fields).length > 0) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
}

/**
 * Art. 15 year-end redistribution, "need expressed" per comune (the regulation leaves it to us):
 * the voucher hours issued by the comune's programmes in the year (need already taken in charge)
 * plus, for every application still on its waiting list, one four-month programme at the art. 15
 * floor rate: 5 h/week × 18 weeks (ceil(122 days / 7), art. 11) = 90 hours.
 */
export const WAITING_APPLICATION_WEEKS = 18;
export const WAITING_APPLICATION_NEED_HOURS = FLOOR_HOURS_PER_WEEK * WAITING_APPLICATION_WEEKS;

export function computeNeedHours(input: { issuedHours: number; waitingApplications: number }): number {
  return input.issuedHours + input.waitingApplications * WAITING_APPLICATION_NEED_HOURS;
}
