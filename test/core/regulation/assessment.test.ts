import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assessmentBreakdownOutput,
  CRITERIA,
  CRITERION_MAXIMA,
  ITEM_SCALES,
  pointsFromItems,
  previewAssessment,
  SCORED_CRITERIA,
  scoreAssessment,
  type ScoredCriterion,
} from '../../../core/regulation/assessment.ts';
import { expectViolation } from './violation.ts';

const criteria = { autonomy: 28, family: 9, network: 3, stress: 9, housing: 2 };
const items = {
  autonomy: [4, 3, 3, 2, 3, 2, 4, 3, 2, 2],
  family: [1, 2, 2, 2],
  network: [3],
  stress: [3],
  housing: [1, 1],
};

describe('art. 5 weights and art. 6 item scales', () => {
  it('keeps the maxima of art. 5, adding up to 100', () => {
    expect(CRITERION_MAXIMA).toEqual({ autonomy: 40, family: 15, network: 5, stress: 15, housing: 5, economic: 20 });
    expect(CRITERIA.reduce((sum, criterion) => sum + CRITERION_MAXIMA[criterion], 0)).toBe(100);
  });

  it.each(SCORED_CRITERIA.map((criterion) => [criterion]))('%s: the items at their top level give exactly the maximum', (criterion) => {
    const scales = ITEM_SCALES[criterion];
    expect(scales.reduce((sum, scale) => sum + scale.maxLevel * scale.pointsPerLevel, 0)).toBe(CRITERION_MAXIMA[criterion]);
  });

  it('has one item per art. 6 indicator', () => {
    expect(ITEM_SCALES.autonomy.map((scale) => scale.indicator)).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '1.10']);
    expect(ITEM_SCALES.family).toHaveLength(4);
    expect(ITEM_SCALES.network).toHaveLength(1);
    expect(ITEM_SCALES.stress).toHaveLength(1);
    expect(ITEM_SCALES.housing).toHaveLength(2);
  });
});

