import { describe, expect, it } from 'vitest';
import { composeWrittenAnswer, type WrittenAnswerInput } from '../../../core/applications/written-answer.ts';
import { romeDateOf, dayAsInstant } from '../../../core/applications/dates.ts';

const base: WrittenAnswerInput = {
  status: 'waiting_list',
  applicationDate: '2 marzo 2026',
  issuedOn: '2026-03-20',
  comuneName: 'Albairate',
  criteria: { autonomy: 30, family: 10, network: 3, stress: 8, housing: 2, economic: 18 },
  totalPoints: 71,
  position: { position: 4, ahead: 3 },
  ineligibilityReasons: [],
  iseeExpired: false,
  officeAddress: null,
};
const keys = (refs: { key: string }[]) => refs.map((r) => r.key);

describe('art. 4 written answer content', () => {
  it('has no outcome before the investigation ends', () => {
    expect(composeWrittenAnswer({ ...base, status: 'received' })).toBeNull();
    expect(composeWrittenAnswer({ ...base, status: 'under_investigation' })).toBeNull();
  });

  it('states score, position and people ahead on the waiting list, with the score table', () => {
    const a = composeWrittenAnswer(base)!;
    expect(a.outcome).toBe('waiting_list');
    expect(a.paragraphs[0]).toEqual({ key: 'applications:answer.outcome.waitingList', params: { total: 71 } });
    expect(a.paragraphs).toContainEqual({ key: 'applications:answer.position', params: { position: 4, ahead: 3 } });
    expect(a.scoreRows.map((r) => [r.criterion, r.points, r.max])).toEqual([
      ['autonomy', 30, 40], ['family', 10, 15], ['network', 3, 5], ['stress', 8, 15], ['housing', 2, 5], ['economic', 18, 20],
    ]);
    expect(a.total).toBe(71);
    expect(keys(a.closing)).toContain('applications:answer.appeal');
  });

  it('explains non-eligibility by its art. 3 reasons, without a score table', () => {
    const a = composeWrittenAnswer({ ...base, status: 'not_eligible', position: null, ineligibilityReasons: ['no_criterion_met'] })!;
    expect(keys(a.paragraphs)).toEqual(['applications:answer.outcome.notEligible', 'applications:answer.reason.noCriterion']);
    expect(a.scoreRows).toEqual([]);
    const generic = composeWrittenAnswer({ ...base, status: 'not_eligible', position: null })!;
    expect(keys(generic.paragraphs)).toContain('applications:answer.reason.assessment');
  });

  it('asks for a new ISEE when it has expired, and points to the office when known', () => {
    const a = composeWrittenAnswer({ ...base, status: 'assessed', position: null, iseeExpired: true, officeAddress: 'Piazza Garibaldi 1' })!;
    expect(keys(a.paragraphs)).toContain('applications:answer.iseeExpired');
    expect(a.closing).toContainEqual({ key: 'applications:answer.ask.office', params: { address: 'Piazza Garibaldi 1' } });
  });

  it('keeps a stored day the same Rome day across DST', () => {
    for (const day of ['2026-03-29', '2026-10-25', '2026-01-01', '2026-07-15']) expect(romeDateOf(dayAsInstant(day))).toBe(day);
    expect(romeDateOf(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
  });
});
