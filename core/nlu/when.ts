// Italian and English date/time expressions resolved against `now` in Europe/Rome (pure).
// Readings (documented because they are choices, not facts):
//   - a weekday name is the next such day, never today ("lunedì" said on a Monday is in 7 days);
//     "scorso"/"last" turns it into the previous one;
//   - a day and month without a year is the next occurrence (today included): "3 dicembre" said
//     on 20 December is next year's; "il 15" alone is this month's 15th, or next month's if past;
//   - numeric dates are day/month[/year], the Italian order;
//   - an hour from 1 to 7 with no "mattina"/"am" is afternoon (13–19): services run 08–20 (art. 8);
//   - a time with no day is today if still ahead, otherwise tomorrow;
//   - "la mattina"/"la sera" with no day gives only `partOfDay` (a habit or a preference);
//   - with several expressions, an explicit date beats a weekday, which beats "oggi/domani";
//     among equals the first one written wins.
import { DateTime } from 'luxon';
import type { WhenExpression } from './types.ts';
import { matchesOf } from './token-text.ts';

const ZONE = 'Europe/Rome';

const MONTHS: Readonly<Record<string, number>> = {
  gennaio: 1, febbraio: 2, marzo: 3, aprile: 4, maggio: 5, giugno: 6, luglio: 7, agosto: 8, settembre: 9, ottobre: 10, novembre: 11, dicembre: 12,
  gen: 1, feb: 2, mar: 3, apr: 4, mag: 5, giu: 6, lug: 7, ago: 8, set: 9, sett: 9, ott: 10, nov: 11, dic: 12,
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, dec: 12,
};
const MONTH_RE = `(${Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|')})`;

const WEEKDAYS: Readonly<Record<string, number>> = {
  lunedi: 1, martedi: 2, mercoledi: 3, giovedi: 4, venerdi: 5, sabato: 6, domenica: 7,
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
};

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  primo: 1, uno: 1, una: 1, due: 2, tre: 3, quattro: 4, cinque: 5, sei: 6, sette: 7, otto: 8, nove: 9, dieci: 10,
  undici: 11, dodici: 12, tredici: 13, quattordici: 14, quindici: 15, sedici: 16, diciassette: 17, diciotto: 18,
  diciannove: 19, venti: 20, ventuno: 21, ventidue: 22, ventitre: 23, ventiquattro: 24, venticinque: 25,
  ventisei: 26, ventisette: 27, ventotto: 28, ventinove: 29, trenta: 30, trentuno: 31,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const NUM_RE = `(\\d{1,2}|${Object.keys(NUMBER_WORDS).join('|')})`;

