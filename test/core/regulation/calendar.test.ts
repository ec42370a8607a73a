import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addMonthsMinusOneDay,
  countDaysInclusive,
  daysBetween,
  findCalendarNotices,
  isIsoDate,
  isMonthDay,
  listPublicHolidays,
  parseIsoDate,
  romeDate,
} from '../../../core/regulation/calendar.ts';

describe('calendar', () => {
  it('knows the Italian public holidays, including 4 October from 2026', () => {
    const dates2026 = listPublicHolidays(2026).map((holiday) => holiday.date);
    expect(dates2026).toContain('2026-10-04');
    expect(dates2026).toContain('2026-04-06'); // Easter Monday
    expect(dates2026).not.toContain('2026-05-10'); // Mother's Day is an observance, not a public holiday
    expect(listPublicHolidays(2025).map((holiday) => holiday.date)).not.toContain('2025-10-04');
    expect(dates2026).toHaveLength(13);
  });

  it('reports public holidays and the patron day as notices', () => {
    expect(findCalendarNotices('2026-12-08', '12-07')).toEqual([
      { kind: 'public_holiday', date: '2026-12-08', message: { key: 'rules:visitOnPublicHoliday', params: { date: '2026-12-08', name: 'Immacolata Concezione' } } },
    ]);
    expect(findCalendarNotices('2026-12-07', '12-07')).toEqual([
      { kind: 'patron_day', date: '2026-12-07', message: { key: 'rules:visitOnPatronDay', params: { date: '2026-12-07' } } },
    ]);
    expect(findCalendarNotices('2026-12-09', '12-07')).toEqual([]);
  });

  it('validates dates and month-days', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-2-1')).toBe(false);
    expect(isMonthDay('02-29')).toBe(true);
    expect(isMonthDay('04-31')).toBe(false);
  });

  it('counts calendar days across DST changes as whole days', () => {
    expect(countDaysInclusive('2026-03-28', '2026-03-30')).toBe(3);
    expect(countDaysInclusive('2026-10-24', '2026-10-26')).toBe(3);
    expect(addMonthsMinusOneDay('2026-10-31', 4)).toBe('2027-02-27');
  });

  // The day arithmetic works on plain day numbers; Luxon, which it replaced, is the reference.
  const luxonDay = (value: string) => DateTime.fromISO(value, { zone: 'utc' });
  const dateText = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  const realDate = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

  it('accepts exactly the dates Luxon accepts, and parses them to the same day', () => {
    fc.assert(
      fc.property(fc.oneof(dateText, realDate, fc.string({ maxLength: 12 })), (text) => {
        const reference = luxonDay(text);
        const expected = /^\d{4}-\d{2}-\d{2}$/.test(text) && reference.isValid;
        expect(isIsoDate(text)).toBe(expected);
        if (expected) expect(parseIsoDate(text)?.toMillis()).toBe(reference.toMillis());
      }),
      { numRuns: 2000 },
    );
  });

  it('adds and counts days as Luxon does, across DST changes and leap years', () => {
    fc.assert(
      fc.property(realDate, realDate, fc.integer({ min: -4000, max: 4000 }), (a, b, n) => {
        expect(addCalendarDays(a, n)).toBe(luxonDay(a).plus({ days: n }).toISODate());
        expect(daysBetween(a, b)).toBe(Math.round(luxonDay(b).diff(luxonDay(a), 'days').days));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads an instant's day in Rome as Luxon does (midnight and DST edges included)", () => {
    const edges = ['2026-03-28T23:00:00Z', '2026-03-29T00:59:59Z', '2026-10-24T21:59:59Z', '2026-10-24T22:00:00Z', '2026-12-31T23:00:00Z'];
    for (const iso of edges) expect(romeDate(new Date(iso)), iso).toBe(DateTime.fromISO(iso, { zone: 'Europe/Rome' }).toISODate());
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), (d) => {
        expect(romeDate(d)).toBe(DateTime.fromJSDate(d, { zone: 'Europe/Rome' }).toISODate());
      }),
      { numRuns: 2000 },
    );
  });
});
