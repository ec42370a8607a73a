import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countSegments, fitSms, normaliseGsm7 } from '../../../core/channels/gsm.ts';
import { isWithinOfficeHours } from '../../../core/conversation/office-hours.ts';
import { normalisePhone, optionFromNumber, renderSms, smsKeyword, telegramKeyboard } from '../../../core/channels/render.ts';
import { parseTelegramUpdate } from '../../../core/channels/telegram-update.ts';

describe('GSM-7', () => {
  it('replaces characters that would force UCS-2', () => {
    expect(normaliseGsm7('L’operatore È qui – «sì»…')).toBe("L'operatore E' qui - \"sì\"...");
    expect(countSegments(normaliseGsm7('È l’ora')).encoding).toBe('GSM-7');
    expect(countSegments('È l’ora').encoding).toBe('UCS-2');
  });
  it('counts segments of both encodings, extension characters as two septets', () => {
    expect(countSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(161))).toMatchObject({ segments: 2 });
    expect(countSegments('€'.repeat(80)).units).toBe(160);
    expect(countSegments('😀'.repeat(35))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(countSegments('😀'.repeat(36))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });
  it('cuts a too-long text to two segments of its encoding', () => {
    const long = 'parola '.repeat(100);
    const fitted = fitSms(long);
    expect(countSegments(fitted).segments).toBeLessThanOrEqual(2);
    expect(fitted.endsWith('...')).toBe(true);
    const emoji = fitSms('😀 ciao '.repeat(40));
    expect(countSegments(emoji)).toMatchObject({ encoding: 'UCS-2' });
    expect(countSegments(emoji).segments).toBeLessThanOrEqual(2);
  });
});

describe('SMS rendering', () => {
  const hint = (n: string) => `Risponda ${n}.`;
  it('numbers the options and maps a number back', () => {
    const options = [{ id: 'a', label: 'Sì' }, { id: 'b', label: 'No' }, { id: 'c', label: 'Forse' }];
    expect(renderSms('Vuole?', options, hint, 'o')).toBe('Vuole?\n1 Sì\n2 No\n3 Forse\nRisponda 1, 2 o 3.');
    expect(optionFromNumber(' 2 ', options)?.id).toBe('b');
    expect(optionFromNumber('2.', options)?.id).toBe('b');
    expect(optionFromNumber('4', options)).toBeUndefined();
    expect(optionFromNumber('2 ore', options)).toBeUndefined();
  });
  it('names the range instead of every number from five options on', () => {
    const range = (last: string) => `Risponda con un numero da 1 a ${last}.`;
    const four = ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id.toUpperCase() }));
    expect(renderSms('Quale?', four, hint, 'o', { range }).endsWith('\nRisponda 1, 2, 3 o 4.')).toBe(true);
    const fourteen = Array.from({ length: 14 }, (_, i) => ({ id: `c${i}`, label: `Comune ${i + 1}` }));
    expect(renderSms('In quale Comune abita?', fourteen, hint, 'o', { range }).endsWith('\n14 Comune 14\nRisponda con un numero da 1 a 14.')).toBe(true);
  });
  it('says a single choice may also be written out', () => {
    const single = 'Risponda 1, oppure scriva la risposta.';
    expect(renderSms('Come si chiama?', [{ id: 'said', label: 'Ferri' }], hint, 'o', { single })).toBe(`Come si chiama?\n1 Ferri\n${single}`);
    expect(renderSms('Come si chiama?', [{ id: 'said', label: 'Ferri' }], hint, 'o')).toBe('Come si chiama?\n1 Ferri\nRisponda 1.');
  });
  it('shortens a long recap in its text, never in its numbered choices', () => {
    const options = [{ id: 'yes', label: 'Sì, invia' }, { id: 'change', label: 'Cambiare qualcosa' }, { id: 'no', label: 'No, lascio stare' }];
    const body = `Ricapitolo: Maria Giuseppina Rossi Bianchi, ${'via Giuseppe Garibaldi 120, scala B, quarto piano, '.repeat(4)}Abbiategrasso. Problema: non esce di casa. Invio la segnalazione?`;
    const sms = renderSms(body, options, hint, 'o');
    expect(countSegments(sms).segments).toBeLessThanOrEqual(2);
    expect(sms).toMatch(/^Ricapitolo: Maria/);
    expect(sms.endsWith('... Invio la segnalazione?\n1 Sì, invia\n2 Cambiare qualcosa\n3 No, lascio stare\nRisponda 1, 2 o 3.')).toBe(true);
  });
  it('always fits two segments, and keeps the choices whenever they fit on their own', () => {
    const label = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
    fc.assert(
      fc.property(fc.tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 40 })).map(([word, n]) => `${word} `.repeat(n)), fc.array(label, { minLength: 1, maxLength: 5 }), fc.constantFrom('', '😀', 'Сергей'), fc.constantFrom('', ' Va bene così?', `. ${'Lo vuole davvero '.repeat(4)}?`), (body, labels, extra, ending) => {
        const options = labels.map((l, i) => ({ id: String(i), label: l }));
        const sms = renderSms(extra + body + ending, options, hint, 'o');
        expect(countSegments(sms).segments).toBeLessThanOrEqual(2);
        const tail = normaliseGsm7(`\n${options.map((o, i) => `${i + 1} ${o.label}`).join('\n')}\n${hint(options.length === 1 ? '1' : `${options.slice(0, -1).map((_, i) => i + 1).join(', ')} o ${options.length}`)}`);
        if (countSegments(`${normaliseGsm7(extra + body + ending).trim()}${tail}`).segments > 2 && countSegments(`...${tail}`).segments <= 2) expect(sms.endsWith(tail)).toBe(true);
      }),
      { numRuns: 500, seed: 15 },
    );
  });
  it('knows STOP and ANNULLA', () => {
    expect(smsKeyword(' stop ')).toBe('stop');
    expect(smsKeyword('Annulla')).toBe('cancel');
    expect(smsKeyword('annulla la visita')).toBeUndefined();
  });
  it('normalises Italian phone numbers', () => {
    expect(normalisePhone('333 123 4567')).toBe('+393331234567');
    expect(normalisePhone('0039 333 1234567')).toBe('+393331234567');
    expect(normalisePhone('abc')).toBeUndefined();
  });
});

