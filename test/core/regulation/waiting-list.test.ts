import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareWaitingListEntries,
  findWaitingListPosition,
  rankWaitingList,
  WAITING_LIST_ORDER_BY,
  type WaitingListEntry,
} from '../../../core/regulation/waiting-list.ts';
import { expectViolation } from './violation.ts';

const entry = (applicationId: string, totalPoints: number, autonomyPoints: number, applicationDate: string, comuneId = 'A010'): WaitingListEntry => ({
  applicationId,
  comuneId,
  totalPoints,
  autonomyPoints,
  applicationDate,
});

describe('art. 6 waiting list', () => {
  it('orders by total, then less autonomy, then earlier application, then id', () => {
    const entries = [
      entry('e', 60, 20, '2026-01-10'),
      entry('a', 70, 10, '2026-03-01'),
      entry('d', 60, 30, '2026-02-01'),
      entry('c', 60, 30, '2026-01-05'),
      entry('b', 60, 30, '2026-01-05'),
    ];
    expect(rankWaitingList(entries).map((item) => [item.entry.applicationId, item.position, item.ahead])).toEqual([
      ['a', 1, 0],
      ['b', 2, 1],
      ['c', 3, 2],
      ['d', 4, 3],
      ['e', 5, 4],
    ]);
  });

  it('keeps one list per comune', () => {
    const ranked = rankWaitingList([entry('x', 50, 10, '2026-01-01', 'A127'), entry('y', 40, 10, '2026-01-01', 'A010'), entry('z', 60, 10, '2026-01-01', 'A127')]);
    expect(ranked.map((item) => [item.entry.comuneId, item.entry.applicationId, item.position])).toEqual([
      ['A010', 'y', 1],
      ['A127', 'z', 1],
      ['A127', 'x', 2],
    ]);
  });

  it("finds a person's position and how many are ahead in their comune", () => {
    const entries = [entry('x', 50, 10, '2026-01-01'), entry('y', 40, 10, '2026-01-01'), entry('z', 60, 10, '2026-01-01', 'A127')];
    expect(findWaitingListPosition(entries, 'y')).toEqual({ position: 2, ahead: 1, listLength: 2 });
    expect(findWaitingListPosition(entries, 'nobody')).toBeUndefined();
  });

  it('compares numeric ids numerically (like an integer column), string ids by code unit', () => {
    const a = { ...entry('', 50, 10, '2026-01-01'), applicationId: 9 };
    const b = { ...entry('', 50, 10, '2026-01-01'), applicationId: 10 };
    expect(compareWaitingListEntries(a, b)).toBeLessThan(0);
    expect(compareWaitingListEntries(entry('B', 1, 1, '2026-01-01'), entry('a', 1, 1, '2026-01-01'))).toBeLessThan(0);
  });

  it('documents the ORDER BY the database mirrors', () => {
    expect(WAITING_LIST_ORDER_BY).toBe('total_points DESC, autonomy_points DESC, application_date ASC, id ASC');
  });

  it('rejects invalid points, dates and duplicate ids (art. 6)', () => {
    expectViolation(() => rankWaitingList([entry('a', 101, 41, '2026-02-30'), entry('a', 1, 1, '2026-01-01')]), 'art. 6', {
      'entries.0.totalPoints': 'rules:aboveMaximum',
      'entries.0.autonomyPoints': 'rules:aboveMaximum',
      'entries.0.applicationDate': 'rules:invalidDate',
      'entries.1.applicationId': 'rules:duplicateId',
    });
  });

  // Small ranges so that ties on every key happen often.
  const arbitraryEntry = fc.record({
    totalPoints: fc.integer({ min: 40, max: 44 }),
    autonomyPoints: fc.integer({ min: 10, max: 12 }),
    applicationDate: fc.constantFrom('2026-01-01', '2026-01-02', '2026-02-01'),
    comuneId: fc.constantFrom('A010', 'A127'),
  });
  const arbitraryList = fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 })
    .chain((ids) => fc.tuple(...ids.map((id) => arbitraryEntry.map((fields): WaitingListEntry => ({ ...fields, applicationId: id })))));

  it('is a total order: antisymmetric, transitive, never equal for distinct applications', () => {
    fc.assert(
      fc.property(arbitraryList, (entries) => {
        for (const a of entries) {
          for (const b of entries) {
            const ab = Math.sign(compareWaitingListEntries(a, b));
            expect(ab).toBe(-Math.sign(compareWaitingListEntries(b, a)) || 0);
            if (a !== b) expect(ab).not.toBe(0);
            for (const c of entries) {
              if (ab < 0 && compareWaitingListEntries(b, c) < 0) expect(compareWaitingListEntries(a, c)).toBeLessThan(0);
            }
          }
        }
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('gives the same ranking whatever the input order', () => {
    fc.assert(
      fc.property(
        arbitraryList.chain((entries) => fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }))),
        ([entries, shuffled]) => {
          const key = (list: readonly WaitingListEntry[]) => rankWaitingList(list).map((item) => [item.entry.applicationId, item.position]);
          expect(key(shuffled)).toEqual(key(entries));
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('ranks each comune by descending points, ties by autonomy points, with positions 1..n', () => {
    fc.assert(
      fc.property(arbitraryList, (entries) => {
        const ranked = rankWaitingList(entries);
        for (const comune of ['A010', 'A127']) {
          const list = ranked.filter((item) => item.entry.comuneId === comune);
          list.forEach((item, index) => {
            expect(item.position).toBe(index + 1);
            expect(item.ahead).toBe(index);
            const next = list[index + 1]?.entry;
            if (next !== undefined) {
              expect(item.entry.totalPoints).toBeGreaterThanOrEqual(next.totalPoints);
              if (item.entry.totalPoints === next.totalPoints) expect(item.entry.autonomyPoints).toBeGreaterThanOrEqual(next.autonomyPoints);
            }
          });
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
