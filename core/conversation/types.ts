import type { MessageRef } from '../errors.ts';
import type { Intent } from '../nlu/types.ts';

export type ChannelKind = 'web' | 'telegram' | 'sms';

/** What a person sent, channel-neutral. */
export type EngineInput =
  | { kind: 'start' }
  | { kind: 'text'; text: string }
  | { kind: 'option'; optionId: string };

/** What the engine wants shown: sentences as locale keys, rendered by the channel adapter. */
export interface OutMessage {
  text: MessageRef;
  options?: { id: string; label: MessageRef }[];
}

/** Persisted between turns (conversations.state), so a restart resumes where it was. */
export interface EngineState {
  v: 1;
  /** Increases whenever a new menu is shown: options from an older menu are recognised as stale. */
  menu: number;
  step: 'menu' | 'offer_handover';
  /** The intent the pending handover offer is about. */
  pendingIntent?: Intent;
}

/** The fixed `understood` contract: intent, and for help requests the art. 7 family and code. */
export interface Understood {
  intent: Intent;
  family?: string;
  code?: string;
  service?: string;
}

export type Effect = { kind: 'handover'; urgent: boolean; reason: 'requested' | 'emergency' };

export interface TurnContext {
  now: Date;
  locale: 'it' | 'en';
  channel: ChannelKind;
  /** Who answers now: while staff handle the conversation the bot stays silent except for emergencies. */
  handling: 'bot' | 'waiting' | 'human' | 'closed';
}

export interface TurnResult {
  state: EngineState;
  replies: OutMessage[];
  understood: Understood;
  effects: Effect[];
}

/** Renders a locale key into the person's language (implemented with i18next by the adapters). */
export type Renderer = (ref: MessageRef, locale: string) => string;