describe('Telegram', () => {
  it('parses start links, options, contacts and media of private chats only', () => {
    const chat = { id: 42, type: 'private' };
    expect(parseTelegramUpdate({ update_id: 1, message: { chat, from: { id: 42 }, text: '/start ABC123' } })?.input).toEqual({ kind: 'start', code: 'ABC123' });
    expect(parseTelegramUpdate({ update_id: 1, callback_query: { id: 'q', data: 'm1.yes', from: { id: 42 }, message: { chat } } })?.input).toMatchObject({ kind: 'option', optionId: 'm1.yes' });
    expect(parseTelegramUpdate({ update_id: 1, message: { chat, from: { id: 42 }, contact: { phone_number: '+39333', user_id: 42 } } })?.input).toMatchObject({ kind: 'contact', contactUserId: 42 });
    expect(parseTelegramUpdate({ update_id: 1, message: { chat, from: { id: 42 }, voice: { file_id: 'v1' } } })?.input).toMatchObject({ kind: 'media', mediaType: 'voice' });
    expect(parseTelegramUpdate({ update_id: 1, message: { chat: { id: -5, type: 'group' }, from: { id: 42 }, text: 'ciao' } })?.input).toEqual({ kind: 'ignored' });
    expect(parseTelegramUpdate({ update_id: 1, edited_message: {} })?.input).toEqual({ kind: 'ignored' });
    expect(parseTelegramUpdate({ nothing: true })).toBeUndefined();
  });
  it('makes one large button per option', () => {
    expect(telegramKeyboard([{ id: 'a', label: 'Sì' }, { id: 'b', label: 'No' }])).toEqual({
      inline_keyboard: [[{ text: 'Sì', callback_data: 'a' }], [{ text: 'No', callback_data: 'b' }]],
    });
  });
});

describe('office hours', () => {
  const hours = { '1': ['09:00-12:30'] };
  it('reads Rome wall-clock time', () => {
    expect(isWithinOfficeHours(hours, new Date('2025-03-03T08:30:00Z'))).toBe(true); // Monday 09:30 Rome
    expect(isWithinOfficeHours(hours, new Date('2025-03-03T12:00:00Z'))).toBe(false); // 13:00 Rome
    expect(isWithinOfficeHours(hours, new Date('2025-03-04T08:30:00Z'))).toBe(false); // Tuesday
    expect(isWithinOfficeHours(null, new Date())).toBe(false);
  });
  it('counts public holidays and the patron day as closed (urgent alerts then reach the on-call staff)', () => {
    expect(isWithinOfficeHours(hours, new Date('2025-04-21T08:30:00Z'))).toBe(false); // Easter Monday 09:30
    expect(isWithinOfficeHours(hours, new Date('2025-03-03T08:30:00Z'), '03-03')).toBe(false); // patron day
  });
});
