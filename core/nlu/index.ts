/**
 * Natural-language understanding for centrale's chat and SMS channels (pure: no I/O, no clock).
 *
 * Approach: transparent rules over a canonical text. Chosen over a trained classifier (naive
 * Bayes, logistic) because every decision must be explainable to an operator and to an
 * assistente sociale, the costs are asymmetric (a missed emergency is unacceptable), and there
 * is no corpus of real messages yet; a model trained on a few hundred phrases we wrote ourselves
 * would mostly learn our own wording, with less control. The pipeline:
 *   1. normalise: lowercase, strip accents and punctuation, keep "15:30"/"3/12", collapse
 *      "aiutooo", expand SMS shorthand ("nn", "x", "xké", "cmq", "qlc") — normalise.ts;
 *   2. repair typos: an unknown token becomes the clearly nearest lexicon word (domain words,
 *      the rules' own words, everyday words) under a typo-weighted edit distance where a
 *      neighbouring key, swapped letters or a doubled letter cost less — spelling.ts;
 *   3. emergencies first: recall-first triggers, silenced only by negation, a hypothesis or fear,
 *      a habitual symptom, or history (a past event told calmly or long ago) — emergency.ts;
 *   4. weighted phrase rules per intent plus the art. 7 services found; the best score wins,
 *      below a threshold the message is a greeting or `unknown` — intent-rules.ts, services.ts;
 *   5. dates and times in Europe/Rome (when.ts), subject self/other (subject.ts), language.
 * Light stemming lives inside the patterns (`lavar(mi|si|la)`, `cammin\w*`) rather than in a
 * separate stemmer, so each rule shows exactly which forms it accepts. The names of the rules
 * that fired are returned in `signals`. About 0.2 ms per message on a shared 2-core machine.
 * Labelled examples (tune/test splits) are in test/fixtures/nlu/labelled.json; run
 * `npm run eval:nlu` for the figures.
 */
import { detectEmergency } from './emergency.ts';
import { BACK_HOME, BEREAVED, DISTRESS, GREETING, greetingKind, MIN_SCORE, MORE_HOURS, NEW_DETAILS, NOTIFY_ME, scoreIntents, VICTIM } from './intent-rules.ts';
import { clearLanguageOf, detectLanguage } from './language.ts';
import { normaliseTokens } from './normalise.ts';
import { findServices, primaryService } from './services.ts';
import { correctSpelling } from './spelling.ts';
import { detectSubject } from './subject.ts';
import type { Intent, Understanding, UnderstandContext } from './types.ts';
import { parseWhen } from './when.ts';

export * from './types.ts';

/** What a message may say without a request, first match wins (core/conversation/engine.ts offers a person). */
const CUES: readonly [string, RegExp][] = [
  ['bereaved', BEREAVED],
  ['victim', VICTIM],
  ['distress', DISTRESS],
  ['more_hours', MORE_HOURS],
  ['back_home', BACK_HOME],
  ['new_details', NEW_DETAILS],
];

// A named art. 7 service is evidence of a help request; more services add little, so that
// "annullate la spesa e il bagno" stays a cancellation.
const FIRST_SERVICE_WEIGHT = 2;
const EXTRA_SERVICE_WEIGHT = 0.5;
const MAX_SERVICE_WEIGHT = 3;

// When scores tie, the more specific intent wins (a complaint mentioning a visit is a complaint).
const TIE_ORDER: readonly Intent[] = [
  'complaint', 'cancel_booking', 'suspend_service', 'voucher_balance', 'application_status', 'report_person',
  'apply_info', 'providers', 'talk_to_operator', 'request_help',
];

/** The language a text is clearly written in ("Hello, I need help"), or undefined when unclear. */
export function clearLanguage(text: string): 'it' | 'en' | undefined {
  // The words as typed: spelling correction only knows Italian.
  return clearLanguageOf(normaliseTokens(text));
}

/** Reads free text and says what the person wants. Pure: no I/O, no clock. */
export function understand(text: string, context: UnderstandContext): Understanding {
  const tokens = correctSpelling(normaliseTokens(text));
  const joined = tokens.join(' ');
  const services = findServices(tokens);
  const when = parseWhen(tokens, context.now);
  const base = {
    language: detectLanguage(tokens, context.locale),
    ...(when !== undefined && { when }),
    ...(services.length > 0 && { services: services.map((s) => (s.code === undefined ? { family: s.family } : { family: s.family, code: s.code })) }),
  };
  const { scores, signals, strongCue } = scoreIntents(joined);

  // Emergencies first: nothing else in the message matters if someone is in danger now. An
  // ordinary request in the same message tells the detector a past event is being told calmly.
  const emergency = detectEmergency(tokens, services.length > 0 || strongCue);
  if (emergency !== undefined) {
    return {
      intent: 'emergency',
      confidence: 0.95,
      emergencyKind: emergency.kind,
      subject: detectSubject(tokens),
      ...base,
      signals: [`emergency:${emergency.rule}`],
    };
  }

  // Asked alongside any request ("mi avvisate quando la cooperativa conferma?"): a signal, not an intent.
  if (NOTIFY_ME.test(joined)) signals.push('notify_me');
  if (services.length > 0) {
    const weight = Math.min(MAX_SERVICE_WEIGHT, FIRST_SERVICE_WEIGHT + EXTRA_SERVICE_WEIGHT * (services.length - 1));
    scores.set('request_help', (scores.get('request_help') ?? 0) + weight);
    signals.push(...services.map((s) => `service:${s.rule}`));
  }

  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1] || TIE_ORDER.indexOf(a[0]) - TIE_ORDER.indexOf(b[0]));
  const [top, runnerUp] = ranked;
  if (top === undefined || top[1] < MIN_SCORE) {
    // Said without a request: answered kindly, with a person offered (core/conversation/engine.ts).
    const cue = CUES.find(([, pattern]) => pattern.test(joined))?.[0];
    if (cue) return { intent: 'unknown', confidence: 0, ...base, signals: [...signals, cue] };
    const greeted = GREETING.exec(joined);
    if (greeted) return { intent: 'greeting', confidence: 0.9, ...base, signals: ['greeting', `greeting:${greetingKind(greeted[3]!)}`] };
    return { intent: 'unknown', confidence: 0, ...base, ...(signals.length > 0 && { signals }) };
  }

  const [intent, score] = top;
  // "Mi sento abbandonata" is about the writer, not a report of someone abandoned.
  if (intent === 'report_person' && /\bmi sento\b/.test(joined) && DISTRESS.test(joined)) return { intent: 'unknown', confidence: 0, ...base, signals: [...signals, 'distress'] };
  // "Le hanno rubato la pensione": a service word (ritiro pensione) is what was stolen, not a request.
  if (intent === 'request_help' && signals.every((s) => s.startsWith('service:')) && VICTIM.test(joined)) return { intent: 'unknown', confidence: 0, ...base, signals: [...signals, 'victim'] };
  // Margin-based: a lone strong rule gives ~0.75, a clear lead more, a near tie ~0.5.
  const confidence = Math.round((100 * score) / (score + (runnerUp?.[1] ?? 0) + 1)) / 100;
  // A report (art. 4 segnalazione) is about someone else by definition.
  const subject = intent === 'report_person' ? 'other' : detectSubject(tokens);
  const out: Understanding = { intent, confidence, subject, ...base, signals };
  if (intent === 'request_help') {
    const asked = primaryService(tokens, services);
    if (asked !== undefined) {
      out.family = asked.family;
      if (asked.code !== undefined) out.code = asked.code;
    }
  }
  return out;
}
