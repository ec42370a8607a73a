import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextDailyRun } from '../../core/daily.ts';

const rome = (d: Date) => DateTime.fromJSDate(d, { zone: 'Europe/Rome' }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('nextDailyRun', () => {
  it('is today at that Rome time while it is ahead, tomorrow once it has passed', () => {
    expect(rome(nextDailyRun(new Date('2026-11-23T01:00:00Z'), '03:30'))).toBe('2026-11-23T03:30'); // 02:00 CET
    expect(rome(nextDailyRun(new Date('2026-11-23T02:30:00Z'), '03:30'))).toBe('2026-11-24T03:30'); // 03:30 CET exactly: the next one
    expect(rome(nextDailyRun(new Date('2026-07-01T12:00:00Z'), '03:30'))).toBe('2026-07-02T03:30');
  });

  it('keeps Rome time across the clock changes', () => {
    // The night of 29 March 2026 has no 02:30: the run comes at the first moment after it.
    expect(nextDailyRun(new Date('2026-03-28T12:00:00Z'), '02:30').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(rome(nextDailyRun(new Date('2026-03-28T12:00:00Z'), '03:30'))).toBe('2026-03-29T03:30');
    expect(rome(nextDailyRun(new Date('2026-10-24T12:00:00Z'), '03:30'))).toBe('2026-10-25T03:30');
  });

  it('is always in the future and at most a day (and an hour, across a clock change) away', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }), (now) => {
        const next = nextDailyRun(now, '03:30');
        const ahead = next.getTime() - now.getTime();
        expect(ahead).toBeGreaterThan(0);
        expect(ahead).toBeLessThanOrEqual(25 * 3600_000);
        expect(rome(next).slice(11)).toBe('03:30');
      }),
    );
  });
});
