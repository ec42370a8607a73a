import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesOf } from '../../../core/nlu/token-text.ts';

const summary = (ms: Iterable<RegExpMatchArray>) => [...ms].map((m) => [m.index, ...m]);

describe('matchesOf', () => {
  it('finds what String.prototype.matchAll finds, empty matches included', () => {
    const patterns = [/\b(ab|ba)+\b/g, /a*/g, /(?<=b)a|c$/g, /\b\w/g, /x?/g];
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.stringMatching(/^[abc x]{0,20}$/), (pattern, text) => {
        expect(summary(matchesOf(pattern, text))).toEqual(summary(text.matchAll(pattern)));
        expect(pattern.lastIndex).toBe(0);
      }),
      { seed: 20261123, numRuns: 500 },
    );
  });

  it('leaves the pattern as it found it when the loop stops early', () => {
    const pattern = /a/g;
    for (const m of matchesOf(pattern, 'banana')) {
      expect(m.index).toBe(1);
      break;
    }
    expect(pattern.lastIndex).toBe(0);
    expect([...matchesOf(pattern, 'banana')].map((m) => m.index)).toEqual([1, 3, 5]);
  });

  it('refuses a pattern without the g flag (exec would match the same place forever)', () => {
    expect(() => [...matchesOf(/a/, 'aa')]).toThrow(TypeError);
  });
});
