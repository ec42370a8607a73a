/**
 * The status workflow of an application (art. 4–6), pure and authoritative: db/schema.ts and the
 * staff API import it from here.
 *
 *   received → under_investigation → assessed → waiting_list / admitted / not_eligible → closed
 *
 * Readings where the regulation is silent:
 * - `received → not_eligible`: the art. 3 check at intake may already show the person is not
 *   eligible (not resident, no criterion); the application is kept, so it still gets its art. 4
 *   written answer.
 * - `waiting_list → assessed`: taken off the list pending a decision (e.g. a changed situation);
 *   a rescoring alone keeps the application on the list.
 * - `not_eligible → under_investigation`: a re-examination (the citizen asks again, new facts).
 * - `closed` is final: a new request is a new application.
 */
import { DomainError } from '../errors.ts';

export const APPLICATION_STATUSES = ['received', 'under_investigation', 'assessed', 'waiting_list', 'admitted', 'not_eligible', 'closed'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const APPLICATION_ORIGINS = ['citizen', 'delegate', 'ex_officio'] as const;
export type ApplicationOrigin = (typeof APPLICATION_ORIGINS)[number];

export const APPLICATION_TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  received: ['under_investigation', 'not_eligible', 'closed'],
  under_investigation: ['assessed', 'not_eligible', 'closed'],
  assessed: ['waiting_list', 'admitted', 'not_eligible', 'closed'],
  waiting_list: ['admitted', 'assessed', 'closed'],
  admitted: ['closed'],
  not_eligible: ['under_investigation', 'closed'],
  closed: [],
};

/** Statuses that need a current score (art. 6: nobody is ranked or admitted without one). */
export const STATUSES_NEEDING_SCORE: readonly ApplicationStatus[] = ['assessed', 'waiting_list', 'admitted'];

/** Statuses in which an assessment (or an ISEE rescoring) may be recorded. */
export const ASSESSABLE_STATUSES: readonly ApplicationStatus[] = ['under_investigation', 'assessed', 'waiting_list'];

/** Statuses with an outcome the art. 4 written answer can state. */
export const ANSWERABLE_STATUSES: readonly ApplicationStatus[] = ['assessed', 'waiting_list', 'admitted', 'not_eligible', 'closed'];

/** Open applications: at most one per person at a time. */
export const OPEN_STATUSES: readonly ApplicationStatus[] = ['received', 'under_investigation', 'assessed', 'waiting_list', 'admitted'];

export function isApplicationStatus(value: unknown): value is ApplicationStatus {
  return typeof value === 'string' && (APPLICATION_STATUSES as readonly string[]).includes(value);
}

export function allowedTransitions(from: ApplicationStatus): readonly ApplicationStatus[] {
  return APPLICATION_TRANSITIONS[from];
}

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return APPLICATION_TRANSITIONS[from].includes(to);
}

/**
 * Checks a status change; throws CONFLICT naming the allowed next statuses when the workflow
 * refuses it, or when the target status needs a score the application does not have yet.
 */
export function assertTransition(from: ApplicationStatus, to: ApplicationStatus, facts: { scored: boolean }): void {
  if (!canTransition(from, to)) {
    const allowed = APPLICATION_TRANSITIONS[from];
    throw new DomainError(
      'CONFLICT',
      { key: 'applications:errors.transitionRefused', params: { from, to, allowed: allowed.length ? allowed.join(', ') : '—' } },
      { fields: { to: { key: 'applications:errors.allowedTransitions', params: { allowed: allowed.length ? allowed.join(', ') : '—' } } } },
    );
  }
  if (STATUSES_NEEDING_SCORE.includes(to) && !facts.scored) {
    throw new DomainError('CONFLICT', { key: 'applications:errors.scoreRequired', params: { to } }, { rule: 'art. 6' });
  }
}

/** Every status reachable from `from` (including itself), breadth-first. */
export function reachableFrom(from: ApplicationStatus): Set<ApplicationStatus> {
  const seen = new Set<ApplicationStatus>([from]);
  const queue: ApplicationStatus[] = [from];
  while (queue.length > 0) {
    const next = queue.shift()!;
    for (const to of APPLICATION_TRANSITIONS[next]) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}
