import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIseeValidity, findIseeBand, ISEE_BANDS, scoreIsee } from '../../../core/regulation/isee.ts';
import { expectViolation } from './violation.ts';

describe('art. 6 ISEE bands', () => {
  it.each([
    [0, 20, 'band-1'],
    [728_999, 20, 'band-1'],
    [729_000, 20, 'band-1'], // 7,290.00 € exactly: the first band's upper bound is inclusive
    [729_001, 18, 'band-2'],
    [820_000, 18, 'band-2'],
    [820_001, 16, 'band-3'],
    [911_000, 16, 'band-3'],
    [911_001, 14, 'band-4'],
    [1_003_000, 14, 'band-4'],
    [1_003_001, 12, 'band-5'],
    [1_094_000, 12, 'band-5'],
    [1_094_001, 10, 'band-6'],
    [1_185_000, 10, 'band-6'],
    [1_185_001, 8, 'band-7'],
    [1_275_000, 8, 'band-7'],
    [1_275_001, 6, 'band-8'],
    [50_000_000, 6, 'band-8'],
  ])('%i cents → %i points (%s)', (cents, points, id) => {
    expect(scoreIsee(cents)).toBe(points);
    expect(findIseeBand(cents).id).toBe(id);
  });

  it('bands are contiguous, cover every amount and give 20 down to 6 points', () => {
    expect(ISEE_BANDS.map((band) => band.points)).toEqual([20, 18, 16, 14, 12, 10, 8, 6]);
    expect(ISEE_BANDS[0]?.minCents).toBe(0);
    ISEE_BANDS.slice(1).forEach((band, index) => expect(band.minCents).toBe((ISEE_BANDS[index]?.maxCents ?? NaN) + 1));
    expect(ISEE_BANDS.at(-1)?.maxCents).toBeNull();
  });

  it.each([[1.5], [-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('rejects %s cents, never rounding (art. 6)', (cents) => {
    expectViolation(() => scoreIsee(cents), 'art. 6', { iseeCents: cents === -1 ? 'rules:negativeNotAllowed' : 'rules:wholeNumberRequired' });
  });

  it('is monotone: a higher ISEE never gets more points', () => {
    fc.assert(
      fc.property(fc.nat({ max: 3_000_000 }), fc.nat({ max: 3_000_000 }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(scoreIsee(low)).toBeGreaterThanOrEqual(scoreIsee(high));
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('puts every amount in the one band whose bounds contain it', () => {
    fc.assert(
      fc.property(fc.nat({ max: 3_000_000 }), (cents) => {
        const containing = ISEE_BANDS.filter((band) => cents >= band.minCents && (band.maxCents === null || cents <= band.maxCents));
        expect(containing).toHaveLength(1);
        expect(findIseeBand(cents)).toBe(containing[0]);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('changes points only across a band boundary', () => {
    const boundaries = ISEE_BANDS.flatMap((band) => (band.maxCents === null ? [] : [band.maxCents]));
    fc.assert(
      fc.property(fc.constantFrom(...boundaries), (max) => {
        expect(scoreIsee(max)).toBe(scoreIsee(max - 1));
        expect(scoreIsee(max + 1)).toBe(scoreIsee(max) - 2);
      }),
      { seed: 42, numRuns: 50 },
    );
  });
});

describe('art. 4/6 ISEE validity', () => {
  it('is valid through 31 December of its year', () => {
    expect(checkIseeValidity(2026, '2026-12-31')).toEqual({ year: 2026, validUntil: '2026-12-31', expired: false });
  });

  it('has expired from 1 January: the application must be rescored', () => {
    expect(checkIseeValidity(2026, '2027-01-01').expired).toBe(true);
  });

  it('rejects a year after today (art. 4)', () => {
    expectViolation(() => checkIseeValidity(2027, '2026-06-01'), 'art. 4', { iseeYear: 'rules:iseeYearInFuture' });
  });
});
