/**
 * SMS text, pure: the GSM 03.38 alphabet, normalisation of characters that would force the
 * message into UCS-2 (which halves what fits in a segment), and segment counting.
 */

/** GSM 03.38 basic character set (one septet each). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Extension table: two septets each (escape + character). */
const GSM_EXTENDED = '^{}\\[~]|€\f';

const BASIC = new Set(Array.from(GSM_BASIC));
const EXTENDED = new Set(Array.from(GSM_EXTENDED));

/**
 * Replacements for characters outside GSM-7 that Italian text uses. Capital accented vowels
 * become the letter plus an apostrophe, the way Italians type them without the key (È → E').
 */
const REPLACEMENTS: Record<string, string> = {
  '’': "'", '‘': "'", '‚': "'", '′': "'", '`': "'", '´': "'",
  '“': '"', '”': '"', '„': '"', '«': '"', '»': '"', '″': '"',
  '–': '-', '—': '-', '‐': '-', '‑': '-', '−': '-',
  '…': '...', '•': '-', '·': '.',
  '\u00A0': ' ', '\u202F': ' ', '\u2009': ' ', '\t': ' ',
  'È': "E'", 'À': "A'", 'Ì': "I'", 'Ò': "O'", 'Ù': "U'", 'Á': "A'", 'Í': "I'", 'Ó': "O'", 'Ú': "U'",
  'á': "a'", 'í': "i'", 'ó': "o'", 'ú': "u'", 'â': 'a', 'ê': 'e', 'î': 'i', 'ô': 'o', 'û': 'u',
  'ë': 'e', 'ï': 'i', 'ç': 'c', 'ã': 'a', 'õ': 'o', 'ș': 's', 'ş': 's', 'ț': 't', 'ţ': 't', 'ă': 'a',
  'Ș': 'S', 'Ş': 'S', 'Ț': 'T', 'Ţ': 'T', 'Ă': 'A', 'Â': 'A', 'Î': 'I',
};

export function isGsm7Char(ch: string): boolean {
  return BASIC.has(ch) || EXTENDED.has(ch);
}

/**
 * Replaces characters that would force UCS-2 with their closest GSM-7 spelling. Characters with
 * no reasonable replacement (emoji, other scripts) are kept: the message then goes as UCS-2.
 */
export function normaliseGsm7(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (isGsm7Char(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else {
      // Letters with diacritics GSM-7 lacks: drop the mark (ā → a), if what is left is GSM-7.
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      out += base.length > 0 && Array.from(base).every(isGsm7Char) ? base : ch;
    }
  }
  return out;
}

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units that fit in one segment of a multi-part message of this encoding. */
  perSegment: number;
}

/** Counts the segments of a text as a handset would send it. */
export function countSegments(text: string): SmsSegments {
  const chars = Array.from(text);
  if (chars.every(isGsm7Char)) {
    const units = chars.reduce((n, ch) => n + (EXTENDED.has(ch) ? 2 : 1), 0);
    return { encoding: 'GSM-7', units, segments: units <= 160 ? 1 : Math.ceil(units / 153), perSegment: units <= 160 ? 160 : 153 };
  }
  const units = text.length; // UTF-16 code units
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67), perSegment: units <= 70 ? 70 : 67 };
}

/**
 * Makes a text fit `maxSegments` of the encoding it will actually use: normalised to GSM-7
 * first, then — only if still too long — cut at a word boundary with "...". The locale texts are
 * written to fit (tested); the cut is a safety net for long staff replies and long recaps.
 * `keep` is appended whole after the (possibly cut) text: the numbered choices of a question
 * must survive, since the person answers with them. If even `keep` alone does not fit, the
 * whole is cut as one text.
 */
export function fitSms(text: string, maxSegments = 2, keep = ''): string {
  const normal = normaliseGsm7(text).trim();
  const tail = normaliseGsm7(keep);
  if (countSegments(normal + tail).segments <= maxSegments) return normal + tail;
  if (tail !== '' && countSegments(`...${tail}`).segments > maxSegments) return fitSms(text + keep, maxSegments);
  const chars = Array.from(normal);
  let lo = 0;
  let hi = chars.length;
  // Longest prefix that fits with the ellipsis (and what is kept).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countSegments(chars.slice(0, mid).join('') + '...' + tail).segments <= maxSegments) lo = mid;
    else hi = mid - 1;
  }
  let cut = chars.slice(0, lo).join('');
  const space = cut.lastIndexOf(' ');
  if (space > cut.length * 0.7) cut = cut.slice(0, space);
  return cut.trimEnd() + '...' + tail;
}
