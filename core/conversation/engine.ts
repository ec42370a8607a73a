/**
 * The channel-neutral conversation engine: pure, no I/O, no clock. One call = one turn.
 * The flows live in ./flows; this module dispatches between them.
 *
 * Rules that hold in every state:
 * - an emergency is answered first with the instruction to call 112 and an urgent handover;
 * - while a person of staff handles the conversation the bot stays silent (emergencies apart);
 * - there is always a way to reach a person (the menu's last option, the word "operatore");
 * - anything not understood gets a polite answer and the question again, never a dead end.
 */
import { understand } from '../nlu/index.ts';
import type { EmergencyKind, Intent, Understanding } from '../nlu/types.ts';
import { applicationStep, balanceStep, linkStep, looksLikeLinkCode, normaliseLinkCode, startApplication, startBalance, startContactChange, startLink, tryLinkCode } from './flows/account.ts';
import { checkinOption, checkinText, withCheckinEmergency } from './flows/checkin.ts';
import { greetingReplyKey, isEvening } from './greeting.ts';
import { helpStep, startHelp, startSuspend, suspendStep } from './flows/help.ts';
import {
  applyStep,
  closedNotice,
  findReference,
  handover,
  isStatusQuestion,
  providersStep,
  questionnaireStep,
  referenceStatus,
  startApply,
  startMore,
  startProviders,
  startQuestionnaire,
} from './flows/info.ts';
import { reportStep, startReport } from './flows/report.ts';
import {
  asksForPerson,
  dataOf,
  intentOnly,
  mainMenu,
  numberedChoice,
  offerHandover,
  repeat,
  say,
  toMenu,
  toUnderstood,
  wantsMenu,
  type FlowCtx,
  type FlowInput,
} from './kit.ts';
import type { EngineInput, EngineState, FlowState, TurnContext, TurnResult, Understood } from './types.ts';

export { MAIN_MENU } from './kit.ts';

/** Longest message the engine reads; longer ones get a polite request to write in short. */
export const MAX_READ_LENGTH = 1000;

export function initialState(): EngineState {
  return { v: 1, menu: 0, step: 'menu' };
}

const FLOW_NAMES = new Set(['link', 'balance', 'application', 'help', 'report', 'suspend', 'apply', 'providers', 'questionnaire', 'more']);

/** Restores a stored state, falling back to a fresh one if it is missing or from another version. */
export function restoreState(stored: unknown): EngineState {
  const s = stored as Partial<EngineState> | null | undefined;
  if (!s || s.v !== 1 || typeof s.menu !== 'number' || !Number.isSafeInteger(s.menu) || s.menu < 0) return initialState();
  const out: EngineState = { v: 1, menu: s.menu, step: 'menu' };
  if (Array.isArray(s.opts) && s.opts.every((o) => typeof o === 'string')) out.opts = s.opts;
  if (s.step === 'offer_handover') {
    out.step = 'offer_handover';
    if (s.pendingIntent) out.pendingIntent = s.pendingIntent;
  }
  if (typeof s.heldAt === 'string') out.heldAt = s.heldAt;
  if (typeof s.at === 'string') out.at = s.at;
  const flow = s.flow as FlowState | undefined;
  if (s.step === 'flow' && flow && FLOW_NAMES.has(flow.name) && typeof flow.step === 'string' && flow.data && typeof flow.data === 'object') {
    out.step = 'flow';
    out.flow = { name: flow.name, step: flow.step, data: flow.data };
    if (s.last && typeof s.last === 'object' && s.last.text && Array.isArray(s.last.choices)) out.last = s.last;
  }
  return out;
}

/** The opening turn of a new conversation: privacy notice, greeting, main menu. */
export function startConversation(state: EngineState = initialState(), ctx?: TurnContext): TurnResult {
  const menu = mainMenu(state, ctx ? dataOf(ctx) : undefined);
  return {
    state: menu.state,
    replies: [{ text: { key: 'chat:welcome.privacy' } }, { text: { key: ctx && isEvening(ctx.now) ? 'chat:welcome.greetingEvening' : 'chat:welcome.greeting' } }, menu.message],
    understood: { intent: 'greeting' },
    effects: [],
  };
}

