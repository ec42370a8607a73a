import { describe, expect, it } from 'vitest';
import { birthDateMatchesCodiceFiscale, validateCodiceFiscale } from '../../../core/regulation/codice-fiscale.ts';
import { assertEligible, checkEligibility, type EligibilityInput } from '../../../core/regulation/eligibility.ts';
import { expectDomainError, expectViolation } from './violation.ts';

const AMBITO = ['A010', 'A127', 'M424'];

const base: EligibilityInput = {
  codiceFiscale: 'VRDMRA38C55A010R', // woman born 15 March 1938 in Abbiategrasso
  birthDate: '1938-03-15',
  residenceComuneId: 'A010',
  ambitoComuneIds: AMBITO,
  applicationDate: '2026-11-20',
  certifiedInvalidity: false,
  socialWorkerCategory3: false,
};

describe('codice fiscale', () => {
  it('accepts a valid code, decoding birthplace and encoded birth', () => {
    const check = validateCodiceFiscale('VRDMRA38C55A010R');
    expect(check).toMatchObject({
      valid: true,
      omocodia: false,
      birthplace: { code: 'A010', name: 'ABBIATEGRASSO', province: 'MI' },
      encodedBirth: { day: 15, month: 3, yearTwoDigits: 38, gender: 'F' },
    });
  });

  it('accepts abolished comuni: Vermezzo (L768) and Zelo Surrigone (M160)', () => {
    expect(validateCodiceFiscale('RSSMRA40A01L768R')).toMatchObject({ valid: true, birthplace: { code: 'L768', name: 'VERMEZZO' } });
    expect(validateCodiceFiscale('RSSMRA40A01M160J')).toMatchObject({ valid: true, birthplace: { code: 'M160', name: 'ZELO SURRIGONE' } });
  });

  it('accepts omocodia, decoding the substituted digits', () => {
    const check = validateCodiceFiscale('VRDMRAP8CR5A010Z');
    expect(check).toMatchObject({ valid: true, omocodia: true, encodedBirth: { day: 15, month: 3, yearTwoDigits: 38 } });
    expect(validateCodiceFiscale('RSSMRAQLALMMMSLB')).toMatchObject({ valid: true, omocodia: true, birthplace: { code: 'M160' } });
  });

  it('accepts lower case and spaces', () => {
    expect(validateCodiceFiscale(' vrdmra38c55 a010r ')).toMatchObject({ valid: true, normalized: 'VRDMRA38C55A010R' });
  });

  it('accepts a valid code whose birthplace the library does not know, without a birthplace', () => {
    expect(validateCodiceFiscale('RSSMRA40A01X999M')).toMatchObject({ valid: true, birthplace: null });
  });

  it('rejects a wrong check character and a malformed code', () => {
    expect(validateCodiceFiscale('VRDMRA38C55A010A')).toEqual({ valid: false, reason: 'check_character' });
    expect(validateCodiceFiscale('VRDMRA38C55A010')).toEqual({ valid: false, reason: 'format' });
    expect(validateCodiceFiscale('VRDMRA38Z55A010R')).toEqual({ valid: false, reason: 'format' });
  });

  it("compares a stored birth date with the code's day, month and two year digits only", () => {
    const centenarian = validateCodiceFiscale('RSSMRA20A01A010P');
    expect(birthDateMatchesCodiceFiscale('1920-01-01', centenarian)).toBe(true);
    expect(birthDateMatchesCodiceFiscale('2020-01-01', centenarian)).toBe(true);
    expect(birthDateMatchesCodiceFiscale('1920-01-02', centenarian)).toBe(false);
  });
});

