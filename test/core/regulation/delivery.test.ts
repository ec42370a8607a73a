import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkVisit,
  checkVisitPlan,
  checkWeeklyCap,
  recordDeliveryException,
  sumHoursByIsoWeek,
  type Visit,
} from '../../../core/regulation/delivery.ts';
import { RuleViolation } from '../../../core/errors.ts';
import { expectViolation } from './violation.ts';

const family = { livesAloneWithoutFamily: false };
const alone = { livesAloneWithoutFamily: true };
const capException = { kind: 'weekly_cap' as const, reason: 'Dimissione ospedaliera', author: 'Sara Bianchi' };

describe('art. 8 time window (Monday–Saturday 08:00–20:00, Europe/Rome)', () => {
  it.each([
    ['2026-11-23T08:00', 1],
    ['2026-11-23T19:00', 1],
    ['2026-11-23T08:00', 12],
    ['2026-11-28T10:30', 2], // Saturday
  ])('accepts %s for %i h', (start, hours) => {
    expect(() => checkVisit({ start, hours }, family)).not.toThrow();
  });

  it.each([
    ['2026-11-23T07:59', 1],
    ['2026-11-23T19:30', 1],
    ['2026-11-23T19:00', 2],
    ['2026-11-23T20:00', 1],
    ['2026-11-23T22:00', 3], // would run past midnight
  ])('rejects %s for %i h (art. 8)', (start, hours) => {
    expectViolation(() => checkVisit({ start, hours }, family), 'art. 8', { 'visit.start': 'rules:outsideDeliveryHours' });
  });

  it('returns the visit in Rome time with its ISO week', () => {
    expect(checkVisit({ start: '2026-11-23T09:00', hours: 2 }, family)).toEqual({
      start: '2026-11-23T09:00:00.000+01:00',
      end: '2026-11-23T11:00:00.000+01:00',
      date: '2026-11-23',
      isoWeek: '2026-W48',
      hours: 2,
      warnings: [],
    });
  });

  it('allows Sunday only for people living alone without family support', () => {
    expectViolation(() => checkVisit({ start: '2026-11-22T09:00', hours: 1 }, family), 'art. 8', { 'visit.start': 'rules:sundayOnlyForPeopleAlone' });
    expect(checkVisit({ start: '2026-11-22T09:00', hours: 1 }, alone).date).toBe('2026-11-22');
  });

  it('counts only whole hours', () => {
    expectViolation(() => checkVisit({ start: '2026-11-23T09:00', hours: 1.5 }, family), 'art. 8', { 'visit.hours': 'rules:wholeHoursOnly' });
    expectViolation(() => checkVisit({ start: '2026-11-23T09:00', hours: 0 }, family), 'art. 8', { 'visit.hours': 'rules:wholeHoursOnly' });
  });

  it('converts instants with an offset into Rome wall-clock time, on both sides of each DST change', () => {
    // Last Sunday of March 2026: 06:00Z is 08:00 CEST; the day before it was 07:00 CET.
    expect(checkVisit({ start: '2026-03-29T06:00:00Z', hours: 1 }, alone).start).toBe('2026-03-29T08:00:00.000+02:00');
    expectViolation(() => checkVisit({ start: '2026-03-28T06:00:00Z', hours: 1 }, alone), 'art. 8', { 'visit.start': 'rules:outsideDeliveryHours' });
    // Last Sunday of October 2026: 07:00Z is 08:00 CET; the day before it was 09:00 CEST.
    expect(checkVisit({ start: '2026-10-25T07:00:00Z', hours: 12 }, alone).end).toBe('2026-10-25T20:00:00.000+01:00');
    expect(checkVisit({ start: '2026-10-24T07:00:00Z', hours: 11 }, family).start).toBe('2026-10-24T09:00:00.000+02:00');
    expectViolation(() => checkVisit({ start: '2026-10-24T07:00:00Z', hours: 12 }, family), 'art. 8');
  });

  it('rejects a malformed start', () => {
    expectViolation(() => checkVisit({ start: '23/11/2026 09:00', hours: 1 }, family), 'art. 8', { 'visit.start': 'rules:invalidDateTime' });
    expectViolation(() => checkVisit({ start: '2026-11-23', hours: 1 }, family), 'art. 8', { 'visit.start': 'rules:invalidDateTime' });
  });

  it('warns (never rejects) on public holidays and the patron day', () => {
    expect(checkVisit({ start: '2027-10-04T09:00', hours: 1 }, family).warnings.map((w) => w.kind)).toEqual(['public_holiday']);
    expect(checkVisit({ start: '2026-12-07T09:00', hours: 1 }, { ...family, patronDay: '12-07' }).warnings.map((w) => w.kind)).toEqual(['patron_day']);
    expectViolation(() => checkVisit({ start: '2026-12-07T09:00', hours: 1 }, { ...family, patronDay: '7 dicembre' }), 'art. 8', {
      patronDay: 'rules:invalidMonthDay',
    });
  });
});

