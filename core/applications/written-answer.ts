/**
 * What the art. 4 written answer says, as message keys (namespace `applications`), pure: the
 * HTML layer (api/web/written-answer.ts) only renders and escapes. The outcome follows the
 * application's status; scores and the waiting-list position are stated when they exist.
 */
import type { MessageRef } from '../errors.ts';
import { CRITERION_MAXIMA, CRITERIA, type Criterion } from '../regulation/assessment.ts';
import { MINIMUM_AGE } from '../regulation/eligibility.ts';
import { ANSWERABLE_STATUSES, type ApplicationStatus } from './workflow.ts';

export type AnswerOutcome = 'assessed' | 'waiting_list' | 'admitted' | 'not_eligible' | 'closed';

export interface WrittenAnswerInput {
  status: ApplicationStatus;
  applicationDate: string;
  /** The day the answer is issued ('YYYY-MM-DD'). */
  issuedOn: string;
  comuneName: string;
  /** Criteria points of the current assessment, when there is one. */
  criteria: Partial<Record<Criterion, number>> | null;
  totalPoints: number | null;
  /** Waiting-list place, only when on the list. */
  position: { position: number; ahead: number } | null;
  /** Art. 3 reasons recorded at intake (`not_resident_in_ambito`, `no_criterion_met`). */
  ineligibilityReasons: readonly string[];
  /** The current ISEE is past its year: the score stands until a new one is presented. */
  iseeExpired: boolean;
  officeAddress: string | null;
}

export interface WrittenAnswer {
  outcome: AnswerOutcome;
  title: MessageRef;
  subject: MessageRef;
  intro: MessageRef;
  /** The outcome and its reasons, one paragraph each. */
  paragraphs: MessageRef[];
  /** The score breakdown (art. 5 criteria with their maxima), when scored. */
  scoreRows: { criterion: Criterion; label: MessageRef; points: number; max: number }[];
  total: number | null;
  /** What happens next and how to ask for a review. */
  closing: MessageRef[];
  signature: MessageRef;
}

export function isAnswerable(status: ApplicationStatus): status is AnswerOutcome {
  return ANSWERABLE_STATUSES.includes(status);
}

const k = (key: string, params?: MessageRef['params']): MessageRef => (params ? { key: `applications:${key}`, params } : { key: `applications:${key}` });

/** Composes the answer; returns null when the status has no outcome yet (received, under investigation). */
export function composeWrittenAnswer(input: WrittenAnswerInput): WrittenAnswer | null {
  if (!isAnswerable(input.status)) return null;
  const outcome = input.status;
  const paragraphs: MessageRef[] = [];
  const total = input.totalPoints;
  switch (outcome) {
    case 'assessed':
      paragraphs.push(k('answer.outcome.assessed', { total: total ?? 0 }));
      break;
    case 'waiting_list':
      paragraphs.push(k('answer.outcome.waitingList', { total: total ?? 0 }));
      if (input.position) {
        paragraphs.push(input.position.ahead === 0 ? k('answer.positionFirst') : k('answer.position', { position: input.position.position, ahead: input.position.ahead }));
      }
      paragraphs.push(k('answer.waitingListOrder'));
      break;
    case 'admitted':
      paragraphs.push(k('answer.outcome.admitted', { total: total ?? 0 }));
      break;
    case 'not_eligible': {
      paragraphs.push(k('answer.outcome.notEligible'));
      const reasons = input.ineligibilityReasons.filter((r) => r === 'not_resident_in_ambito' || r === 'no_criterion_met');
      for (const reason of reasons) paragraphs.push(k(`answer.reason.${reason === 'not_resident_in_ambito' ? 'notResident' : 'noCriterion'}`, { minimumAge: MINIMUM_AGE }));
      if (reasons.length === 0) paragraphs.push(k('answer.reason.assessment'));
      break;
    }
    case 'closed':
      paragraphs.push(k('answer.outcome.closed'));
      break;
  }
  if (input.iseeExpired && (outcome === 'assessed' || outcome === 'waiting_list')) paragraphs.push(k('answer.iseeExpired'));

  const scoreRows =
    input.criteria && total !== null && outcome !== 'not_eligible'
      ? CRITERIA.filter((c) => typeof input.criteria?.[c] === 'number').map((criterion) => ({
          criterion,
          label: k(`criteria.${criterion}`),
          points: input.criteria![criterion]!,
          max: CRITERION_MAXIMA[criterion],
        }))
      : [];

  const closing: MessageRef[] = [];
  if (outcome === 'waiting_list') closing.push(k('answer.next.waitingList'));
  if (outcome === 'admitted') closing.push(k('answer.next.admitted'));
  if (outcome === 'assessed') closing.push(k('answer.next.assessed'));
  closing.push(input.officeAddress ? k('answer.ask.office', { address: input.officeAddress }) : k('answer.ask.generic'));
  closing.push(k('answer.appeal'));

  return {
    outcome,
    title: k('answer.title'),
    subject: k('answer.subject'),
    intro: k('answer.intro', { applicationDate: input.applicationDate }),
    paragraphs,
    scoreRows: scoreRows.length > 0 ? scoreRows : [],
    total: scoreRows.length > 0 ? total : null,
    closing,
    signature: k('answer.signature', { comune: input.comuneName }),
  };
}