const EXPLICIT = new RegExp(String.raw`\b${NUM_RE}(?:st|nd|rd|th)?(?: di| of)? ${MONTH_RE}(?: (\d{4}|\d{2}))?\b`, 'g');
const EXPLICIT_EN = new RegExp(String.raw`\b${MONTH_RE}(?: the)? (\d{1,2})(?:st|nd|rd|th)?\b`, 'g');
const RANGE = new RegExp(String.raw`\bdal(?:l)? ${NUM_RE} (?:al(?:l)?|fino al(?:l)?) ${NUM_RE} ${MONTH_RE}\b`);
const NUMERIC = /\b(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?\b/g;
// "il 3.12" is 3 December (normalisation has turned the dot into ":"), not 15:12.
const DOTTED_DATE = /\b(?:il|del|dal|al|entro il|per il|lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica) (\d{1,2}):(0[1-9]|1[0-2])\b/g;
const DAY_ONLY = /\b(?:il|l|del|for the|on the) (\d{1,2})(?:st|nd|rd|th)?\b(?! (?:piano|anni|ore|euro|volte|giorni|minuti|settimane|mesi|persone|percento|hours|years|floor|\/|:))/g;
const WEEKDAY = /\b(last |next |this )?(lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b( prossim[oa]| scors[oa])?/g;
const RELATIVE = /\b(oggi|stamattina|stasera|stanotte|today|tonight|this morning|this afternoon|this evening|domani|tomorrow|dopodomani|ieri|yesterday|altroieri)\b/g;
const RELATIVE_OFFSETS: Readonly<Record<string, number>> = {
  oggi: 0, stamattina: 0, stasera: 0, stanotte: 0, today: 0, tonight: 0, 'this morning': 0, 'this afternoon': 0, 'this evening': 0,
  domani: 1, tomorrow: 1, dopodomani: 2, ieri: -1, yesterday: -1, altroieri: -2,
};
// "La settimana prossima": Monday to Sunday of next week (a range, like "dal 10 al 20 dicembre").
const NEXT_WEEK = /\b(settimana prossima|prossima settimana|next week)\b/;
const IN_DAYS = new RegExp(String.raw`\b(?:tra|fra|in) (${NUM_RE.slice(1, -1)}|un|a) (giorn[oi]|settiman[ae]|days?|weeks?)\b`, 'g');

const TIME_PREP = String.raw`(?:alle|all|ore|dalle|dall|verso le|per le|entro le|dopo le|at|around|by|from)`;
const TIME = new RegExp(
  String.raw`\b${TIME_PREP} ${NUM_RE}(?::(\d{2}))?(?: e (mezza|mezzo|un quarto|quarto|tre quarti|trenta|quindici|quarantacinque|\d{1,2}))?(?: ?(am|pm|di mattina|del mattino|della mattina|di pomeriggio|del pomeriggio|di sera|della sera|in the morning|in the afternoon|in the evening))?\b` +
    // "per le due settimane", "by two people": a count, not a time.
    String.raw`(?! (?:settiman\w*|giorn\w*|mes[ei]|ann[oi]|ore|volte|persone|weeks?|days?|hours?|months?|years?|people))`,
  'g',
);
const BARE_TIME = /\b(\d{1,2}):(\d{2})\b/g;
const AM_PM = /\b(\d{1,2})(?::(\d{2}))? ?(am|pm)\b/g;
const NOON = /\b(mezzogiorno|noon|mezzanotte|midnight)\b/;

const PART_OF_DAY: ReadonlyArray<[RegExp, NonNullable<WhenExpression['partOfDay']>]> = [
  [/(?<!\b(?:buon|buona|good) )\b(mattina|mattinata|mattino|stamattina|morning)\b/, 'morning'],
  [/(?<!\b(?:buon|buona|good) )\b(pomeriggio|afternoon)\b/, 'afternoon'],
  [/(?<!\b(?:buon|buona|good) )\b(sera|serata|stasera|evening|tonight)\b/, 'evening'],
];

const MAY_HAVE_DATE_OR_TIME = new RegExp(
  String.raw`\d|\b(${Object.keys(WEEKDAYS).join('|')}|${Object.keys(RELATIVE_OFFSETS).join('|')}|mezzogiorno|noon|mezzanotte|midnight|settimana prossima|prossima settimana|next week)\b|\b(${Object.keys(NUMBER_WORDS).join('|')}) ${MONTH_RE}\b|\b${TIME_PREP} (${Object.keys(NUMBER_WORDS).join('|')})\b|\b(tra|fra|in) (${Object.keys(NUMBER_WORDS).join('|')}|un|a)\b`,
);

interface DateHit {
  date: DateTime;
  at: number;
  /** 3 explicit date, 2 weekday, 1 relative day, 0 a whole week. */
  rank: number;
  until?: DateTime;
}

/** Reads the first date/time expression; `undefined` when the text names none. */
export function parseWhen(tokens: readonly string[], now: Date): WhenExpression | undefined {
  const text = tokens
    .join(' ')
    .replace(/\bthe day after tomorrow\b|\bday after tomorrow\b/g, 'dopodomani')
    .replace(/\bl altro ieri\b/g, 'altroieri');
  const partOfDay = PART_OF_DAY.find(([re]) => re.test(text))?.[1];
  // Most messages name no day or hour; skip the (comparatively slow) calendar work for them.
  if (!MAY_HAVE_DATE_OR_TIME.test(text)) return partOfDay === undefined ? undefined : { partOfDay };

  const nowRome = DateTime.fromJSDate(now, { zone: ZONE });
  if (!nowRome.isValid) return partOfDay === undefined ? undefined : { partOfDay };
  // Only the day and the clock in Rome matter from here on: the calendar arithmetic runs on that
  // date in UTC, where luxon needs no time-zone offset (each one an Intl call, most of the cost of
  // reading a message that names a day).
  const today = DateTime.utc(nowRome.year, nowRome.month, nowRome.day);

  const hits = findDates(text, today);
  hits.sort((a, b) => b.rank - a.rank || a.at - b.at);
  const best = hits[0];

  const time = findTime(text);

  const out: WhenExpression = {};
  if (best !== undefined) {
    out.date = best.date.toISODate() ?? undefined;
    if (best.until !== undefined) out.until = best.until.toISODate() ?? undefined;
  } else if (time !== undefined) {
    const [h, m] = time.split(':').map(Number);
    const stillAhead = (h ?? 0) * 60 + (m ?? 0) > nowRome.hour * 60 + nowRome.minute;
    out.date = (stillAhead ? today : today.plus({ days: 1 })).toISODate() ?? undefined;
    out.dayAssumed = true;
  }
  if (time !== undefined) out.time = time;
  if (partOfDay !== undefined) out.partOfDay = partOfDay;
  return out.date === undefined && out.time === undefined && out.partOfDay === undefined ? undefined : out;
}

function findDates(text: string, today: DateTime): DateHit[] {
  const hits: DateHit[] = [];
  const range = RANGE.exec(text);
  if (range !== null) {
    const month = MONTHS[range[3] ?? ''];
    const from = month === undefined ? undefined : nextOccurrence(today, month, toNumber(range[1]));
    const to = month === undefined ? undefined : nextOccurrence(today, month, toNumber(range[2]));
    if (from !== undefined) hits.push(to === undefined ? { date: from, at: range.index, rank: 3 } : { date: from, at: range.index, rank: 3, until: to });
  }
  for (const m of matchesOf(EXPLICIT, text)) {
    const month = MONTHS[m[2] ?? ''];
    if (month === undefined) continue;
    const date = m[3] !== undefined ? exactDate(toYear(m[3]), month, toNumber(m[1])) : nextOccurrence(today, month, toNumber(m[1]));
    if (date !== undefined) hits.push({ date, at: m.index, rank: 3 });
  }
  for (const m of matchesOf(EXPLICIT_EN, text)) {
    const month = MONTHS[m[1] ?? ''];
    // "may" and "march" are also English verbs; only trust them before a plausible day.
    if (month === undefined) continue;
    const date = nextOccurrence(today, month, toNumber(m[2]));
    if (date !== undefined) hits.push({ date, at: m.index, rank: 3 });
  }
  for (const m of matchesOf(NUMERIC, text)) {
    const day = toNumber(m[1]);
    const month = toNumber(m[2]);
    const date = m[3] !== undefined ? exactDate(toYear(m[3]), month, day) : nextOccurrence(today, month, day);
    if (date !== undefined) hits.push({ date, at: m.index, rank: 3 });
  }
  for (const m of matchesOf(DOTTED_DATE, text)) {
    const date = nextOccurrence(today, toNumber(m[2]), toNumber(m[1]));
    if (date !== undefined) hits.push({ date, at: m.index, rank: 3 });
  }
  if (hits.length === 0) {
    for (const m of matchesOf(DAY_ONLY, text)) {
      const date = nextDayOfMonth(today, toNumber(m[1]));
      if (date !== undefined) hits.push({ date, at: m.index, rank: 3 });
    }
  }
  const nextWeek = NEXT_WEEK.exec(text);
  const nextMonday = today.plus({ days: 8 - today.weekday });
  for (const m of matchesOf(WEEKDAY, text)) {
    const weekday = WEEKDAYS[m[2] ?? ''];
    if (weekday === undefined) continue;
    const back = m[1] === 'last ' || (m[3] ?? '').startsWith(' scors');
    // "Martedì della prossima settimana": that week's Tuesday, even when this week's is still ahead.
    if (nextWeek !== null && !back) {
      hits.push({ date: nextMonday.plus({ days: weekday - 1 }), at: m.index, rank: 2 });
      continue;
    }
    const delta = back ? -(((today.weekday - weekday + 6) % 7) + 1) : ((weekday - today.weekday + 6) % 7) + 1;
    hits.push({ date: today.plus({ days: delta }), at: m.index, rank: 2 });
  }
  for (const m of matchesOf(RELATIVE, text)) {
    const offset = RELATIVE_OFFSETS[m[1] ?? ''];
    if (offset !== undefined) hits.push({ date: today.plus({ days: offset }), at: m.index, rank: 1 });
  }
  if (nextWeek !== null) hits.push({ date: nextMonday, at: nextWeek.index, rank: 0, until: nextMonday.plus({ days: 6 }) });
  for (const m of matchesOf(IN_DAYS, text)) {
    const n = m[1] === 'un' || m[1] === 'a' ? 1 : toNumber(m[1]);
    const unit = m[2] ?? '';
    const days = /^(settiman|week)/.test(unit) ? n * 7 : n;
    if (days > 0 && days <= 366) hits.push({ date: today.plus({ days }), at: m.index, rank: 1 });
  }
  return hits;
}

function findTime(text: string): string | undefined {
  const candidates: Array<{ at: number; value: string }> = [];
  for (const m of matchesOf(TIME, text)) {
    const value = toClock(toNumber(m[1]), m[2] !== undefined ? Number(m[2]) : minutesFromWords(m[3]), m[4]);
    if (value !== undefined) candidates.push({ at: m.index, value });
  }
  for (const m of matchesOf(AM_PM, text)) {
    const value = toClock(toNumber(m[1]), m[2] !== undefined ? Number(m[2]) : 0, m[3]);
    if (value !== undefined) candidates.push({ at: m.index, value });
  }
  const dotted = [...matchesOf(DOTTED_DATE, text)].map((m) => m.index + m[0].length);
  for (const m of matchesOf(BARE_TIME, text)) {
    if (dotted.includes(m.index + m[0].length)) continue;
    const value = toClock(Number(m[1]), Number(m[2]), undefined);
    if (value !== undefined) candidates.push({ at: m.index, value });
  }
  const noon = NOON.exec(text);
  if (noon !== null) candidates.push({ at: noon.index, value: noon[1] === 'mezzogiorno' || noon[1] === 'noon' ? '12:00' : '00:00' });
  candidates.sort((a, b) => a.at - b.at);
  return candidates[0]?.value;
}

function minutesFromWords(words: string | undefined): number {
  switch (words) {
    case undefined:
      return 0;
    case 'mezza':
    case 'mezzo':
    case 'trenta':
      return 30;
    case 'un quarto':
    case 'quarto':
    case 'quindici':
      return 15;
    case 'tre quarti':
    case 'quarantacinque':
      return 45;
    default:
      return Number(words);
  }
}

function toClock(hour: number, minute: number, marker: string | undefined): string | undefined {
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || hour > 23 || minute > 59) return undefined;
  let h = hour;
  const later = marker !== undefined && /pm|pomeriggio|sera|afternoon|evening/.test(marker);
  const earlier = marker !== undefined && /am|mattin|morning/.test(marker);
  if (later && h < 12) h += 12;
  else if (earlier && h === 12) h = 0;
  else if (marker === undefined && h >= 1 && h <= 7) h += 12;
  return `${String(h).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function toNumber(s: string | undefined): number {
  if (s === undefined) return NaN;
  return NUMBER_WORDS[s] ?? Number(s);
}

function toYear(s: string): number {
  const n = Number(s);
  return s.length === 2 ? 2000 + n : n;
}

function exactDate(year: number, month: number, day: number): DateTime | undefined {
  if (!Number.isInteger(day) || !Number.isInteger(month)) return undefined;
  const d = DateTime.utc(year, month, day);
  return d.isValid ? d : undefined;
}

function nextOccurrence(today: DateTime, month: number, day: number): DateTime | undefined {
  const thisYear = exactDate(today.year, month, day);
  if (thisYear !== undefined && thisYear >= today) return thisYear;
  // 29 February: the next year that has one is at most 8 years away.
  for (let y = today.year + 1; y <= today.year + 8; y++) {
    const d = exactDate(y, month, day);
    if (d !== undefined) return d;
  }
  return undefined;
}

function nextDayOfMonth(today: DateTime, day: number): DateTime | undefined {
  if (!Number.isInteger(day) || day < 1 || day > 31) return undefined;
  for (let i = 0; i < 12; i++) {
    const month = today.plus({ months: i });
    const d = exactDate(month.year, month.month, day);
    if (d !== undefined && d >= today) return d;
  }
  return undefined;
}
