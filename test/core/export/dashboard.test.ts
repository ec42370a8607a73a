import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mean, median, summariseFirstResponses } from '../../../core/export/dashboard.ts';

describe('dashboard summaries', () => {
  it('median and mean of small lists', () => {
    expect(median([])).toBeNull();
    expect(median([7, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
  });

  it('puts every conversation in exactly one bucket and counts the target inclusively', () => {
    const s = summariseFirstResponses([0, 5, 6, 15, 16, 60, 61, 240, 241, null, null], 15);
    expect(s.buckets).toEqual([
      { key: 'upTo5', count: 2 },
      { key: 'upTo15', count: 2 },
      { key: 'upTo60', count: 2 },
      { key: 'upTo240', count: 2 },
      { key: 'more', count: 1 },
      { key: 'unanswered', count: 2 },
    ]);
    expect(s).toMatchObject({ handedOver: 11, answered: 9, withinTarget: 4, medianMinutes: 16, targetMinutes: 15 });
  });

  it('bucket counts always add up to the conversations handed over', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null })), fc.integer({ min: 1, max: 120 }), (minutes, target) => {
        const s = summariseFirstResponses(minutes, target);
        expect(s.buckets.reduce((a, b) => a + b.count, 0)).toBe(minutes.length);
        expect(s.withinTarget).toBeLessThanOrEqual(s.answered);
      }),
    );
  });
});
