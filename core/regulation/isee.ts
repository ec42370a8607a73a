import { RuleViolation } from '../errors.ts';
import { checkIsoDate, checkWholeNumber, FieldErrorCollector } from './validation.ts';

/** An art. 6 economic band: ISEE from `minCents` to `maxCents` (both included; null = no upper bound). */
export interface IseeBand {
  /** Stable id shown in breakdowns, 'band-1' (poorest) … 'band-8'. */
  id: string;
  minCents: number;
  maxCents: number | null;
  points: number;
}

/**
 * Art. 6 bands in euro cents. The text leaves 7,290.00 € exactly between the first two bands
 * ("below 7,290.00" / "from 7,290.01"): it belongs to band-1 (upper bounds inclusive), and
 * everything above 12,750.00 € gets 6 points.
 */
export const ISEE_BANDS: readonly IseeBand[] = [
  { id: 'band-1', minCents: 0, maxCents: 729_000, points: 20 },
  { id: 'band-2', minCents: 729_001, maxCents: 820_000, points: 18 },
  { id: 'band-3', minCents: 820_001, maxCents: 911_000, points: 16 },
  { id: 'band-4', minCents: 911_001, maxCents: 1_003_000, points: 14 },
  { id: 'band-5', minCents: 1_003_001, maxCents: 1_094_000, points: 12 },
  { id: 'band-6', minCents: 1_094_001, maxCents: 1_185_000, points: 10 },
  { id: 'band-7', minCents: 1_185_001, maxCents: 1_275_000, points: 8 },
  { id: 'band-8', minCents: 1_275_001, maxCents: null, points: 6 },
];

/**
 * Art. 6: the economic band of an ISEE in euro cents. A non-integer or negative amount is a
 * RuleViolation of art. 6 on field `iseeCents` (never rounded: cents are exact).
 */
export function findIseeBand(iseeCents: number): IseeBand {
  const errors = new FieldErrorCollector();
  checkWholeNumber(errors, iseeCents, 'iseeCents', { min: 0 });
  errors.throwIfAny('art. 6', 'rules:iseeInvalid');
  const band = ISEE_BANDS.find((candidate) => candidate.maxCents === null || iseeCents <= candidate.maxCents);
  if (band === undefined) throw new RuleViolation('art. 6', { key: 'rules:iseeInvalid' });
  return band;
}

/** Art. 6: economic points (6–20) of an ISEE in euro cents. */
export function scoreIsee(iseeCents: number): number {
  return findIseeBand(iseeCents).points;
}

export interface IseeValidity {
  /** Calendar year the attestation refers to. */
  year: number;
  /** Last day it can be used: 31 December of its year. */
  validUntil: string;
  /** Past its year on `today`: the application must be rescored with a new ISEE. */
  expired: boolean;
}

/**
 * Art. 4 and 6: an ISEE attestation is valid for its calendar year. Returns whether it has
 * expired on `today` (then the application must be rescored). A year after `today`'s is
 * a RuleViolation of art. 4.
 */
export function checkIseeValidity(iseeYear: number, today: string): IseeValidity {
  const errors = new FieldErrorCollector();
  const day = checkIsoDate(errors, today, 'today');
  if (checkWholeNumber(errors, iseeYear, 'iseeYear', { min: 1990 }) && day !== null && iseeYear > day.year) {
    errors.add('iseeYear', 'rules:iseeYearInFuture');
  }
  errors.throwIfAny('art. 4', 'rules:iseeInvalid');
  const validUntil = `${String(iseeYear).padStart(4, '0')}-12-31`;
  return { year: iseeYear, validUntil, expired: today > validUntil };
}
