import type { DateTime } from 'luxon';
import { DomainError, type MessageRef } from '../errors.ts';
import { birthDateMatchesCodiceFiscale, validateCodiceFiscale, type CodiceFiscaleCheck } from './codice-fiscale.ts';
import { checkIsoDate, FieldErrorCollector } from './validation.ts';

/** Art. 3: minimum age, reached on the application date. */
export const MINIMUM_AGE = 65;

/** Art. 3 categories, in the order the article lists them (the first one met explains the result). */
export type EligibilityCriterion = 'age' | 'invalidity' | 'category3';

export type IneligibilityReason = 'not_resident_in_ambito' | 'no_criterion_met';

export interface EligibilityInput {
  codiceFiscale: string;
  /** Stored birth date 'YYYY-MM-DD'; it wins over the code, whose century is ambiguous. */
  birthDate: string;
  /** Comune of residence (same ids as `ambitoComuneIds`), null if not resident in Italy. */
  residenceComuneId: string | null;
  /** The ambito's comuni. */
  ambitoComuneIds: readonly string[];
  applicationDate: string;
  /** Certified invalidity (art. 3, category 2). */
  certifiedInvalidity: boolean;
  /** A social worker's flag: already followed by social or health services and needing help at home (category 3). */
  socialWorkerCategory3: boolean;
}

interface EligibilityFacts {
  ageOnApplicationDate: number;
  codiceFiscale: Extract<CodiceFiscaleCheck, { valid: true }>;
  /** False when the stored birth date and the code disagree: staff should look, the stored date is used anyway. */
  birthDateMatchesCodiceFiscale: boolean;
}

export type EligibilityResult =
  | (EligibilityFacts & {
      eligible: true;
      /** The criterion that makes the person eligible (the first met in art. 3's order). */
      criterion: EligibilityCriterion;
      /** Every criterion met. */
      criteriaMet: EligibilityCriterion[];
      message: MessageRef;
    })
  | (EligibilityFacts & { eligible: false; reasons: IneligibilityReason[]; message: MessageRef });

/**
 * Age in whole years on `on`. Someone born on 29 February turns a year older on 28 February
 * of common years (luxon clamps, as art. 2963 of the Civil Code does for terms in years).
 */
export function computeAge(birthDate: DateTime, on: DateTime): number {
  let age = on.year - birthDate.year;
  if (birthDate.plus({ years: age }) > on) age -= 1;
  return age;
}

/**
 * Art. 3: decides whether a person can receive the service on the application date, and says
 * why. Residence in one of the ambito's comuni is required; then age ≥ 65, certified invalidity
 * or the social worker's category-3 flag. Malformed input (codice fiscale, dates, a birth after
 * the application) is a RuleViolation of art. 3 with per-field messages.
 */
export function checkEligibility(input: EligibilityInput): EligibilityResult {
  const errors = new FieldErrorCollector();
  const codiceFiscale = validateCodiceFiscale(typeof input.codiceFiscale === 'string' ? input.codiceFiscale : '');
  if (!codiceFiscale.valid) {
    errors.add('codiceFiscale', codiceFiscale.reason === 'format' ? 'rules:codiceFiscaleMalformed' : 'rules:codiceFiscaleCheckFailed');
  }
  const birth = checkIsoDate(errors, input.birthDate, 'birthDate');
  const application = checkIsoDate(errors, input.applicationDate, 'applicationDate');
  if (birth !== null && application !== null && birth > application) errors.add('birthDate', 'rules:birthAfterApplication');
  errors.throwIfAny('art. 3', 'rules:eligibilityInputInvalid');
  if (!codiceFiscale.valid || birth === null || application === null) throw new Error('unreachable');

  const facts: EligibilityFacts = {
    ageOnApplicationDate: computeAge(birth, application),
    codiceFiscale,
    birthDateMatchesCodiceFiscale: birthDateMatchesCodiceFiscale(input.birthDate, codiceFiscale),
  };
  const criteriaMet: EligibilityCriterion[] = [];
  if (facts.ageOnApplicationDate >= MINIMUM_AGE) criteriaMet.push('age');
  if (input.certifiedInvalidity) criteriaMet.push('invalidity');
  if (input.socialWorkerCategory3) criteriaMet.push('category3');

  const resident = input.residenceComuneId !== null && input.ambitoComuneIds.includes(input.residenceComuneId);
  const reasons: IneligibilityReason[] = [];
  if (!resident) reasons.push('not_resident_in_ambito');
  const [criterion] = criteriaMet;
  if (criterion === undefined) reasons.push('no_criterion_met');

  if (reasons.length > 0 || criterion === undefined) {
    const key = resident ? 'rules:notEligibleNoCriterion' : 'rules:notEligibleNotResident';
    return { ...facts, eligible: false, reasons, message: { key, params: { minimumAge: MINIMUM_AGE } } };
  }
  return { ...facts, eligible: true, criterion, criteriaMet, message: eligibleMessage(criterion, facts.ageOnApplicationDate) };
}

function eligibleMessage(criterion: EligibilityCriterion, age: number): MessageRef {
  switch (criterion) {
    case 'age':
      return { key: 'rules:eligibleByAge', params: { age } };
    case 'invalidity':
      return { key: 'rules:eligibleByInvalidity' };
    case 'category3':
      return { key: 'rules:eligibleByCategory3' };
  }
}

/**
 * Like checkEligibility, for use cases that must stop: throws DomainError 'NOT_ELIGIBLE'
 * (rule "art. 3") carrying the reason's message when the person is not eligible.
 */
export function assertEligible(input: EligibilityInput): Extract<EligibilityResult, { eligible: true }> {
  const result = checkEligibility(input);
  if (!result.eligible) throw new DomainError('NOT_ELIGIBLE', result.message, { rule: 'art. 3' });
  return result;
}
