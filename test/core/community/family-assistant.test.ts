import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkFamilyAssistant,
  checkIncentiveSettings,
  computeMonthlyIncentive,
  DEFAULT_INCENTIVE,
  MAX_WEEKLY_HOURS,
  monthBounds,
} from '../../../core/community/family-assistant.ts';
import { DomainError } from '../../../core/errors.ts';

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return Object.keys(error.fields ?? {}).sort();
    throw error;
  }
  return [];
};

describe("Un euro all'ora", () => {
  it('defaults to 1 € an hour with a 160 € monthly cap', () => {
    expect(DEFAULT_INCENTIVE).toEqual({ centsPerHour: 100, monthlyCapCents: 16_000 });
  });

  it('pays weekly hours for each whole week: February 2026 (28 days) at 25 h/week is 100 hours', () => {
    const r = computeMonthlyIncentive('2026-02', DEFAULT_INCENTIVE, [{ id: 'a', contractStart: '2025-01-01', contractEnd: null, weeklyHours: 25 }]);
    expect(r.contracts[0]).toEqual({ id: 'a', days: 28, hours: 100, amountCents: 10_000 });
    expect(r.totalCents).toBe(10_000);
    expect(r.capped).toBe(false);
  });

  it('counts only the contract days inside the month, rounding hours down', () => {
    // 10–31 March: 22 days × 20 h / 7 = 62.86 → 62 hours.
    const r = computeMonthlyIncentive('2026-03', DEFAULT_INCENTIVE, [{ id: 'a', contractStart: '2026-03-10', contractEnd: null, weeklyHours: 20 }]);
    expect(r.contracts[0]).toMatchObject({ days: 22, hours: 62, amountCents: 6_200 });
    const ended = computeMonthlyIncentive('2026-03', DEFAULT_INCENTIVE, [{ id: 'a', contractStart: '2025-01-01', contractEnd: '2026-02-28', weeklyHours: 20 }]);
    expect(ended.totalCents).toBe(0);
  });

  it('caps the programme total, not each contract', () => {
    const r = computeMonthlyIncentive('2026-03', DEFAULT_INCENTIVE, [
      { id: 'a', contractStart: '2025-01-01', contractEnd: null, weeklyHours: 40 },
      { id: 'b', contractStart: '2025-01-01', contractEnd: null, weeklyHours: 10 },
    ]);
    expect(r.uncappedCents).toBe(17_700 + 4_400);
    expect(r.totalCents).toBe(16_000);
    expect(r.capped).toBe(true);
  });

  it('rejects a month that is not YYYY-MM', () => {
    for (const m of ['2026-13', '2026-3', '26-03', 'marzo']) expect(fieldsOf(() => computeMonthlyIncentive(m, DEFAULT_INCENTIVE, []))).toEqual(['month']);
    expect(monthBounds('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
  });

  it('never pays above the cap or for more hours than worked, and grows with hours (property)', () => {
    const day = fc.integer({ min: 0, max: 800 }).map((n) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    const contract = fc.record({ start: day, length: fc.option(fc.integer({ min: 0, max: 400 })), weeklyHours: fc.integer({ min: 1, max: MAX_WEEKLY_HOURS }) });
    const month = fc.integer({ min: 0, max: 23 }).map((n) => `${2025 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`);
    const settings = fc.record({ centsPerHour: fc.integer({ min: 0, max: 2000 }), monthlyCapCents: fc.integer({ min: 0, max: 200_000 }) });
    fc.assert(
      fc.property(month, settings, fc.array(contract, { maxLength: 4 }), (m, s, cs) => {
        const contracts = cs.map((c, i) => ({
          id: String(i),
          contractStart: c.start,
          contractEnd: c.length === null ? null : new Date(Date.parse(c.start) + c.length * 86_400_000).toISOString().slice(0, 10),
          weeklyHours: c.weeklyHours,
        }));
        const r = computeMonthlyIncentive(m, s, contracts);
        expect(r.totalCents).toBeLessThanOrEqual(s.monthlyCapCents);
        expect(r.totalCents).toBe(Math.min(r.uncappedCents, s.monthlyCapCents));
        for (const row of r.contracts) {
          expect(row.days).toBeGreaterThanOrEqual(0);
          expect(row.days).toBeLessThanOrEqual(31);
          expect(row.hours * 7).toBeLessThanOrEqual(contracts.find((c) => c.id === row.id)!.weeklyHours * row.days);
        }
        const more = computeMonthlyIncentive(m, s, contracts.map((c) => ({ ...c, weeklyHours: Math.min(MAX_WEEKLY_HOURS, c.weeklyHours + 1) })));
        expect(more.totalCents).toBeGreaterThanOrEqual(r.totalCents);
      }),
    );
  });

  it('checks the incentive settings and the assistant record field by field', () => {
    expect(checkIncentiveSettings({ centsPerHour: 150, monthlyCapCents: 20_000 })).toEqual({ centsPerHour: 150, monthlyCapCents: 20_000 });
    expect(fieldsOf(() => checkIncentiveSettings({ centsPerHour: 1.5, monthlyCapCents: -1 }))).toEqual(['incentive.centsPerHour', 'incentive.monthlyCapCents']);
    expect(fieldsOf(() => checkIncentiveSettings({ centsPerHour: 2001, monthlyCapCents: 200_001 }))).toEqual(['incentive.centsPerHour', 'incentive.monthlyCapCents']);
    expect(checkFamilyAssistant({ name: ' Ana ', contractStart: '2026-01-01', weeklyHours: 25, employmentReference: 'INPS-1' })).toEqual({ name: 'Ana' });
    expect(fieldsOf(() => checkFamilyAssistant({ contractStart: '2026-02-30', contractEnd: '2025-01-01', weeklyHours: 55, employmentReference: ' ' }))).toEqual([
      'contractStart',
      'employmentReference',
      'name',
      'weeklyHours',
    ]);
    expect(fieldsOf(() => checkFamilyAssistant({ name: 'Ana', contractStart: '2026-03-01', contractEnd: '2026-02-28', weeklyHours: 0.5, employmentReference: 'x' }))).toEqual(['contractEnd', 'weeklyHours']);
  });
});
