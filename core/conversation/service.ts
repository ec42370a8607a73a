/**
 * The channel-neutral use case behind every chat channel: store the message, let the engine
 * handle what is pending, return the replies. Web chat, Telegram and SMS all call this one
 * function, so flows never drift between channels. I/O happens only through the ports below.
 */
import { clearLanguage } from '../nlu/index.ts';
import { handleTurn } from './engine.ts';
import type { ChatContext } from './context.ts';
import type { Effect, EffectResults, EngineInput, EngineState, OutMessage, Renderer, Understood } from './types.ts';

export interface StoredOptionView {
  id: string;
  label: string;
}

export interface ReplyView {
  id: string;
  seq: number;
  body: string;
  options: StoredOptionView[] | null;
}

export type StoredInputView =
  | { kind: 'text' }
  | { kind: 'option'; optionId: string }
  | { kind: 'start' }
  | { kind: 'contact'; phone: string }
  | { kind: 'media'; mediaType: string; documentId?: string };

export type ConversationView = {
  channel: 'web' | 'telegram' | 'sms';
  locale: string;
  state: Record<string, unknown>;
  handling: 'bot' | 'waiting' | 'human' | 'closed';
};

/** What handling one inbound message decided, rendered, before its effects are applied. */
export interface Decision {
  state: Record<string, unknown>;
  replies: { body: string; options?: StoredOptionView[] }[];
  understood: Record<string, unknown>;
  handover?: { urgent: boolean };
  /** The person wrote clearly in the other language: the conversation goes on in this one (replies included). */
  locale?: 'it' | 'en';
  /** Records to create or change (core/conversation/types.ts Effect), applied by the db layer in the same transaction. */
  effects?: Effect[];
  /** Replies that depend on the effects' outcome (a reference number, a link result), rendered. */
  finish?: (results: EffectResults) => { replies: { body: string; options?: StoredOptionView[] }[]; state?: Record<string, unknown>; effects?: Effect[] };
}

/** One handled inbound message, as stored: its replies and what the engine understood. */
export interface HandledView {
  inboundId: string;
  replies: ReplyView[];
  understood: Record<string, unknown>;
}

type Decide = (conversation: ConversationView, message: { body: string; input: StoredInputView }, context?: ChatContext) => Decision;

/** Implemented by db/conversations.ts. */
export interface ConversationStore {
  appendInbound(
    conversationId: string,
    inbound: { body: string; input: StoredInputView; externalId?: string; author?: 'person' | 'system' },
  ): Promise<{ messageId: string; seq: number; duplicate: boolean }>;
  processPending(conversationId: string, decide: Decide, now: Date, options?: { origin?: string }): Promise<HandledView[]>;
  /**
   * Stores and handles in one transaction: for channels whose raw update is already stored
   * upstream (Telegram, SMS), so that a failed turn leaves nothing half done.
   */
  appendAndProcess?(
    conversationId: string,
    inbound: { body: string; input: StoredInputView; externalId?: string; author?: 'person' | 'system' },
    decide: Decide,
    now: Date,
    options?: { origin?: string },
  ): Promise<{ messageId: string; duplicate: boolean; turns: HandledView[] }>;
  repliesTo(inboundId: string): Promise<{ replies: ReplyView[]; understood: Record<string, unknown> | null }>;
  latestOptions(conversationId: string): Promise<StoredOptionView[]>;
}

export interface ChatDeps {
  store: ConversationStore;
  render: Renderer;
  now: () => Date;
}

export interface ChatTurn {
  inboundId: string;
  duplicate: boolean;
  replies: ReplyView[];
  understood: Understood;
}

/**
 * What is stored of a typed text: NFC, well-formed, without control characters (PostgreSQL text
 * cannot hold NUL; the others only confuse the reader). Line breaks and tabs stay.
 */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.toWellFormed().normalize('NFC').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

function toEngineInput(body: string, input: StoredInputView): EngineInput {
  if (input.kind === 'option') return { kind: 'option', optionId: input.optionId };
  if (input.kind === 'start') return { kind: 'start' };
  if (input.kind === 'contact') return { kind: 'contact', phone: input.phone };
  if (input.kind === 'media') return { kind: 'media', mediaType: input.mediaType };
  return { kind: 'text', text: body };
}

function renderAll(render: Renderer, locale: string, replies: OutMessage[]) {
  return replies.map((r) => ({
    body: render(r.text, locale),
    ...(r.options ? { options: r.options.map((o) => ({ id: o.id, label: render(o.label, locale) })) } : {}),
  }));
}

