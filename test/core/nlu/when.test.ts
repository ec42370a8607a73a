import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { normaliseTokens } from '../../../core/nlu/normalise.ts';
import { parseWhen } from '../../../core/nlu/when.ts';

// Monday 23 November 2026, 09:00 in Rome (CET, UTC+1).
const MONDAY = new Date('2026-11-23T08:00:00Z');
const when = (text: string, now: Date = MONDAY) => parseWhen(normaliseTokens(text), now);

describe('parseWhen, relative to Monday 2026-11-23 09:00 Europe/Rome', () => {
  it.each([
    ['domani mattina', { date: '2026-11-24', partOfDay: 'morning' }],
    ['domattina', { date: '2026-11-24', partOfDay: 'morning' }],
    ['giovedì alle 10', { date: '2026-11-26', time: '10:00' }],
    ['GIOVEDI ALLE 10', { date: '2026-11-26', time: '10:00' }],
    ['sabato', { date: '2026-11-28' }],
    ['dopodomani', { date: '2026-11-25' }],
    ['il 3 dicembre', { date: '2026-12-03' }],
    ['3 dic', { date: '2026-12-03' }],
    ['il primo dicembre', { date: '2026-12-01' }],
    ['oggi pomeriggio', { date: '2026-11-23', partOfDay: 'afternoon' }],
    ['stasera', { date: '2026-11-23', partOfDay: 'evening' }],
    ['venerdì mattina alle 9', { date: '2026-11-27', time: '09:00', partOfDay: 'morning' }],
    ['tra tre giorni', { date: '2026-11-26' }],
    ['fra una settimana', { date: '2026-11-30' }],
    ['3/12', { date: '2026-12-03' }],
    ['il 3/12/2027', { date: '2027-12-03' }],
    ['il 3.12 alle 9.30', { date: '2026-12-03', time: '09:30' }],
    ['ieri', { date: '2026-11-22' }],
    ['giovedì scorso', { date: '2026-11-19' }],
  ])('%s', (text, expected) => {
    expect(when(text)).toEqual(expected);
  });

  it('reads a weekday as the next such day, never today', () => {
    expect(when('lunedì')?.date).toBe('2026-11-30');
    expect(when('martedì')?.date).toBe('2026-11-24');
    expect(when('domenica prossima')?.date).toBe('2026-11-29');
  });

  it('puts a bare time today while it is ahead, tomorrow once it has passed', () => {
    expect(when('alle 15:30')).toEqual({ date: '2026-11-23', time: '15:30', dayAssumed: true });
    expect(when('alle 15.30')).toEqual({ date: '2026-11-23', time: '15:30', dayAssumed: true });
    expect(when('alle 8')).toEqual({ date: '2026-11-24', time: '08:00', dayAssumed: true });
    // A day said is not assumed.
    expect(when('domani alle 8')).toEqual({ date: '2026-11-24', time: '08:00' });
  });

  it('reads "la settimana prossima" as next Monday to Sunday, and a weekday of it as that week\'s', () => {
    expect(when('la settimana prossima')).toEqual({ date: '2026-11-30', until: '2026-12-06' });
    expect(when('la prossima settimana martedì')).toEqual({ date: '2026-12-01' });
    expect(when('martedì')).toEqual({ date: '2026-11-24' });
    // Said on a Sunday, next week starts the day after.
    expect(when('la settimana prossima', new Date('2026-11-29T10:00:00Z'))).toEqual({ date: '2026-11-30', until: '2026-12-06' });
  });

  it('reads Italian clock phrases', () => {
    expect(when('alle 3 del pomeriggio')?.time).toBe('15:00');
    expect(when('alle 3')?.time).toBe('15:00'); // 1–7 without "mattina": service hours are 08–20
    expect(when('alle 9 di sera')?.time).toBe('21:00');
    expect(when('alle 10 e mezza')?.time).toBe('10:30');
    expect(when('alle dieci e un quarto')?.time).toBe('10:15');
    expect(when("all'una")?.time).toBe('13:00');
    expect(when('a mezzogiorno')?.time).toBe('12:00');
    expect(when('dalle 10 alle 12')?.time).toBe('10:00');
  });

  it('reads English', () => {
    expect(when('tomorrow at 3pm')).toEqual({ date: '2026-11-24', time: '15:00' });
    expect(when('next friday')).toEqual({ date: '2026-11-27' });
    expect(when('on December 3rd')).toEqual({ date: '2026-12-03' });
    expect(when('the day after tomorrow')).toEqual({ date: '2026-11-25' });
    expect(when('this afternoon')).toEqual({ date: '2026-11-23', partOfDay: 'afternoon' });
  });

  it('keeps a range', () => {
    expect(when('dal 10 al 20 dicembre sono da mia figlia')).toEqual({ date: '2026-12-10', until: '2026-12-20' });
  });

  it('does not take counts of hours or weeks for times', () => {
    expect(when('quante ore ho ancora? 10 ore?')).toBeUndefined();
    expect(when('per le due settimane')).toBeUndefined();
    expect(when('aspetto da 2 ore')).toBeUndefined();
    expect(when('la signora del 3 piano')).toBeUndefined();
  });

  it('ignores greetings and impossible dates', () => {
    expect(when('buon pomeriggio')).toBeUndefined();
    expect(when('good morning')).toBeUndefined();
    expect(when('31 novembre')).toBeUndefined();
    expect(when('ciao')).toBeUndefined();
  });

  it('gives only the part of day for a habit', () => {
    expect(when('la mattina non riesco ad alzarmi')).toEqual({ partOfDay: 'morning' });
  });

  it('returns undefined for an invalid now instead of throwing', () => {
    expect(when('domani', new Date(Number.NaN))).toBeUndefined();
  });
});

