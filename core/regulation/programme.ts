import { RuleViolation, type MessageRef } from '../errors.ts';
import { addCalendarDays, addMonthsMinusOneDay, countDaysInclusive } from './calendar.ts';
import { MAX_WEEKLY_HOURS, recordDeliveryException, type DeliveryException } from './delivery.ts';
import { redeemHours, returnUnusedHours, type LedgerEntry } from './ledger.ts';
import { checkServiceCodes, type ExtraServiceType } from './services.ts';
import { checkIsoDate, checkText, checkWholeNumber, FieldErrorCollector } from './validation.ts';

/** Art. 11: a programme lasts at most four calendar months (renewable). */
export const PROGRAMME_MAX_MONTHS = 4;

/** Art. 13: fees unpaid for more than this many months allow an interruption. */
export const UNPAID_MONTHS_BEFORE_INTERRUPTION = 3;

/** Art. 10 written intervention programme, as the social worker fills it in. */
export interface ProgrammeInput {
  /** Art. 7 codes, or codes of the comune's extra service types. */
  services: readonly string[];
  /** The comune's extra service types, so their codes are recognised. */
  extraServices?: readonly ExtraServiceType[];
  /** Voucher hours per week (whole, ≥ 1). */
  weeklyHours: number;
  /** Number of operators per visit. */
  operators: number;
  /** Periodicity: visits per week (1–7, at most one per voucher hour). */
  visitsPerWeek: number;
  /** 'YYYY-MM-DD', first day. */
  start: string;
  /** 'YYYY-MM-DD', last day; at most start + 4 months − 1 day. */
  plannedEnd: string;
  /** The accredited provider the person freely chose (art. 10.4). */
  providerId: string;
  /** When given, `providerId` must be one of them. */
  accreditedProviderIds?: readonly string[];
  /** Whether the person signed it as a care contract ("where possible": not required). */
  contractSigned: boolean;
  /** Required when weeklyHours > 10 (art. 8). */
  weeklyCapException?: DeliveryException;
  /** Family, voluntary or other resources actually available (art. 10.3.b). */
  resources?: string;
}

export interface Suspension {
  from: string;
  to: string;
  /** Calendar days suspended, both ends included: the end moves by as many days. */
  days: number;
  reason: string | null;
}

export const INTERRUPTION_REASONS = ['death', 'permanent_admission', 'no_longer_needed', 'fees_unpaid', 'renunciation'] as const;
export type InterruptionReason = (typeof INTERRUPTION_REASONS)[number];

export interface Interruption {
  reason: InterruptionReason;
  on: string;
  /** Who recorded it (for no_longer_needed: who ascertained it). */
  author: string;
}

export interface Programme {
  /** 1 for the first programme, +1 at each renewal. */
  period: number;
  services: string[];
  weeklyHours: number;
  operators: number;
  visitsPerWeek: number;
  start: string;
  plannedEnd: string;
  /** Latest allowed planned end: start + 4 months − 1 day. */
  maxEnd: string;
  /** Weeks the vouchers are issued for: ceil(days / 7). */
  weeks: number;
  /** weeklyHours × weeks. */
  hoursIssued: number;
  providerId: string;
  contractSigned: boolean;
  weeklyCapException: DeliveryException | null;
  resources: string | null;
  suspensions: Suspension[];
  /** plannedEnd moved by every suspended day: the only way past four months (art. 13). */
  effectiveEnd: string;
  status: 'active' | 'interrupted';
  interruption: Interruption | null;
}

/** Art. 11: latest planned end of a programme starting on `start` (start + 4 months − 1 day). */
export function computeMaxProgrammeEnd(start: string): string {
  return addMonthsMinusOneDay(start, PROGRAMME_MAX_MONTHS);
}

/**
 * Art. 11: weeks of a period for issuing vouchers: ceil(days / 7), days counted with both ends.
 * A partial last week counts as a whole one, so the person is never short of a week's hours
 * in the days the programme covers; what is left unused is returned at the end (art. 13).
 */
export function countProgrammeWeeks(start: string, end: string): number {
  return Math.ceil(countDaysInclusive(start, end) / 7);
}

/** Art. 11: voucher hours issued for a period: weekly hours × countProgrammeWeeks. */
export function computeHoursIssued(weeklyHours: number, start: string, end: string): number {
  return weeklyHours * countProgrammeWeeks(start, end);
}

/**
 * Art. 7, 8, 10, 11: validates a written programme and computes its vouchers. Rejections
 * (RuleViolation naming the first broken article) list every field: unknown service codes
 * (art. 7), more than 10 h/week without a weekly_cap exception (art. 8), operators or
 * periodicity or provider (art. 10), a planned end past start + 4 months − 1 day (art. 11).
 */
