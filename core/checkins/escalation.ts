/**
 * The life of one check-in (an "occurrence"): prompt → answer, or prompt → second prompt →
 * no answer (contacts alerted, staff task). Pure; the db layer applies each step with a
 * conditional update, so concurrent sweeps take every step at most once.
 */
import { isQuietTime } from './schedule.ts';

export const OCCURRENCE_STATUSES = ['prompted', 'reprompted', 'ok', 'help', 'call', 'no_answer', 'skipped', 'missed'] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

/** Still waiting for the person: an answer is taken, and the sweep may escalate. */
export const OPEN_STATUSES: readonly OccurrenceStatus[] = ['prompted', 'reprompted'];
/** An answer is accepted in these (a late "sì" after the alert is still good news to record). */
export const ANSWERABLE_STATUSES: readonly OccurrenceStatus[] = ['prompted', 'reprompted', 'no_answer'];

export type CheckinAnswer = 'ok' | 'help' | 'call';

export interface OpenOccurrence {
  status: OccurrenceStatus;
  promptedAt: Date | null;
  repromptedAt: Date | null;
}

export type EscalationStep = 'wait' | 'reprompt' | 'alert';

/**
 * The next step at `now`: after `grace` minutes without an answer, a second prompt (unless the
 * quiet hours began: then straight to the alert, the person is not woken up); after another
 * `grace` minutes, the alert.
 */
export function nextEscalation(o: OpenOccurrence, now: Date, graceMinutes: number): EscalationStep {
  const grace = graceMinutes * 60_000;
  if (o.status === 'prompted' && o.promptedAt) {
    if (now.getTime() < o.promptedAt.getTime() + grace) return 'wait';
    return isQuietTime(now) ? 'alert' : 'reprompt';
  }
  if (o.status === 'reprompted' && o.repromptedAt) {
    return now.getTime() < o.repromptedAt.getTime() + grace ? 'wait' : 'alert';
  }
  return 'wait';
}

/** Whether an answer changes the occurrence (and so escalates "help"/"call" once). */
export function acceptsAnswer(status: OccurrenceStatus): boolean {
  return ANSWERABLE_STATUSES.includes(status);
}

export type ViewBucket = 'answered' | 'waiting' | 'no_answer' | 'help' | 'skipped' | 'scheduled';

/** The custode's view: answered / waiting / no answer / help (and skipped days, scheduled ones). */
export function viewBucket(status: OccurrenceStatus | 'scheduled'): ViewBucket {
  switch (status) {
    case 'ok':
      return 'answered';
    case 'prompted':
    case 'reprompted':
      return 'waiting';
    case 'no_answer':
    case 'missed':
      return 'no_answer';
    case 'help':
    case 'call':
      return 'help';
    case 'skipped':
      return 'skipped';
    case 'scheduled':
      return 'scheduled';
  }
}

/** Reads a typed answer to a check-in prompt: the number (SMS) or the words on the buttons. */
export function readCheckinAnswer(text: string): CheckinAnswer | undefined {
  const t = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (/^1$/.test(t) || /^(si|s|ok|okay|tutto bene|bene|sto bene|si grazie|si tutto bene|tutto ok|yes|yes all good|fine|all good|i m fine|im fine)( grazie| thanks)?$/.test(t)) return 'ok';
  if (/^2$/.test(t) || /^(ho bisogno di aiuto|aiuto|aiutatemi|mi serve aiuto|help|i need help)$/.test(t)) return 'help';
  if (/^3$/.test(t) || /^(chiamatemi|chiamami|mi chiami|mi chiamate|telefonatemi|call me|please call me)$/.test(t)) return 'call';
  return undefined;
}

export type CheckinCommand = 'pause' | 'stop' | 'resume';

/** "pausa controlli", "stop controlli", "riprendi controlli" (and short forms while a prompt is open). */
export function readCheckinCommand(text: string, promptOpen: boolean): CheckinCommand | undefined {
  const t = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\s]/gu, ' ').replace(/\s+/g, ' ').trim();
  if (/^(pausa|metti in pausa|sospendi|pause) (i )?(controlli|controllo|check ?ins?)$/.test(t) || (promptOpen && /^(pausa|pause)$/.test(t))) return 'pause';
  if (/^(stop|basta|ferma|interrompi|stop the) (i )?(controlli|controllo|check ?ins?)$/.test(t)) return 'stop';
  if (/^(riprendi|ricomincia|resume|restart) (i )?(controlli|controllo|check ?ins?)$/.test(t)) return 'resume';
  return undefined;
}
