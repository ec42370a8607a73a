import { describe, expect, it } from 'vitest';
import {
  canInterruptForUnpaidFees,
  computeDefaultFeeDueDate,
  computeMonthlyFee,
  computeMonthlyFees,
  countUnpaidMonths,
  findHourlyFee,
  validateFeeTariff,
  type FeeTariff,
} from '../../../core/regulation/fees.ts';
import { expectViolation } from './violation.ts';

const tariff: FeeTariff = {
  comuneId: 'A010',
  bands: [
    { upToIseeCents: 729_000, centsPerHour: 0 },
    { upToIseeCents: 1_275_000, centsPerHour: 250 },
    { upToIseeCents: null, centsPerHour: 600 },
  ],
};

describe('art. 14 user fees', () => {
  it('charges by the ISEE band of the comune’s tariff, bounds included', () => {
    expect(findHourlyFee(tariff, 729_000)).toBe(0);
    expect(findHourlyFee(tariff, 729_001)).toBe(250);
    expect(findHourlyFee(tariff, 1_275_001)).toBe(600);
    expect(computeMonthlyFee({ tariff, iseeCents: 800_000, redeemedHours: 24 })).toBe(6000);
  });

  it('groups redemptions by calendar month', () => {
    const redemptions = [
      { on: '2026-03-31', hours: 2 },
      { on: '2026-04-01', hours: 3 },
      { on: '2026-03-02', hours: 2 },
    ];
    expect(computeMonthlyFees({ tariff, iseeCents: 2_000_000, redemptions })).toEqual([
      { month: '2026-03', hours: 4, dueCents: 2400 },
      { month: '2026-04', hours: 3, dueCents: 1800 },
    ]);
  });

  it('rejects a malformed tariff (art. 14)', () => {
    expectViolation(
      () =>
        validateFeeTariff({
          comuneId: 'A010',
          bands: [
            { upToIseeCents: 500, centsPerHour: 1.5 },
            { upToIseeCents: null, centsPerHour: 0 },
            { upToIseeCents: 400, centsPerHour: 0 },
          ],
        }),
      'art. 14',
      { 'bands.0.centsPerHour': 'rules:wholeNumberRequired', 'bands.1.upToIseeCents': 'rules:openBandMustBeLast', 'bands.2.upToIseeCents': 'rules:lastBandMustBeOpen' },
    );
    expectViolation(
      () => validateFeeTariff({ comuneId: 'A010', bands: [{ upToIseeCents: 500, centsPerHour: 0 }, { upToIseeCents: 500, centsPerHour: 0 }, { upToIseeCents: null, centsPerHour: 0 }] }),
      'art. 14',
      { 'bands.1.upToIseeCents': 'rules:bandsNotAscending' },
    );
  });

  it('sets the default payment term at the end of the following month', () => {
    expect(computeDefaultFeeDueDate('2026-01')).toBe('2026-02-28');
    expect(computeDefaultFeeDueDate('2027-12')).toBe('2028-01-31');
    expect(computeDefaultFeeDueDate('2028-01')).toBe('2028-02-29');
  });

  it('counts unpaid months past their due date; more than three allow an interruption (art. 13)', () => {
    const statement = (month: string, paidCents: number) => ({ month, dueCents: 1000, paidCents, dueDate: computeDefaultFeeDueDate(month) });
    const statements = [statement('2026-01', 0), statement('2026-02', 1000), statement('2026-03', 500), statement('2026-04', 0), statement('2026-05', 0), statement('2026-06', 0)];
    expect(countUnpaidMonths(statements, '2026-06-30')).toBe(3); // May is due on 30 June: not late yet
    expect(countUnpaidMonths(statements, '2026-07-01')).toBe(4);
    expect(canInterruptForUnpaidFees(3)).toBe(false);
    expect(canInterruptForUnpaidFees(4)).toBe(true);
    expect(countUnpaidMonths([{ month: '2026-01', dueCents: 0, paidCents: 0, dueDate: '2026-02-28' }], '2027-01-01')).toBe(0);
  });
});