export function planProgramme(input: ProgrammeInput, period = 1): Programme {
  const errors = new FieldErrorCollector();

  errors.rule = 'art. 11';
  const start = checkIsoDate(errors, input.start, 'start');
  const end = checkIsoDate(errors, input.plannedEnd, 'plannedEnd');
  const maxEnd = start === null ? null : computeMaxProgrammeEnd(input.start);
  if (start !== null && end !== null && maxEnd !== null) {
    if (end < start) errors.add('plannedEnd', 'rules:endBeforeStart');
    else if (input.plannedEnd > maxEnd) errors.add('plannedEnd', 'rules:programmeTooLong', { maxEnd, months: PROGRAMME_MAX_MONTHS });
  }
  const hoursOk = checkWholeNumber(errors, input.weeklyHours, 'weeklyHours', { min: 1 });

  errors.rule = 'art. 8';
  let exception: DeliveryException | null = null;
  if (input.weeklyCapException !== undefined) {
    try {
      exception = recordDeliveryException(input.weeklyCapException);
    } catch (error) {
      if (!(error instanceof RuleViolation)) throw error;
      const fields: Record<string, MessageRef> = error.fields ?? {};
      for (const [path, field] of Object.entries(fields)) errors.add(`weeklyCapException.${path}`, field.key, field.params);
    }
  }
  if (hoursOk && input.weeklyHours > MAX_WEEKLY_HOURS) {
    if (exception === null || exception.kind !== 'weekly_cap') {
      errors.add('weeklyHours', 'rules:weeklyHoursNeedException', { max: MAX_WEEKLY_HOURS });
    } else if (exception.maxWeeklyHours !== undefined && input.weeklyHours > exception.maxWeeklyHours) {
      errors.add('weeklyHours', 'rules:aboveMaximum', { max: exception.maxWeeklyHours });
    }
  }

  errors.rule = 'art. 7';
  checkServiceCodes(errors, input.services, input.extraServices);

  errors.rule = 'art. 10';
  checkWholeNumber(errors, input.operators, 'operators', { min: 1 });
  if (checkWholeNumber(errors, input.visitsPerWeek, 'visitsPerWeek', { min: 1, max: 7 }) && hoursOk && input.visitsPerWeek > input.weeklyHours) {
    errors.add('visitsPerWeek', 'rules:moreVisitsThanHours');
  }
  const providerId = checkText(errors, input.providerId, 'providerId');
  if (providerId !== null && input.accreditedProviderIds !== undefined && !input.accreditedProviderIds.includes(providerId)) {
    errors.add('providerId', 'rules:providerNotAccredited');
  }
  if (typeof input.contractSigned !== 'boolean') errors.add('contractSigned', 'rules:required');
  errors.throwIfAny('art. 10', 'rules:programmeInvalid');

  const weeks = countProgrammeWeeks(input.start, input.plannedEnd);
  const resources = input.resources?.trim();
  return {
    period,
    services: [...input.services],
    weeklyHours: input.weeklyHours,
    operators: input.operators,
    visitsPerWeek: input.visitsPerWeek,
    start: input.start,
    plannedEnd: input.plannedEnd,
    maxEnd: maxEnd ?? input.plannedEnd,
    weeks,
    hoursIssued: input.weeklyHours * weeks,
    providerId: providerId ?? '',
    contractSigned: input.contractSigned,
    weeklyCapException: exception,
    resources: resources === undefined || resources === '' ? null : resources,
    suspensions: [],
    effectiveEnd: input.plannedEnd,
    status: 'active',
    interruption: null,
  };
}

/** Art. 10.4: the ledger entry handing over the programme's vouchers on its first day. */
export function issueVouchers(programme: Programme): LedgerEntry {
  return { kind: 'issue', hours: programme.hoursIssued, on: programme.start };
}

/**
 * Art. 11: renews a programme after its period: a new programme (period + 1) starting the day
 * after the previous effective end unless `start` is later, confirmed or redefined, with a new
 * free choice of provider (`providerId` is required, never carried over). The previous period's
 * unused hours are returned (`closing`, null if none) and the new ones issued (`issue`).
 */
export function renewProgramme(
  previous: Programme,
  previousEntries: readonly LedgerEntry[],
  input: Omit<ProgrammeInput, 'start'> & { start?: string },
): { programme: Programme; closing: LedgerEntry | null; issue: LedgerEntry } {
  if (previous.status === 'interrupted') throw new RuleViolation('art. 11', { key: 'rules:programmeInterrupted' });
  const start = input.start ?? addCalendarDays(previous.effectiveEnd, 1);
  if (start <= previous.effectiveEnd) {
    throw new RuleViolation('art. 11', { key: 'rules:programmeInvalid' }, { start: { key: 'rules:renewalOverlaps', params: { previousEnd: previous.effectiveEnd } } });
  }
  const programme = planProgramme({ ...input, start }, previous.period + 1);
  const closing = returnUnusedHours(previousEntries, { on: previous.effectiveEnd, reason: 'period_ended' });
  return { programme, closing, issue: issueVouchers(programme) };
}

