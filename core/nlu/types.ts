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
  /** Last day of a range ("dal 10 al 20 dicembre"), ISO calendar date; `date` is the first day. */
  until?: string;
  /** No day was said, only an hour: `date` is today if the hour is still ahead, else tomorrow. */
  dayAssumed?: true;
}

/** What kind of emergency the detector recognised, so the reply can say what to do first. */
export type EmergencyKind =
  | 'fall'
  | 'breathing'
  | 'chest_pain'
  | 'unconscious'
  | 'stroke'
  | 'bleeding'
  | 'gas'
  | 'fire'
  | 'other';

/** One art. 7 service mentioned in the text, in order of mention. */
export interface ServiceMention {
  family: string;
  code?: string;
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
  /** Set with intent `emergency`: what is happening (gas → "leave and call 112", fall → "don't move her", ...). */
  emergencyKind?: EmergencyKind;
  /** Every art. 7 service recognised, whatever the intent (the first one the person asks for is `family`/`code`). */
  services?: ServiceMention[];
  /** Language the message seems to be written in; falls back to `context.locale`, then 'it'. */
  language?: 'it' | 'en';
  /** Names of the rules that fired, for staff explanations and debugging (e.g. "emergency:gas", "voucher_balance:quante-ore"). */
  signals?: string[];
}

export interface UnderstandContext {
  /** The instant the message arrived; core never reads the clock itself. */
  now: Date;
  locale?: 'it' | 'en';
}
