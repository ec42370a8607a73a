import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextEscalation, readCheckinAnswer, readCheckinCommand, viewBucket, OCCURRENCE_STATUSES } from '../../../core/checkins/escalation.ts';
import {
  dayDecision,
  dueInstant,
  isQuietTime,
  isValidWindowStart,
  sweepDecision,
  weekdayOf,
  type DaySchedule,
} from '../../../core/checkins/schedule.ts';
import { ROME_ZONE } from '../../../core/regulation/calendar.ts';
import itCheckins from '../../../locales/it/checkins.json' with { type: 'json' };
import enCheckins from '../../../locales/en/checkins.json' with { type: 'json' };

const rome = (date: string, hm: string) => DateTime.fromISO(`${date}T${hm}`, { zone: ROME_ZONE }).toJSDate();
const base: DaySchedule = { weekdays: [1, 2, 3, 4, 5, 6, 7], onHolidays: false, patronDay: null, status: 'active', pausedUntil: null, suspensions: [] };

// Ordinary days 2026–2030 (Rome dates), and valid window starts 08:00–19:30.
const dayArb = fc.date({ min: new Date('2026-01-01T12:00:00Z'), max: new Date('2030-12-31T12:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const windowArb = fc.integer({ min: 8 * 60, max: 19 * 60 + 30 }).map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

describe('check-in schedule', () => {
  it('accepts window starts from 08:00 to 19:30 only', () => {
    for (const ok of ['08:00', '10:30', '19:30']) expect(isValidWindowStart(ok), ok).toBe(true);
    for (const bad of ['07:59', '19:31', '20:00', '24:00', '8:00', '10:60', '', '10:00:00']) expect(isValidWindowStart(bad), bad).toBe(false);
  });

  it('puts the prompt at the window start, Rome wall clock, on any day (DST included)', () => {
    fc.assert(
      fc.property(dayArb, windowArb, (day, start) => {
        const due = DateTime.fromJSDate(dueInstant(day, start), { zone: ROME_ZONE });
        expect(due.toISODate()).toBe(day);
        expect(due.toFormat('HH:mm')).toBe(start);
      }),
    );
  });

  it('quiet hours are before 08:00 and from 20:00, to the minute', () => {
    fc.assert(
      fc.property(dayArb, (day) => {
        expect(isQuietTime(new Date(rome(day, '08:00').getTime() - 1000))).toBe(true);
        expect(isQuietTime(rome(day, '08:00'))).toBe(false);
        expect(isQuietTime(new Date(rome(day, '20:00').getTime() - 1000))).toBe(false);
        expect(isQuietTime(rome(day, '20:00'))).toBe(true);
      }),
    );
  });

  it('waits before the window, prompts from it until 20:00, then records the day as missed', () => {
    fc.assert(
      fc.property(dayArb, windowArb, fc.integer({ min: -600, max: 900 }), (day, start, offsetMinutes) => {
        const s = { ...base, onHolidays: true, windowStart: start };
        const due = dueInstant(day, start);
        const now = new Date(due.getTime() + offsetMinutes * 60_000);
        if (DateTime.fromJSDate(now, { zone: ROME_ZONE }).toISODate() !== day) return; // the sweep only looks at today
        const d = sweepDecision(s, day, now);
        if (offsetMinutes < 0) expect(d.kind).toBe('not_yet');
        else if (now.getTime() >= rome(day, '20:00').getTime()) expect(d.kind).toBe('missed');
        else expect(d.kind).toBe('prompt');
      }),
    );
  });

  it('only chosen weekdays are check-in days; stopped enrolments have none', () => {
    fc.assert(
      fc.property(dayArb, fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), (day, weekdays) => {
        const d = dayDecision({ ...base, onHolidays: true, weekdays }, day);
        expect(d.kind === 'none').toBe(!weekdays.includes(weekdayOf(day)));
        expect(dayDecision({ ...base, status: 'stopped' }, day).kind).toBe('none');
      }),
    );
  });

  it('skips public holidays and the patron day unless the enrolment says otherwise', () => {
    expect(dayDecision(base, '2026-12-25')).toEqual({ kind: 'skip', reason: 'public_holiday' });
    expect(dayDecision({ ...base, onHolidays: true }, '2026-12-25')).toEqual({ kind: 'due' });
    expect(dayDecision({ ...base, patronDay: '12-07' }, '2026-12-07')).toEqual({ kind: 'skip', reason: 'patron_day' });
    expect(dayDecision({ ...base, patronDay: '12-07', onHolidays: true }, '2026-12-07')).toEqual({ kind: 'due' });
    expect(dayDecision(base, '2026-12-07')).toEqual({ kind: 'due' });
  });

  it('skips days inside a confirmed suspension and a pause, both ends included', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 20 }), fc.integer({ min: -5, max: 25 }), (from, length, probe) => {
        const fromDt = DateTime.fromISO(from, { zone: 'utc' });
        const to = fromDt.plus({ days: length }).toISODate()!;
        const day = fromDt.plus({ days: probe }).toISODate()!;
        const inside = probe >= 0 && probe <= length;
        const s = { ...base, onHolidays: true };
        expect(dayDecision({ ...s, suspensions: [{ fromDate: from, toDate: to }] }, day).kind).toBe(inside ? 'skip' : 'due');
        expect(dayDecision({ ...s, status: 'paused', pausedUntil: to }, day).kind).toBe(probe <= length ? 'skip' : 'due');
        expect(dayDecision({ ...s, suspensions: [{ fromDate: from, toDate: null }] }, day).kind).toBe(probe >= 0 ? 'skip' : 'due');
      }),
    );
    expect(dayDecision({ ...base, status: 'paused', pausedUntil: null }, '2031-01-01')).toEqual({ kind: 'skip', reason: 'paused' });
  });

  it('a skipped day is recorded once its window starts, not before', () => {
    const s = { ...base, windowStart: '10:00' };
    expect(sweepDecision(s, '2026-12-25', rome('2026-12-25', '09:59')).kind).toBe('not_yet');
    expect(sweepDecision(s, '2026-12-25', rome('2026-12-25', '10:00'))).toMatchObject({ kind: 'skip', reason: 'public_holiday' });
  });
});

