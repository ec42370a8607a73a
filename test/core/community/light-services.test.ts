import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkResourceCanTake, isLightService, isOpenLightRequest, LIGHT_SERVICE_CODES, requestServiceCode, type LightResource } from '../../../core/community/light-services.ts';
import { ART7_SERVICES } from '../../../core/regulation/services.ts';

const volunteer: LightResource = { kind: 'volunteer_association', active: true, services: ['8A', 'COMPAGNIA'], comuni: ['albairate'] };

describe('light services', () => {
  it('counts only accompaniment (8A) and company as light; personal care never is', () => {
    for (const s of ART7_SERVICES) expect(isLightService(s.code), s.code).toBe(s.code === '8A');
    expect(isLightService('compagnia')).toBe(true);
    expect(isLightService(' 8a ')).toBe(true);
    expect(isLightService(null)).toBe(false);
    expect(isLightService('ACC-SCUOLA')).toBe(false);
  });

  it('reads a family-only chat request (family 8) as 8A, and leaves other families without a code', () => {
    expect(requestServiceCode({ service: '8', family: '8' })).toBe('8A');
    expect(requestServiceCode({ service: null, family: '8' })).toBe('8A');
    expect(requestServiceCode({ service: '8a', family: '8' })).toBe('8A');
    expect(requestServiceCode({ service: null, family: '2' })).toBeNull();
    expect(requestServiceCode({ service: '2B', family: '2' })).toBe('2B');
  });

  it('offers to volunteers only on-demand, new, unassigned light requests', () => {
    const base = { kind: 'on_demand', status: 'new', service: '8A', family: '8', resourceId: null };
    expect(isOpenLightRequest(base)).toBe(true);
    expect(isOpenLightRequest({ ...base, kind: 'visit' })).toBe(false);
    expect(isOpenLightRequest({ ...base, status: 'assigned' })).toBe(false);
    expect(isOpenLightRequest({ ...base, resourceId: 'x' })).toBe(false);
    expect(isOpenLightRequest({ ...base, service: '2B', family: '2' })).toBe(false);
  });

  it('says why a resource cannot take a request, in order', () => {
    const req = { comuneId: 'albairate', service: '8A' };
    expect(checkResourceCanTake(volunteer, req)).toBeNull();
    expect(checkResourceCanTake({ ...volunteer, kind: 'occasional_helper' }, req)).toBeNull();
    expect(checkResourceCanTake(volunteer, { ...req, service: '2B' })).toBe('not_light');
    expect(checkResourceCanTake({ ...volunteer, kind: 'accredited_provider' }, req)).toBe('kind');
    expect(checkResourceCanTake({ ...volunteer, kind: 'family_assistant' }, req)).toBe('kind');
    expect(checkResourceCanTake({ ...volunteer, active: false }, req)).toBe('inactive');
    expect(checkResourceCanTake(volunteer, { ...req, comuneId: 'abbiategrasso' })).toBe('comune');
    expect(checkResourceCanTake(volunteer, { ...req, comuneId: null })).toBe('comune');
    expect(checkResourceCanTake({ ...volunteer, services: ['COMPAGNIA'] }, req)).toBe('service');
  });

  it('never lets a resource take a request unless every condition holds (property)', () => {
    const kinds = fc.constantFrom('accredited_provider', 'volunteer_association', 'occasional_helper', 'family_assistant') as fc.Arbitrary<LightResource['kind']>;
    const codes = fc.constantFrom(...LIGHT_SERVICE_CODES, ...ART7_SERVICES.map((s) => s.code));
    const comuni = fc.constantFrom('albairate', 'cisliano', 'abbiategrasso');
    fc.assert(
      fc.property(kinds, fc.boolean(), fc.uniqueArray(codes, { maxLength: 5 }), fc.uniqueArray(comuni, { maxLength: 3 }), codes, comuni, (kind, active, services, served, service, comuneId) => {
        const ok = checkResourceCanTake({ kind, active, services, comuni: served }, { comuneId, service }) === null;
        const expected = isLightService(service) && (kind === 'volunteer_association' || kind === 'occasional_helper') && active && served.includes(comuneId) && services.includes(service);
        expect(ok).toBe(expected);
      }),
    );
  });
});
