import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateHours,
  allocationOutput,
  FLOOR_HOURS_PER_WEEK,
  redistributeUnspentHours,
  type AllocationInput,
} from '../../../core/regulation/allocation.ts';
import { expectViolation } from './violation.ts';

// The 15 comuni of the ambito with illustrative (not ISTAT) over-65 figures.
const ambito = [
  ['abbiategrasso', 8000],
  ['albairate', 1100],
  ['besate', 500],
  ['bubbiano', 450],
  ['calvignasco', 250],
  ['cassinetta-di-lugagnano', 450],
  ['cisliano', 1000],
  ['gaggiano', 2300],
  ['gudo-visconti', 400],
  ['morimondo', 300],
  ['motta-visconti', 1800],
  ['ozzero', 350],
  ['robecco-sul-naviglio', 1600],
  ['rosate', 1300],
  ['vermezzo-con-zelo', 1000],
].map(([comuneId, over65]) => ({ comuneId: String(comuneId), over65: Number(over65) }));

const hoursOf = (result: { shares: { comuneId: string; hours: number }[] }) => Object.fromEntries(result.shares.map((s) => [s.comuneId, s.hours]));

describe('art. 15 allocation', () => {
  it('shares the budget by over-65 population, lifting small comuni to the floor, adding up exactly', () => {
    const result = allocateHours({ budgetHours: 20_000, weeks: 52, comuni: ambito });
    expect(allocationOutput.parse(result)).toEqual(result);
    const hours = hoursOf(result);
    expect(result.shares.map((s) => s.comuneId)).toEqual(ambito.map((c) => c.comuneId));
    expect(result.shares.reduce((sum, s) => sum + s.hours, 0)).toBe(20_000);
    // 250 over-65 would get ≈ 240 h proportionally: below 5 h × 52 weeks = 260.
    expect(hours['calvignasco']).toBe(260);
    expect(hours['morimondo']).toBe(288); // 300 over-65: ≈ 288 h, above the floor
    for (const share of result.shares) expect(share.hours).toBeGreaterThanOrEqual(260);
    expect(hours['abbiategrasso']).toBeGreaterThan(hours['gaggiano'] ?? 0);
  });

  it('repeats until no share is below the floor', () => {
    // A and B are floored first; the extra they take pushes C under the floor in the second round.
    const result = allocateHours({ budgetHours: 100, weeks: 2, comuni: [{ comuneId: 'a', over65: 1 }, { comuneId: 'b', over65: 1 }, { comuneId: 'c', over65: 12 }, { comuneId: 'd', over65: 86 }] });
    expect(hoursOf(result)).toEqual({ a: 10, b: 10, c: 10, d: 70 });
  });

  it('rounds by largest remainder, ties to the smaller comuneId', () => {
    const comuni = [{ comuneId: 'b', over65: 1 }, { comuneId: 'a', over65: 1 }, { comuneId: 'c', over65: 1 }];
    expect(hoursOf(allocateHours({ budgetHours: 31, weeks: 1, comuni }))).toEqual({ a: 11, b: 10, c: 10 });
    expect(hoursOf(allocateHours({ budgetHours: 32, weeks: 1, comuni }))).toEqual({ a: 11, b: 11, c: 10 });
  });

  it('refuses a budget too small for every floor (art. 15), never cutting silently', () => {
    const violation = expectViolation(() => allocateHours({ budgetHours: 3899, weeks: 52, comuni: ambito }), 'art. 15', { budgetHours: 'rules:budgetBelowFloors' });
    expect(violation.messageRef.params).toEqual({ budgetHours: 3899, requiredHours: 3900, floorHours: 260 });
    expect(allocateHours({ budgetHours: 3900, weeks: 52, comuni: ambito }).shares.every((s) => s.hours === 260)).toBe(true);
  });

  it('rejects malformed input with fields (art. 15)', () => {
    expectViolation(() => allocateHours({ budgetHours: 10.5, weeks: 0, comuni: [] }), 'art. 15', {
      budgetHours: 'rules:wholeNumberRequired',
      weeks: 'rules:belowMinimum',
      comuni: 'rules:atLeastOneItem',
    });
    expectViolation(() => allocateHours({ budgetHours: 100, weeks: 1, comuni: [{ comuneId: 'a', over65: 0 }, { comuneId: 'a', over65: 0 }] }), 'art. 15', {
      'comuni.1.comuneId': 'rules:duplicateId',
      comuni: 'rules:noOver65Population',
    });
  });

  const scenario = fc
    .record({
      populations: fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 10 }),
      weeks: fc.integer({ min: 1, max: 52 }),
      extra: fc.integer({ min: 0, max: 30_000 }),
    })
    .filter(({ populations }) => populations.some((p) => p > 0))
    .map(({ populations, weeks, extra }): AllocationInput => ({
      weeks,
      budgetHours: populations.length * FLOOR_HOURS_PER_WEEK * weeks + extra,
      comuni: populations.map((over65, i) => ({ comuneId: `c${String(i).padStart(2, '0')}`, over65 })),
    }));

  it('always sums to the budget, respects every floor and never favours a smaller population', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { shares } = allocateHours(input);
        const floor = FLOOR_HOURS_PER_WEEK * input.weeks;
        expect(shares.reduce((sum, s) => sum + s.hours, 0)).toBe(input.budgetHours);
        shares.forEach((share, i) => {
          expect(Number.isInteger(share.hours)).toBe(true);
          expect(share.hours).toBeGreaterThanOrEqual(floor);
          shares.forEach((other, j) => {
            if ((input.comuni[i]?.over65 ?? 0) > (input.comuni[j]?.over65 ?? 0)) expect(share.hours).toBeGreaterThanOrEqual(other.hours);
          });
        });
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('gives a comune no more hours when its population falls, all else equal', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.integer({ min: 1, max: 5000 }), (input, pick, drop) => {
        const index = pick % input.comuni.length;
        const target = input.comuni[index];
        if (target === undefined) return;
        const fallen = input.comuni.map((c, i) => (i === index ? { ...c, over65: Math.max(0, c.over65 - drop) } : c));
        fc.pre(fallen.some((c) => c.over65 > 0));
        const before = hoursOf(allocateHours(input))[target.comuneId] ?? 0;
        const after = hoursOf(allocateHours({ ...input, comuni: fallen }))[target.comuneId] ?? 0;
        expect(after).toBeLessThanOrEqual(before);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('does not depend on the order of the comuni', () => {
    fc.assert(
      fc.property(
        scenario.chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray(input.comuni, { minLength: input.comuni.length, maxLength: input.comuni.length }))),
        ([input, shuffled]) => {
          expect(hoursOf(allocateHours({ ...input, comuni: shuffled }))).toEqual(hoursOf(allocateHours(input)));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('art. 15 year-end redistribution', () => {
  it('gives unspent hours to comuni that used theirs, by activity, capped at unmet need', () => {
    const result = redistributeUnspentHours({
      comuni: [
        { comuneId: 'a', allocatedHours: 1000, usedHours: 800, needHours: 900 },
        { comuneId: 'b', allocatedHours: 1000, usedHours: 1000, needHours: 1500 },
        { comuneId: 'c', allocatedHours: 500, usedHours: 500, needHours: 520 },
        { comuneId: 'd', allocatedHours: 300, usedHours: 300, needHours: 300 },
      ],
    });
    expect(result.poolHours).toBe(200);
    expect(result.unassignedHours).toBe(0);
    expect(result.shares.map((s) => [s.comuneId, s.unspentHours, s.receivedHours, s.finalHours])).toEqual([
      ['a', 200, 0, 800],
      ['b', 0, 180, 1180],
      ['c', 0, 20, 520],
      ['d', 0, 0, 300],
    ]);
  });

  it('shares by activity when no cap is reached, and keeps what nobody needs unassigned', () => {
    const shared = redistributeUnspentHours({
      comuni: [
        { comuneId: 'a', allocatedHours: 400, usedHours: 100, needHours: 100 },
        { comuneId: 'b', allocatedHours: 1000, usedHours: 1000, needHours: 5000 },
        { comuneId: 'c', allocatedHours: 500, usedHours: 500, needHours: 5000 },
      ],
    });
    expect(shared.shares.map((s) => s.receivedHours)).toEqual([0, 200, 100]);
    const capped = redistributeUnspentHours({
      comuni: [
        { comuneId: 'a', allocatedHours: 400, usedHours: 100, needHours: 100 },
        { comuneId: 'b', allocatedHours: 1000, usedHours: 1000, needHours: 1050 },
      ],
    });
    expect(capped).toMatchObject({ poolHours: 300, unassignedHours: 250 });
  });

  it('keeps every hour: received + unassigned = pool, caps respected, donors receive nothing', () => {
    const comune = fc.record({ allocatedHours: fc.integer({ min: 0, max: 3000 }), usedHours: fc.integer({ min: 0, max: 3500 }), needHours: fc.integer({ min: 0, max: 5000 }) });
    fc.assert(
      fc.property(fc.array(comune, { minLength: 1, maxLength: 10 }), (rows) => {
        const comuni = rows.map((row, i) => ({ ...row, comuneId: `c${i}` }));
        const result = redistributeUnspentHours({ comuni });
        const received = result.shares.reduce((sum, s) => sum + s.receivedHours, 0);
        expect(received + result.unassignedHours).toBe(result.poolHours);
        expect(result.shares.reduce((sum, s) => sum + s.finalHours, 0)).toBe(comuni.reduce((sum, c) => sum + c.allocatedHours, 0) - result.unassignedHours);
        result.shares.forEach((share, i) => {
          const row = comuni[i];
          if (row === undefined) return;
          expect(share.receivedHours).toBeGreaterThanOrEqual(0);
          if (share.unspentHours > 0) expect(share.receivedHours).toBe(0);
          expect(share.receivedHours).toBeLessThanOrEqual(Math.max(0, row.needHours - row.usedHours));
        });
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