/** Acts on an intent once it is known, from free text or from a chosen option. */
function actOn(state: EngineState, ctx: TurnContext, understood: Understood, u?: Understanding, text = ''): TurnResult {
  switch (understood.intent) {
    case 'emergency':
      return emergencyTurn(state, understood, u?.emergencyKind);
    case 'greeting':
      return toMenu(state, ctx, [say(greetingReplyKey(u?.signals, ctx.now))], understood);
    case 'talk_to_operator':
      return handover(state, ctx, understood);
    case 'request_help':
      return startHelp(state, ctx, understood, u, text);
    case 'voucher_balance': {
      // "Quando viene?", "viene mercoledì?": the visits, not the hours; with a day, whether she comes that day.
      const aboutVisit = u?.signals?.some((s) => s === 'voucher_balance:next-visit' || s === 'voucher_balance:viene-domani') === true;
      return startBalance(state, ctx, understood, aboutVisit, aboutVisit ? u?.when?.date : undefined);
    }
    case 'application_status':
      return startApplication(state, ctx, understood);
    case 'apply_info': {
      // "Orari dei servizi sociali di Rosate": the office and its hours, without who may apply and what to bring.
      const applySignals = u?.signals?.filter((s) => s.startsWith('apply_info:')) ?? [];
      const officeOnly = applySignals.length > 0 && applySignals.every((s) => s === 'apply_info:ufficio-orari');
      return startApply(state, ctx, understood, u?.signals?.includes('apply_info:costo') === true, text, officeOnly);
    }
    case 'report_person':
      return startReport(state, understood, text);
    case 'suspend_service':
    case 'cancel_booking':
      // A death told by someone we do not know yet: condolences and a person, not a request for a code.
      if (!ctx.data?.linked && u?.signals?.includes('suspend_service:deceduto')) return offerHandover(state, understood, 'chat:offer.bereaved');
      return startSuspend(state, ctx, understood, text);
    case 'providers':
      return startProviders(state, ctx, understood, text);
    case 'complaint':
      return offerHandover(state, understood, 'chat:offer.complaint');
    case 'unknown':
    default:
      // A theft or scam suffered, fear or loneliness, or more hours asked for: a person to talk
      // to, not "non ho capito".
      if (u?.signals?.includes('new_details')) {
        const change = startContactChange(state, ctx, text);
        if (change) return change;
      }
      for (const [signal, question] of OFFER_CUES) if (u?.signals?.includes(signal)) return offerHandover(state, understood, question);
      return toMenu(state, ctx, [say('chat:unknown')], understood);
  }
}

/** What a message said without a request (core/nlu signals) and the offer of a person that answers it. */
const OFFER_CUES = new Map([
  ['bereaved', 'chat:offer.bereaved'],
  ['victim', 'chat:offer.victim'],
  ['distress', 'chat:offer.distress'],
  ['more_hours', 'chat:offer.moreHours'],
  ['back_home', 'chat:offer.backHome'],
  ['new_details', 'chat:offer.newDetails'],
]);

/** Kinds of danger with a first thing to do (or not to do) before help arrives. */
const FIRST_STEPS: Partial<Record<EmergencyKind, { call: string; steps: string }>> = {
  gas: { call: 'chat:emergency.gasCall', steps: 'chat:emergency.gasSteps' },
  fire: { call: 'chat:emergency.fireCall', steps: 'chat:emergency.fireSteps' },
};