describe('previewAssessment', () => {
  it('explains the score: each criterion, the ISEE band used, the total', () => {
    const result = previewAssessment({ criteria, iseeCents: 800_000, items });
    expect(result).toEqual({
      criteria: { ...criteria, economic: 18 },
      total: 28 + 9 + 3 + 9 + 2 + 18,
      iseeBand: { id: 'band-2', minCents: 729_001, maxCents: 820_000, points: 18 },
    });
    expect(assessmentBreakdownOutput.parse(result)).toEqual(result);
  });

  it('accepts points without item detail, and the open top band', () => {
    const result = previewAssessment({ criteria, iseeCents: 2_000_000 });
    expect(result.iseeBand).toEqual({ id: 'band-8', minCents: 1_275_001, maxCents: null, points: 6 });
    expect(result.total).toBe(51 + 6);
  });

  it('gives 100 points at every maximum and 7,290.00 € of ISEE', () => {
    const top = { autonomy: 40, family: 15, network: 5, stress: 15, housing: 5 };
    expect(previewAssessment({ criteria: top, iseeCents: 729_000 }).total).toBe(100);
  });

  it('rejects points that do not match the items, naming both (art. 6)', () => {
    const violation = expectViolation(
      () => previewAssessment({ criteria: { ...criteria, autonomy: 30 }, iseeCents: 0, items }),
      'art. 6',
      { 'criteria.autonomy': 'rules:pointsDoNotMatchItems' },
    );
    expect(violation.fields?.['criteria.autonomy']?.params).toEqual({ given: 30, fromItems: 28 });
  });

  it('rejects a criterion above its maximum, never clamping (art. 5)', () => {
    expectViolation(() => previewAssessment({ criteria: { ...criteria, autonomy: 41 }, iseeCents: 0 }), 'art. 5', {
      'criteria.autonomy': 'rules:aboveMaximum',
    });
  });

  it('rejects non-integer and negative points and ISEE (art. 6)', () => {
    expectViolation(
      () => previewAssessment({ criteria: { ...criteria, family: 2.5, housing: -1 }, iseeCents: 100.5 }),
      'art. 6',
      { 'criteria.family': 'rules:wholeNumberRequired', 'criteria.housing': 'rules:negativeNotAllowed', iseeCents: 'rules:wholeNumberRequired' },
    );
  });

  it('rejects item levels above their scale and wrong item counts', () => {
    expectViolation(
      () => previewAssessment({ criteria, iseeCents: 0, items: { autonomy: [4, 3, 3, 5, 3, 2, 4, 3, 2, 2], family: [2, 2, 2, 2], housing: [1] } }),
      'art. 6',
      { 'items.autonomy.3': 'rules:aboveMaximum', 'items.family.0': 'rules:aboveMaximum', 'items.housing': 'rules:wrongItemCount' },
    );
  });

  it('rejects missing and unknown fields (economic comes from the ISEE, not from the caller)', () => {
    expectViolation(() => previewAssessment({ criteria: { ...criteria, economic: 20 }, iseeCents: 0 }), 'art. 6', {
      'criteria.economic': 'rules:unknownField',
    });
    expectViolation(() => previewAssessment({ criteria: { autonomy: 1 } }), 'art. 6', {
      'criteria.family': 'rules:required',
      iseeCents: 'rules:required',
    });
    expectViolation(() => previewAssessment(null), 'art. 6', { input: 'rules:invalidType' });
  });

  const levelsOf = (criterion: ScoredCriterion) =>
    fc.tuple(...ITEM_SCALES[criterion].map((scale) => fc.integer({ min: 0, max: scale.maxLevel })));
  const allLevels = fc.record({
    autonomy: levelsOf('autonomy'),
    family: levelsOf('family'),
    network: levelsOf('network'),
    stress: levelsOf('stress'),
    housing: levelsOf('housing'),
  });

  it('accepts any valid item levels, with points derived from them and a total within 100', () => {
    fc.assert(
      fc.property(allLevels, fc.nat({ max: 2_000_000 }), (levels, iseeCents) => {
        const points = Object.fromEntries(SCORED_CRITERIA.map((c) => [c, pointsFromItems(c, levels[c])])) as Record<ScoredCriterion, number>;
        const result = previewAssessment({ criteria: points, iseeCents, items: levels });
        expect(result.total).toBe(CRITERIA.reduce((sum, c) => sum + result.criteria[c], 0));
        expect(result.total).toBeLessThanOrEqual(100);
        for (const c of CRITERIA) expect(result.criteria[c]).toBeLessThanOrEqual(CRITERION_MAXIMA[c]);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('rejects any points differing from the item-derived ones', () => {
    fc.assert(
      fc.property(allLevels, fc.constantFrom(...SCORED_CRITERIA), fc.integer({ min: 1, max: 40 }), (levels, criterion, delta) => {
        const points = Object.fromEntries(SCORED_CRITERIA.map((c) => [c, pointsFromItems(c, levels[c])])) as Record<ScoredCriterion, number>;
        const wrong = (points[criterion] + delta) % (CRITERION_MAXIMA[criterion] + 1);
        fc.pre(wrong !== points[criterion]);
        expectViolation(() => previewAssessment({ criteria: { ...points, [criterion]: wrong }, iseeCents: 0, items: levels }), 'art. 6', {
          [`criteria.${criterion}`]: 'rules:pointsDoNotMatchItems',
        });
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('rejects any value over its maximum', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCORED_CRITERIA), fc.integer({ min: 1, max: 1000 }), (criterion, over) => {
        const value = CRITERION_MAXIMA[criterion] + over;
        expectViolation(() => previewAssessment({ criteria: { ...criteria, [criterion]: value }, iseeCents: 0 }), 'art. 5', {
          [`criteria.${criterion}`]: 'rules:aboveMaximum',
        });
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

describe('scoreAssessment', () => {
  it('keeps a special-situation note beside the score without changing any criterion (art. 5)', () => {
    const note = { reason: 'Caregiver ricoverato improvvisamente', author: 'Sara Bianchi' };
    const plain = scoreAssessment({ criteria, iseeCents: 500_000, iseeYear: 2026 }, '2026-05-10');
    const noted = scoreAssessment({ criteria, iseeCents: 500_000, iseeYear: 2026, specialSituation: note, items }, '2026-05-10');
    expect(noted.criteria).toEqual(plain.criteria);
    expect(noted.total).toBe(plain.total);
    expect(noted.specialSituation).toEqual(note);
    expect(noted.items.autonomy).toEqual(items.autonomy);
    expect(plain.specialSituation).toBeNull();
  });

  it('flags an expired ISEE: the application must be rescored', () => {
    const current = scoreAssessment({ criteria, iseeCents: 500_000, iseeYear: 2026 }, '2026-12-31');
    const expired = scoreAssessment({ criteria, iseeCents: 500_000, iseeYear: 2026 }, '2027-01-02');
    expect(current.rescoreRequired).toBe(false);
    expect(expired.rescoreRequired).toBe(true);
    expect(expired.isee).toEqual({ year: 2026, validUntil: '2026-12-31', expired: true });
  });

  it('rejects a note without reason or author', () => {
    expectViolation(() => scoreAssessment({ criteria, iseeCents: 0, iseeYear: 2026, specialSituation: { reason: ' ', author: '' } }, '2026-01-01'), 'art. 6', {
      'specialSituation.reason': 'rules:required',
      'specialSituation.author': 'rules:required',
    });
  });
});
