import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkVolunteerRedemption, isVolunteerVoucherService, VOLUNTEER_VOUCHER_RULE, type VolunteerRedemptionCheck } from '../../../core/community/volunteer-vouchers.ts';
import { DomainError } from '../../../core/errors.ts';

const base: VolunteerRedemptionCheck = {
  hours: 2,
  service: '8a',
  resource: { kind: 'volunteer_association', active: true, services: ['8A'], comuni: ['albairate'] },
  comuneId: 'albairate',
  allowedServices: ['8A'],
  programmeServices: ['2B', '6A', '8A'],
};

function refusal(input: VolunteerRedemptionCheck): DomainError {
  try {
    checkVolunteerRedemption(input);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('Un buono per amico', () => {
  it('accepts a volunteer association redeeming an allowed service of the programme, code in capitals', () => {
    expect(checkVolunteerRedemption(base)).toBe('8A');
  });

  it('refuses fractional, zero or negative hours first, under art. 11 (400)', () => {
    for (const hours of [1.5, 0, -1, Number.NaN, '2']) {
      const e = refusal({ ...base, hours, allowedServices: [] });
      expect(e.code).toBe('RULE_VIOLATION');
      expect(e.rule).toBe('art. 11');
      expect(Object.keys(e.fields ?? {})).toEqual(['hours']);
    }
  });

  it('refuses a service the comune does not allow with volunteers, naming the rule (422)', () => {
    const e = refusal({ ...base, allowedServices: ['COMPAGNIA'] });
    expect(e.code).toBe('NOT_ELIGIBLE');
    expect(e.rule).toBe(VOLUNTEER_VOUCHER_RULE);
    expect(e.fields?.service?.key).toBe('community:error.serviceNotAllowedWithVolunteers');
  });

  it('refuses a resource that is not an active volunteer association of the comune offering the service', () => {
    expect(refusal({ ...base, resource: { ...base.resource, kind: 'occasional_helper' } }).fields?.resourceId?.key).toBe('community:error.notVolunteerAssociation');
    expect(refusal({ ...base, resource: { ...base.resource, kind: 'accredited_provider' } }).code).toBe('NOT_ELIGIBLE');
    expect(refusal({ ...base, resource: { ...base.resource, active: false } }).fields?.resourceId?.key).toBe('community:error.resourceInactive');
    expect(refusal({ ...base, comuneId: 'cisliano' }).fields?.resourceId?.key).toBe('community:error.resourceNotServingComune');
    expect(refusal({ ...base, resource: { ...base.resource, services: ['COMPAGNIA'] } }).fields?.resourceId?.key).toBe('community:error.resourceNotOfferingService');
  });

  it('refuses a service outside the programme (art. 11: the voucher pays the programme\'s services)', () => {
    const e = refusal({ ...base, programmeServices: ['2B'] });
    expect(e.code).toBe('NOT_ELIGIBLE');
    expect(e.rule).toBe('art. 11');
  });

  it('accepts exactly when every condition holds (property)', () => {
    const code = fc.constantFrom('8A', 'COMPAGNIA', '2B', '6A');
    fc.assert(
      fc.property(fc.integer({ min: -2, max: 5 }), code, fc.uniqueArray(code), fc.uniqueArray(code), fc.uniqueArray(code), (hours, service, allowed, offered, inProgramme) => {
        const input = { ...base, hours, service, allowedServices: allowed, programmeServices: inProgramme, resource: { ...base.resource, services: offered } };
        const expected = hours >= 1 && allowed.includes(service) && offered.includes(service) && inProgramme.includes(service);
        let accepted = true;
        try {
          checkVolunteerRedemption(input);
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(expected);
        expect(isVolunteerVoucherService(allowed, service.toLowerCase())).toBe(allowed.includes(service));
      }),
    );
  });
});