function emergencyTurn(state: EngineState, understood: Understood, kind?: EmergencyKind): TurnResult {
  // A smell of gas or a fire is the danger itself: no "if", and what to do first (no switches, get out).
  const firstSteps = kind ? FIRST_STEPS[kind] : undefined;
  return {
    state,
    replies: firstSteps
      ? [{ text: { key: firstSteps.call } }, { text: { key: firstSteps.steps } }, { text: { key: 'chat:emergency.alerted' } }]
      : [{ text: { key: 'chat:emergency.call112' } }, { text: { key: 'chat:emergency.alerted' } }],
    understood,
    effects: [{ kind: 'handover', urgent: true, reason: 'emergency' }],
  };
}

const MENU_ACTIONS: Record<string, Intent | 'more' | 'questionnaire'> = {
  request_help: 'request_help',
  voucher_balance: 'voucher_balance',
  application_status: 'application_status',
  report_person: 'report_person',
  talk_to_operator: 'talk_to_operator',
  apply_info: 'apply_info',
  providers: 'providers',
  suspend_service: 'suspend_service',
  cancel_booking: 'cancel_booking',
  more: 'more',
  questionnaire: 'questionnaire',
};

function menuAction(state: EngineState, ctx: TurnContext, action: string): TurnResult | undefined {
  const target = MENU_ACTIONS[action];
  if (target === undefined) return undefined;
  if (target === 'more') return startMore(state, ctx);
  if (target === 'questionnaire') return startQuestionnaire(state, ctx, intentOnly('unknown'));
  return actOn(state, ctx, { intent: target });
}

function stale(state: EngineState, ctx: TurnContext): TurnResult {
  return toMenu(state, ctx, [say('chat:staleOption')], intentOnly('unknown'));
}

/** The step handler of the flow in progress; undefined = the input did not answer the question. */
function flowStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  switch (fc.flow.name) {
    case 'link':
      return linkStep(fc, input, resumeAfterLink);
    case 'balance':
      return balanceStep(fc, input);
    case 'application':
      return applicationStep(fc, input);
    case 'help':
      return helpStep(fc, input);
    case 'suspend':
      return suspendStep(fc, input);
    case 'report':
      return reportStep(fc, input);
    case 'apply':
      return applyStep(fc, input);
    case 'providers':
      return providersStep(fc, input);
    case 'questionnaire':
      return questionnaireStep(fc, input);
    case 'more':
      if (input.kind === 'option') {
        if (input.action === 'menu') return toMenu(fc.state, fc.ctx, [], intentOnly('unknown'));
        return menuAction(fc.state, fc.ctx, input.action);
      }
      return undefined;
  }
}

/** What a menu choice asked for, by the flow that needed the link code first. */
const AFTER_LINK: Record<string, Intent | 'questionnaire'> = { balance: 'voucher_balance', application: 'application_status', suspend: 'suspend_service', questionnaire: 'questionnaire' };

/**
 * A text that led to the link code is kept in the link flow, so that once the code is accepted the
 * question is answered without being asked again ("quante ore mi restano?" → code → the hours).
 */
function rememberTextForLink(before: EngineState, result: TurnResult, text: string): TurnResult {
  const flow = result.state.flow;
  if (flow?.name !== 'link' || before.flow?.name === 'link') return result;
  return { ...result, state: { ...result.state, flow: { ...flow, data: { ...flow.data, text } } } };
}

/**
 * Once the code links the chat (`ctx` now knows the person): what the person asked before the
 * code was needed, answered at once. Only an answer (its audited read goes with it): a turn that
 * would record something is left for the person to ask again, and undefined means "the menu".
 */
function resumeAfterLink(state: EngineState, ctx: TurnContext): TurnResult | undefined {
  const data = state.flow?.name === 'link' ? state.flow.data : {};
  const menu = toMenu(state, ctx, [], intentOnly('unknown')).state;
  const after = AFTER_LINK[String(data.after)];
  // Asked for the code itself ("ho un codice"): nothing else to answer.
  if (!after) return undefined;
  const next =
    typeof data.text === 'string'
      ? textTurn(menu, ctx, data.text)
      : after === 'questionnaire'
        ? startQuestionnaire(menu, ctx, intentOnly('unknown'))
        : actOn(menu, ctx, { intent: after });
  if (next.effects.some((e) => e.kind !== 'record_read') || next.finish || next.state.flow?.name === 'link') return undefined;
  return next;
}

