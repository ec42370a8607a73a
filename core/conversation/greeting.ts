/**
 * How to answer a greeting: "Buongiorno" in the day and "Buonasera" from 17:00 to 03:59 (Rome), a thank
 * you with "Prego", a goodbye with "Arrivederci". Answering "grazie" or an evening "buonasera"
 * with "Buongiorno!" reads as if nobody had listened.
 */
import { DateTime } from 'luxon';
import { ROME_ZONE } from '../regulation/calendar.ts';

/** From this hour (Rome) until EVENING_ENDS it is "Buonasera" (an early riser at 4:30 is greeted "Buongiorno"). */
const EVENING_STARTS = 17;
const EVENING_ENDS = 4;

/** Rome's offset from UTC is whole hours, so one UTC hour is one Rome hour: kept, not converted per greeting. */
let lastHour = { utcHour: Number.NaN, romeHour: 0 };

export function isEvening(now: Date): boolean {
  const utcHour = Math.floor(now.getTime() / 3_600_000);
  // A time-zone conversion costs ~40 µs, as much as the rest of a greeting's turn.
  if (utcHour !== lastHour.utcHour) lastHour = { utcHour, romeHour: DateTime.fromJSDate(now, { zone: ROME_ZONE }).hour };
  const hour = lastHour.romeHour;
  return hour >= EVENING_STARTS || hour < EVENING_ENDS;
}

/** The reply to a greeting, from the NLU's greeting signal (`greeting:thanks`, `greeting:goodbye`…). */
export function greetingReplyKey(signals: readonly string[] | undefined, now: Date): string {
  if (signals?.includes('greeting:thanks')) return 'chat:thanks';
  if (signals?.includes('greeting:goodbye')) return 'chat:goodbye';
  return isEvening(now) ? 'chat:greetingEvening' : 'chat:greeting';
}
