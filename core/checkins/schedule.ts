/**
 * When a check-in is due (issue #9, *Portierato sociale*). Pure: `now` comes in; days and hours
 * are Europe/Rome wall clock.
 *
 * Defaults chosen (documented in the README closing note):
 * - quiet hours: no prompt to the person before 08:00 or from 20:00 (QUIET_START / QUIET_END);
 *   a window start must lie in 08:00–19:30 so that at least the first prompt fits the day;
 * - national public holidays and the comune's patron day are skipped unless the enrolment says
 *   `onHolidays: true` (families are usually around on those days, and the custode is not);
 * - a confirmed programme suspension (hospital, holiday away) covering the day skips it;
 * - a paused enrolment skips the day; a pause with an end date ends by itself after that day;
 * - a prompt that could not go out by 20:00 (the service was down all day) is recorded as missed,
 *   never sent in the evening.
 */
import { DateTime } from 'luxon';
import { findPublicHoliday, ROME_ZONE } from '../regulation/calendar.ts';

export const QUIET_END_MINUTES = 8 * 60; // prompts allowed from 08:00…
export const QUIET_START_MINUTES = 20 * 60; // …until 20:00 (exclusive)
/** Latest window start: a first prompt and its grace period fit before the quiet hours. */
export const LATEST_WINDOW_START_MINUTES = 19 * 60 + 30;
export const DEFAULT_GRACE_MINUTES = 30;
export const MIN_GRACE_MINUTES = 10;
export const MAX_GRACE_MINUTES = 180;
/** A pause asked for by chat ("pausa controlli") lasts this many days, today included. */
export const CHAT_PAUSE_DAYS = 7;

const HM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of "HH:mm", or undefined when malformed. */
export function parseHm(value: string): number | undefined {
  const m = HM.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** A window start the schedule accepts: a real "HH:mm" between 08:00 and 19:30. */
export function isValidWindowStart(value: string): boolean {
  const minutes = parseHm(value);
  return minutes !== undefined && minutes >= QUIET_END_MINUTES && minutes <= LATEST_WINDOW_START_MINUTES;
}

/** Minutes after local midnight of an instant, Rome wall clock. */
export function romeMinutes(instant: Date): number {
  const d = DateTime.fromJSDate(instant, { zone: ROME_ZONE });
  return d.hour * 60 + d.minute;
}

/** True during the person's quiet hours (no prompt may reach them). */
export function isQuietTime(instant: Date): boolean {
  const m = romeMinutes(instant);
  return m < QUIET_END_MINUTES || m >= QUIET_START_MINUTES;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function weekdayOf(localDate: string): number {
  return DateTime.fromISO(localDate, { zone: ROME_ZONE }).weekday;
}

/** The instant a check-in of `localDate` is due: the window start, Rome wall clock (DST-safe). */
export function dueInstant(localDate: string, windowStart: string): Date {
  const minutes = parseHm(windowStart) ?? QUIET_END_MINUTES;
  const d = DateTime.fromISO(localDate, { zone: ROME_ZONE }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
  return d.toJSDate();
}

/** The end of the allowed prompting hours on `localDate` (20:00 Rome). */
export function quietStartInstant(localDate: string): Date {
  return DateTime.fromISO(localDate, { zone: ROME_ZONE }).set({ hour: QUIET_START_MINUTES / 60, minute: 0, second: 0, millisecond: 0 }).toJSDate();
}

export type SkipReason = 'public_holiday' | 'patron_day' | 'suspension' | 'paused';

export interface DaySchedule {
  weekdays: readonly number[];
  onHolidays: boolean;
  /** Comune patron day 'MM-DD', or null. */
  patronDay: string | null;
  status: 'active' | 'paused' | 'stopped';
  /** Last day of a pause ('YYYY-MM-DD'); null = until resumed. */
  pausedUntil: string | null;
  /** Confirmed suspensions of the person's programmes. */
  suspensions: readonly { fromDate: string; toDate: string | null }[];
}

export type DayDecision = { kind: 'none' } | { kind: 'due' } | { kind: 'skip'; reason: SkipReason };

/** Whether an enrolment pause still holds on `localDate`. */
export function isPausedOn(s: Pick<DaySchedule, 'status' | 'pausedUntil'>, localDate: string): boolean {
  return s.status === 'paused' && (s.pausedUntil === null || localDate <= s.pausedUntil);
}

/**
 * What a day means for an enrolment: not a check-in day at all ('none': stopped, or a weekday
 * not chosen), a day to prompt ('due'), or a check-in day skipped for a reason (recorded).
 */
export function dayDecision(s: DaySchedule, localDate: string): DayDecision {
  if (s.status === 'stopped') return { kind: 'none' };
  if (!s.weekdays.includes(weekdayOf(localDate))) return { kind: 'none' };
  if (isPausedOn(s, localDate)) return { kind: 'skip', reason: 'paused' };
  if (s.suspensions.some((x) => x.fromDate <= localDate && (x.toDate === null || localDate <= x.toDate))) return { kind: 'skip', reason: 'suspension' };
  if (!s.onHolidays) {
    if (findPublicHoliday(localDate)) return { kind: 'skip', reason: 'public_holiday' };
    if (s.patronDay && localDate.slice(5) === s.patronDay) return { kind: 'skip', reason: 'patron_day' };
  }
  return { kind: 'due' };
}

export type SweepDecision =
  | { kind: 'none' }
  | { kind: 'not_yet'; dueAt: Date }
  | { kind: 'prompt'; dueAt: Date }
  | { kind: 'missed'; dueAt: Date }
  | { kind: 'skip'; reason: SkipReason; dueAt: Date };

/**
 * What the sweep does at `now` for an enrolment without an occurrence today: nothing, wait,
 * prompt, record a skipped day (as soon as the day starts being a check-in day), or record a
 * missed prompt (the window passed and the quiet hours began before anything could be sent).
 */
export function sweepDecision(s: DaySchedule & { windowStart: string }, localDate: string, now: Date): SweepDecision {
  const day = dayDecision(s, localDate);
  if (day.kind === 'none') return day;
  const dueAt = dueInstant(localDate, s.windowStart);
  if (now.getTime() < dueAt.getTime()) return { kind: 'not_yet', dueAt };
  if (day.kind === 'skip') return { kind: 'skip', reason: day.reason, dueAt };
  if (now.getTime() >= quietStartInstant(localDate).getTime()) return { kind: 'missed', dueAt };
  return { kind: 'prompt', dueAt };
}
