import { describe, expect, it } from 'vitest';
import { computeEvaluationDue } from '../../../core/regulation/evaluation.ts';
import { expectViolation } from './violation.ts';

describe('art. 12 evaluations', () => {
  it('is due by the last day of the first four months', () => {
    expect(computeEvaluationDue({ programmeStart: '2026-03-02', evaluations: [], today: '2026-06-30' })).toEqual({
      lastEvaluatedOn: null,
      nextDue: '2026-07-01',
      daysLeft: 1,
      overdue: false,
    });
  });

  it('counts four months again from the latest evaluation', () => {
    const status = computeEvaluationDue({ programmeStart: '2026-03-02', evaluations: ['2026-06-15', '2026-04-10'], today: '2026-10-16' });
    expect(status).toEqual({ lastEvaluatedOn: '2026-06-15', nextDue: '2026-10-14', daysLeft: -2, overdue: true });
  });

  it('ignores evaluations before the programme started', () => {
    expect(computeEvaluationDue({ programmeStart: '2026-03-02', evaluations: ['2026-02-01'], today: '2026-03-02' }).lastEvaluatedOn).toBeNull();
  });

  it('rejects invalid dates (art. 12)', () => {
    expectViolation(() => computeEvaluationDue({ programmeStart: '2026-03-02', evaluations: ['ieri'], today: '2026-03-02' }), 'art. 12', {
      'evaluations.0': 'rules:invalidDate',
    });
  });
});
