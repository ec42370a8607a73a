/**
 * The next time a daily job runs, at a wall-clock time in Rome ("03:30"), whatever the season: on the
 * nights the clocks change, an hour that does not exist (02:30 in late March) runs at the first
 * moment after it, and an hour that happens twice runs once, the first time.
 */
import { DateTime } from 'luxon';
import { ROME_ZONE } from './regulation/calendar.ts';

export function nextDailyRun(now: Date, at: string): Date {
  const [hour, minute] = at.split(':').map(Number) as [number, number];
  const rome = DateTime.fromJSDate(now, { zone: ROME_ZONE });
  let next = rome.set({ hour, minute, second: 0, millisecond: 0 });
  if (next.toMillis() <= now.getTime()) next = rome.plus({ days: 1 }).set({ hour, minute, second: 0, millisecond: 0 });
  return next.toJSDate();
}
