import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.ts';
import { adjustHours, computeBalance, redeemHours, returnUnusedHours, type LedgerEntry } from '../../../core/regulation/ledger.ts';
import { expectDomainError, expectViolation } from './violation.ts';

const on = '2026-03-02';
const issued: LedgerEntry[] = [{ kind: 'issue', hours: 108, on }];

describe('art. 11 voucher ledger', () => {
  it('computes issued − redeemed − returned + adjustments', () => {
    const entries: LedgerEntry[] = [
      ...issued,
      { kind: 'redeem', hours: 2, on },
      { kind: 'redeem', hours: 3, on },
      { kind: 'adjustment', hours: -1, on, reason: 'Doppia registrazione', author: 'Marco' },
      { kind: 'return', hours: 100, on, reason: 'death' },
    ];
    expect(computeBalance(entries)).toEqual({ issued: 108, redeemed: 5, returned: 100, adjusted: -1, balance: 2 });
  });

  it('redeems whole hours only: 1.5 is refused (art. 11)', () => {
    expect(redeemHours(issued, { hours: 2, on })).toEqual({ kind: 'redeem', hours: 2, on });
    expectViolation(() => redeemHours(issued, { hours: 1.5, on }), 'art. 11', { hours: 'rules:wholeHoursOnly' });
    expectViolation(() => redeemHours(issued, { hours: 0, on }), 'art. 11', { hours: 'rules:wholeHoursOnly' });
  });

  it('refuses a redemption beyond the balance with INSUFFICIENT_BALANCE (art. 11)', () => {
    const error = expectDomainError(() => redeemHours([{ kind: 'issue', hours: 3, on }], { hours: 4, on }), 'INSUFFICIENT_BALANCE', 'art. 11');
    expect(error.messageRef).toEqual({ key: 'rules:insufficientBalance', params: { balance: 3, requested: 4 } });
  });

  it('refuses a ledger that goes negative at any point, even if it recovers later', () => {
    expectDomainError(() => computeBalance([{ kind: 'redeem', hours: 1, on }, ...issued]), 'INSUFFICIENT_BALANCE', 'art. 11');
    expectViolation(() => computeBalance([{ kind: 'issue', hours: 2.5, on }]), 'art. 11', { 'entries.0.hours': 'rules:wholeHoursOnly' });
  });

  it('returns every unused hour, or nothing when none is left', () => {
    expect(returnUnusedHours([...issued, { kind: 'redeem', hours: 8, on }], { on, reason: 'renunciation' })).toEqual({
      kind: 'return',
      hours: 100,
      on,
      reason: 'renunciation',
    });
    expect(returnUnusedHours([{ kind: 'issue', hours: 1, on }, { kind: 'redeem', hours: 1, on }], { on, reason: 'death' })).toBeNull();
  });

  it('adjusts with reason and author, never below zero', () => {
    expect(adjustHours(issued, { hours: -8, on, reason: 'Errore', author: 'Marco' })).toMatchObject({ kind: 'adjustment', hours: -8 });
    expectViolation(() => adjustHours(issued, { hours: 0, on, reason: '', author: '' }), 'art. 11', {
      hours: 'rules:wholeHoursOnly',
      reason: 'rules:required',
      author: 'rules:required',
    });
    expectDomainError(() => adjustHours(issued, { hours: -109, on, reason: 'Errore', author: 'Marco' }), 'INSUFFICIENT_BALANCE');
  });

  type Step =
    | { op: 'issue'; hours: number }
    | { op: 'redeem'; hours: number }
    | { op: 'return' }
    | { op: 'adjust'; hours: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ op: fc.constant('issue' as const), hours: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ op: fc.constant('redeem' as const), hours: fc.integer({ min: 1, max: 15 }) }),
    fc.record({ op: fc.constant('return' as const) }),
    fc.record({ op: fc.constant('adjust' as const), hours: fc.integer({ min: -10, max: 10 }).filter((h) => h !== 0) }),
  );

  it('never goes negative, and issued + adjusted = redeemed + returned + balance after any sequence', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const entries: LedgerEntry[] = [];
        for (const s of steps) {
          const before = computeBalance(entries).balance;
          try {
            if (s.op === 'issue') entries.push({ kind: 'issue', hours: s.hours, on });
            else if (s.op === 'redeem') entries.push(redeemHours(entries, { hours: s.hours, on }));
            else if (s.op === 'adjust') entries.push(adjustHours(entries, { hours: s.hours, on, reason: 'x', author: 'y' }));
            else {
              const returned = returnUnusedHours(entries, { on, reason: 'renunciation' });
              if (returned !== null) entries.push(returned);
            }
          } catch (error) {
            // Only a redemption or a negative adjustment beyond the balance may be refused.
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe('INSUFFICIENT_BALANCE');
            const wanted = s.op === 'redeem' ? s.hours : s.op === 'adjust' ? -s.hours : 0;
            expect(wanted).toBeGreaterThan(before);
          }
          const totals = computeBalance(entries);
          expect(totals.balance).toBeGreaterThanOrEqual(0);
          expect(totals.issued + totals.adjusted).toBe(totals.redeemed + totals.returned + totals.balance);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});