/** Pure: the engine's turn, rendered into the conversation's language. */
export function decideTurn(
  render: Renderer,
  now: Date,
  conversation: ConversationView,
  message: { body: string; input: StoredInputView },
  context?: ChatContext,
): Decision {
  const current = conversation.locale === 'en' ? 'en' : 'it';
  // "Hello, I need help" in an Italian conversation (an SMS, a phone set to English on Telegram):
  // answered, and from now on spoken to, in the language the person writes. Not from an answer in
  // the middle of a request: an Italian address ("via della Repubblica, di fronte alla chiesa")
  // says nothing about the writer's language.
  const asking = (conversation.state as { step?: unknown }).step === 'flow';
  const written = message.input.kind === 'text' && !asking ? clearLanguage(message.body) : undefined;
  const locale = written ?? current;
  const result = handleTurn(conversation.state as unknown as EngineState, toEngineInput(message.body, message.input), {
    now,
    locale,
    channel: conversation.channel,
    handling: conversation.handling,
    ...(context ? { data: context } : {}),
  });
  const handover = result.effects.find((e) => e.kind === 'handover');
  const effects = result.effects.filter((e) => e.kind !== 'handover');
  const finish = result.finish;
  return {
    state: result.state as unknown as Record<string, unknown>,
    replies: renderAll(render, locale, result.replies),
    understood: result.understood as unknown as Record<string, unknown>,
    ...(handover ? { handover: { urgent: handover.urgent } } : {}),
    ...(locale !== current ? { locale } : {}),
    ...(effects.length > 0 ? { effects } : {}),
    ...(finish
      ? {
          finish: (results: EffectResults) => {
            const done = finish(results);
            return {
              replies: renderAll(render, locale, done.replies),
              ...(done.state ? { state: done.state as unknown as Record<string, unknown> } : {}),
              ...(done.effects && done.effects.length > 0 ? { effects: done.effects } : {}),
            };
          },
        }
      : {}),
  };
}

/**
 * Receives one message and answers it. A redelivered message (same external id) is not stored
 * or answered again: the replies already given are returned. `together`: store and handle in one
 * transaction (see ConversationStore.appendAndProcess); otherwise the message is committed first.
 */
export async function receiveMessage(
  deps: ChatDeps,
  conversationId: string,
  incoming: { text?: string; optionId?: string; start?: boolean; externalId?: string; contact?: { phone: string }; media?: { mediaType: string; documentId?: string }; origin?: string; together?: boolean },
): Promise<ChatTurn> {
  let body = cleanText(incoming.text ?? '');
  let input: StoredInputView = { kind: 'text' };
  if (incoming.start) input = { kind: 'start' };
  else if (incoming.contact) input = { kind: 'contact', phone: incoming.contact.phone.slice(0, 40) };
  else if (incoming.media) input = { kind: 'media', mediaType: incoming.media.mediaType.slice(0, 100), ...(incoming.media.documentId ? { documentId: incoming.media.documentId } : {}) };
  else if (incoming.optionId !== undefined) {
    input = { kind: 'option', optionId: incoming.optionId };
    // The transcript shows what the person chose, as they read it.
    const offered = await deps.store.latestOptions(conversationId);
    body = offered.find((o) => o.id === incoming.optionId)?.label ?? incoming.optionId;
  }
  const inbound = {
    body,
    input,
    ...(incoming.externalId !== undefined ? { externalId: incoming.externalId } : {}),
    ...(incoming.start ? { author: 'system' as const } : {}),
  };
  const now = deps.now();
  const decide: Decide = (c, m, context) => decideTurn(deps.render, now, c, m, context);
  const options = incoming.origin !== undefined ? { origin: incoming.origin } : undefined;
  let messageId: string;
  let duplicate: boolean;
  let handled: HandledView[] = [];
  if (incoming.together && deps.store.appendAndProcess) {
    const result = await deps.store.appendAndProcess(conversationId, inbound, decide, now, options);
    ({ messageId, duplicate } = result);
    handled = result.turns;
  } else {
    const stored = await deps.store.appendInbound(conversationId, inbound);
    ({ messageId, duplicate } = stored);
    if (!duplicate) handled = await deps.store.processPending(conversationId, decide, now, options);
  }
  // Handled now: the replies are at hand. Handled before (a retry), or by a concurrent caller: read them.
  const mine = handled.find((h) => h.inboundId === messageId) ?? { inboundId: messageId, ...(await deps.store.repliesTo(messageId)) };
  return {
    inboundId: messageId,
    duplicate,
    replies: mine.replies,
    understood: (mine.understood as unknown as Understood | null) ?? { intent: 'unknown' },
  };
}