function handleOption(state: EngineState, ctx: TurnContext, optionId: string): TurnResult {
  const match = /^m(\d+)\.([a-z0-9_]+)$/.exec(optionId);
  const menu = match ? Number(match[1]) : -1;
  const action = match?.[2] ?? '';
  // An option from an old menu (or made up): say so kindly and show the current choices.
  if (menu !== state.menu || (state.opts && !state.opts.includes(action))) return stale(state, ctx);
  if (action === 'menu') return toMenu(state, ctx, [], intentOnly('unknown'));
  if (state.step === 'offer_handover') {
    const intent = state.pendingIntent ?? 'unknown';
    if (action === 'yes') return handover(state, ctx, intentOnly('talk_to_operator'));
    if (action === 'no') return toMenu(state, ctx, [say('chat:offer.declined')], intentOnly(intent));
    return stale(state, ctx);
  }
  if (state.step === 'flow' && state.flow) {
    const result = flowStep({ state, flow: state.flow, ctx, data: dataOf(ctx) }, { kind: 'option', action });
    return result ?? repeat(state, intentOnly('unknown'), [notUnderstood(state)]) ?? stale(state, ctx);
  }
  return menuAction(state, ctx, action) ?? stale(state, ctx);
}

/** "Non ho capito": with choices to pick from, or, for a question to write an answer to, without them. */
function notUnderstood(state: EngineState) {
  return say(state.last && state.last.choices.length === 0 ? 'chat:notUnderstoodFree' : 'chat:notUnderstood');
}

function silent(state: EngineState, understood: Understood = intentOnly('unknown')): TurnResult {
  return { state, replies: [], understood, effects: [] };
}

/** How long after telling someone that an operator will answer the bot says it again, at the most. */
export const HELD_ACK_MS = 15 * 60_000;

/**
 * A message while someone else answers: staff see it in the inbox. While nobody has taken the
 * conversation yet ('waiting'), the person hears that it arrived (at most once per HELD_ACK_MS,
 * so that a run of messages is not answered with a run of the same sentence); once an operator
 * writes ('human'), the bot keeps out of their conversation.
 */
function whileHeld(state: EngineState, ctx: TurnContext, understood: Understood = intentOnly('unknown')): TurnResult {
  if (ctx.handling !== 'waiting') return silent(state, understood);
  const told = state.heldAt === undefined ? Number.NaN : Date.parse(state.heldAt);
  if (ctx.now.getTime() - told < HELD_ACK_MS) return silent(state, understood);
  return { state: { ...state, heldAt: ctx.now.toISOString() }, replies: [say('chat:waiting.received'), ...closedNotice(ctx)], understood, effects: [] };
}

/** A question left unanswered this long is not what the next message answers. */
export const IDLE_FLOW_MS = 12 * 3600_000;

/** One turn: the person's input in, the replies and the new state out. */
export function handleTurn(stored: EngineState, input: EngineInput, ctx: TurnContext): TurnResult {
  const restored = restoreState(stored);
  // "2" typed three days after a list of comuni, "buongiorno sono ancora io": the old question is
  // over. Its buttons become stale, and the person hears that the unfinished request was not sent.
  const told = restored.at === undefined ? Number.NaN : Date.parse(restored.at);
  const idle = restored.step !== 'menu' && ctx.handling === 'bot' && input.kind !== 'start' && ctx.now.getTime() - told > IDLE_FLOW_MS;
  const state: EngineState = idle ? { v: 1, menu: restored.menu + 1, step: 'menu', ...(restored.heldAt ? { heldAt: restored.heldAt } : {}) } : restored;
  const result = stamped(turn(state, input, ctx), ctx);
  return idle && restored.step === 'flow' ? { ...result, replies: [say('chat:idle.dropped'), ...result.replies] } : result;
}