describe('art. 3 eligibility', () => {
  it('is eligible by age, explaining why', () => {
    const result = checkEligibility(base);
    expect(result).toMatchObject({ eligible: true, criterion: 'age', criteriaMet: ['age'], ageOnApplicationDate: 88 });
    expect(result.message).toEqual({ key: 'rules:eligibleByAge', params: { age: 88 } });
  });

  it('counts 65 from the 65th birthday itself, not the day before', () => {
    const person = { ...base, codiceFiscale: 'RSSMRA61E15A010W', birthDate: '1961-05-15' };
    expect(checkEligibility({ ...person, applicationDate: '2026-05-15' })).toMatchObject({ eligible: true, ageOnApplicationDate: 65 });
    expect(checkEligibility({ ...person, applicationDate: '2026-05-14' })).toMatchObject({
      eligible: false,
      reasons: ['no_criterion_met'],
      ageOnApplicationDate: 64,
    });
  });

  it('makes someone born on 29 February a year older on 28 February of common years', () => {
    const person = { ...base, codiceFiscale: 'FRRLRA60B69A010Y', birthDate: '1960-02-29' };
    expect(checkEligibility({ ...person, applicationDate: '2025-02-28' }).ageOnApplicationDate).toBe(65);
    expect(checkEligibility({ ...person, applicationDate: '2025-02-27' }).ageOnApplicationDate).toBe(64);
  });

  it('is eligible by certified invalidity or the category-3 flag under 65', () => {
    const young = { ...base, codiceFiscale: 'RSSMRA61E15A010W', birthDate: '1961-05-15', applicationDate: '2026-01-10' };
    expect(checkEligibility({ ...young, certifiedInvalidity: true })).toMatchObject({ eligible: true, criterion: 'invalidity' });
    expect(checkEligibility({ ...young, socialWorkerCategory3: true })).toMatchObject({
      eligible: true,
      criterion: 'category3',
      message: { key: 'rules:eligibleByCategory3' },
    });
  });

  it('lists every criterion met, the first in art. 3 order explaining the result', () => {
    expect(checkEligibility({ ...base, certifiedInvalidity: true, socialWorkerCategory3: true })).toMatchObject({
      criterion: 'age',
      criteriaMet: ['age', 'invalidity', 'category3'],
    });
  });

  it('requires residence in the ambito', () => {
    const outside = checkEligibility({ ...base, residenceComuneId: 'F205' });
    expect(outside).toMatchObject({ eligible: false, reasons: ['not_resident_in_ambito'], message: { key: 'rules:notEligibleNotResident' } });
    expect(checkEligibility({ ...base, residenceComuneId: null })).toMatchObject({ eligible: false });
  });

  it('accepts people born in abolished comuni (Vermezzo, Zelo Surrigone) living in Vermezzo con Zelo', () => {
    const result = checkEligibility({ ...base, codiceFiscale: 'RSSMRA40A01M160J', birthDate: '1940-01-01', residenceComuneId: 'M424' });
    expect(result).toMatchObject({ eligible: true, codiceFiscale: { birthplace: { name: 'ZELO SURRIGONE' } } });
  });

  it('uses the stored birth date over the code: a centenarian is not taken for a child', () => {
    const result = checkEligibility({ ...base, codiceFiscale: 'RSSMRA20A01A010P', birthDate: '1920-01-01' });
    expect(result).toMatchObject({ eligible: true, ageOnApplicationDate: 106, birthDateMatchesCodiceFiscale: true });
  });

  it('flags a stored birth date that disagrees with the code, and still uses the stored one', () => {
    const result = checkEligibility({ ...base, birthDate: '1938-03-16' });
    expect(result).toMatchObject({ eligible: true, birthDateMatchesCodiceFiscale: false, ageOnApplicationDate: 88 });
  });

  it('rejects malformed input with per-field messages (art. 3)', () => {
    expectViolation(() => checkEligibility({ ...base, codiceFiscale: 'VRDMRA38C55A010A', birthDate: '1938-02-30' }), 'art. 3', {
      codiceFiscale: 'rules:codiceFiscaleCheckFailed',
      birthDate: 'rules:invalidDate',
    });
    expectViolation(() => checkEligibility({ ...base, birthDate: '2027-01-01' }), 'art. 3', { birthDate: 'rules:birthAfterApplication' });
  });

  it('assertEligible throws NOT_ELIGIBLE (art. 3) with the reason', () => {
    expect(assertEligible(base).criterion).toBe('age');
    const error = expectDomainError(() => assertEligible({ ...base, residenceComuneId: 'F205' }), 'NOT_ELIGIBLE', 'art. 3');
    expect(error.messageRef.key).toBe('rules:notEligibleNotResident');
  });
});
