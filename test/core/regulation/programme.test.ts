import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarDays, countDaysInclusive } from '../../../core/regulation/calendar.ts';
import { computeBalance, type LedgerEntry } from '../../../core/regulation/ledger.ts';
import {
  computeHoursIssued,
  computeMaxProgrammeEnd,
  countProgrammeWeeks,
  interruptProgramme,
  isProgrammeActiveOn,
  issueVouchers,
  planProgramme,
  redeemProgrammeHours,
  renewProgramme,
  suspendProgramme,
  type ProgrammeInput,
} from '../../../core/regulation/programme.ts';
import { expectDomainError, expectViolation } from './violation.ts';

// Maria: 6 h/week, hygiene 2B, meal 6A, shopping 8A.
const maria: ProgrammeInput = {
  services: ['2B', '6A', '8A'],
  weeklyHours: 6,
  operators: 1,
  visitsPerWeek: 3,
  start: '2026-03-02',
  plannedEnd: '2026-07-01',
  providerId: 'coop-il-sole',
  accreditedProviderIds: ['coop-il-sole', 'amici-di-gudo'],
  contractSigned: true,
};

describe('art. 11 four-month period', () => {
  it.each([
    ['2026-03-02', '2026-07-01'],
    ['2026-01-01', '2026-04-30'],
    ['2026-01-31', '2026-05-30'], // 31 May exists: no clamping
    ['2026-10-28', '2027-02-27'], // 28 Feb 2027 minus one day
    ['2026-10-31', '2027-02-27'], // 31 Feb does not exist: luxon clamps to 28 Feb, minus one day
    ['2026-11-01', '2027-02-28'],
    ['2027-10-31', '2028-02-28'], // leap year: clamped to 29 Feb, minus one day
  ])('a programme starting %s may end at the latest on %s', (start, maxEnd) => {
    expect(computeMaxProgrammeEnd(start)).toBe(maxEnd);
  });

  it.each([
    ['2026-03-02', '2026-03-08', 1],
    ['2026-03-02', '2026-03-09', 2], // one day into the second week counts a whole week
    ['2026-03-02', '2026-07-01', 18], // 122 days
    ['2026-11-01', '2027-02-28', 18], // 120 days
  ])('%s to %s is %i weeks of vouchers', (start, end, weeks) => {
    expect(countProgrammeWeeks(start, end)).toBe(weeks);
  });

  it("issues weekly hours × weeks, all on the programme's first day", () => {
    const programme = planProgramme(maria);
    expect(programme).toMatchObject({ period: 1, weeks: 18, hoursIssued: 108, maxEnd: '2026-07-01', effectiveEnd: '2026-07-01', status: 'active' });
    expect(issueVouchers(programme)).toEqual({ kind: 'issue', hours: 108, on: '2026-03-02' });
  });

  it('rejects a planned end past start + 4 months − 1 day (art. 11)', () => {
    const violation = expectViolation(() => planProgramme({ ...maria, plannedEnd: '2026-07-02' }), 'art. 11', { plannedEnd: 'rules:programmeTooLong' });
    expect(violation.fields?.['plannedEnd']?.params).toEqual({ maxEnd: '2026-07-01', months: 4 });
    expectViolation(() => planProgramme({ ...maria, plannedEnd: '2026-03-01' }), 'art. 11', { plannedEnd: 'rules:endBeforeStart' });
  });

  it('keeps hours issued = weekly hours × ceil(days / 7) and the maximum end monotone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 10 }), (offset, length, weeklyHours) => {
        const start = addCalendarDays('2026-01-01', offset);
        const maxEnd = computeMaxProgrammeEnd(start);
        const days = countDaysInclusive(start, maxEnd);
        expect(days).toBeGreaterThanOrEqual(120);
        expect(days).toBeLessThanOrEqual(123);
        expect(computeMaxProgrammeEnd(addCalendarDays(start, 1)) >= maxEnd).toBe(true);
        const end = addCalendarDays(start, length);
        const input = { ...maria, start, plannedEnd: end, weeklyHours, visitsPerWeek: 1 };
        if (end > maxEnd) {
          expectViolation(() => planProgramme(input), 'art. 11', { plannedEnd: 'rules:programmeTooLong' });
        } else {
          const programme = planProgramme(input);
          const weeks = countProgrammeWeeks(start, end);
          expect(weeks * 7).toBeGreaterThanOrEqual(length + 1);
          expect((weeks - 1) * 7).toBeLessThan(length + 1);
          expect(programme.hoursIssued).toBe(weeklyHours * weeks);
          expect(computeHoursIssued(weeklyHours, start, end)).toBe(programme.hoursIssued);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('art. 7, 8, 10 programme content', () => {
  it('needs a weekly_cap exception for more than 10 h/week (art. 8)', () => {
    expectViolation(() => planProgramme({ ...maria, weeklyHours: 12 }), 'art. 8', { weeklyHours: 'rules:weeklyHoursNeedException' });
    const exception = { kind: 'weekly_cap' as const, reason: 'Dimissione ospedaliera', author: 'Sara Bianchi', maxWeeklyHours: 14 };
    expect(planProgramme({ ...maria, weeklyHours: 12, weeklyCapException: exception }).hoursIssued).toBe(12 * 18);
    expectViolation(() => planProgramme({ ...maria, weeklyHours: 15, weeklyCapException: exception }), 'art. 8', { weeklyHours: 'rules:aboveMaximum' });
    expectViolation(() => planProgramme({ ...maria, weeklyHours: 12, weeklyCapException: { ...exception, author: '' } }), 'art. 8', {
      'weeklyCapException.author': 'rules:required',
    });
  });

  it('accepts art. 7 codes and the comune’s own, nothing else (art. 7)', () => {
    const extraServices = [{ code: 'ADHOC-SCUOLA', name: 'Accompagnamento a scuola' }];
    expect(planProgramme({ ...maria, services: ['8A', 'ADHOC-SCUOLA'], extraServices }).services).toEqual(['8A', 'ADHOC-SCUOLA']);
    expectViolation(() => planProgramme({ ...maria, services: ['9Z', '8A', '8A'] }), 'art. 7', {
      'services.0': 'rules:unknownServiceCode',
      'services.2': 'rules:duplicateId',
    });
    expectViolation(() => planProgramme({ ...maria, services: [] }), 'art. 7', { services: 'rules:atLeastOneItem' });
  });

  it('checks operators, periodicity and the freely chosen accredited provider (art. 10)', () => {
    expectViolation(() => planProgramme({ ...maria, operators: 0, visitsPerWeek: 7, providerId: 'someone-else' }), 'art. 10', {
      operators: 'rules:belowMinimum',
      visitsPerWeek: 'rules:moreVisitsThanHours',
      providerId: 'rules:providerNotAccredited',
    });
    expect(planProgramme({ ...maria, contractSigned: false, resources: ' figlia il sabato ' })).toMatchObject({ contractSigned: false, resources: 'figlia il sabato' });
  });

  it('names the first broken article when several are broken, listing every field', () => {
    const violation = expectViolation(() => planProgramme({ ...maria, plannedEnd: '2026-09-01', operators: 0 }), 'art. 11');
    expect(Object.keys(violation.fields ?? {}).sort()).toEqual(['operators', 'plannedEnd']);
  });
});

describe('art. 11 renewal, art. 13 suspension and interruption', () => {
  const programme = planProgramme(maria);
  const entries: LedgerEntry[] = [issueVouchers(programme), { kind: 'redeem', hours: 100, on: '2026-06-20' }];

  it('renews with a new period, a new free choice of provider, returning what is left', () => {
    const { start: _previousStart, ...confirmed } = maria;
    const { programme: next, closing, issue } = renewProgramme(programme, entries, { ...confirmed, providerId: 'amici-di-gudo', plannedEnd: '2026-10-31' });
    expect(next).toMatchObject({ period: 2, start: '2026-07-02', maxEnd: '2026-11-01', providerId: 'amici-di-gudo' });
    expect(closing).toEqual({ kind: 'return', hours: 8, on: '2026-07-01', reason: 'period_ended' });
    expect(issue).toEqual({ kind: 'issue', hours: 6 * 18, on: '2026-07-02' });
  });

  it('does not renew into the previous period or after an interruption (art. 11)', () => {
    expectViolation(() => renewProgramme(programme, entries, { ...maria, start: '2026-06-30', plannedEnd: '2026-09-30' }), 'art. 11', {
      start: 'rules:renewalOverlaps',
    });
    const { programme: stopped } = interruptProgramme(programme, entries, { reason: 'renunciation', on: '2026-05-01', author: 'Sara' });
    expectViolation(() => renewProgramme(stopped, entries, { ...maria, start: '2026-07-02', plannedEnd: '2026-10-31' }), 'art. 11');
  });

  it('moves the end by the suspended days, the only way past four months', () => {
    // Maria in hospital for a week in March.
    const suspended = suspendProgramme(programme, { from: '2026-03-16', to: '2026-03-22', reason: 'Ricovero' });
    expect(suspended).toMatchObject({ effectiveEnd: '2026-07-08', plannedEnd: '2026-07-01', hoursIssued: 108 });
    expect(suspended.suspensions).toEqual([{ from: '2026-03-16', to: '2026-03-22', days: 7, reason: 'Ricovero' }]);
    const twice = suspendProgramme(suspended, { from: '2026-07-05', to: '2026-07-10' });
    expect(twice.effectiveEnd).toBe('2026-07-14');
    expect(isProgrammeActiveOn(twice, '2026-03-18')).toBe(false);
    expect(isProgrammeActiveOn(twice, '2026-07-14')).toBe(true);
    expect(isProgrammeActiveOn(twice, '2026-07-15')).toBe(false);
  });

  it('rejects overlapping suspensions and suspensions outside the programme (art. 13)', () => {
    const suspended = suspendProgramme(programme, { from: '2026-03-16', to: '2026-03-22' });
    expectViolation(() => suspendProgramme(suspended, { from: '2026-03-20', to: '2026-03-25' }), 'art. 13', { from: 'rules:suspensionsOverlap' });
    expectViolation(() => suspendProgramme(programme, { from: '2026-02-01', to: '2026-02-03' }), 'art. 13', { from: 'rules:outsideProgrammePeriod' });
    expectViolation(() => suspendProgramme(programme, { from: '2026-04-05', to: '2026-04-01' }), 'art. 13', { to: 'rules:endBeforeStart' });
  });

  it('interrupts, returning the unused hours', () => {
    const { programme: stopped, returned } = interruptProgramme(programme, entries, { reason: 'permanent_admission', on: '2026-06-25', author: 'Sara' });
    expect(stopped).toMatchObject({ status: 'interrupted', interruption: { reason: 'permanent_admission', on: '2026-06-25', author: 'Sara' } });
    expect(returned).toEqual({ kind: 'return', hours: 8, on: '2026-06-25', reason: 'permanent_admission' });
    expect(computeBalance([...entries, returned as LedgerEntry]).balance).toBe(0);
    expectViolation(() => redeemProgrammeHours(stopped, entries, { hours: 1, on: '2026-06-26' }), 'art. 11', { on: 'rules:outsideProgrammePeriod' });
  });

  it('interrupts for unpaid fees only after more than three months (art. 13)', () => {
    expectViolation(() => interruptProgramme(programme, entries, { reason: 'fees_unpaid', on: '2026-06-25', author: 'Sara', unpaidMonths: 3 }), 'art. 13', {
      unpaidMonths: 'rules:feesNotUnpaidLongEnough',
    });
    expectViolation(() => interruptProgramme(programme, entries, { reason: 'fees_unpaid', on: '2026-06-25', author: 'Sara' }), 'art. 13', {
      unpaidMonths: 'rules:required',
    });
    expect(interruptProgramme(programme, entries, { reason: 'fees_unpaid', on: '2026-06-25', author: 'Sara', unpaidMonths: 4 }).programme.status).toBe('interrupted');
  });

  it('redeems only on active days, then within the balance', () => {
    expect(redeemProgrammeHours(programme, entries, { hours: 2, on: '2026-06-30' })).toEqual({ kind: 'redeem', hours: 2, on: '2026-06-30' });
    expectViolation(() => redeemProgrammeHours(programme, entries, { hours: 2, on: '2026-07-02' }), 'art. 11', { on: 'rules:outsideProgrammePeriod' });
    expectDomainError(() => redeemProgrammeHours(programme, entries, { hours: 9, on: '2026-06-30' }), 'INSUFFICIENT_BALANCE', 'art. 11');
    expectViolation(() => redeemProgrammeHours(programme, entries, { hours: 1.5, on: '2026-06-30' }), 'art. 11', { hours: 'rules:wholeHoursOnly' });
  });
});
