import { DateTime } from 'luxon';

/** The Europe/Rome calendar day of an instant: the one in core/regulation/calendar.ts. */
export { romeDate as romeDateOf } from '../regulation/calendar.ts';

/**
 * A calendar day stored in a timestamp column: noon UTC, which is the same day in Rome in
 * every season (11:00–14:00 local), so reading it back with romeDateOf gives the same day.
 */
export function dayAsInstant(day: string): Date {
  return new Date(`${day}T12:00:00Z`);
}

/** A date as the written answer prints it: "15 marzo 2026" / "15 March 2026". */
export function formatLetterDate(day: string, locale: string): string {
  const parsed = DateTime.fromISO(day, { zone: 'UTC' });
  return parsed.isValid ? parsed.setLocale(locale === 'en' ? 'en-GB' : 'it-IT').toLocaleString(DateTime.DATE_FULL) : day;
}