describe('parseWhen across month and year ends', () => {
  const monday28Dec = new Date('2026-12-28T09:00:00Z');
  const newYearsEve = new Date('2026-12-31T22:30:00Z'); // 23:30 in Rome

  it('rolls day-and-month dates into next year once past', () => {
    expect(when('il 3 gennaio', monday28Dec)?.date).toBe('2027-01-03');
    expect(when('3 novembre')?.date).toBe('2027-11-03');
    expect(when('il 23 novembre')?.date).toBe('2026-11-23'); // today still counts
  });

  it('rolls weekdays, "domani" and a bare day of month over the year end', () => {
    expect(when('venerdì', monday28Dec)?.date).toBe('2027-01-01');
    expect(when('domani', newYearsEve)?.date).toBe('2027-01-01');
    expect(when('il 2', monday28Dec)?.date).toBe('2027-01-02');
    expect(when('il 15')?.date).toBe('2026-12-15');
    expect(when('il 30')?.date).toBe('2026-11-30');
  });

  it('finds the next 29 February', () => {
    expect(when('29 febbraio')?.date).toBe('2028-02-29');
  });
});

describe('parseWhen in DST weeks (Europe/Rome)', () => {
  // Clocks go forward on Sunday 2026-03-29 at 02:00 and back on Sunday 2026-10-25 at 03:00.
  it('uses the Rome date, not the UTC date, around midnight', () => {
    const sundayJustAfterMidnight = new Date('2026-03-28T23:30:00Z'); // 00:30 CET on 29 March
    expect(when('oggi', sundayJustAfterMidnight)?.date).toBe('2026-03-29');
    expect(when('domani', sundayJustAfterMidnight)?.date).toBe('2026-03-30');
    const lateSaturday = new Date('2026-10-24T21:30:00Z'); // 23:30 CEST on 24 October
    expect(when('domani', lateSaturday)?.date).toBe('2026-10-25');
    expect(when('oggi', new Date('2026-10-25T22:30:00Z'))?.date).toBe('2026-10-25'); // 23:30 CET
  });

  it('counts calendar days across the change of time', () => {
    const thursdayBeforeSpring = new Date('2026-03-26T08:00:00Z');
    expect(when('martedì alle 10', thursdayBeforeSpring)).toEqual({ date: '2026-03-31', time: '10:00' });
    expect(when('tra una settimana', thursdayBeforeSpring)?.date).toBe('2026-04-02');
    const saturdayBeforeAutumn = new Date('2026-10-24T08:00:00Z');
    expect(when('domani alle 10', saturdayBeforeAutumn)).toEqual({ date: '2026-10-25', time: '10:00' });
    expect(when('lunedì', saturdayBeforeAutumn)?.date).toBe('2026-10-26');
  });

  it('compares a bare time with now in summer time on the spring Sunday', () => {
    const sunday1030 = new Date('2026-03-29T08:30:00Z'); // 10:30 CEST; 10:00 CEST is 08:00Z, already past
    expect(when('alle 10', sunday1030)).toEqual({ date: '2026-03-30', time: '10:00', dayAssumed: true });
    expect(when('alle 11', sunday1030)).toEqual({ date: '2026-03-29', time: '11:00', dayAssumed: true });
    expect(when('alle 9 di mattina', sunday1030)).toEqual({ date: '2026-03-30', time: '09:00', partOfDay: 'morning', dayAssumed: true });
  });
});

describe('parseWhen at any instant: the day and the clock are those of Rome', () => {
  // The calendar arithmetic runs in UTC on Rome's date: check it against luxon in Europe/Rome at
  // instants around midnight and the DST changes, where Rome's date and UTC's differ.
  const instants = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-12-31T23:59:59Z'), noInvalidDate: true });
  const rome = (now: Date) => DateTime.fromJSDate(now, { zone: 'Europe/Rome' });

  it('names the same days as a calendar kept in Rome', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 12 }), (now, hour, day, month) => {
        const today = rome(now).startOf('day');
        expect(when('domani', now)?.date).toBe(today.plus({ days: 1 }).toISODate());
        expect(when('tra tre giorni', now)?.date).toBe(today.plus({ days: 3 }).toISODate());
        const thisYear = today.set({ month, day });
        const next = thisYear >= today ? thisYear : thisYear.plus({ years: 1 });
        expect(when(`il ${day}/${month}`, now)?.date).toBe(next.toISODate());
        // A time with no day: today if still ahead on Rome's clock, else tomorrow (the clock time
        // as read: "alle 1" may be 13:00).
        const timed = when(`alle ${hour}:30`, now);
        const [h, m] = (timed?.time ?? '').split(':').map(Number);
        const at = today.set({ hour: h, minute: m });
        expect(timed?.date).toBe((at > rome(now) ? today : today.plus({ days: 1 })).toISODate());
      }),
      {
        seed: 20261123,
        numRuns: 400,
        // Instants next to midnight in Rome and to the DST changes of 2026–2028.
        examples: [
          [new Date('2026-11-23T22:59:59Z'), 23, 24, 11],
          [new Date('2026-11-23T23:00:00Z'), 0, 24, 11],
          [new Date('2026-03-29T00:59:59Z'), 2, 29, 3],
          [new Date('2026-03-29T01:00:00Z'), 3, 29, 3],
          [new Date('2026-10-25T00:30:00Z'), 2, 25, 10],
          [new Date('2027-12-31T23:30:00Z'), 0, 1, 1],
        ],
      },
    );
  });
});
