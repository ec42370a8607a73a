import { describe, expect, it } from 'vitest';
import {
  addMonthsMinusOneDay,
  countDaysInclusive,
  findCalendarNotices,
  isIsoDate,
  isMonthDay,
  listPublicHolidays,
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
});
