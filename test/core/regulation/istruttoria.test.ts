import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarDays, daysBetween } from '../../../core/regulation/calendar.ts';
import { checkIstruttoria, computeIstruttoriaDueDate } from '../../../core/regulation/istruttoria.ts';
import { expectViolation } from './violation.ts';

describe('art. 4 istruttoria', () => {
  it.each([
    ['2026-01-15', '2026-02-14'],
    ['2026-02-10', '2026-03-12'],
    ['2026-03-20', '2026-04-19'], // across the spring DST change: still whole days
    ['2026-12-15', '2027-01-14'],
    ['2028-02-01', '2028-03-02'], // leap year
  ])('application on %s → written answer due by %s', (applied, due) => {
    expect(computeIstruttoriaDueDate(applied)).toBe(due);
  });

  it('is on time on the due day and overdue from the day after', () => {
    expect(checkIstruttoria({ applicationDate: '2026-01-15', today: '2026-02-14' })).toEqual({
      dueDate: '2026-02-14',
      daysLeft: 0,
      overdue: false,
      answeredLate: false,
    });
    expect(checkIstruttoria({ applicationDate: '2026-01-15', today: '2026-02-15' })).toMatchObject({ overdue: true, daysLeft: -1 });
  });

  it('is never overdue once answered, but remembers a late answer', () => {
    expect(checkIstruttoria({ applicationDate: '2026-01-15', today: '2026-03-01', answeredOn: '2026-02-10' })).toMatchObject({
      overdue: false,
      answeredLate: false,
    });
    expect(checkIstruttoria({ applicationDate: '2026-01-15', today: '2026-03-01', answeredOn: '2026-02-20' })).toMatchObject({
      overdue: false,
      answeredLate: true,
    });
  });

  it('rejects invalid dates (art. 4)', () => {
    expectViolation(() => checkIstruttoria({ applicationDate: '2026-13-01', today: 'today' }), 'art. 4', {
      applicationDate: 'rules:invalidDate',
      today: 'rules:invalidDate',
    });
  });

  it('is always exactly 30 calendar days after the application', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), (offset) => {
        const applied = addCalendarDays('2024-01-01', offset);
        expect(daysBetween(applied, computeIstruttoriaDueDate(applied))).toBe(30);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
