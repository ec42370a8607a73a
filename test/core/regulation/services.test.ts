import { describe, expect, it } from 'vitest';
import itServices from '../../../locales/it/services.json' with { type: 'json' };
import enServices from '../../../locales/en/services.json' with { type: 'json' };
import { ART7_SERVICES, findServiceFamily, isArt7Code, SERVICE_FAMILIES, validateExtraServiceTypes } from '../../../core/regulation/services.ts';
import { expectViolation } from './violation.ts';

describe('art. 7 service catalogue', () => {
  it('has the 22 codes of art. 7, each in the family of its digit', () => {
    expect(ART7_SERVICES).toHaveLength(22);
    expect(new Set(ART7_SERVICES.map((service) => service.code)).size).toBe(22);
    expect(ART7_SERVICES.filter((service) => service.family === '5').map((service) => service.code)).toEqual(['5A', '5B', '5C', '5D', '5E', '5F']);
    expect(findServiceFamily('8A')).toBe('8');
    expect(findServiceFamily('8B')).toBeUndefined();
    expect(isArt7Code('2e')).toBe(false); // codes are exact, upper case
  });

  it.each([
    ['it', itServices],
    ['en', enServices],
  ])('names every service and family in the %s locale', (_, names) => {
    const flat = names as unknown as Record<string, unknown> & { family: Record<string, string> };
    for (const { code } of ART7_SERVICES) expect(typeof flat[code], code).toBe('string');
    for (const family of SERVICE_FAMILIES) expect(typeof flat.family[family], family).toBe('string');
    expect(Object.keys(flat).sort()).toEqual([...ART7_SERVICES.map((service) => service.code), 'family'].sort());
  });
});

describe("a comune's extra service types (Ad hoc)", () => {
  it('accepts own codes, normalised to capitals', () => {
    expect(validateExtraServiceTypes([{ code: ' adhoc-scuola ', name: ' Accompagnamento a scuola ' }, { code: '9A', name: 'Un buono per amico' }])).toEqual([
      { code: 'ADHOC-SCUOLA', name: 'Accompagnamento a scuola' },
      { code: '9A', name: 'Un buono per amico' },
    ]);
  });

  it('never reuses an art. 7 code, nor art. 7 code space (art. 7)', () => {
    expectViolation(
      () =>
        validateExtraServiceTypes([
          { code: '2b', name: 'Igiene' },
          { code: '8B', name: 'Commissioni' },
          { code: 'ok-1', name: 'Va bene' },
          { code: 'OK-1', name: 'Doppione' },
          { code: 'X', name: '' },
        ]),
      'art. 7',
      {
        'extraServices.0.code': 'rules:extraServiceReusesArt7Code',
        'extraServices.1.code': 'rules:extraServiceReusesArt7Code',
        'extraServices.3.code': 'rules:duplicateId',
        'extraServices.4.code': 'rules:invalidFormat',
        'extraServices.4.name': 'rules:required',
      },
    );
  });
});