describe('art. 8 weekly cap (10 h per ISO week per case)', () => {
  const week = (hours: number[]): Visit[] => hours.map((h, i) => ({ start: `2026-11-${String(23 + i).padStart(2, '0')}T09:00`, hours: h }));

  it('accepts 10 hours in a week, rejects 11', () => {
    expect(checkWeeklyCap(week([4, 3, 3]))).toEqual([{ isoWeek: '2026-W48', hours: 10, overCap: false }]);
    expectViolation(() => checkWeeklyCap(week([4, 4, 3])), 'art. 8', { 'weeks.2026-W48': 'rules:weeklyCapExceeded' });
  });

  it('counts ISO weeks: Sunday closes the week, and 1 January 2027 is in 2026-W53', () => {
    const visits = [
      { start: '2026-11-29T09:00', hours: 6 }, // Sunday of W48
      { start: '2026-11-30T09:00', hours: 6 }, // Monday of W49
      { start: '2026-12-31T09:00', hours: 2 },
      { start: '2027-01-01T09:00', hours: 2 },
    ];
    expect(sumHoursByIsoWeek(visits).map((w) => [w.isoWeek, w.hours])).toEqual([
      ['2026-W48', 6],
      ['2026-W49', 6],
      ['2026-W53', 4],
    ]);
  });

  it('allows more under a weekly_cap exception with reason and author, up to its own cap', () => {
    expect(checkWeeklyCap(week([6, 6]), capException)[0]).toMatchObject({ hours: 12, overCap: true });
    expectViolation(() => checkWeeklyCap(week([6, 6, 2]), { ...capException, maxWeeklyHours: 12 }), 'art. 8', {
      'weeks.2026-W48': 'rules:weeklyCapExceeded',
    });
    expectViolation(() => checkWeeklyCap(week([6, 6]), { kind: 'urgent_social_intervention', reason: 'Caduta', author: 'Sara' }), 'art. 8');
  });

  it('requires reason and author for every exception', () => {
    expectViolation(() => recordDeliveryException({ kind: 'urgent_social_intervention', reason: '  ', author: '' }), 'art. 8', {
      reason: 'rules:required',
      author: 'rules:required',
    });
    expectViolation(() => recordDeliveryException({ ...capException, maxWeeklyHours: 10 }), 'art. 8', { maxWeeklyHours: 'rules:belowMinimum' });
    expect(recordDeliveryException({ kind: 'urgent_social_intervention', reason: ' Caduta ', author: 'Sara' })).toEqual({
      kind: 'urgent_social_intervention',
      reason: 'Caduta',
      author: 'Sara',
    });
  });

  it('checks a whole plan: every visit, every week, all warnings', () => {
    const plan = checkVisitPlan([{ start: '2026-12-08T09:00', hours: 2 }, { start: '2026-12-09T09:00', hours: 2 }], { ...family, patronDay: '12-09' });
    expect(plan.weeks).toEqual([{ isoWeek: '2026-W50', hours: 4, overCap: false }]);
    expect(plan.warnings.map((w) => w.kind)).toEqual(['public_holiday', 'patron_day']);
    expectViolation(
      () => checkVisitPlan([{ start: '2026-12-06T09:00', hours: 2 }, { start: '2026-12-07T06:00', hours: 11 }], family),
      'art. 8',
      { 'visits.0.start': 'rules:sundayOnlyForPeopleAlone', 'visits.1.start': 'rules:outsideDeliveryHours', 'weeks.2026-W50': 'rules:weeklyCapExceeded' },
    );
  });
});

