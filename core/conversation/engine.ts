/**
 * The channel-neutral conversation engine: pure, no I/O, no clock. One call = one turn.
 *
 * Rules that hold in every state:
 * - an emergency is answered first with the instruction to call 112 and an urgent handover;
 * - while a person of staff handles the conversation the bot stays silent (emergencies apart);
 * - there is always a way to reach a person (the menu's last option, the word "operatore").
 */
import { understand } from '../nlu/index.ts';
import type { Intent, Understanding } from '../nlu/types.ts';
import type { EngineInput, EngineState, OutMessage, TurnContext, TurnResult, Understood } from './types.ts';

/** The main menu, in the order a person reads it. */
export const MAIN_MENU = [
  'request_help',
  'voucher_balance',
  'application_status',
  'report_person',
  'talk_to_operator',
] as const satisfies readonly Intent[];

/** Longest message the engine reads; longer ones get a polite request to write in short. */
export const MAX_READ_LENGTH = 1000;

export function initialState(): EngineState {
  return { v: 1, menu: 0, step: 'menu' };
}

/** Restores a stored state, falling back to a fresh one if it is missing or from another version. */
export function restoreState(stored: unknown): EngineState {
  const s = stored as Partial<EngineState> | null | undefined;
  if (!s || s.v !== 1 || typeof s.menu !== 'number') return initialState();
  return { v: 1, menu: s.menu, step: s.step === 'offer_handover' ? 'offer_handover' : 'menu', ...(s.pendingIntent ? { pendingIntent: s.pendingIntent } : {}) };
}

function mainMenu(state: EngineState): { state: EngineState; message: OutMessage } {
  const next: EngineState = { v: 1, menu: state.menu + 1, step: 'menu' };
  return {
    state: next,
    message: {
      text: { key: 'chat:menu.prompt' },
      options: MAIN_MENU.map((intent) => ({ id: `m${next.menu}.${intent}`, label: { key: `chat:menu.${intent}` } })),
    },
  };
}

function handoverOffer(state: EngineState, intent: Intent): { state: EngineState; message: OutMessage } {
  const next: EngineState = { v: 1, menu: state.menu + 1, step: 'offer_handover', pendingIntent: intent };
  return {
    state: next,
    message: {
      text: { key: `chat:offer.${intent}` },
      options: [
        { id: `m${next.menu}.yes`, label: { key: 'chat:offer.yes' } },
        { id: `m${next.menu}.no`, label: { key: 'chat:offer.no' } },
      ],
    },
  };
}

function toUnderstood(u: Pick<Understanding, 'intent' | 'family' | 'code'>): Understood {
  const out: Understood = { intent: u.intent };
  if (u.intent === 'request_help') {
    if (u.family) out.family = u.family;
    if (u.code) out.code = u.code;
    const service = u.code ?? u.family;
    if (service) out.service = service;
  }
  return out;
}

/** The opening turn of a new conversation: privacy notice, greeting, main menu. */
export function startConversation(state: EngineState = initialState()): TurnResult {
  const menu = mainMenu(state);
  return {
    state: menu.state,
    replies: [{ text: { key: 'chat:welcome.privacy' } }, { text: { key: 'chat:welcome.greeting' } }, menu.message],
    understood: { intent: 'greeting' },
    effects: [],
  };
}

/** Acts on an intent once it is known, from free text or from a chosen option. */
function actOn(state: EngineState, understood: Understood, preface: OutMessage[] = []): TurnResult {
  switch (understood.intent) {
    case 'emergency':
      // Reached only from an option; free-text emergencies are handled before anything else.
      return emergencyTurn(state, understood);
    case 'greeting': {
      const menu = mainMenu(state);
      return { state: menu.state, replies: [...preface, { text: { key: 'chat:greeting' } }, menu.message], understood, effects: [] };
    }
    case 'talk_to_operator':
      return {
        state: { v: 1, menu: state.menu, step: 'menu' },
        replies: [...preface, { text: { key: 'chat:handover.done' } }],
        understood,
        effects: [{ kind: 'handover', urgent: false, reason: 'requested' }],
      };
    case 'unknown': {
      const menu = mainMenu(state);
      return { state: menu.state, replies: [...preface, { text: { key: 'chat:unknown' } }, menu.message], understood, effects: [] };
    }
    default: {
      // Flows not yet automated: a person of the centrale takes them, so nobody is left without an answer.
      const offer = handoverOffer(state, understood.intent);
      const ack: OutMessage[] =
        understood.intent === 'request_help' && understood.service
          ? [{ text: { key: 'chat:understoodService', params: { service: { key: `services:${understood.service}` } } } }]
          : [];
      return { state: offer.state, replies: [...preface, ...ack, offer.message], understood, effects: [] };
    }
  }
}

