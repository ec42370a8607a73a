/**
 * Small building blocks every flow uses: asking a question with options, the main menu,
 * reading a yes/no or a number typed instead of a button, formatting dates for people.
 */
import { DateTime } from 'luxon';
import type { MessageRef } from '../errors.ts';
import type { Intent, Understanding } from '../nlu/types.ts';
import { romeDate, ROME_ZONE } from '../regulation/calendar.ts';
import { EMPTY_CONTEXT, type ChatContext, type LinkedPerson } from './context.ts';
import type { EngineState, FlowName, FlowState, FlowValue, OutMessage, TurnContext, TurnResult, Understood } from './types.ts';

/** The main menu, in the order a person reads it; the last one always reaches a person. */
export const MAIN_MENU = ['request_help', 'voucher_balance', 'application_status', 'report_person', 'more', 'talk_to_operator'] as const;
export type MenuAction = (typeof MAIN_MENU)[number];

/** What a flow handler receives. */
export interface FlowCtx {
  state: EngineState;
  flow: FlowState;
  ctx: TurnContext;
  data: ChatContext;
}

export type FlowInput =
  | { kind: 'option'; action: string }
  | { kind: 'text'; text: string; understanding: Understanding };

export interface Choice {
  action: string;
  label: MessageRef;
}

export const ref = (key: string, params?: MessageRef['params']): MessageRef => (params ? { key, params } : { key });
export const say = (key: string, params?: MessageRef['params']): OutMessage => ({ text: ref(key, params) });

export function dataOf(ctx: TurnContext): ChatContext {
  return ctx.data ?? EMPTY_CONTEXT;
}

function withOptions(menu: number, text: MessageRef, choices: readonly Choice[]): OutMessage {
  return { text, options: choices.map((c) => ({ id: `m${menu}.${c.action}`, label: c.label })) };
}

/** The main menu as a message, with a fresh menu number. */
export function mainMenu(state: EngineState, data: ChatContext = EMPTY_CONTEXT): { state: EngineState; message: OutMessage } {
  const menu = state.menu + 1;
  const actions: string[] = [...MAIN_MENU];
  // Art. 12: a programme that ended waits for the person's opinion.
  if (data.people.some((p) => p.programme?.questionnaireDue)) actions.splice(actions.length - 1, 0, 'questionnaire');
  const next: EngineState = { v: 1, menu, step: 'menu', opts: actions };
  return { state: next, message: withOptions(menu, ref('chat:menu.prompt'), actions.map((a) => ({ action: a, label: ref(`chat:menu.${a}`) }))) };
}

/** A turn that ends with the main menu. */
/** Asks the waiting question again (after something not understood), with fresh option ids. */
export function repeat(state: EngineState, understood: Understood, preface: OutMessage[]): TurnResult | undefined {
  if (state.step !== 'flow' || !state.flow || !state.last) return undefined;
  return ask(state, state.flow, understood, state.last.text, state.last.choices, preface);
}

/**
 * A complaint, fear, a wish for more hours are for a person to hear: offers to pass the
 * conversation over (yes: handover; no: the menu), with `question` asking it.
 */
export function offerHandover(state: EngineState, understood: Understood, question: string): TurnResult {
  const menu = state.menu + 1;
  return {
    state: { v: 1, menu, step: 'offer_handover', pendingIntent: understood.intent, opts: ['yes', 'no'] },
    replies: [{
      text: { key: question },
      options: [
        { id: `m${menu}.yes`, label: { key: 'chat:offer.yes' } },
        { id: `m${menu}.no`, label: { key: 'chat:offer.no' } },
      ],
    }],
    understood,
    effects: [],
  };
}

export function toMenu(state: EngineState, ctx: TurnContext, replies: OutMessage[], understood: Understood, effects: TurnResult['effects'] = []): TurnResult {
  // On SMS every line is paid for: after an answer, one short line says how to go on instead of
  // the six numbered choices (two more segments). Not understood, or nothing answered: the menu.
  if (ctx.channel === 'sms' && replies.length > 0 && !replies.some((r) => FULL_MENU_AFTER.has(r.text.key))) {
    return { state: { v: 1, menu: state.menu + 1, step: 'menu' }, replies: [...replies, say('chat:menu.smsMore')], understood, effects };
  }
  const menu = mainMenu(state, dataOf(ctx));
  return { state: menu.state, replies: [...replies, menu.message], understood, effects };
}

/** Replies after which an SMS still shows the whole menu: a hello, or a person who needs the choices. */
const FULL_MENU_AFTER = new Set(['chat:greeting', 'chat:greetingEvening', 'chat:unknown', 'chat:staleOption', 'chat:noText', 'chat:tooLong', 'chat:mediaReceived']);

/** Asks the next question of a flow, with its choices (always stamped with a fresh menu number). */
export function ask(
  state: EngineState,
  flow: { name: FlowName; step: string; data: Record<string, FlowValue> },
  understood: Understood,
  question: MessageRef,
  choices: readonly Choice[] = [],
  preface: OutMessage[] = [],
  effects: TurnResult['effects'] = [],
): TurnResult {
  const menu = state.menu + 1;
  const next: EngineState = {
    v: 1,
    menu,
    step: 'flow',
    flow: { name: flow.name, step: flow.step, data: flow.data },
    opts: choices.map((c) => c.action),
    last: { text: question, choices: choices.map((c) => ({ action: c.action, label: c.label })) },
  };
  const message: OutMessage = choices.length > 0 ? withOptions(menu, question, choices) : { text: question };
  return { state: next, replies: [...preface, message], understood, effects };
}