// An oracle independent of luxon: the wall clock of Europe/Rome as Intl reports it.
const romeClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Rome',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
function wallClock(instant: Date): { day: string; weekday: string; minutes: number } {
  const parts = Object.fromEntries(romeClock.formatToParts(instant).map((part) => [part.type, part.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, weekday: parts.weekday ?? '', minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

describe('art. 8 properties', () => {
  // DST days of 2026–2027 and their neighbours, plus arbitrary days.
  const days = fc.oneof(
    fc.constantFrom('2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26', '2027-03-28', '2027-10-31'),
    fc.integer({ min: 0, max: 729 }).map((offset) => new Date(Date.UTC(2026, 0, 1 + offset)).toISOString().slice(0, 10)),
  );

  it('accepts an instant exactly when its Rome wall clock starts and ends within 08:00–20:00 of a weekday', () => {
    fc.assert(
      fc.property(days, fc.integer({ min: -120, max: 1560 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), (day, minuteUtc, hours, livesAlone) => {
        const instant = new Date(Date.parse(`${day}T00:00:00Z`) + minuteUtc * 60_000);
        const startClock = wallClock(instant);
        const endClock = wallClock(new Date(instant.getTime() + hours * 3_600_000));
        const expected =
          startClock.day === endClock.day &&
          startClock.minutes >= 8 * 60 &&
          endClock.minutes <= 20 * 60 &&
          (startClock.weekday !== 'Sun' || livesAlone);
        let accepted = true;
        try {
          checkVisit({ start: instant.toISOString(), hours }, { livesAloneWithoutFamily: livesAlone });
        } catch (error) {
          if (!(error instanceof RuleViolation)) throw error;
          accepted = false;
        }
        expect(accepted).toBe(expected);
      }),
      { seed: 42, numRuns: 800 },
    );
  });

  it('treats a wall-clock start the same on DST days as on any other day', () => {
    fc.assert(
      fc.property(days, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 6 }), (day, hour, hours) => {
        const start = `${day}T${String(hour).padStart(2, '0')}:00`;
        let accepted = true;
        try {
          checkVisit({ start, hours }, alone);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(hour >= 8 && hour + hours <= 20);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('rejects a set of visits exactly when some ISO week has more than 10 hours', () => {
    const visit = fc.record({
      day: fc.integer({ min: 0, max: 27 }),
      hour: fc.integer({ min: 8, max: 16 }),
      hours: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(visit, { maxLength: 12 }), (raw) => {
        // 2026-11-02 is a Monday: day d is in week floor(d / 7).
        const visits = raw.map(({ day, hour, hours }) => ({
          start: `${new Date(Date.UTC(2026, 10, 2 + day)).toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`,
          hours,
        }));
        const perWeek = new Map<number, number>();
        raw.forEach(({ day, hours }) => perWeek.set(Math.floor(day / 7), (perWeek.get(Math.floor(day / 7)) ?? 0) + hours));
        const over = [...perWeek.values()].some((hours) => hours > 10);
        let accepted = true;
        try {
          const weeks = checkWeeklyCap(visits);
          expect(weeks.reduce((sum, w) => sum + w.hours, 0)).toBe(raw.reduce((sum, v) => sum + v.hours, 0));
        } catch (error) {
          if (!(error instanceof RuleViolation)) throw error;
          accepted = false;
        }
        expect(accepted).toBe(!over);
        expect(() => checkWeeklyCap(visits, capException)).not.toThrow();
      }),
      { seed: 42, numRuns: 400 },
    );
  });
});
