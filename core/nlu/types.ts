/** The intents every channel reports in `understood.intent` (fixed contract, see issue 2). */
export const INTENTS = [
  'request_help',
  'voucher_balance',
  'application_status',
  'apply_info',
  'report_person',
  'talk_to_operator',
  'suspend_service',
  'cancel_booking',
  'emergency',
  'providers',
  'complaint',
  'greeting',
  'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];

/** A date/time the person mentioned, resolved against `now` in Europe/Rome. */
export interface WhenExpression {
  /** ISO calendar date, e.g. "2026-11-23". */
  date?: string;
  /** Wall-clock time "HH:mm" when an hour was given. */
  time?: string;
  partOfDay?: 'morning' | 'afternoon' | 'evening';
}

export interface Understanding {
  intent: Intent;
  /** Art. 7 family, "1".."8", for request_help. */
  family?: string;
  /** Art. 7 code, e.g. "8A", when the text is precise enough. */
  code?: string;
  /** 0..1, how sure the classifier is. */
  confidence: number;
  when?: WhenExpression;
  /** Whether the person speaks of someone else ("mia mamma ..."). */
  subject?: 'self' | 'other';
}

export interface UnderstandContext {
  /** The instant the message arrived; core never reads the clock itself. */
  now: Date;
  locale?: 'it' | 'en';
}