/**
 * Art. 13: records a temporary suspension from `from` to `to` (both included) and moves the
 * effective end later by as many days, so the vouchers can still be used. The suspension must
 * start within the programme and not overlap another; it may run past the current end.
 */
export function suspendProgramme(programme: Programme, input: { from: string; to: string; reason?: string }): Programme {
  const errors = new FieldErrorCollector();
  const from = checkIsoDate(errors, input.from, 'from');
  const to = checkIsoDate(errors, input.to, 'to');
  if (programme.status === 'interrupted') errors.add('from', 'rules:programmeInterrupted');
  if (from !== null && to !== null) {
    if (to < from) errors.add('to', 'rules:endBeforeStart');
    if (input.from < programme.start || input.from > programme.effectiveEnd) {
      errors.add('from', 'rules:outsideProgrammePeriod', { start: programme.start, end: programme.effectiveEnd });
    }
    const overlapping = programme.suspensions.find((other) => input.from <= other.to && other.from <= input.to);
    if (overlapping !== undefined) errors.add('from', 'rules:suspensionsOverlap', { from: overlapping.from, to: overlapping.to });
  }
  errors.throwIfAny('art. 13', 'rules:suspensionInvalid');

  const days = countDaysInclusive(input.from, input.to);
  const reason = input.reason?.trim();
  const suspension: Suspension = { from: input.from, to: input.to, days, reason: reason === undefined || reason === '' ? null : reason };
  return {
    ...programme,
    suspensions: [...programme.suspensions, suspension].sort((a, b) => (a.from < b.from ? -1 : 1)),
    effectiveEnd: addCalendarDays(programme.effectiveEnd, days),
  };
}

/**
 * Art. 13: interrupts a programme for one of the article's reasons and returns the unused
 * hours (`returned`, null if none). `fees_unpaid` needs more than 3 unpaid months
 * (see countUnpaidMonths in fees.ts). Throws RuleViolation "art. 13".
 */
export function interruptProgramme(
  programme: Programme,
  entries: readonly LedgerEntry[],
  input: { reason: InterruptionReason; on: string; author: string; unpaidMonths?: number },
): { programme: Programme; returned: LedgerEntry | null } {
  const errors = new FieldErrorCollector();
  if (!INTERRUPTION_REASONS.includes(input.reason)) errors.add('reason', 'rules:invalidValue');
  if (checkIsoDate(errors, input.on, 'on') !== null && input.on > programme.effectiveEnd) {
    errors.add('on', 'rules:programmeAlreadyEnded', { end: programme.effectiveEnd });
  }
  const author = checkText(errors, input.author, 'author');
  if (programme.status === 'interrupted') errors.add('reason', 'rules:programmeInterrupted');
  if (input.reason === 'fees_unpaid') {
    const months = input.unpaidMonths;
    if (checkWholeNumber(errors, months, 'unpaidMonths', { min: 0 }) && months <= UNPAID_MONTHS_BEFORE_INTERRUPTION) {
      errors.add('unpaidMonths', 'rules:feesNotUnpaidLongEnough', { months, minimum: UNPAID_MONTHS_BEFORE_INTERRUPTION + 1 });
    }
  }
  errors.throwIfAny('art. 13', 'rules:interruptionInvalid');

  const returned = returnUnusedHours(entries, { on: input.on, reason: input.reason });
  return {
    programme: { ...programme, status: 'interrupted', interruption: { reason: input.reason, on: input.on, author: author ?? '' } },
    returned,
  };
}

/** Whether services can be delivered on `date`: within start..effective end, not suspended, not interrupted before. */
export function isProgrammeActiveOn(programme: Programme, date: string): boolean {
  if (date < programme.start || date > programme.effectiveEnd) return false;
  if (programme.interruption !== null && date >= programme.interruption.on) return false;
  return !programme.suspensions.some((suspension) => date >= suspension.from && date <= suspension.to);
}

/**
 * Art. 11: a redemption on `on` for this programme: the programme must be active that day
 * (RuleViolation "art. 11"), then redeemHours' rules apply (whole hours, balance).
 */
export function redeemProgrammeHours(programme: Programme, entries: readonly LedgerEntry[], input: { hours: number; on: string }): LedgerEntry {
  const errors = new FieldErrorCollector();
  if (checkIsoDate(errors, input.on, 'on') !== null && !isProgrammeActiveOn(programme, input.on)) {
    errors.add('on', 'rules:outsideProgrammePeriod', { start: programme.start, end: programme.effectiveEnd });
  }
  errors.throwIfAny('art. 11', 'rules:redemptionNotAllowed');
  return redeemHours(entries, input);
}