describe('check-in escalation', () => {
  it('waits the grace period, then a second prompt, then the alert; never a prompt in quiet hours', () => {
    fc.assert(
      fc.property(dayArb, windowArb, fc.integer({ min: 10, max: 180 }), fc.integer({ min: 0, max: 400 }), (day, start, grace, elapsed) => {
        const promptedAt = dueInstant(day, start);
        const now = new Date(promptedAt.getTime() + elapsed * 60_000);
        const first = nextEscalation({ status: 'prompted', promptedAt, repromptedAt: null }, now, grace);
        if (elapsed < grace) expect(first).toBe('wait');
        else expect(first).toBe(isQuietTime(now) ? 'alert' : 'reprompt');
        const second = nextEscalation({ status: 'reprompted', promptedAt, repromptedAt: promptedAt }, now, grace);
        expect(second).toBe(elapsed < grace ? 'wait' : 'alert');
        for (const closed of ['ok', 'help', 'call', 'no_answer', 'skipped', 'missed'] as const) {
          expect(nextEscalation({ status: closed, promptedAt, repromptedAt: promptedAt }, now, grace)).toBe('wait');
        }
      }),
    );
  });

  it('every status has a place in the custode view', () => {
    const buckets = OCCURRENCE_STATUSES.map(viewBucket);
    expect(buckets).not.toContain(undefined);
    expect(viewBucket('help')).toBe('help');
    expect(viewBucket('call')).toBe('help');
    expect(viewBucket('no_answer')).toBe('no_answer');
    expect(viewBucket('prompted')).toBe('waiting');
    expect(viewBucket('ok')).toBe('answered');
  });

  it('reads the button labels, SMS numbers and usual words as answers', () => {
    for (const [locale, file] of [['it', itCheckins], ['en', enCheckins]] as const) {
      expect(readCheckinAnswer(file.prompt.option.ok), locale).toBe('ok');
      expect(readCheckinAnswer(file.prompt.option.help), locale).toBe('help');
      expect(readCheckinAnswer(file.prompt.option.call), locale).toBe('call');
    }
    expect(readCheckinAnswer(' 1 ')).toBe('ok');
    expect(readCheckinAnswer('2.')).toBe('help');
    expect(readCheckinAnswer('3')).toBe('call');
    expect(readCheckinAnswer('Sì')).toBe('ok');
    expect(readCheckinAnswer('si grazie')).toBe('ok');
    expect(readCheckinAnswer('4')).toBeUndefined();
    expect(readCheckinAnswer('vorrei sapere le ore')).toBeUndefined();
  });

  it('reads pause, stop and resume commands; a bare "pausa" only while a prompt is open', () => {
    expect(readCheckinCommand('Pausa controlli', false)).toBe('pause');
    expect(readCheckinCommand('pausa', false)).toBeUndefined();
    expect(readCheckinCommand('pausa', true)).toBe('pause');
    expect(readCheckinCommand('STOP CONTROLLI', false)).toBe('stop');
    expect(readCheckinCommand('stop', true)).toBeUndefined(); // the SMS opt-out word stays the channel's
    expect(readCheckinCommand('riprendi controlli', false)).toBe('resume');
  });
});