/** Marks when a question was asked (state.at), so that a much later message is not taken as its answer. */
function stamped(result: TurnResult, ctx: TurnContext): TurnResult {
  const stamp = (s: EngineState): EngineState => {
    const { at: _old, ...rest } = s;
    return s.step === 'menu' ? rest : { ...rest, at: ctx.now.toISOString() };
  };
  const finish = result.finish;
  return {
    ...result,
    state: stamp(result.state),
    ...(finish
      ? {
          finish: (results) => {
            const done = finish(results);
            return done.state ? { ...done, state: stamp(done.state) } : done;
          },
        }
      : {}),
  };
}

function turn(state: EngineState, input: EngineInput, ctx: TurnContext): TurnResult {
  if (input.kind === 'start') return startConversation(state, ctx);

  if (input.kind === 'option') {
    // A check-in button (issue #9) is recorded whoever handles the conversation.
    const checkin = checkinOption(state, ctx, input.optionId);
    if (checkin) return checkin;
    if (ctx.handling !== 'bot') return whileHeld(state, ctx);
    return handleOption(state, ctx, input.optionId);
  }
  if (input.kind === 'contact' || input.kind === 'media') {
    if (ctx.handling !== 'bot') return whileHeld(state, ctx);
    // A shared contact or a photo: kept in the transcript for staff; the bot carries on.
    return repeat(state, intentOnly('unknown'), [say('chat:mediaReceived')]) ?? toMenu(state, ctx, [say('chat:mediaReceived')], intentOnly('unknown'));
  }

  const text = input.text.trim();
  if (text.length > MAX_READ_LENGTH) {
    // Still check the start for an emergency: a long message can be a desperate one.
    const head = understand(text.slice(0, MAX_READ_LENGTH), { now: ctx.now, locale: ctx.locale });
    if (head.intent === 'emergency') return emergencyTurn(state, { intent: 'emergency' }, head.emergencyKind);
    if (ctx.handling !== 'bot') return whileHeld(state, ctx);
    return repeat(state, intentOnly('unknown'), [say('chat:tooLong')]) ?? { state, replies: [say('chat:tooLong')], understood: intentOnly('unknown'), effects: [] };
  }
  if (!/[\p{L}\p{N}]/u.test(text)) {
    if (ctx.handling !== 'bot') return whileHeld(state, ctx);
    return repeat(state, intentOnly('unknown'), [say('chat:noText')]) ?? toMenu(state, ctx, [say('chat:noText')], intentOnly('unknown'));
  }

  return rememberTextForLink(state, textTurn(state, ctx, text), text);
}

