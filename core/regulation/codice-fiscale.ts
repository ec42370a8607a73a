import codiceFiscaleModule from 'codice-fiscale-js';

/*
 * codice-fiscale-js 2.4 ships `module.exports.CodiceFiscale = class` while its typings declare
 * `export default CodiceFiscale`. Under NodeNext the default import is `module.exports`, typed as
 * the typings' namespace: so the class is `.CodiceFiscale` at run time and `.default` for the
 * compiler. Take whichever exists, so a future release that fixes either side keeps working.
 */
type CodiceFiscaleClass = typeof codiceFiscaleModule.default;
const loaded = codiceFiscaleModule as unknown as { CodiceFiscale?: CodiceFiscaleClass; default?: CodiceFiscaleClass };
const CodiceFiscale: CodiceFiscaleClass = (loaded.CodiceFiscale ?? loaded.default) as CodiceFiscaleClass;

export interface Birthplace {
  /** Codice catastale, e.g. 'A010' (Abbiategrasso) or 'Z404' (a foreign state). */
  code: string;
  name: string;
  /** Province, or 'EE' for a foreign state. */
  province: string;
}

export type CodiceFiscaleCheck =
  | {
      valid: true;
      /** Upper case, spaces removed. */
      normalized: string;
      /** Some digits were replaced by letters to tell two identical codes apart (omocodia). */
      omocodia: boolean;
      /** Null when the library does not know the code: still accepted (see docs/regulation-rules.md). */
      birthplace: Birthplace | null;
      /** Birth date as encoded: the century is not in the code, so only two year digits. */
      encodedBirth: { day: number; month: number; yearTwoDigits: number; gender: 'M' | 'F' };
    }
  | { valid: false; reason: 'format' | 'check_character' };

const SHAPE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const MONTH_LETTERS = 'ABCDEHLMPRST';
// Omocodia replaces digits in these positions with the letters L..V standing for 0..9.
const OMOCODIA_LETTERS = 'LMNPQRSTUV';
const NUMERIC_POSITIONS = [6, 7, 9, 10, 12, 13, 14];

/**
 * Validates an Italian codice fiscale: shape, check character (via codice-fiscale-js), omocodia.
 * The birthplace comes from the library's list, which includes abolished comuni (Vermezzo L768,
 * Zelo Surrigone M160, merged in 2019 into Vermezzo con Zelo): people keep the code they were
 * born with. A birthplace code the library does not know is accepted with `birthplace: null`,
 * because the check character already guards against typos and the list can lag behind.
 */
export function validateCodiceFiscale(input: string): CodiceFiscaleCheck {
  const normalized = input.replace(/\s+/g, '').toUpperCase();
  if (!SHAPE.test(normalized)) return { valid: false, reason: 'format' };
  if (!CodiceFiscale.check(normalized)) return { valid: false, reason: 'check_character' };

  const digits = restoreOmocodia(normalized);
  const dayCode = Number(digits.slice(9, 11));
  const day = dayCode > 40 ? dayCode - 40 : dayCode;
  const encodedBirth = {
    day,
    month: MONTH_LETTERS.indexOf(digits.charAt(8)) + 1,
    yearTwoDigits: Number(digits.slice(6, 8)),
    gender: dayCode > 40 ? ('F' as const) : ('M' as const),
  };
  if (day < 1 || day > 31) return { valid: false, reason: 'format' };

  return { valid: true, normalized, omocodia: digits !== normalized.slice(0, 15), birthplace: lookUpBirthplace(normalized), encodedBirth };
}

/** The first 15 characters with omocodia letters turned back into digits. */
function restoreOmocodia(code: string): string {
  const chars = code.slice(0, 15).split('');
  for (const position of NUMERIC_POSITIONS) {
    const index = OMOCODIA_LETTERS.indexOf(chars[position] ?? '');
    if (index >= 0) chars[position] = String(index);
  }
  return chars.join('');
}

function lookUpBirthplace(code: string): Birthplace | null {
  try {
    // The constructor also decodes the birth year against the machine clock; we only read
    // the birthplace from it, never the date.
    const decoded = new CodiceFiscale(code).toJSON();
    const birthplaceCode = restoreOmocodia(code).slice(11, 15);
    return { code: birthplaceCode, name: decoded.birthplace, province: decoded.birthplaceProvincia };
  } catch {
    return null;
  }
}

/**
 * Whether a stored birth date agrees with the code: day, month and the last two year digits
 * (the century cannot be checked, so a centenarian's code fits two dates).
 */
export function birthDateMatchesCodiceFiscale(birthDate: string, check: CodiceFiscaleCheck): boolean {
  if (!check.valid) return false;
  const [year, month, day] = birthDate.split('-').map(Number);
  const { encodedBirth } = check;
  return day === encodedBirth.day && month === encodedBirth.month && (year ?? 0) % 100 === encodedBirth.yearTwoDigits;
}
