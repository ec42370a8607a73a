/**
 * How the engine's channel-neutral output looks on each channel, pure.
 * SMS: options become numbered lines and a "reply 1, 2 or 3" line; everything fits two segments,
 * and a text too long for them is shortened in its body, never in its choices.
 * Telegram: options become an inline keyboard, one large button per row.
 */
import { countSegments, fitSms, normaliseGsm7 } from './gsm.ts';

export interface ChannelOption {
  id: string;
  label: string;
}

/** The maximum number of SMS segments any one reply may take. */
export const SMS_MAX_SEGMENTS = 2;

/** From this many options on, the hint names the range ("da 1 a 14"), not every number. */
export const SMS_RANGE_FROM = 5;

/** The other hint sentences, from the locale files: for long lists, and for a single choice. */
export interface SmsHints {
  /** "Risponda con un numero da 1 a 14." */
  range?: (last: string) => string;
  /** "Risponda 1, oppure scriva la risposta.": one choice is offered beside a question to write to. */
  single?: string;
}

/**
 * Renders a reply for SMS. `replyHint(list)` renders the localised "Risponda 1, 2 o 3" sentence
 * for the numbers offered; `hints` the others (the caller supplies them from the locale files).
 */
export function renderSms(
  body: string,
  options: readonly ChannelOption[] | null | undefined,
  replyHint: (numbers: string) => string,
  orWord: string,
  hints: SmsHints = {},
): string {
  if (!options || options.length === 0) return fitSms(body, SMS_MAX_SEGMENTS);
  const lines = options.map((o, i) => `${i + 1} ${o.label}`);
  const numbers = options.map((_, i) => String(i + 1));
  const list = numbers.length === 1 ? numbers[0]! : `${numbers.slice(0, -1).join(', ')} ${orWord} ${numbers.at(-1)}`;
  const hint = hints.range && numbers.length >= SMS_RANGE_FROM ? hints.range(String(numbers.length)) : numbers.length === 1 && hints.single ? hints.single : replyHint(list);
  const choices = `\n${lines.join('\n')}\n${hint}`;
  // Cut, a recap keeps its closing question ("Invio la segnalazione?"): the choices answer it.
  const question = /(?:[.!:]\s+|\n)([^.!?\n]{1,80}\?)\s*$/.exec(body);
  if (question) {
    const kept = ` ${question[1]!.trim()}${choices}`;
    const fits = (text: string) => countSegments(normaliseGsm7(text)).segments <= SMS_MAX_SEGMENTS;
    if (!fits(`${body.trim()}${choices}`) && fits(`...${kept}`)) return fitSms(body.slice(0, question.index + 1), SMS_MAX_SEGMENTS, kept);
  }
  return fitSms(body, SMS_MAX_SEGMENTS, choices);
}

/** A number typed in answer to numbered options ("2", " 2.", "n. 2") → the option, if offered. */
export function optionFromNumber(text: string, options: readonly ChannelOption[]): ChannelOption | undefined {
  const m = /^\s*(?:n\.?\s*)?(\d{1,2})\s*[.)]?\s*$/i.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]) - 1;
  return options[index];
}

export type SmsKeyword = 'stop' | 'cancel' | 'start';

/** STOP (opt out), ANNULLA (leave the current question), START/ALT restart: the usual SMS words. */
export function smsKeyword(text: string): SmsKeyword | undefined {
  const word = text.trim().toUpperCase().replace(/[.!]+$/, '');
  if (['STOP', 'STOPALL', 'UNSUBSCRIBE', 'BASTA', 'ARRESTA'].includes(word)) return 'stop';
  if (['ANNULLA', 'CANCEL'].includes(word)) return 'cancel';
  if (['START', 'UNSTOP', 'RIPRENDI'].includes(word)) return 'start';
  return undefined;
}

export interface InlineKeyboard {
  inline_keyboard: { text: string; callback_data: string }[][];
}

/** Telegram inline keyboard: one option per row (large buttons), callback data = option id (≤ 64 bytes). */
export function telegramKeyboard(options: readonly ChannelOption[] | null | undefined): InlineKeyboard | undefined {
  if (!options || options.length === 0) return undefined;
  return {
    inline_keyboard: options
      .filter((o) => new TextEncoder().encode(o.id).length <= 64)
      .map((o) => [{ text: o.label.length > 60 ? `${o.label.slice(0, 57)}...` : o.label, callback_data: o.id }]),
  };
}

/** Telegram caps a message at 4,096 characters: longer text is split at line or word ends. */
export function splitTelegramText(text: string, max = 4096): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  parts.push(rest);
  return parts;
}

/** Normalises an Italian phone number to E.164 (+39…) for comparison; undefined when not a number. */
export function normalisePhone(raw: string): string | undefined {
  let p = raw.replace(/[\s().-]/g, '');
  if (p.startsWith('00')) p = `+${p.slice(2)}`;
  if (!p.startsWith('+')) p = /^3\d{8,9}$|^0\d{5,10}$/.test(p) ? `+39${p}` : `+${p}`;
  return /^\+\d{6,15}$/.test(p) ? p : undefined;
}
