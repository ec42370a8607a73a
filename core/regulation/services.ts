import { checkText, FieldErrorCollector } from './validation.ts';

/** Art. 7 service families, "1".."8" (names in the `services` locale namespace, "family.N"). */
export const SERVICE_FAMILIES = ['1', '2', '3', '4', '5', '6', '7', '8'] as const;
export type ServiceFamily = (typeof SERVICE_FAMILIES)[number];

export interface ArticleSevenService {
  /** Code as printed in art. 7, e.g. "2B"; also its key in the `services` namespace. */
  code: string;
  family: ServiceFamily;
}

const CODES = ['1A', '1B', '2A', '2B', '2C', '2D', '2E', '3A', '3B', '4A', '4B', '5A', '5B', '5C', '5D', '5E', '5F', '6A', '6B', '7A', '7B', '8A'];

/** The 22 services of art. 7; the family is the code's digit. */
export const ART7_SERVICES: readonly ArticleSevenService[] = CODES.map((code) => ({ code, family: code.charAt(0) as ServiceFamily }));

const ART7_BY_CODE = new Map(ART7_SERVICES.map((service) => [service.code, service]));

// "1A".."8Z" is art. 7's code space: an extra service inside it could be mistaken for one of
// the article's (or for a future one), so it is reserved even where the article has no code yet.
const ART7_CODE_SPACE = /^[1-8][A-Z]$/;
const EXTRA_CODE = /^[A-Z0-9][A-Z0-9_-]{1,15}$/;

/** Whether `code` is one of the 22 art. 7 codes (exact, upper case). */
export function isArt7Code(code: string): boolean {
  return ART7_BY_CODE.has(code);
}

/** The art. 7 family of a code, or undefined for an unknown or extra code. */
export function findServiceFamily(code: string): ServiceFamily | undefined {
  return ART7_BY_CODE.get(code)?.family;
}

/** A comune's own service type (the *Ad hoc* services): its own code and name, no art. 7 family. */
export interface ExtraServiceType {
  code: string;
  name: string;
}

/**
 * Art. 7: validates a comune's extra service types. A code is 2–16 characters of capital
 * letters, digits, '-' or '_', unique in the comune, and never in art. 7's code space
 * ("1A".."8Z", which holds all 22 codes). Returns them trimmed, with codes in capitals;
 * otherwise throws a RuleViolation of art. 7 with fields like "extraServices.0.code".
 */
export function validateExtraServiceTypes(extras: readonly ExtraServiceType[]): ExtraServiceType[] {
  const errors = new FieldErrorCollector();
  const seen = new Set<string>();
  const result: ExtraServiceType[] = [];
  extras.forEach((extra, index) => {
    const path = `extraServices.${index}`;
    const code = typeof extra.code === 'string' ? extra.code.trim().toUpperCase() : '';
    if (code === '') errors.add(`${path}.code`, 'rules:required');
    else if (ART7_CODE_SPACE.test(code)) errors.add(`${path}.code`, 'rules:extraServiceReusesArt7Code', { code });
    else if (!EXTRA_CODE.test(code)) errors.add(`${path}.code`, 'rules:invalidFormat');
    else if (seen.has(code)) errors.add(`${path}.code`, 'rules:duplicateId');
    seen.add(code);
    const name = checkText(errors, extra.name, `${path}.name`);
    result.push({ code, name: name ?? '' });
  });
  errors.throwIfAny('art. 7', 'rules:extraServicesInvalid');
  return result;
}

/**
 * Art. 7 and 10: checks the service codes of a programme against art. 7 and the comune's
 * extra types; at least one, no repeats. Fields are "services.N".
 */
export function checkServiceCodes(errors: FieldErrorCollector, codes: readonly string[], extras: readonly ExtraServiceType[] = []): void {
  if (!Array.isArray(codes) || codes.length === 0) {
    errors.add('services', 'rules:atLeastOneItem');
    return;
  }
  const extraCodes = new Set(extras.map((extra) => extra.code));
  const seen = new Set<string>();
  codes.forEach((code, index) => {
    if (!isArt7Code(code) && !extraCodes.has(code)) errors.add(`services.${index}`, 'rules:unknownServiceCode', { code: String(code) });
    else if (seen.has(code)) errors.add(`services.${index}`, 'rules:duplicateId');
    seen.add(code);
  });
}
