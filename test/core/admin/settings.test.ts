import { describe, expect, it } from 'vitest';
import { checkOfficeHours, checkPatronDay, computeNeedHours, WAITING_APPLICATION_NEED_HOURS } from '../../../core/admin/settings.ts';
import type { MessageRef } from '../../../core/errors.ts';

describe('comune settings checks', () => {
  it('accepts office hours and sorts each day', () => {
    const fields: Record<string, MessageRef> = {};
    expect(checkOfficeHours({ '1': ['14:30-17:00', '08:30-12:30'], '5': ['09:00-12:00'], '6': [] }, fields)).toEqual({ '1': ['08:30-12:30', '14:30-17:00'], '5': ['09:00-12:00'] });
    expect(fields).toEqual({});
  });

  it('refuses impossible times, reversed or overlapping intervals and unknown weekdays', () => {
    const fields: Record<string, MessageRef> = {};
    checkOfficeHours({ '1': ['25:00-26:00'], '2': ['12:00-08:00'], '3': ['08:00-12:00', '11:00-13:00'], '8': ['08:00-09:00'], '4': ['8-12'], '5': 'mattina' as unknown as string[] }, fields);
    expect(fields['officeHours.1.0']?.key).toBe('admin:settings.interval');
    expect(fields['officeHours.2.0']?.key).toBe('admin:settings.intervalOrder');
    expect(fields['officeHours.3']?.key).toBe('admin:settings.overlap');
    expect(fields['officeHours.8']?.key).toBe('admin:settings.weekday');
    expect(fields['officeHours.4.0']?.key).toBe('admin:settings.interval');
    expect(fields['officeHours.5']?.key).toBe('admin:settings.intervals');
  });

  it('checks the patron day as MM-DD', () => {
    for (const ok of ['06-29', '02-29', '12-31']) {
      const fields: Record<string, MessageRef> = {};
      checkPatronDay(ok, fields);
      expect(fields, ok).toEqual({});
    }
    for (const bad of ['13-01', '02-30', '6-29', '29-06']) {
      const fields: Record<string, MessageRef> = {};
      checkPatronDay(bad, fields);
      expect(fields.patronDay?.key, bad).toBe('admin:settings.patronDay');
    }
  });

  it('counts a waiting application as one four-month programme at 5 h/week', () => {
    expect(WAITING_APPLICATION_NEED_HOURS).toBe(90);
    expect(computeNeedHours({ issuedHours: 100, waitingApplications: 3 })).toBe(370);
  });
});