/** Normalises typed text for matching: lowercase, no accents, single spaces. */
export function plain(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.+\s-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A typed yes / no / "I don't know", in Italian, SMS shorthand or English. */
export function readYesNo(text: string): 'yes' | 'no' | 'unknown' | undefined {
  // "Allora sì, avvisate il comune", "beh no": the answer after a filler word.
  const t = plain(text).replace(/^(allora|beh|be|ah|ecco|mah|oh|well|oh well) /, '');
  if (/^(non lo so|non so|nn so|boh|don t know|dont know|i don t know|not sure|forse)\b/.test(t)) return 'unknown';
  if (/^(si|s|ok|okay|va bene|certo|esatto|confermo|giusto|yes|y|yep|sure|correct|d accordo|daccordo)\b/.test(t)) return 'yes';
  if (/^(no|n|nn|nope|non)\b/.test(t)) return 'no';
  return undefined;
}

/** A number typed instead of tapping a button (SMS shows numbered choices): the action at that place. */
export function numberedChoice(state: EngineState, text: string): string | undefined {
  const m = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text);
  const opts = state.opts;
  if (!m || !opts) return undefined;
  return opts[Number(m[1]) - 1];
}

/** "Torna al menu", "annulla", "basta": leaves any flow. */
export function wantsMenu(text: string): boolean {
  // Telegram's command convention ("/help", "/menu@CentraleBot"): the menu, not "help" for a person.
  if (/^\/(help|aiuto|menu|cancel|annulla|stop)(@\w+)?$/i.test(text.trim())) return true;
  return /^(menu|menù|torna al menu|annulla|basta|stop|esci|indietro|back|cancel|main menu)$/.test(plain(text).replace(/ù/g, 'u'));
}

/** The one word the welcome teaches: "operatore" (or "persona", "human"…) alone reaches a person. */
export function asksForPerson(text: string): boolean {
  return /^(un |una |l |l')?(operatore|operatrice|persona|umano|assistente sociale|qualcuno|operator|human|person|a person)[.!]*$/.test(plain(text));
}

/** Builds the `understood` of a turn from the NLU result (art. 7 family/code for help requests). */
export function toUnderstood(u: Pick<Understanding, 'intent' | 'family' | 'code'>): Understood {
  const out: Understood = { intent: u.intent };
  if (u.intent === 'request_help') {
    if (u.family) out.family = u.family;
    if (u.code) out.code = u.code;
    const service = u.code ?? u.family;
    if (service) out.service = service;
  }
  return out;
}

export const intentOnly = (intent: Intent): Understood => ({ intent });

/** "giovedì 26 novembre" in the person's language. */
export function formatDay(isoDate: string, locale: 'it' | 'en'): string {
  const d = DateTime.fromISO(isoDate, { zone: ROME_ZONE }).setLocale(locale === 'en' ? 'en-GB' : 'it');
  return d.isValid ? d.toFormat(locale === 'en' ? 'cccc d LLLL' : 'cccc d LLLL') : isoDate;
}

/** "1 settembre 2026": a calendar date without the weekday. */
export function formatDate(isoDate: string, locale: 'it' | 'en'): string {
  const d = DateTime.fromISO(isoDate, { zone: ROME_ZONE }).setLocale(locale === 'en' ? 'en-GB' : 'it');
  return d.isValid ? d.toFormat('d LLLL yyyy') : isoDate;
}

/** "giovedì 26 novembre alle 10:00" as a nested message. */
export function formatDayTime(isoInstant: string, locale: 'it' | 'en'): MessageRef {
  const d = DateTime.fromISO(isoInstant, { zone: ROME_ZONE });
  return ref('chat:fmt.dayTime', { day: formatDay(d.toISODate() ?? '', locale), time: d.toFormat('HH:mm') });
}

export function todayIn(now: Date): string {
  return romeDate(now);
}

/** Choices for "per chi?" when an identity acts for several people. */
export function personChoices(people: readonly LinkedPerson[]): Choice[] {
  return people.map((p, i) => ({ action: `p${i}`, label: p.self ? ref('chat:who.me') : ref('chat:who.named', { name: p.givenName }) }));
}

/** The person chosen by option ("p1") or by typing their name. */
export function pickPerson(people: readonly LinkedPerson[], input: FlowInput): number | undefined {
  if (input.kind === 'option') {
    const m = /^p(\d+)$/.exec(input.action);
    const i = m ? Number(m[1]) : -1;
    return i >= 0 && i < people.length ? i : undefined;
  }
  const t = plain(input.text);
  const byName = people.findIndex((p) => p.givenName && t.includes(plain(p.givenName)));
  if (byName >= 0) return byName;
  if (/\b(io|me|mia|mio|per me|myself|me stesso|me stessa)\b/.test(t)) {
    const self = people.findIndex((p) => p.self);
    if (self >= 0) return self;
  }
  return undefined;
}
