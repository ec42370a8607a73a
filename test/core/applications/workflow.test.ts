import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.ts';
import {
  APPLICATION_STATUSES,
  APPLICATION_TRANSITIONS,
  assertTransition,
  canTransition,
  reachableFrom,
  type ApplicationStatus,
} from '../../../core/applications/workflow.ts';
import { APPLICATION_TRANSITIONS as FROM_SCHEMA } from '../../../db/schema.ts';

const status = fc.constantFrom(...APPLICATION_STATUSES);

/** Follows the workflow from `start`, taking the i-th allowed move at each step (stops when none). */
function walk(start: ApplicationStatus, choices: number[]): ApplicationStatus[] {
  const path = [start];
  let current = start;
  for (const choice of choices) {
    const next = APPLICATION_TRANSITIONS[current];
    if (next.length === 0) break;
    current = next[choice % next.length]!;
    path.push(current);
  }
  return path;
}

describe('application status workflow', () => {
  it('is the table db/schema.ts exports (one source of truth)', () => {
    expect(FROM_SCHEMA).toBe(APPLICATION_TRANSITIONS);
  });

  it('follows the issue: received → under investigation → assessed → list / admitted / not eligible → closed', () => {
    expect(canTransition('received', 'under_investigation')).toBe(true);
    expect(canTransition('under_investigation', 'assessed')).toBe(true);
    for (const to of ['waiting_list', 'admitted', 'not_eligible'] as const) expect(canTransition('assessed', to)).toBe(true);
    for (const from of ['waiting_list', 'admitted', 'not_eligible'] as const) expect(canTransition(from, 'closed')).toBe(true);
    expect(canTransition('received', 'admitted')).toBe(false);
    expect(canTransition('admitted', 'waiting_list')).toBe(false);
  });

  it('only names known statuses and never loops on itself', () => {
    for (const from of APPLICATION_STATUSES) {
      for (const to of APPLICATION_TRANSITIONS[from]) {
        expect(APPLICATION_STATUSES).toContain(to);
        expect(to).not.toBe(from);
      }
    }
  });

  it('reaches every status from received, and closed from every status', () => {
    expect([...reachableFrom('received')].sort()).toEqual([...APPLICATION_STATUSES].sort());
    for (const s of APPLICATION_STATUSES) expect(reachableFrom(s).has('closed'), s).toBe(true);
  });

  it('property: no path ever leaves closed', () => {
    fc.assert(
      fc.property(status, fc.array(fc.nat(), { maxLength: 30 }), (start, choices) => {
        const path = walk(start, choices);
        const closedAt = path.indexOf('closed');
        if (closedAt >= 0) expect(path.slice(closedAt).every((s) => s === 'closed')).toBe(true);
        expect(walk('closed', choices)).toEqual(['closed']);
      }),
      { seed: 4, numRuns: 300 },
    );
  });

  it('property: every path from received stays inside the workflow and each step is allowed', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (choices) => {
        const path = walk('received', choices);
        for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('refuses a move with CONFLICT naming the allowed statuses', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        if (canTransition(from, to)) return;
        try {
          assertTransition(from, to, { scored: true });
          expect.unreachable();
        } catch (err) {
          expect(err).toBeInstanceOf(DomainError);
          const e = err as DomainError;
          expect(e.code).toBe('CONFLICT');
          expect(e.messageRef.params?.allowed).toBe(APPLICATION_TRANSITIONS[from].length ? APPLICATION_TRANSITIONS[from].join(', ') : '—');
        }
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('needs a score to rank, admit or mark assessed', () => {
    expect(() => assertTransition('assessed', 'waiting_list', { scored: false })).toThrow(DomainError);
    expect(() => assertTransition('under_investigation', 'assessed', { scored: false })).toThrow(/scoreRequired/);
    expect(() => assertTransition('assessed', 'waiting_list', { scored: true })).not.toThrow();
    expect(() => assertTransition('received', 'under_investigation', { scored: false })).not.toThrow();
  });
});
