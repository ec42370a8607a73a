import { DomainError, RuleViolation } from '../errors.ts';
import { checkIsoDate, checkText, checkWholeNumber, FieldErrorCollector } from './validation.ts';

/**
 * One movement of a programme's voucher hours (art. 11, 13), in whole hours:
 * `issue` when the programme's vouchers are handed over; `redeem` when a provider uses one;
 * `return` when unused hours go back (interruption, end of period); `adjustment` (signed) when
 * staff correct the ledger, always with a reason and an author.
 */
export type LedgerEntry =
  | { kind: 'issue'; hours: number; on: string }
  | { kind: 'redeem'; hours: number; on: string }
  | { kind: 'return'; hours: number; on: string; reason: string }
  | { kind: 'adjustment'; hours: number; on: string; reason: string; author: string };

export interface Balance {
  issued: number;
  redeemed: number;
  returned: number;
  /** Sum of signed adjustments. */
  adjusted: number;
  /** issued − redeemed − returned + adjusted; never negative. */
  balance: number;
}

function insufficient(balance: number, requested: number): DomainError {
  return new DomainError('INSUFFICIENT_BALANCE', { key: 'rules:insufficientBalance', params: { balance, requested } }, { rule: 'art. 11' });
}

/**
 * Art. 11: the balance of a programme's ledger, entries in the order they happened.
 * Every amount must be a whole number (RuleViolation "art. 11"); if the balance would go
 * below zero at any point, the ledger is refused with DomainError 'INSUFFICIENT_BALANCE'.
 */
export function computeBalance(entries: readonly LedgerEntry[]): Balance {
  const totals: Balance = { issued: 0, redeemed: 0, returned: 0, adjusted: 0, balance: 0 };
  entries.forEach((entry, index) => {
    const signed = entry.kind === 'adjustment';
    if (!Number.isSafeInteger(entry.hours) || (signed ? entry.hours === 0 : entry.hours < 1)) {
      throw new RuleViolation('art. 11', { key: 'rules:wholeHoursOnly' }, { [`entries.${index}.hours`]: { key: 'rules:wholeHoursOnly' } });
    }
    switch (entry.kind) {
      case 'issue':
        totals.issued += entry.hours;
        totals.balance += entry.hours;
        break;
      case 'redeem':
        totals.redeemed += entry.hours;
        totals.balance -= entry.hours;
        break;
      case 'return':
        totals.returned += entry.hours;
        totals.balance -= entry.hours;
        break;
      case 'adjustment':
        totals.adjusted += entry.hours;
        totals.balance += entry.hours;
        break;
    }
    if (totals.balance < 0) throw insufficient(totals.balance + Math.abs(entry.hours), Math.abs(entry.hours));
  });
  return totals;
}

/**
 * Art. 11: a redemption of whole hours (1.5 is a RuleViolation "art. 11": a voucher is one
 * indivisible hour). More than the balance → DomainError 'INSUFFICIENT_BALANCE' (rule "art. 11").
 * Returns the entry to append; the database must append it only if the balance it read is
 * still current, so concurrent redemptions cannot overdraw.
 */
export function redeemHours(entries: readonly LedgerEntry[], input: { hours: number; on: string }): LedgerEntry {
  const errors = new FieldErrorCollector();
  if (!Number.isSafeInteger(input.hours) || input.hours < 1) errors.add('hours', 'rules:wholeHoursOnly');
  checkIsoDate(errors, input.on, 'on');
  errors.throwIfAny('art. 11', 'rules:wholeHoursOnly');
  const { balance } = computeBalance(entries);
  if (input.hours > balance) throw insufficient(balance, input.hours);
  return { kind: 'redeem', hours: input.hours, on: input.on };
}

/**
 * Art. 13: gives back every unused hour (interruption, end of a period). Returns null when
 * nothing is left, so no empty entry is written.
 */
export function returnUnusedHours(entries: readonly LedgerEntry[], input: { on: string; reason: string }): LedgerEntry | null {
  const errors = new FieldErrorCollector();
  checkIsoDate(errors, input.on, 'on');
  const reason = checkText(errors, input.reason, 'reason');
  errors.throwIfAny('art. 13', 'rules:ledgerEntryInvalid');
  const { balance } = computeBalance(entries);
  return balance === 0 ? null : { kind: 'return', hours: balance, on: input.on, reason: reason ?? '' };
}

/**
 * Art. 11: a staff correction of `hours` (signed, non-zero, whole), with reason and author.
 * A negative adjustment beyond the balance → DomainError 'INSUFFICIENT_BALANCE'.
 */
export function adjustHours(
  entries: readonly LedgerEntry[],
  input: { hours: number; on: string; reason: string; author: string },
): LedgerEntry {
  const errors = new FieldErrorCollector();
  if (checkWholeNumber(errors, input.hours, 'hours', { min: Number.MIN_SAFE_INTEGER }) && input.hours === 0) {
    errors.add('hours', 'rules:wholeHoursOnly');
  }
  checkIsoDate(errors, input.on, 'on');
  const reason = checkText(errors, input.reason, 'reason');
  const author = checkText(errors, input.author, 'author');
  errors.throwIfAny('art. 11', 'rules:ledgerEntryInvalid');
  const { balance } = computeBalance(entries);
  if (balance + input.hours < 0) throw insufficient(balance, -input.hours);
  return { kind: 'adjustment', hours: input.hours, on: input.on, reason: reason ?? '', author: author ?? '' };
}