function emergencyTurn(state: EngineState, understood: Understood): TurnResult {
  return {
    state,
    replies: [{ text: { key: 'chat:emergency.call112' } }, { text: { key: 'chat:emergency.alerted' } }],
    understood,
    effects: [{ kind: 'handover', urgent: true, reason: 'emergency' }],
  };
}

function handleOption(state: EngineState, optionId: string): TurnResult {
  const match = /^m(\d+)\.([a-z_]+)$/.exec(optionId);
  const menu = match ? Number(match[1]) : -1;
  const action = match?.[2] ?? '';
  if (menu !== state.menu) {
    // An option from an old menu (or made up): say so kindly and show the current choices.
    const fresh = mainMenu(state);
    return { state: fresh.state, replies: [{ text: { key: 'chat:staleOption' } }, fresh.message], understood: { intent: 'unknown' }, effects: [] };
  }
  if (state.step === 'offer_handover' && (action === 'yes' || action === 'no')) {
    const intent = state.pendingIntent ?? 'unknown';
    if (action === 'yes') return actOn(state, { intent: 'talk_to_operator' });
    const fresh = mainMenu(state);
    return { state: fresh.state, replies: [{ text: { key: 'chat:offer.declined' } }, fresh.message], understood: { intent }, effects: [] };
  }
  if (state.step === 'menu' && (MAIN_MENU as readonly string[]).includes(action)) {
    return actOn(state, { intent: action as Intent });
  }
  const fresh = mainMenu(state);
  return { state: fresh.state, replies: [{ text: { key: 'chat:staleOption' } }, fresh.message], understood: { intent: 'unknown' }, effects: [] };
}

/** One turn: the person's input in, the replies and the new state out. */
export function handleTurn(stored: EngineState, input: EngineInput, ctx: TurnContext): TurnResult {
  const state = restoreState(stored);
  if (input.kind === 'start') return startConversation(state);

  if (input.kind === 'option') {
    if (ctx.handling !== 'bot') return { state, replies: [], understood: { intent: 'unknown' }, effects: [] };
    return handleOption(state, input.optionId);
  }

  const text = input.text.trim();
  if (text.length > MAX_READ_LENGTH) {
    // Still check the start for an emergency: a long message can be a desperate one.
    const head = understand(text.slice(0, MAX_READ_LENGTH), { now: ctx.now, locale: ctx.locale });
    if (head.intent === 'emergency') return emergencyTurn(state, { intent: 'emergency' });
    if (ctx.handling !== 'bot') return { state, replies: [], understood: { intent: 'unknown' }, effects: [] };
    return { state, replies: [{ text: { key: 'chat:tooLong' } }], understood: { intent: 'unknown' }, effects: [] };
  }
  if (!/[\p{L}\p{N}]/u.test(text)) {
    if (ctx.handling !== 'bot') return { state, replies: [], understood: { intent: 'unknown' }, effects: [] };
    const menu = mainMenu(state);
    return { state: menu.state, replies: [{ text: { key: 'chat:noText' } }, menu.message], understood: { intent: 'unknown' }, effects: [] };
  }

  const understanding = understand(text, { now: ctx.now, locale: ctx.locale });
  const understood = toUnderstood(understanding);
  if (understood.intent === 'emergency') return emergencyTurn(state, understood);
  if (ctx.handling !== 'bot') return { state, replies: [], understood, effects: [] };

  if (state.step === 'offer_handover') {
    // A typed "sì" / "no" answers the pending offer like the buttons do.
    const yesNo = /^(si|sì|s|ok|va bene|yes|y)\b/i.test(text) ? 'yes' : /^(no|n)\b/i.test(text) ? 'no' : undefined;
    if (yesNo) return handleOption(state, `m${state.menu}.${yesNo}`);
  }
  return actOn(state, understood);
}
