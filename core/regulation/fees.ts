import { DateTime } from 'luxon';
import { formatIsoDate } from './calendar.ts';
import { UNPAID_MONTHS_BEFORE_INTERRUPTION } from './programme.ts';
import { checkIsoDate, checkText, checkWholeNumber, FieldErrorCollector } from './validation.ts';

/** One row of a comune's tariff: up to `upToIseeCents` (included; null = no limit), this many cents per hour. */
export interface FeeTariffBand {
  upToIseeCents: number | null;
  centsPerHour: number;
}

/** Art. 14: a comune's co-payment tariff, bands in ascending ISEE order, the last open-ended. */
export interface FeeTariff {
  comuneId: string;
  bands: readonly FeeTariffBand[];
}

/**
 * Art. 14: checks a comune's tariff: whole cents (0 = exempt), strictly ascending limits,
 * exactly one open-ended band, last. Throws RuleViolation "art. 14" with fields "bands.N.…".
 */
export function validateFeeTariff(tariff: FeeTariff): FeeTariff {
  const errors = new FieldErrorCollector();
  checkText(errors, tariff.comuneId, 'comuneId');
  if (!Array.isArray(tariff.bands) || tariff.bands.length === 0) errors.add('bands', 'rules:atLeastOneItem');
  let previous = -1;
  tariff.bands.forEach((band, index) => {
    const path = `bands.${index}`;
    checkWholeNumber(errors, band.centsPerHour, `${path}.centsPerHour`, { min: 0 });
    const last = index === tariff.bands.length - 1;
    if (band.upToIseeCents === null) {
      if (!last) errors.add(`${path}.upToIseeCents`, 'rules:openBandMustBeLast');
    } else if (last) {
      errors.add(`${path}.upToIseeCents`, 'rules:lastBandMustBeOpen');
    } else if (checkWholeNumber(errors, band.upToIseeCents, `${path}.upToIseeCents`, { min: 0 })) {
      if (band.upToIseeCents <= previous) errors.add(`${path}.upToIseeCents`, 'rules:bandsNotAscending');
      previous = band.upToIseeCents;
    }
  });
  errors.throwIfAny('art. 14', 'rules:tariffInvalid');
  return { comuneId: tariff.comuneId, bands: tariff.bands.map((band) => ({ ...band })) };
}

/** Art. 14: cents per hour this tariff charges a household with this ISEE (in cents). */
export function findHourlyFee(tariff: FeeTariff, iseeCents: number): number {
  const errors = new FieldErrorCollector();
  checkWholeNumber(errors, iseeCents, 'iseeCents', { min: 0 });
  errors.throwIfAny('art. 14', 'rules:iseeInvalid');
  const band = validateFeeTariff(tariff).bands.find((candidate) => candidate.upToIseeCents === null || iseeCents <= candidate.upToIseeCents);
  return band?.centsPerHour ?? 0;
}

/** Art. 14: the fee for one month, in cents: redeemed hours × the tariff's hourly rate. */
export function computeMonthlyFee(input: { tariff: FeeTariff; iseeCents: number; redeemedHours: number }): number {
  const errors = new FieldErrorCollector();
  checkWholeNumber(errors, input.redeemedHours, 'redeemedHours', { min: 0 });
  errors.throwIfAny('art. 14', 'rules:feeInvalid');
  return findHourlyFee(input.tariff, input.iseeCents) * input.redeemedHours;
}

/**
 * Art. 14: fees per calendar month ('YYYY-MM') from redemptions (each with its Rome date),
 * months in order; only months with redemptions appear.
 */
export function computeMonthlyFees(input: {
  tariff: FeeTariff;
  iseeCents: number;
  redemptions: readonly { on: string; hours: number }[];
}): { month: string; hours: number; dueCents: number }[] {
  const errors = new FieldErrorCollector();
  input.redemptions.forEach((redemption, index) => {
    checkIsoDate(errors, redemption.on, `redemptions.${index}.on`);
    checkWholeNumber(errors, redemption.hours, `redemptions.${index}.hours`, { min: 1 });
  });
  errors.throwIfAny('art. 14', 'rules:feeInvalid');
  const rate = findHourlyFee(input.tariff, input.iseeCents);
  const hoursByMonth = new Map<string, number>();
  for (const redemption of input.redemptions) {
    const month = redemption.on.slice(0, 7);
    hoursByMonth.set(month, (hoursByMonth.get(month) ?? 0) + redemption.hours);
  }
  return [...hoursByMonth]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([month, hours]) => ({ month, hours, dueCents: hours * rate }));
}

/**
 * Default payment term of a month's fee: the last day of the following month (the provider's
 * monthly statement arrives after the month ends). A comune may set its own `dueDate`.
 */
export function computeDefaultFeeDueDate(month: string): string {
  const first = DateTime.fromISO(`${month}-01`, { zone: 'utc' });
  if (!/^\d{4}-\d{2}$/.test(month) || !first.isValid) throw new TypeError(`not a month 'YYYY-MM': ${month}`);
  return formatIsoDate(first.plus({ months: 1 }).endOf('month').startOf('day'));
}

/** A month's fee and what was paid of it. */
export interface FeeStatement {
  month: string;
  dueCents: number;
  paidCents: number;
  /** Payment deadline, 'YYYY-MM-DD' (see computeDefaultFeeDueDate). */
  dueDate: string;
}

/**
 * Art. 13–14: how many monthly fees are unpaid on `today`: past their due date and not fully
 * paid, consecutive or not. More than 3 allows interrupting the programme (art. 13: "unpaid
 * fees for more than three months" read as more than three months' fees outstanding).
 */
export function countUnpaidMonths(statements: readonly FeeStatement[], today: string): number {
  const errors = new FieldErrorCollector();
  checkIsoDate(errors, today, 'today');
  statements.forEach((statement, index) => {
    checkIsoDate(errors, statement.dueDate, `statements.${index}.dueDate`);
    checkWholeNumber(errors, statement.dueCents, `statements.${index}.dueCents`, { min: 0 });
    checkWholeNumber(errors, statement.paidCents, `statements.${index}.paidCents`, { min: 0 });
  });
  errors.throwIfAny('art. 14', 'rules:feeInvalid');
  const months = new Set(
    statements.filter((statement) => statement.dueDate < today && statement.paidCents < statement.dueCents).map((statement) => statement.month),
  );
  return months.size;
}

/** Art. 13: whether unpaid fees allow an interruption (more than three months unpaid). */
export function canInterruptForUnpaidFees(unpaidMonths: number): boolean {
  return unpaidMonths > UNPAID_MONTHS_BEFORE_INTERRUPTION;
}
