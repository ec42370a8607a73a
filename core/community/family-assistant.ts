/**
 * *Un euro all'ora* (issue #9): a family assistant employed regularly is recorded on the
 * programme, and the comune pays the family an incentive per hour of regular work. Pure: no I/O.
 *
 * Defaults (the seed names the scheme "one euro an hour" and says nothing of a cap):
 * 100 cents per hour, at most 16,000 cents (160 €) a month per programme — 160 hours is a
 * full-time month (40 h × 4 weeks), so a full-time contract is paid in full and longer live-in
 * contracts (up to 54 h/week under the domestic-work CCNL) are capped there.
 *
 * Hours of a month: for each contract, weekly hours × days of the contract inside the month ÷ 7,
 * rounded down to whole hours (an hour not worked in full earns nothing); the programme's total
 * is then capped.
 */
import { DateTime } from 'luxon';
import { DomainError, type MessageRef } from '../errors.ts';
import { countDaysInclusive, isIsoDate } from '../regulation/calendar.ts';

export interface IncentiveSettings {
  centsPerHour: number;
  monthlyCapCents: number;
}

export const DEFAULT_INCENTIVE: IncentiveSettings = { centsPerHour: 100, monthlyCapCents: 16_000 };
/** Bounds that catch typing mistakes (a rate of 100 € an hour is one). */
export const MAX_CENTS_PER_HOUR = 2_000;
export const MAX_MONTHLY_CAP_CENTS = 200_000;
/** The domestic-work CCNL allows at most 54 hours a week (live-in). */
export const MAX_WEEKLY_HOURS = 54;

function throwIfInvalid(fields: Record<string, MessageRef>): void {
  if (Object.keys(fields).length > 0) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields });
}

function checkInt(fields: Record<string, MessageRef>, value: unknown, path: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fields[path] = { key: 'community:error.wholeNumber' };
  else if (value < min || value > max) fields[path] = { key: 'community:error.outOfRange', params: { min, max } };
}

/** Checks the comune's incentive: whole cents, 0–2,000 per hour, cap 0–200,000 a month. */
export function checkIncentiveSettings(input: { centsPerHour: unknown; monthlyCapCents: unknown }): IncentiveSettings {
  const fields: Record<string, MessageRef> = {};
  checkInt(fields, input.centsPerHour, 'incentive.centsPerHour', 0, MAX_CENTS_PER_HOUR);
  checkInt(fields, input.monthlyCapCents, 'incentive.monthlyCapCents', 0, MAX_MONTHLY_CAP_CENTS);
  throwIfInvalid(fields);
  return { centsPerHour: input.centsPerHour as number, monthlyCapCents: input.monthlyCapCents as number };
}

export interface FamilyAssistantInput {
  resourceId?: string | null | undefined;
  name?: string | null | undefined;
  contractStart: string;
  contractEnd?: string | null | undefined;
  weeklyHours: unknown;
  employmentReference: string;
}

/**
 * Checks a family assistant's record: a resource or a name (at least one), a real contract start,
 * an end not before it, 1–54 whole weekly hours, an employment reference. Returns the trimmed name.
 */
export function checkFamilyAssistant(input: FamilyAssistantInput): { name: string | null } {
  const fields: Record<string, MessageRef> = {};
  const name = input.name?.trim() ? input.name.trim() : null;
  if (!input.resourceId && name === null) fields.name = { key: 'community:error.nameOrResource' };
  if (!isIsoDate(input.contractStart)) fields.contractStart = { key: 'community:error.invalidDate' };
  if (input.contractEnd !== undefined && input.contractEnd !== null) {
    if (!isIsoDate(input.contractEnd)) fields.contractEnd = { key: 'community:error.invalidDate' };
    else if (isIsoDate(input.contractStart) && input.contractEnd < input.contractStart) fields.contractEnd = { key: 'community:error.endBeforeStart' };
  }
  checkInt(fields, input.weeklyHours, 'weeklyHours', 1, MAX_WEEKLY_HOURS);
  if (!input.employmentReference.trim()) fields.employmentReference = { key: 'community:error.required' };
  throwIfInvalid(fields);
  return { name };
}

export interface AssistantContract {
  id: string;
  contractStart: string;
  contractEnd: string | null;
  weeklyHours: number;
}

export interface ContractIncentive {
  id: string;
  /** Days of the contract inside the month. */
  days: number;
  hours: number;
  amountCents: number;
}

export interface MonthlyIncentive {
  month: string;
  centsPerHour: number;
  monthlyCapCents: number;
  contracts: ContractIncentive[];
  /** Before the cap. */
  uncappedCents: number;
  totalCents: number;
  capped: boolean;
}

/** First and last day of a month "YYYY-MM", or null when it is not one. */
export function monthBounds(month: string): { first: string; last: string } | null {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return null;
  const start = DateTime.fromISO(`${month}-01`, { zone: 'utc' });
  if (!start.isValid) return null;
  return { first: start.toISODate()!, last: start.endOf('month').toISODate()! };
}

/** *Un euro all'ora*: the incentive due for a month, per contract and in total (capped). */
export function computeMonthlyIncentive(month: string, settings: IncentiveSettings, contracts: readonly AssistantContract[]): MonthlyIncentive {
  const bounds = monthBounds(month);
  if (!bounds) throw new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: { month: { key: 'community:error.invalidMonth' } } });
  const rows = contracts.map((c): ContractIncentive => {
    const from = c.contractStart > bounds.first ? c.contractStart : bounds.first;
    const to = c.contractEnd !== null && c.contractEnd < bounds.last ? c.contractEnd : bounds.last;
    const days = from <= to ? countDaysInclusive(from, to) : 0;
    const hours = Math.floor((c.weeklyHours * days) / 7);
    return { id: c.id, days, hours, amountCents: hours * settings.centsPerHour };
  });
  const uncappedCents = rows.reduce((sum, r) => sum + r.amountCents, 0);
  const totalCents = Math.min(uncappedCents, settings.monthlyCapCents);
  return { month, centsPerHour: settings.centsPerHour, monthlyCapCents: settings.monthlyCapCents, contracts: rows, uncappedCents, totalCents, capped: uncappedCents > totalCents };
}