/** A text turn, once the text is known to be readable. */
function textTurn(state: EngineState, ctx: TurnContext, text: string): TurnResult {
  const understanding = understand(text, { now: ctx.now, locale: ctx.locale });
  const understood = toUnderstood(understanding);
  if (understood.intent === 'emergency') return withCheckinEmergency(emergencyTurn(state, understood, understanding.emergencyKind), ctx);
  const checkin = checkinText(state, ctx, text);
  if (checkin) return checkin;
  if (ctx.handling !== 'bot') return whileHeld(state, ctx, understood);

  // A number typed for a numbered choice (SMS) is that choice.
  const numbered = numberedChoice(state, text);
  if (numbered !== undefined) return handleOption(state, ctx, `m${state.menu}.${numbered}`);
  if (wantsMenu(text)) return toMenu(state, ctx, [], intentOnly('unknown'));
  if ((understood.intent === 'talk_to_operator' && understanding.confidence >= 0.6) || asksForPerson(text)) return handover(state, ctx, intentOnly('talk_to_operator'));

  if (state.step === 'flow' && state.flow) {
    const result = flowStep({ state, flow: state.flow, ctx, data: dataOf(ctx) }, { kind: 'text', text, understanding });
    if (result) return result;
    // Not an answer to the question: another request, or ask again.
    if (isStatusQuestion(text)) return referenceStatus(state, ctx, findReference(text)!);
    // Grief, a theft, fear: heard even in the middle of a question.
    for (const signal of ['bereaved', 'victim', 'distress']) if (understanding.signals?.includes(signal)) return offerHandover(state, understood, OFFER_CUES.get(signal)!);
    // More about the person being reported is not a new report: starting again would lose the answers.
    const sameReport = state.flow.name === 'report' && understood.intent === 'report_person';
    if (!sameReport && understood.intent !== 'unknown' && understood.intent !== 'greeting' && understanding.confidence >= 0.6) return actOn(state, ctx, understood, understanding, text);
    if (understood.intent === 'greeting') {
      // "Arrivederci" leaves the question; "grazie" or "buongiorno" is polite, not a wrong answer.
      if (understanding.signals?.includes('greeting:goodbye')) return toMenu(state, ctx, [say('chat:goodbye')], understood);
      const preface = understanding.signals?.includes('greeting:thanks') ? [say('chat:thanksMidFlow')] : [];
      const again = repeat(state, understood, preface);
      if (again) return again;
    }
    return repeat(state, understood, [notUnderstood(state)]) ?? toMenu(state, ctx, [say('chat:unknown')], understood);
  }

  if (state.step === 'offer_handover') {
    const yesNo = /^(si|sì|s|ok|va bene|yes|y)\b/i.test(text) ? 'yes' : /^(no|n)\b/i.test(text) ? 'no' : undefined;
    if (yesNo) return handleOption(state, ctx, `m${state.menu}.${yesNo}`);
  }
  // A code first: one like "R393 KQ7M" also holds what reads as a reference number ("R393").
  if (looksLikeLinkCode(text)) return tryLinkCode(state, ctx, normaliseLinkCode(text)!, intentOnly('unknown'), resumeAfterLink);
  if (isStatusQuestion(text)) return referenceStatus(state, ctx, findReference(text)!);
  if (understood.intent === 'unknown' && dataOf(ctx).linked === false && /\b(codice|code)\b/i.test(text)) return startLink(state, understood, 'menu');
  // "Avvisatemi quando cambia qualcosa" (even beside "la cooperativa"): how notices reach them.
  if (understanding.signals?.includes('notify_me') && (understood.intent === 'unknown' || understood.intent === 'providers' || understood.intent === 'greeting')) {
    // Notices go out on Telegram or SMS only (db/reminders.ts), never into the web chat.
    if (ctx.channel === 'web') return toMenu(state, ctx, [say('chat:notify.web')], understood);
    return dataOf(ctx).linked ? toMenu(state, ctx, [say('chat:notify.linked')], understood) : startLink(state, understood, 'menu', [], 'chat:notify.notLinked');
  }
  // With the menu just shown, "grazie", "ok" or "arrivederci" close an exchange: a short answer,
  // not the whole menu again (on SMS that is two more segments), whose choices stay valid.
  if (state.step === 'menu' && state.menu > 0) {
    const thanksOrBye = understood.intent === 'greeting' && understanding.signals?.some((s) => s === 'greeting:thanks' || s === 'greeting:goodbye');
    const closing = thanksOrBye ? greetingReplyKey(understanding.signals, ctx.now) : understood.intent === 'unknown' && ACKNOWLEDGEMENT.test(text) ? 'chat:ack' : undefined;
    if (closing) return { state, replies: [say(closing)], understood, effects: [] };
  }
  return actOn(state, ctx, understood, understanding, text);
}

/** "ok", "va bene", "perfetto": heard, nothing asked. */
const ACK_WORD = "(?:ok+|okay|oki|va bene|bene|benissimo|perfetto|d'?\\s?accordo|capito|ho capito|certo|ottimo|good|fine|got it|all right|alright)";
const ACKNOWLEDGEMENT = new RegExp(`^\\s*${ACK_WORD}(?:[\\s.!,]+${ACK_WORD})*[\\s.!,]*$`, 'i');
